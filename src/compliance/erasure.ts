import { and, asc, eq, sql } from 'drizzle-orm';
import {
  auditLog,
  companies,
  consents,
  contactAttempts,
  contactPoints,
  type InteractionType,
  interactions,
  prospects,
  suppressions,
} from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { notFound } from '../http/errors';
import { DAY } from '../lib/durations';
import { eraseDraftsOf } from '../outreach/drafts';
import { lockOrganizationWrites } from '../prospects/batch-write';
import { forgetScores } from '../scoring/queue';
import { audit } from './audit';
import { anyHash, suppressionKey } from './keys';
import type { NewSuppression } from './suppressions';
import { insertSuppressions } from './suppressions';

const p = sql.param;

export interface ErasureSummary {
  prospectId: string;
  contactPointsDeleted: number;
  contactPointsKept: number;
  interactionsDeleted: number;
  consentsDeleted: number;
  draftsDeleted: number;
  attemptsAnonymized: number;
  importRejectionsDeleted: number;
  suppressionsKept: number;
}

/**
 * Removes a person's data everywhere (GDPR Art. 17): the record, the contact points no one else holds,
 * interactions and their free text, consents, rejected import lines that mention them. Attempts stay,
 * without the person's ids, because caps count them. With `suppress` (an erasure at the person's
 * request), their numbers, addresses and CRM id stay as keyed hashes so that they are never contacted
 * again, even if a list brings them back; a retention purge keeps nothing.
 */
export async function eraseProspect(
  ctx: Ctx,
  id: string,
  options: { suppress: boolean },
): Promise<ErasureSummary> {
  return withTransaction(ctx, async (tx) => {
    // Not while an import's batch writes: it would link a number to the erased person after this.
    await lockOrganizationWrites(tx);
    const [prospect] = await tx.db
      .select()
      .from(prospects)
      .where(and(eq(prospects.orgId, tx.orgId), eq(prospects.id, id)))
      .for('update');
    if (!prospect) throw notFound('Prospect');
    const pointIds = prospect.contactPoints.map((l) => l.id);
    const points =
      pointIds.length === 0
        ? []
        : await tx.db
            .select()
            .from(contactPoints)
            .where(
              and(eq(contactPoints.orgId, tx.orgId), sql`${contactPoints.id} = ANY(${p(pointIds)}::uuid[])`),
            );
    const own = points.filter((cp) => cp.prospectIds.every((other) => other === id));
    const shared = points.filter((cp) => !own.includes(cp));

    let suppressionsKept = 0;
    if (options.suppress) {
      const source = 'erasure at the person’s request (GDPR Art. 17)';
      const entries: NewSuppression[] = own.map((cp) => ({
        scope: 'contact_point',
        hash: suppressionKey('contact_point', cp.value, cp.channel),
        hint: null,
        channel: 'all',
        reason: 'erasure',
        source,
      }));
      if (prospect.externalId)
        entries.push({
          scope: 'external_id',
          hash: suppressionKey('external_id', prospect.externalId),
          hint: null,
          channel: 'all',
          reason: 'erasure',
          source,
        });
      suppressionsKept = (await insertSuppressions(tx, entries)).length;
      // Earlier entries for the same values lose their partial hints.
      if (entries.length > 0) {
        await tx.db
          .update(suppressions)
          .set({ hint: null })
          .where(
            and(
              eq(suppressions.orgId, tx.orgId),
              sql`${suppressions.valueHash} = ${anyHash(entries.map((e) => e.hash))}`,
            ),
          );
      }
    }

    const importRejectionsDeleted = await deleteRejectedLines(tx, own);
    // A replayable answer (Idempotency-Key) may hold the person's interactions, notes included.
    await tx.db.execute(
      sql`DELETE FROM idempotency_keys WHERE org_id = ${tx.orgId} AND response_body::text LIKE ${`%${id}%`}`,
    );
    const deletedInteractions = await tx.db
      .delete(interactions)
      .where(and(eq(interactions.orgId, tx.orgId), eq(interactions.prospectId, id)))
      .returning({ id: interactions.id });
    const ownIds = own.map((cp) => cp.id);
    const deletedConsents = await tx.db
      .delete(consents)
      .where(
        and(
          eq(consents.orgId, tx.orgId),
          ownIds.length > 0
            ? sql`(${consents.prospectId} = ${id} OR ${consents.contactPointId} = ANY(${p(ownIds)}::uuid[]))`
            : eq(consents.prospectId, id),
        ),
      )
      .returning({ id: consents.id });
    const anonymized = await tx.db
      .update(contactAttempts)
      .set({ prospectId: null, contactPointId: null, campaign: null })
      .where(
        and(
          eq(contactAttempts.orgId, tx.orgId),
          ownIds.length > 0
            ? sql`(${contactAttempts.prospectId} = ${id} OR ${contactAttempts.contactPointId} = ANY(${p(ownIds)}::uuid[]))`
            : eq(contactAttempts.prospectId, id),
        ),
      )
      .returning({ id: contactAttempts.id });
    await tx.db.delete(prospects).where(and(eq(prospects.orgId, tx.orgId), eq(prospects.id, id)));
    // Drafts carry the person's facts, and the LLM calls the prompts made of them. After the prospect's row
    // is gone: a draft being written holds a share lock on it, so this sees that draft once it is stored.
    const draftsDeleted = await eraseDraftsOf(tx, id);
    await forgetScores(tx, id);
    if (ownIds.length > 0) {
      await tx.db
        .delete(contactPoints)
        .where(and(eq(contactPoints.orgId, tx.orgId), sql`${contactPoints.id} = ANY(${p(ownIds)}::uuid[])`));
    }
    if (shared.length > 0) {
      await tx.db.execute(
        sql`UPDATE contact_points SET prospect_ids = array_remove(prospect_ids, ${id}::uuid), updated_at = now()
            WHERE org_id = ${tx.orgId} AND id = ANY(${p(shared.map((cp) => cp.id))}::uuid[])`,
      );
    }
    const summary: ErasureSummary = {
      prospectId: id,
      contactPointsDeleted: own.length,
      contactPointsKept: shared.length,
      interactionsDeleted: deletedInteractions.length,
      consentsDeleted: deletedConsents.length,
      draftsDeleted,
      attemptsAnonymized: anonymized.length,
      importRejectionsDeleted,
      suppressionsKept,
    };
    await audit(
      tx,
      options.suppress ? 'prospect.erased' : 'retention.purged',
      { type: 'prospect', id },
      { ...summary },
    );
    return summary;
  });
}

