import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { type Suppression, type SuppressionScope, suppressions } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';
import { audit, auditMany } from './audit';
import { anyHash } from './keys';
import {
  type Normalized,
  normalizeSuppression,
  type SuppressionChannel,
  type SuppressionInput,
} from './suppression-values';

async function requireRecord(ctx: Ctx, input: SuppressionInput): Promise<void> {
  if (input.scope === 'person') {
    const rows = await queryRows(
      ctx.db,
      sql`SELECT 1 FROM prospects WHERE org_id = ${ctx.orgId} AND id = ${input.prospectId}`,
    );
    if (rows.length === 0) throw notFound('Prospect');
  }
  if (input.scope === 'company') {
    const rows = await queryRows(
      ctx.db,
      sql`SELECT 1 FROM companies WHERE org_id = ${ctx.orgId} AND id = ${input.companyId}`,
    );
    if (rows.length === 0) throw notFound('Company');
  }
}

/**
 * Records that someone must not be contacted, at once. The same value on the same channel twice is one
 * entry (the first is returned).
 */
export async function addSuppression(
  ctx: Ctx,
  input: SuppressionInput,
  defaultCountry: string,
): Promise<{ suppression: Suppression; created: boolean }> {
  const normalized = normalizeSuppression(input, defaultCountry);
  if ('message' in normalized)
    throw invalid(`the suppression's ${normalized.field} is not valid`, [normalized]);
  return withTransaction(ctx, async (tx) => {
    await requireRecord(tx, input);
    const result = await insertSuppressions(tx, [
      { ...normalized, channel: input.channel, reason: input.reason, source: input.source },
    ]);
    return result[0]!;
  });
}

export interface NewSuppression extends Omit<Normalized, 'hint'> {
  /** Null for entries kept after an erasure: not even part of the value remains. */
  hint: string | null;
  channel: SuppressionChannel;
  reason: string;
  source: string;
}

/** Inserts entries that are not already active; serialized per organization so that two requests make one. */
export async function insertSuppressions(
  ctx: Ctx,
  entries: NewSuppression[],
): Promise<{ suppression: Suppression; created: boolean }[]> {
  if (entries.length === 0) return [];
  return withTransaction(ctx, async (tx) => {
    await tx.db.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`suppressions:${tx.orgId}`}, 0))`,
    );
    const existing = await tx.db
      .select()
      .from(suppressions)
      .where(
        and(
          eq(suppressions.orgId, tx.orgId),
          isNull(suppressions.removedAt),
          sql`${suppressions.valueHash} = ${anyHash(entries.map((e) => e.hash))}`,
        ),
      );
    // An erasure keeps an entry of its own, which no admin can remove, even where an ordinary one exists.
    const keyOf = (hash: Buffer, channel: string, reason: string) =>
      `${hash.toString('hex')} ${channel}${reason === 'erasure' ? ' erasure' : ''}`;
    const known = new Map(existing.map((s) => [keyOf(s.valueHash, s.channel, s.reason), s]));
    const results: { suppression: Suppression; created: boolean }[] = [];
    const fresh: (typeof suppressions.$inferInsert & { id: string })[] = [];
    for (const entry of entries) {
      const key = keyOf(entry.hash, entry.channel, entry.reason);
      const found = known.get(key);
      if (found) {
        results.push({ suppression: found, created: false });
        continue;
      }
      const row = {
        orgId: tx.orgId,
        id: newId(),
        scope: entry.scope,
        channel: entry.channel,
        valueHash: entry.hash,
        hint: entry.hint,
        reason: entry.reason,
        source: entry.source,
        createdBy: tx.actor.keyId,
      };
      fresh.push(row);
      const suppression = {
        ...row,
        createdAt: new Date(),
        removedAt: null,
        removedBy: null,
        removalReason: null,
      } as Suppression;
      known.set(key, suppression);
      results.push({ suppression, created: true });
    }
    for (let i = 0; i < fresh.length; i += 1000) {
      const slice = fresh.slice(i, i + 1000);
      await tx.db.insert(suppressions).values(slice);
      await auditMany(
        tx,
        slice.map((row) => ({
          action: 'suppression.added' as const,
          subject: { type: 'suppression', id: row.id },
          details: { scope: row.scope, channel: row.channel, reason: row.reason, source: row.source },
        })),
      );
    }
    return results;
  });
}

/** Takes a suppression off the list, keeping the record: an admin's act, with a reason. Erasures stay. */
export async function removeSuppression(ctx: Ctx, id: string, reason: string): Promise<Suppression> {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select()
      .from(suppressions)
      .where(and(eq(suppressions.orgId, tx.orgId), eq(suppressions.id, id)))
      .for('update');
    if (!row) throw notFound('Suppression');
    if (row.removedAt)
      throw new AppError('CONFLICT', 'this suppression was already removed', {
        extra: { removedAt: row.removedAt },
      });
    if (row.reason === 'erasure') {
      throw new AppError(
        'CONFLICT',
        'this suppression keeps an erased person from being contacted again and cannot be removed',
      );
    }
    const [updated] = await tx.db
      .update(suppressions)
      .set({ removedAt: new Date(), removedBy: tx.actor.keyId, removalReason: reason })
      .where(and(eq(suppressions.orgId, tx.orgId), eq(suppressions.id, id)))
      .returning();
    await audit(
      tx,
      'suppression.removed',
      { type: 'suppression', id },
      { reason, scope: row.scope, channel: row.channel },
    );
    return updated!;
  });
}

export interface SuppressionFilters {
  scope?: SuppressionScope;
  channel?: SuppressionChannel;
  reason?: string;
  includeRemoved?: boolean;
  limit: number;
  cursor?: string;
}

export async function listSuppressions(ctx: Ctx, f: SuppressionFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.orgId, ctx.orgId),
        f.scope ? eq(suppressions.scope, f.scope) : undefined,
        f.channel ? eq(suppressions.channel, f.channel) : undefined,
        f.reason ? eq(suppressions.reason, f.reason) : undefined,
        f.includeRemoved ? undefined : isNull(suppressions.removedAt),
        after ? lt(suppressions.id, after) : undefined,
      ),
    )
    .orderBy(desc(suppressions.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export async function getSuppression(ctx: Ctx, id: string): Promise<Suppression> {
  const [row] = await ctx.db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.orgId, ctx.orgId), eq(suppressions.id, id)));
  if (!row) throw notFound('Suppression');
  return row;
}

/** The active suppressions that name a value (number, address, domain or CRM id). */
export async function findSuppressions(
  ctx: Ctx,
  value: string,
  defaultCountry: string,
): Promise<Suppression[]> {
  const hashes: Buffer[] = [];
  for (const scope of ['contact_point', 'email_domain', 'external_id'] as const) {
    const normalized = normalizeSuppression({ scope, value }, defaultCountry);
    if (!('message' in normalized)) hashes.push(normalized.hash);
  }
  if (hashes.length === 0) return [];
  return ctx.db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.orgId, ctx.orgId),
        isNull(suppressions.removedAt),
        sql`${suppressions.valueHash} = ${anyHash(hashes)}`,
      ),
    );
}
