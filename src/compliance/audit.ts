import { and, desc, eq, gte, lt, lte } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import type { Ctx } from '../context';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';

export type AuditAction =
  | 'policy.updated'
  | 'attempt.reserved'
  | 'attempt.outcome'
  | 'suppression.added'
  | 'suppression.imported'
  | 'suppression.removed'
  | 'consent.recorded'
  | 'consent.withdrawn'
  | 'registry.imported'
  | 'prospect.erased'
  | 'prospect.exported'
  | 'retention.purged'
  | 'contact_point.invalidated';

/**
 * Appends to the audit log. Details carry ids, counts and codes, never a name, a number or an address,
 * so that entries can outlive the people they mention.
 */
export async function audit(
  ctx: Ctx,
  action: AuditAction,
  subject: { type: string; id: string | null },
  details: Record<string, unknown> = {},
): Promise<void> {
  await ctx.db.insert(auditLog).values({
    orgId: ctx.orgId,
    id: newId(),
    actorKeyId: ctx.actor.keyId,
    actorRole: ctx.actor.role,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    details,
  });
}

/** Appends several entries in one statement. */
export async function auditMany(
  ctx: Ctx,
  entries: {
    action: AuditAction;
    subject: { type: string; id: string | null };
    details: Record<string, unknown>;
  }[],
): Promise<void> {
  if (entries.length === 0) return;
  await ctx.db.insert(auditLog).values(
    entries.map((e) => ({
      orgId: ctx.orgId,
      id: newId(),
      actorKeyId: ctx.actor.keyId,
      actorRole: ctx.actor.role,
      action: e.action,
      subjectType: e.subject.type,
      subjectId: e.subject.id,
      details: e.details,
    })),
  );
}

export interface AuditFilters {
  action?: string;
  subjectId?: string;
  actorKeyId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export async function listAudit(ctx: Ctx, f: AuditFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.orgId, ctx.orgId),
        f.action ? eq(auditLog.action, f.action) : undefined,
        f.subjectId ? eq(auditLog.subjectId, f.subjectId) : undefined,
        f.actorKeyId ? eq(auditLog.actorKeyId, f.actorKeyId) : undefined,
        f.since ? gte(auditLog.at, f.since) : undefined,
        f.until ? lte(auditLog.at, f.until) : undefined,
        after ? lt(auditLog.id, after) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}
