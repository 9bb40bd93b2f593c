import { and, eq, sql } from 'drizzle-orm';
import { jobs, prospectListMembers, prospectScores, scoreHistory, scoreQueue } from '../../db/schema';
import { type Ctx, systemCtx, withTransaction } from '../context';
import { type Db, queryRows } from '../db';
import { newId } from '../lib/ids';

/** What asks for rescoring: the queue of changed prospects and full rescorings (see rescore.ts). */

/** The key of an organization's queue lock (queueScoring, queueSettled). */
const queueLockKey = (ctx: Ctx) => sql`hashtext('score_queue'), hashtext(${ctx.orgId})`;

/**
 * Puts prospects whose facts changed on the rescoring queue, and makes sure a job will drain it. Runs in
 * the caller's transaction; does nothing for an organization without campaigns.
 */
export async function queueScoring(ctx: Ctx, prospectIds: string[]): Promise<void> {
  if (prospectIds.length === 0) return;
  // Rows are upserted in the order given, each locked until the transaction ends: two batches naming the
  // same people in another order would each wait for the other (a deadlock, and a 500) but for one order.
  // The queue's lock, shared until this transaction commits: a drain that finds the queue empty waits for
  // it before it ends (queueSettled), so that an entry made while the drain was already queued is seen.
  await ctx.db.execute(
    sql`WITH lock AS (SELECT pg_advisory_xact_lock_shared(${queueLockKey(ctx)})),
        q AS (
          INSERT INTO score_queue (org_id, prospect_id)
          SELECT ${ctx.orgId}, id FROM unnest(${sql.param([...new Set(prospectIds)].sort())}::uuid[]) AS id
          WHERE EXISTS (SELECT 1 FROM lock) AND EXISTS (SELECT 1 FROM campaigns WHERE org_id = ${ctx.orgId})
          ON CONFLICT (org_id, prospect_id) DO UPDATE SET queued_at = now(), scored_at = NULL
          RETURNING 1
        )
        INSERT INTO jobs (id, org_id, kind)
        SELECT ${newId()}, ${ctx.orgId}, 'rescore_queue'
        WHERE EXISTS (SELECT 1 FROM q)
          AND NOT EXISTS (SELECT 1 FROM jobs WHERE org_id = ${ctx.orgId} AND kind = 'rescore_queue' AND status = 'queued')`,
  );
}

/** Puts everyone at these companies on the rescoring queue: a company's facts are its people's. */
export async function queueCompanyPeople(ctx: Ctx, companyIds: string[]): Promise<void> {
  if (companyIds.length === 0) return;
  const people = await queryRows<{ id: string }>(
    ctx.db,
    sql`SELECT id FROM prospects WHERE org_id = ${ctx.orgId} AND company_id = ANY(${sql.param(companyIds)}::uuid[])`,
  );
  await queueScoring(
    ctx,
    people.map((p) => p.id),
  );
}

/**
 * Whether the queue is empty once every transaction that queued people has committed. A drain checked the
 * queue while its job was still queued; an entry made then, not yet committed when the drain took its
 * last rows, found a drain queued and queued none: without this wait it stayed until the sweep
 * (queueWaitingScoring) a minute or more later. The queue's lock, taken alone, waits for those
 * transactions (queueScoring holds it shared).
 */
export async function queueSettled(ctx: Ctx): Promise<boolean> {
  return withTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`SELECT pg_advisory_xact_lock(${queueLockKey(tx)})`);
    const waiting = await queryRows<{ one: number }>(
      tx.db,
      sql`SELECT 1 AS one FROM score_queue WHERE org_id = ${tx.orgId} AND scored_at IS NULL LIMIT 1`,
    );
    return waiting.length === 0;
  });
}

/**
 * Queues a full rescoring of a campaign. The campaign's row is locked first: a rescoring's chunks hold it
 * shared while they write (see stillCurrent in rescore.ts), so the new job is committed between two chunks of
 * an older one, which then sees it and stops; the two never write the same rows at once.
 */
export async function queueRescoring(
  ctx: Ctx,
  campaignId: string,
  reason: string,
  options: { profileOnly?: boolean } = {},
) {
  return withTransaction(ctx, async (tx) => {
    await tx.db.execute(
      sql`SELECT 1 FROM campaigns WHERE org_id = ${tx.orgId} AND id = ${campaignId} FOR UPDATE`,
    );
    const [job] = await tx.db
      .insert(jobs)
      .values({
        orgId: tx.orgId,
        kind: 'rescore',
        params: { campaignId, reason, ...(options.profileOnly ? { profileOnly: true } : {}) },
        createdBy: tx.actor.keyId,
      })
      .returning();
    return job!;
  });
}

