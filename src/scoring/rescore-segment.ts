import { and, eq, sql } from 'drizzle-orm';
import { jobs } from '../../db/schema';
import { type Ctx, systemCtx, withTransaction } from '../context';
import { type Database, queryRows } from '../db';
import { heldBy, JobLost } from '../jobs/service';
import { type Refitting, readChunk } from './inputs';
import { saveScores } from './score-saves';
import { computeScoresInSlices, type Scoring } from './score-writes';

/**
 * A full rescoring's walk of one segment of the organization's prospects, chunk by chunk (rescore.ts runs
 * the segments, on the pool's threads or here): each chunk read, scored, and written in a transaction
 * that also records how far the segment got.
 */

/**
 * Runs a rescoring step in a transaction whose statements are planned at each execution. The pool's
 * connections keep generic plans (DATABASE_PLAN_CACHE_MODE), and a plan made while prospect_scores was
 * still empty scans the whole table: rescoring fills it from nothing, and the lookups of its chunks grew
 * from milliseconds to seconds. Its commit does not wait for the write-ahead log to reach the disk
 * (synchronous_commit off, for this transaction only): scores are derived data, and a chunk lost in a
 * crash is lost with its checkpoint (or its queue entries stay unscored), so it is scored again. Nor does
 * it plan parallel workers or Memoize (below).
 */
export function planned<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  return withTransaction(ctx, async (tx) => {
    // Both cores are busy already (two segments, each reading while it writes): workers of a parallel
    // plan only add their start and their coordination to the CPU. With a stored score joined to each
    // person, the planner had chosen two for every chunk's read. Nor does it cache each company looked up
    // (Memoize): people in id order seldom share one, and caching five thousand misses made a chunk's
    // read a sixth slower (54 ms instead of 65). The settings in one round trip.
    await tx.db.execute(
      sql`SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
            set_config('synchronous_commit', 'off', true),
            set_config('max_parallel_workers_per_gather', '0', true),
            set_config('enable_memoize', 'off', true)`,
    );
    return fn(tx);
  });
}
/** A part of the organization's id space that a rescoring walks on its own: ids after `after` up to `until`. */
export interface Segment {
  until: string | null;
  after: string | null;
  scored: number;
  changed: number;
  done: boolean;
  /** Stopped because the campaign changed since the rescoring began. */
  superseded?: boolean;
}

export interface SegmentRun {
  database: Database;
  orgId: string;
  jobId: string;
  /** Who holds the job (its locked_by): a chunk commits only while they still do. */
  owner?: string;
  campaignId: string;
  /** The campaign's version when the rescoring began (campaignVersion). */
  version: string;
  index: number;
  segment: Segment;
  scorings: Scoring[];
  /** After a profile change, the stored parts of each score are read instead of the events (Refitting). */
  refitting?: Refitting | undefined;
  at: Date;
  chunk: number;
  signal: AbortSignal;
  /** After each committed chunk, with the segment as committed. */
  onCommit(segment: Segment): void;
}

/**
 * Walks one segment chunk by chunk. On a server three chunks are in flight: the next but one is read, the
 * next scored, this one written; each commits with the segment's checkpoint in the job, in order, so that
 * a job taken over resumes after the last committed chunk. PGlite has one connection: one at a time.
 */
