import { and, eq, sql } from 'drizzle-orm';
import { jobs, prospectListMembers, prospectScores, scoreHistory, scoreQueue } from '../../db/schema';
import { type Ctx, systemCtx } from '../context';
import { type Db, queryRows } from '../db';
import { newId } from '../lib/ids';

/** What asks for rescoring: the queue of changed prospects and full rescorings (see rescore.ts). */

/**
 * Puts prospects whose facts changed on the rescoring queue, and makes sure a job will drain it. Runs in
 * the caller's transaction; does nothing for an organization without campaigns.
 */
export async function queueScoring(ctx: Ctx, prospectIds: string[]): Promise<void> {
  if (prospectIds.length === 0) return;
  await ctx.db.execute(
    sql`WITH q AS (
          INSERT INTO score_queue (org_id, prospect_id)
          SELECT ${ctx.orgId}, id FROM unnest(${sql.param([...new Set(prospectIds)])}::uuid[]) AS id
          WHERE EXISTS (SELECT 1 FROM campaigns WHERE org_id = ${ctx.orgId})
          ON CONFLICT (org_id, prospect_id) DO UPDATE SET queued_at = now(), scored_at = NULL
          RETURNING 1
        )
        INSERT INTO jobs (id, org_id, kind)
        SELECT ${newId()}, ${ctx.orgId}, 'rescore_queue'
        WHERE EXISTS (SELECT 1 FROM q)
          AND NOT EXISTS (SELECT 1 FROM jobs WHERE org_id = ${ctx.orgId} AND kind = 'rescore_queue' AND status = 'queued')`,
  );
}

/** Queues a full rescoring of a campaign. */
export async function queueRescoring(ctx: Ctx, campaignId: string, reason: string) {
  const [job] = await ctx.db
    .insert(jobs)
    .values({
      orgId: ctx.orgId,
      kind: 'rescore',
      params: { campaignId, reason },
      createdBy: ctx.actor.keyId,
    })
    .returning();
  return job!;
}

/** Forgets a prospect's scores, its history and its places on lists: for a deletion or an erasure. */
/**
 * The organization's rescoring lock, for the transaction: a full rescoring, the queue's drain and a
 * deletion never write one person's scores at once.
 */
export async function lockRescoring(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('rescore'), hashtext(${ctx.orgId}))`);
}

export async function forgetScores(ctx: Ctx, prospectId: string): Promise<void> {
  // A rescoring that read the person before cannot write their score back after.
  await lockRescoring(ctx);
  await ctx.db.execute(
    sql`UPDATE prospect_lists SET size = size - 1 WHERE org_id = ${ctx.orgId} AND id IN (
          SELECT list_id FROM prospect_list_members WHERE org_id = ${ctx.orgId} AND prospect_id = ${prospectId})`,
  );
  for (const table of [prospectScores, scoreHistory, scoreQueue, prospectListMembers])
    await ctx.db.delete(table).where(and(eq(table.orgId, ctx.orgId), eq(table.prospectId, prospectId)));
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
