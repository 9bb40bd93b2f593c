import { sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../context';
import { type Database, queryRows } from '../db';
import { lockRescoring } from './queue';

/**
 * A campaign's scores live in a partition of prospect_scores of their own (migration 0014). Its first
 * scoring writes a new generation instead: a table with the primary key alone, filled chunk by chunk,
 * whose score and rank indexes are built once at the end before it is swapped in for the campaign's
 * partition. Kept up to date row by row, those two indexes cost PostgreSQL a quarter of its CPU on the
 * first scoring of a million people (5.4 of 21.9 s) where building them took 1.5 s. Until the swap, lists
 * read the campaign's partition as it was: empty, or the few people the queue scored meanwhile.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function checked(id: string): string {
  if (!UUID.test(id)) throw new Error(`not an id: ${id}`);
  return id;
}
const hex = (id: string) => checked(id).replaceAll('-', '');
/** A campaign's id as the literal a partition's bounds are written with (DDL takes no parameters). */
const bound = (campaignId: string) => sql.raw(`'${checked(campaignId)}'::uuid`);

/** The campaign's partition. */
export const partitionOf = (campaignId: string) => `prospect_scores_${hex(campaignId)}`;

/** The new generation a rescoring job fills. */
export const generationOf = (jobId: string) => `prospect_scores_build_${hex(jobId)}`;

/**
 * Makes a new campaign's partition, in its creation's transaction. Made apart and attached, the parent is
 * held only against other changes of its partitions, not against reads (CREATE TABLE … PARTITION OF
 * would have locked every list of every campaign for the moment it takes).
 */
export async function createScorePartition(tx: Ctx, campaignId: string): Promise<void> {
  const name = sql.identifier(partitionOf(campaignId));
  await tx.db.execute(sql`CREATE TABLE ${name} (LIKE prospect_scores INCLUDING DEFAULTS)`);
  await tx.db.execute(
    sql`ALTER TABLE prospect_scores ATTACH PARTITION ${name} FOR VALUES IN (${bound(campaignId)})`,
  );
}

/**
 * Starts a new generation for a rescoring job when the campaign has no score yet (its first scoring):
 * an empty table shaped as prospect_scores with its primary key (kept while it fills: the rows arrive in
 * its order, and it refuses a row written twice), and a check that every row is the campaign's, which
 * spares the attachment a scan. Undefined otherwise: rows are then replaced where they are.
 */
export async function startGeneration(
  ctx: Ctx,
  campaignId: string,
  jobId: string,
): Promise<string | undefined> {
  const [scored] = await queryRows<{ any: boolean }>(
    ctx.db,
    sql`SELECT EXISTS (SELECT 1 FROM prospect_scores WHERE org_id = ${ctx.orgId} AND campaign_id = ${campaignId}) AS any`,
  );
  if (scored?.any) return undefined;
  const build = generationOf(jobId);
  const name = sql.identifier(build);
  await ctx.db.execute(sql`DROP TABLE IF EXISTS ${name}`);
  await ctx.db.execute(
    sql`CREATE TABLE ${name} (LIKE prospect_scores INCLUDING DEFAULTS,
          CONSTRAINT ${sql.identifier(`${build}_campaign`)} CHECK (campaign_id = ${bound(campaignId)}),
          CONSTRAINT ${sql.identifier(`${build}_pkey`)} PRIMARY KEY (org_id, campaign_id, prospect_id))`,
  );
  return build;
}

/** Whether a generation's table is there (a job taken over after a crash finds the one it was filling). */
export async function generationExists(ctx: Ctx, build: string): Promise<boolean> {
  const [row] = await queryRows<{ there: boolean }>(
    ctx.db,
    sql`SELECT to_regclass(${build}) IS NOT NULL AS there`,
  );
  return row?.there === true;
}

export async function dropGeneration(ctx: Ctx, build: string): Promise<void> {
  await ctx.db.execute(sql`DROP TABLE IF EXISTS ${sql.identifier(build)}`);
}

/** Drops the generations of jobs that ended without swapping theirs in (failed, or superseded and gone). */
export async function dropAbandonedGenerations(ctx: Ctx): Promise<void> {
  const left = await queryRows<{ name: string }>(
    ctx.db,
    sql`SELECT c.relname AS name FROM pg_class c
        WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
          AND c.relname LIKE 'prospect\\_scores\\_build\\_%'
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.status IN ('queued', 'running')
                            AND 'prospect_scores_build_' || replace(j.id::text, '-', '') = c.relname)`,
  );
  for (const { name } of left) await dropGeneration(ctx, name);
}

/**
 * The generations the organization's running rescorings are filling, with their campaigns: a person
 * erased meanwhile is deleted from them too (forgetScores), under the rescoring lock that their chunks
 * take to write.
 */
export async function generationsOf(ctx: Ctx): Promise<{ build: string; campaignId: string }[]> {
  const rows = await queryRows<{ build: string; campaignId: string }>(
    ctx.db,
    sql`SELECT result->>'build' AS build, params->>'campaignId' AS "campaignId" FROM jobs
        WHERE org_id = ${ctx.orgId} AND kind = 'rescore' AND status IN ('queued', 'running') AND result ? 'build'`,
  );
  const there: { build: string; campaignId: string }[] = [];
  for (const row of rows) if (await generationExists(ctx, row.build)) there.push(row);
  return there;
}

const INDEXES = [
  { suffix: 'score', column: 'score' },
  { suffix: 'rank', column: 'rank' },
] as const;

/**
 * Builds the generation's score and rank indexes, each on a connection of its own on a server, then swaps
 * it in for the campaign's partition in one transaction that holds the organization's rescoring lock:
 * the rows the queue wrote to the partition meanwhile are fresher than the generation's and replace them
 * (a person the queue scored since their chunk was read was left out of it, see saveRows), the old
 * partition goes, the generation takes its name and place. A swap waits at most LOCK_WAIT for the lists
 * being read, and tries again.
 */
export async function swapGeneration(
  database: Database,
  ctx: Ctx,
  campaignId: string,
  build: string,
): Promise<void> {
  const table = sql.identifier(build);
  const buildIndex = (index: (typeof INDEXES)[number]) =>
    withTransaction(ctx, async (tx) => {
      // Two builds at once on two cores: parallel workers would only add to the CPU.
      await tx.db.execute(sql`SELECT set_config('max_parallel_maintenance_workers', '0', true)`);
      await tx.db.execute(
        sql`CREATE INDEX IF NOT EXISTS ${sql.identifier(`${build}_${index.suffix}`)} ON ${table}
              (org_id, campaign_id, ${sql.identifier(index.column)} DESC NULLS LAST, prospect_id DESC NULLS LAST)`,
      );
    });
  if (database.concurrent) await Promise.all(INDEXES.map(buildIndex));
  else for (const index of INDEXES) await buildIndex(index);
  const partition = partitionOf(campaignId);
  for (let attempt = 1; ; attempt++) {
    try {
      await withTransaction(ctx, async (tx) => {
        // The queue and deletions wait for the swap, which waits for them: no timeout on that lock.
        await lockRescoring(tx, 'alone');
        await tx.db.execute(sql`SELECT set_config('lock_timeout', ${LOCK_WAIT}, true)`);
        const live = sql.identifier(partition);
        await tx.db.execute(
          sql`DELETE FROM ${table} b USING ${live} l WHERE b.prospect_id = l.prospect_id AND l.since >= b.since`,
        );
        await tx.db.execute(
          sql`INSERT INTO ${table} SELECT l.* FROM ${live} l
              WHERE NOT EXISTS (SELECT 1 FROM ${table} b WHERE b.prospect_id = l.prospect_id)`,
        );
        await tx.db.execute(sql`DROP TABLE ${live}`);
        await tx.db.execute(sql`ALTER TABLE ${table} RENAME TO ${live}`);
        await tx.db.execute(
          sql`ALTER TABLE prospect_scores ATTACH PARTITION ${live} FOR VALUES IN (${bound(campaignId)})`,
        );
      });
      break;
    } catch (error) {
      if (!lockTimedOut(error) || attempt >= LOCK_ATTEMPTS) throw error;
    }
  }
  await ctx.db.execute(sql`ANALYZE ${sql.identifier(partition)}`);
}

const LOCK_WAIT = '3s';
const LOCK_ATTEMPTS = 5;

/** PostgreSQL's lock_not_available (55P03), as the driver or drizzle's wrapper carries it. */
function lockTimedOut(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause)
    if ((e as { code?: string }).code === '55P03') return true;
  return false;
}