export async function rescoreSegment(run: SegmentRun): Promise<Segment> {
  const { database, chunk, scorings, at, signal } = run;
  const ctx = systemCtx(database.db, run.orgId, null);
  let segment = { ...run.segment };
  if (segment.done) return segment;
  const read = (after: string | null) => {
    const chunkRead = planned(ctx, async (tx) => {
      // The database's clock, as the queue's entries are stamped by it.
      const [{ now }] = (await queryRows<{ now: string | Date }>(tx.db, sql`SELECT now() AS now`)) as [
        { now: string | Date },
      ];
      const selection = { after, until: segment.until, limit: chunk };
      const inputs = await readChunk(tx.db, tx.orgId, selection, run.refitting);
      return { inputs, readAt: new Date(now).toISOString() };
    });
    chunkRead.catch(() => {}); // awaited in turn; never an unhandled rejection if the job stops first
    return chunkRead;
  };
  const concurrent = database.concurrent;
  let reading = read(segment.after);
  let writing: Promise<void> = Promise.resolve();
  for (;;) {
    const { inputs, readAt } = await reading;
    const last = inputs.count < chunk;
    if (concurrent && !last) reading = read(inputs.last);
    const computed = await computeScoresInSlices(scorings, inputs, at);
    await writing;
    if (signal.aborted) {
      await reading.catch(() => {});
      return segment;
    }
    writing = planned(ctx, async (tx) => {
      if (!(await stillCurrent(tx, run))) {
        segment = { ...segment, done: true, superseded: true };
        return;
      }
      const range = inputs.first && inputs.last ? { first: inputs.first, last: inputs.last } : undefined;
      const changed = await saveScores(tx, computed, { readAt, range, shared: true });
      const next: Segment = {
        ...segment,
        after: inputs.last ?? segment.after,
        scored: segment.scored + inputs.count,
        changed: segment.changed + changed,
        done: last,
      };
      // A process that stalled past its lease, and whose job another took over, writes nothing more: its
      // chunk rolls back with the checkpoint it would have moved.
      const saved = await tx.db
        .update(jobs)
        .set({
          checkpoint: sql`${jobs.checkpoint} + ${inputs.count}`,
          result: sql`jsonb_set(${jobs.result}, ${sql.param(['segments', String(run.index)])}::text[], ${JSON.stringify(next)}::jsonb)`,
        })
        .where(and(eq(jobs.id, run.jobId), run.owner === undefined ? undefined : heldBy(run.owner)))
        .returning({ id: jobs.id });
      if (saved.length === 0) throw new JobLost(run.jobId);
      segment = next;
    }).then(() => run.onCommit(segment));
    writing.catch(() => {});
    if (!concurrent) await writing;
    if (last || segment.superseded) break;
    if (!concurrent) reading = read(segment.after);
  }
  await writing;
  return segment;
}

/**
 * Whether a rescoring's chunk may write, in its transaction: the campaign is as it was when the rescoring
 * began (profile, goal, half-life, active model) and no rescoring of it was queued since. Otherwise the
 * newer rescoring takes over. The campaign's row is held shared until the chunk commits, and every change
 * of the campaign and every new rescoring of it locks that row first: so a newer rescoring starts writing
 * only after this chunk, and this rescoring's next chunk sees it. The check comes in a statement of its own,
 * after the lock, so that it sees what committed while the lock was awaited.
 */
async function stillCurrent(tx: Ctx, run: SegmentRun): Promise<boolean> {
  const [held] = await queryRows<{ id: string }>(
    tx.db,
    sql`SELECT id FROM campaigns WHERE org_id = ${tx.orgId} AND id = ${run.campaignId} FOR SHARE`,
  );
  if (!held) return false;
  if ((await campaignVersion(tx, run.campaignId)) !== run.version) return false;
  const newer = await queryRows<{ id: string }>(
    tx.db,
    sql`SELECT j.id FROM jobs j, jobs mine
        WHERE mine.id = ${run.jobId} AND j.org_id = ${tx.orgId} AND j.kind = 'rescore'
          AND j.status IN ('queued', 'running') AND j.params->>'campaignId' = ${run.campaignId}
          AND (j.created_at, j.id) > (mine.created_at, mine.id)
        LIMIT 1`,
  );
  return newer.length === 0;
}

/**
 * What a campaign's scores depend on besides the prospects: its profile, then what the other parts of a
 * score depend on (partsVersion): its goal, half-life and active model.
 */
export async function campaignVersion(ctx: Ctx, campaignId: string): Promise<string> {
  const [row] = await queryRows<{ version: string }>(
    ctx.db,
    sql`SELECT md5(c.ideal_profile::text) || '/' || md5(c.success_types::text || c.half_life_days::text) || '/'
          || coalesce((SELECT m.id::text FROM models m
              WHERE m.org_id = c.org_id AND m.campaign_id = c.id AND m.active), '-') AS version
        FROM campaigns c WHERE c.org_id = ${ctx.orgId} AND c.id = ${campaignId}`,
  );
  return row?.version ?? 'deleted';
}