/**
 * The organization's rescoring lock, for the transaction: a full rescoring, the queue's drain and a
 * deletion never write one person's scores at once. A full rescoring's chunks take it shared: each writes
 * a range of ids that no other chunk of a running rescoring of its campaign writes (its segment's, and
 * stillCurrent stops an older rescoring of the campaign), so the segments of one rescoring, and rescorings
 * of other campaigns, write side by side. Taken alone, the two segments' writes waited on each other for a
 * third to a half of a rescoring.
 */
export async function lockRescoring(ctx: Ctx, mode: 'alone' | 'shared' = 'alone'): Promise<void> {
  await ctx.db.execute(
    mode === 'shared'
      ? sql`SELECT pg_advisory_xact_lock_shared(hashtext('rescore'), hashtext(${ctx.orgId}))`
      : sql`SELECT pg_advisory_xact_lock(hashtext('rescore'), hashtext(${ctx.orgId}))`,
  );
}

/** Forgets a prospect's scores, its history and its places on lists: for a deletion or an erasure. */

export async function forgetScores(ctx: Ctx, prospectId: string): Promise<void> {
  // A rescoring that read the person before cannot write their score back after.
  await lockRescoring(ctx);
  await ctx.db.execute(
    sql`UPDATE prospect_lists SET size = size - 1 WHERE org_id = ${ctx.orgId} AND id IN (
          SELECT list_id FROM prospect_list_members WHERE org_id = ${ctx.orgId} AND prospect_id = ${prospectId})`,
  );
  // Scores, their history and list places are keyed by campaign or list before the person: the person is
  // looked up under each of the organization's campaigns and lists, one descent of the key each. Filtered on
  // the person alone, the key's whole range for the organization was read: 0.3 s a person next to a million
  // scores, a campaign. Campaigns are never deleted, and a list's members go with it, so every row is found.
  const campaignsOf = sql`(SELECT id FROM campaigns WHERE org_id = ${ctx.orgId})`;
  for (const table of [prospectScores, scoreHistory])
    await ctx.db
      .delete(table)
      .where(
        and(
          eq(table.orgId, ctx.orgId),
          sql`${table.campaignId} = ANY(ARRAY${campaignsOf})`,
          eq(table.prospectId, prospectId),
        ),
      );
  await ctx.db
    .delete(prospectListMembers)
    .where(
      and(
        eq(prospectListMembers.orgId, ctx.orgId),
        sql`${prospectListMembers.listId} = ANY(ARRAY(SELECT id FROM prospect_lists WHERE org_id = ${ctx.orgId}))`,
        eq(prospectListMembers.prospectId, prospectId),
      ),
    );
  await ctx.db
    .delete(scoreQueue)
    .where(and(eq(scoreQueue.orgId, ctx.orgId), eq(scoreQueue.prospectId, prospectId)));
}

/**
 * Queues a drain of the queue for each organization with people waiting more than half a minute and no
 * drain queued: a change committed just as the last drain finished would otherwise wait for the next one.
 */
export async function queueWaitingScoring(db: Db): Promise<number> {
  const rows = await queryRows<{ orgId: string }>(
    db,
    sql`SELECT DISTINCT q.org_id AS "orgId" FROM score_queue q
        WHERE q.scored_at IS NULL AND q.queued_at < now() - interval '30 seconds'
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.org_id = q.org_id AND j.kind = 'rescore_queue'
                            AND j.status IN ('queued', 'running'))`,
  );
  for (const { orgId } of rows) await db.insert(jobs).values({ id: newId(), orgId, kind: 'rescore_queue' });
  return rows.length;
}

/**
 * Queues a full rescoring of each campaign, in every organization, whose last one finished more than
 * `hours` ago and that has none waiting. Several processes may call it: at worst a campaign is rescored
 * twice, which changes nothing.
 */
export async function queueDueRescorings(db: Db, hours: number): Promise<number> {
  const due = await queryRows<{ orgId: string; id: string }>(
    db,
    sql`SELECT c.org_id AS "orgId", c.id FROM campaigns c
        WHERE (c.rescored_at IS NULL OR c.rescored_at < now() - make_interval(hours => ${hours}))
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.org_id = c.org_id AND j.kind = 'rescore'
                            AND j.status IN ('queued', 'running')
                            AND j.params->>'campaignId' = c.id::text)`,
  );
  for (const campaign of due) await queueRescoring(systemCtx(db, campaign.orgId), campaign.id, 'daily');
  return due.length;
}
