import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { type Consent, consents } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';
import { audit } from './audit';
import type { LegalBasis } from './rules/types';

export type ConsentChannel = 'phone' | 'sms' | 'email' | 'all';

export interface ConsentInput {
  prospectId?: string;
  contactPointId?: string;
  channel: ConsentChannel;
  purpose: string;
  basis: LegalBasis;
  source: string;
  proof: Record<string, unknown>;
  givenAt: Date;
  expiresAt?: Date | null;
}

/** Records a legal basis with its proof: who gave it, when, how. It must name a person or a contact point of theirs. */
export async function recordConsent(ctx: Ctx, input: ConsentInput): Promise<Consent> {
  if (!input.prospectId && !input.contactPointId) {
    throw invalid('a consent belongs to a person or a contact point', [
      { field: 'prospectId', message: 'give a prospectId or a contactPointId' },
    ]);
  }
  if (input.expiresAt && input.expiresAt <= input.givenAt) {
    throw invalid('the consent would expire before it was given', [
      { field: 'expiresAt', message: 'must be after givenAt' },
    ]);
  }
  return withTransaction(ctx, async (tx) => {
    if (input.prospectId) {
      const [row] = await queryRows<{ contactPoints: { id: string }[] }>(
        tx.db,
        sql`SELECT contact_points AS "contactPoints" FROM prospects WHERE org_id = ${tx.orgId} AND id = ${input.prospectId}`,
      );
      if (!row) throw notFound('Prospect');
      if (input.contactPointId && !row.contactPoints.some((l) => l.id === input.contactPointId))
        throw notFound('Contact point of this prospect');
    } else {
      const rows = await queryRows(
        tx.db,
        sql`SELECT 1 FROM contact_points WHERE org_id = ${tx.orgId} AND id = ${input.contactPointId}`,
      );
      if (rows.length === 0) throw notFound('Contact point');
    }
    const [row] = await tx.db
      .insert(consents)
      .values({
        orgId: tx.orgId,
        id: newId(),
        prospectId: input.prospectId ?? null,
        contactPointId: input.contactPointId ?? null,
        channel: input.channel,
        purpose: input.purpose,
        basis: input.basis,
        source: input.source,
        proof: input.proof,
        givenAt: input.givenAt,
        expiresAt: input.expiresAt ?? null,
        createdBy: tx.actor.keyId,
      })
      .returning();
    await audit(
      tx,
      'consent.recorded',
      { type: 'consent', id: row!.id },
      {
        prospectId: row!.prospectId,
        contactPointId: row!.contactPointId,
        channel: row!.channel,
        basis: row!.basis,
        purpose: row!.purpose,
      },
    );
    return row!;
  });
}

/** Withdraws one consent, with the proof of the withdrawal. */
export async function withdrawConsent(
  ctx: Ctx,
  id: string,
  input: { at: Date; proof: Record<string, unknown> },
): Promise<Consent> {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select()
      .from(consents)
      .where(and(eq(consents.orgId, tx.orgId), eq(consents.id, id)))
      .for('update');
    if (!row) throw notFound('Consent');
    if (row.withdrawnAt)
      throw new AppError('CONFLICT', 'this consent was already withdrawn', {
        extra: { withdrawnAt: row.withdrawnAt },
      });
    const [updated] = await tx.db
      .update(consents)
      .set({ withdrawnAt: input.at, withdrawalProof: { ...input.proof, recordedBy: tx.actor.keyId } })
      .where(and(eq(consents.orgId, tx.orgId), eq(consents.id, id)))
      .returning();
    await audit(
      tx,
      'consent.withdrawn',
      { type: 'consent', id },
      { prospectId: row.prospectId, contactPointId: row.contactPointId, channel: row.channel },
    );
    return updated!;
  });
}

/** Withdraws every active consent of a person for a channel (and those for all channels): "stop calling me". */
export async function withdrawConsentsOf(
  ctx: Ctx,
  who: { prospectId: string; contactPointId?: string | null },
  channel: ConsentChannel,
  input: { at: Date; proof: Record<string, unknown> },
): Promise<number> {
  const rows = await ctx.db
    .update(consents)
    .set({ withdrawnAt: input.at, withdrawalProof: { ...input.proof, recordedBy: ctx.actor.keyId } })
    .where(
      and(
        eq(consents.orgId, ctx.orgId),
        isNull(consents.withdrawnAt),
        who.contactPointId
          ? or(eq(consents.prospectId, who.prospectId), eq(consents.contactPointId, who.contactPointId))
          : eq(consents.prospectId, who.prospectId),
        channel === 'all' ? undefined : or(eq(consents.channel, channel), eq(consents.channel, 'all')),
      ),
    )
    .returning({ id: consents.id });
  for (const row of rows)
    await audit(
      ctx,
      'consent.withdrawn',
      { type: 'consent', id: row.id },
      { prospectId: who.prospectId, channel },
    );
  return rows.length;
}

export interface ConsentFilters {
  prospectId?: string;
  contactPointId?: string;
  channel?: ConsentChannel;
  active?: boolean;
  limit: number;
  cursor?: string;
}

export async function listConsents(ctx: Ctx, f: ConsentFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(consents)
    .where(
      and(
        eq(consents.orgId, ctx.orgId),
        f.prospectId ? eq(consents.prospectId, f.prospectId) : undefined,
        f.contactPointId ? eq(consents.contactPointId, f.contactPointId) : undefined,
        f.channel ? eq(consents.channel, f.channel) : undefined,
        f.active
          ? sql`${consents.withdrawnAt} IS NULL AND (${consents.expiresAt} IS NULL OR ${consents.expiresAt} > now())`
          : undefined,
        after ? lt(consents.id, after) : undefined,
      ),
    )
    .orderBy(desc(consents.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export async function getConsent(ctx: Ctx, id: string): Promise<Consent> {
  const [row] = await ctx.db
    .select()
    .from(consents)
    .where(and(eq(consents.orgId, ctx.orgId), eq(consents.id, id)));
  if (!row) throw notFound('Consent');
  return row;
}