/** Rejected import lines keep the raw row; those that mention one of the person's numbers or addresses go. */
async function deleteRejectedLines(ctx: Ctx, points: { channel: string; value: string }[]): Promise<number> {
  const emails = points.filter((cp) => cp.channel === 'email').map((cp) => cp.value);
  // The national significant number: how "06 12 34 56 78" and "+33 6 12 34 56 78" both end once spaces go.
  const digits = points.filter((cp) => cp.channel === 'phone').map((cp) => cp.value.slice(-9));
  if (emails.length === 0 && digits.length === 0) return 0;
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`DELETE FROM import_rejections r USING jobs j
        WHERE j.id = r.job_id AND j.org_id = ${ctx.orgId}
          AND (lower(r.raw::text) LIKE ANY(${p(emails.map((e) => `%${e.replace(/[\\%_]/g, (c) => `\\${c}`)}%`))}::text[])
               OR regexp_replace(r.raw::text, '\\D', '', 'g') LIKE ANY(${p(digits.map((d) => `%${d}%`))}::text[]))
        RETURNING r.job_id AS id`,
  );
  return rows.length;
}

/** Everything held about a person (GDPR Art. 15), in one document. */
export async function exportProspect(ctx: Ctx, id: string) {
  const [prospect] = await ctx.db
    .select()
    .from(prospects)
    .where(and(eq(prospects.orgId, ctx.orgId), eq(prospects.id, id)));
  if (!prospect) throw notFound('Prospect');
  const pointIds = prospect.contactPoints.map((l) => l.id);
  const anyPoint = pointIds.length > 0 ? sql`OR contact_point_id = ANY(${p(pointIds)}::uuid[])` : sql``;
  const [company, points, events, consentRows, attempts, auditRows] = await Promise.all([
    prospect.companyId
      ? ctx.db
          .select()
          .from(companies)
          .where(and(eq(companies.orgId, ctx.orgId), eq(companies.id, prospect.companyId)))
          .then((rows) => rows[0] ?? null)
      : null,
    pointIds.length === 0
      ? []
      : ctx.db
          .select()
          .from(contactPoints)
          .where(
            and(eq(contactPoints.orgId, ctx.orgId), sql`${contactPoints.id} = ANY(${p(pointIds)}::uuid[])`),
          ),
    ctx.db
      .select()
      .from(interactions)
      .where(and(eq(interactions.orgId, ctx.orgId), eq(interactions.prospectId, id)))
      .orderBy(asc(interactions.occurredAt)),
    queryRows(
      ctx.db,
      sql`SELECT * FROM consents WHERE org_id = ${ctx.orgId} AND (prospect_id = ${id} ${anyPoint}) ORDER BY given_at`,
    ),
    queryRows(
      ctx.db,
      sql`SELECT * FROM contact_attempts WHERE org_id = ${ctx.orgId} AND (prospect_id = ${id} ${anyPoint}) ORDER BY at`,
    ),
    ctx.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.orgId, ctx.orgId),
          sql`(${auditLog.subjectId} = ${id} OR ${auditLog.details}->>'prospectId' = ${id})`,
        ),
      )
      .orderBy(asc(auditLog.at)),
  ]);
  const keys = [
    suppressionKey('person', id),
    ...points.map((cp) => suppressionKey('contact_point', cp.value, cp.channel)),
    ...(prospect.externalId ? [suppressionKey('external_id', prospect.externalId)] : []),
  ];
  const suppressionRows = await ctx.db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.orgId, ctx.orgId), sql`${suppressions.valueHash} = ${anyHash(keys)}`));
  await audit(ctx, 'prospect.exported', { type: 'prospect', id }, { prospectId: id });
  return {
    exportedAt: new Date(),
    prospect,
    company,
    contactPoints: points.map(({ prospectIds: _ids, ...cp }) => cp),
    interactions: events,
    consents: consentRows,
    contactAttempts: attempts,
    suppressions: suppressionRows.map(({ valueHash: _hash, ...s }) => s),
    audit: auditRows,
  };
}

/** Interactions that come from the person, which restart the retention clock. */
const FROM_THE_PERSON: InteractionType[] = [
  'email_clicked',
  'email_replied',
  'sms_replied',
  'call_answered',
  'meeting_booked',
  'meeting_held',
  'web_visit',
  'form_submitted',
  'purchase',
];

/** People with no contact (interaction or attempt) and no new record for `retentionDays`. */
export async function retentionCandidates(
  ctx: Ctx,
  retentionDays: number,
  now: Date,
  limit: number,
): Promise<{ cutoff: Date; ids: string[] }> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY);
  const since = cutoff.toISOString();
  // The clock runs from the person's own last contact (a reply, a click, an answered call, a visit, a
  // purchase: CNIL's "dernier contact émanant du prospect"), not from the calls and e-mails sent to them;
  // customers with a contract or purchase on record are not prospects and are left alone.
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`SELECT p.id FROM prospects p
        WHERE p.org_id = ${ctx.orgId} AND p.created_at < ${since}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.org_id = p.org_id AND i.prospect_id = p.id
                            AND i.occurred_at >= ${since}::timestamptz AND i.type = ANY(${p(FROM_THE_PERSON)}::text[]))
          AND NOT EXISTS (SELECT 1 FROM contact_attempts a WHERE a.org_id = p.org_id AND a.prospect_id = p.id
                            AND a.at >= ${since}::timestamptz AND a.outcome IN ('answered', 'consent_given'))
          AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.org_id = p.org_id AND c.prospect_id = p.id
                            AND c.basis IN ('contract_in_progress', 'existing_customer') AND c.withdrawn_at IS NULL
                            AND (c.expires_at IS NULL OR c.expires_at > ${now.toISOString()}::timestamptz))
        ORDER BY p.id LIMIT ${limit}`,
  );
  return { cutoff, ids: rows.map((r) => r.id) };
}
