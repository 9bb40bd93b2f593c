import { setMaxListeners } from 'node:events';
import { and, eq, sql } from 'drizzle-orm';
import { campaigns, jobs } from '../../db/schema';
import { type Ctx, systemCtx } from '../context';
import { queryRows } from '../db';
import type { JobHandler } from '../jobs/runner';
import { type Refitting, readChunk } from './inputs';
import { lockRescoring, queueSettled } from './queue';
import { segmentInWorker } from './rescore-pool';
import { campaignVersion, planned, rescoreSegment, type Segment } from './rescore-segment';
import { saveScores } from './score-saves';
import { computeScores, type Scoring, scoringsOf } from './score-writes';

/**
 * Keeping scores current. A full rescoring walks the organization's prospects in id order, a chunk per
 * transaction that also records how far it got, so that a job taken over after a crash starts again where
 * the last one committed. Changes to a prospect's facts put it on a queue in the same transaction, and a
 * job drains the queue. Either way a chunk reads its prospects and their events once for every campaign,
 * scores them in the process, and writes only the rows whose values changed, with a history line where
 * the score or the model did.
 */

export const RESCORE_CHUNK = 5000;

/**
 * A rescoring that wrote this many rows analyzes the table when it ends. Until autovacuum gets to it, the
 * planner's statistics describe the table as it was, and plans made from them (the queue's look-ups, the
 * ranked lists) can filter a whole campaign where they would look up a few rows.
 */
const ANALYZE_AFTER_ROWS = 10_000;

// Scored in the service's own thread: small chunks keep each pause of its event loop short.
const QUEUE_CHUNK = 500;

/** A campaign version's part that the parts of a score besides the fit depend on. */
const partsVersion = (version: string) => version.slice(version.indexOf('/') + 1);

/**
 * Whether a rescoring can take each score's parts besides the fit from the stored rows: it follows a change
 * of the profile alone, and the campaign's last full rescoring scored everyone under the goal, half-life
 * and model it has now. Their stored parts are then as current as the scores were (a full rescoring every
 * RESCORE_EVERY_HOURS and the queue keep them), and nobody's events need reading again. Otherwise (a
 * rescoring of an older goal or model stopped halfway, say) everyone is scored from their events.
 */
async function refittingOf(
  ctx: Ctx,
  params: { campaignId: string; profileOnly?: boolean },
  version: string,
  scorings: Scoring[],
): Promise<Refitting | undefined> {
  if (!params.profileOnly) return undefined;
  const [row] = await ctx.db
    .select({ parts: campaigns.rescoredParts })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, params.campaignId)));
  if (row?.parts !== partsVersion(version)) return undefined;
  return { campaignId: params.campaignId, modelId: scorings[0]?.scorer?.id ?? null };
}

/** Cuts the organization's prospects into `parts` segments of about the same size, by id. */
async function planSegments(ctx: Ctx, total: number, parts: number): Promise<Segment[]> {
  const bounds: (string | null)[] = [];
  for (let k = 1; k < parts; k++) {
    const [row] = await queryRows<{ id: string }>(
      ctx.db,
      sql`SELECT id FROM prospects WHERE org_id = ${ctx.orgId} ORDER BY id
          OFFSET ${sql.raw(String(Math.floor((k * total) / parts)))} LIMIT 1`,
    );
    if (row && row.id !== bounds.at(-1)) bounds.push(row.id);
  }
  bounds.push(null);
  return bounds.map((until, i) => ({
    until,
    after: i === 0 ? null : bounds[i - 1]!,
    scored: 0,
    changed: 0,
    done: false,
  }));
}

interface RescoreResult {
  segments?: Segment[];
  [key: string]: unknown;
}

/**
 * The runner's handler for full rescorings. On a server the prospects are cut into `threads` segments by
 * id, each walked by a worker thread (the service's own thread stays free for requests); on PGlite, one
 * segment here. A job taken over resumes each segment after its last committed chunk.
 */
export function rescoreJobHandler(
  options: { chunk?: number; threads?: number; analyzeAfter?: number } = {},
): JobHandler {
  const chunk = options.chunk ?? RESCORE_CHUNK;
  const analyzeAfter = options.analyzeAfter ?? ANALYZE_AFTER_ROWS;
  return async ({ job, database, signal, progress }) => {
    const ctx = systemCtx(database.db, job.orgId, job.createdBy);
    const params = job.params as { campaignId: string; profileOnly?: boolean };
    const { campaignId } = params;
    const version = await campaignVersion(ctx, campaignId);
    const scorings = await scoringsOf(ctx, campaignId);
    if (scorings.length === 0)
      return { status: 'succeeded', result: { scored: 0, changed: 0, deleted: true } };
    const refitting = await refittingOf(ctx, params, version, scorings);
    const [{ total }] = (await queryRows<{ total: number }>(
      ctx.db,
      sql`SELECT count(*)::int AS total FROM prospects WHERE org_id = ${ctx.orgId}`,
    )) as [{ total: number }];
    const threads = database.url ? (options.threads ?? 2) : 0;
    let segments = (job.result as RescoreResult).segments;
    if (!segments) {
      segments = await planSegments(ctx, total, Math.max(1, threads));
      await ctx.db.update(jobs).set({ result: { segments } }).where(eq(jobs.id, job.id));
    }
    const live = [...segments];
    const report = (index: number, segment: Segment) => {
      live[index] = segment;
      const done = live.reduce((n, s) => n + s.scored, 0);
      progress({ rowsDone: done, rowsTotal: Math.max(total, done), bytesDone: 0, bytesTotal: null });
    };
    const at = new Date();
    // One part failing stops the others at their next chunk, before the job is failed or handed back.
    const stop = new AbortController();
    // Each thread's run listens to it: no warning for more than ten (RESCORE_THREADS).
    setMaxListeners(Math.max(10, segments.length + 2), stop.signal);
    if (signal.aborted) stop.abort();
    else signal.addEventListener('abort', () => stop.abort(), { once: true });
    const base = {
      orgId: ctx.orgId,
      jobId: job.id,
      ...(job.lockedBy ? { owner: job.lockedBy } : {}),
      campaignId,
      version,
      refitting,
      at,
      chunk,
      signal: stop.signal,
    };
    const settled = await Promise.allSettled(
      segments.map((segment, index) => {
        const onCommit = (s: Segment) => report(index, s);
        const part =
          threads > 0 && database.url
            ? segmentInWorker(database.url, { ...base, index, segment, onCommit })
            : rescoreSegment({ ...base, database, scorings, index, segment, onCommit });
        return part.catch((error: unknown) => {
          stop.abort();
          throw error;
        });
      }),
    );
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    const ended = settled.map((s) => (s as PromiseFulfilledResult<Segment>).value);
    const scored = ended.reduce((n, s) => n + s.scored, 0);
    const changed = ended.reduce((n, s) => n + s.changed, 0);
    const superseded = ended.some((s) => s.superseded);
    if (!ended.every((s) => s.done))
      return { status: 'failed', result: { segments: ended, scored, changed } };
    // A rescoring from the stored parts refreshed none of what time changes: the next full one stays due.
    if (!superseded && !refitting)
      await ctx.db
        .update(campaigns)
        .set({ rescoredAt: at, rescoredParts: partsVersion(version) })
        .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, campaignId)));
    if (changed >= analyzeAfter) await ctx.db.execute(sql`ANALYZE prospect_scores`);
    return {
      status: 'succeeded',
      result: {
        scored,
        changed,
        segments: ended,
        ...(refitting ? { fromStoredParts: true } : {}),
        ...(superseded ? { superseded: true } : {}),
      },
      progress: { rowsDone: scored, rowsTotal: Math.max(total, scored), bytesDone: 0, bytesTotal: null },
    };
  };
}

/** The runner's handler for the queue of changed prospects: takes a chunk, rescores it, deletes it, again. */
export function rescoreQueueJobHandler(): JobHandler {
  return async ({ job, database, signal, progress }) => {
    const ctx = systemCtx(database.db, job.orgId, null);
    let scored = 0;
    let changed = 0;
    let waited = false;
    for (;;) {
      if (signal.aborted) return { status: 'failed', result: { scored, changed } };
      const taken = await planned(ctx, async (tx) => {
        // The rescoring lock before the queue's rows, as a deletion takes them (forgetScores): taken the
        // other way round, the two deadlocked, and three deletes in four of recently active people failed.
        await lockRescoring(tx);
        const queued = await queryRows<{ prospectId: string }>(
          tx.db,
          sql`UPDATE score_queue SET scored_at = now() WHERE org_id = ${tx.orgId} AND prospect_id IN (
                SELECT prospect_id FROM score_queue WHERE org_id = ${tx.orgId} AND scored_at IS NULL
                ORDER BY queued_at LIMIT ${sql.raw(String(QUEUE_CHUNK))} FOR UPDATE SKIP LOCKED)
              RETURNING prospect_id AS "prospectId"`,
        );
        if (queued.length === 0) return 0;
        // The campaigns and models as they are now: one may have changed since the job began.
        const scorings = await scoringsOf(tx);
        const inputs = await readChunk(tx.db, tx.orgId, { ids: queued.map((q) => q.prospectId) });
        changed += await saveScores(tx, computeScores(scorings, inputs, new Date()));
        return queued.length;
      });
      scored += taken;
      progress({ rowsDone: scored, rowsTotal: null, bytesDone: 0, bytesTotal: null });
      if (taken < QUEUE_CHUNK) {
        // Nothing more to take after the queue was found waiting: another drain holds what waits.
        if (taken === 0 && waited) break;
        if (await queueSettled(ctx)) break;
        waited = true;
      }
    }
    // What was scored an hour ago no longer matters to a full rescoring's reads.
    await ctx.db.execute(
      sql`DELETE FROM score_queue WHERE org_id = ${ctx.orgId} AND scored_at < now() - interval '1 hour'`,
    );
    return { status: 'succeeded', result: { scored, changed } };
  };
}

/** A prospect's scores for a campaign, newest first: the current one, then those it replaced. */
export async function scoreHistoryOf(ctx: Ctx, campaignId: string, prospectId: string) {
  const rows = await queryRows<{
    at: string | Date;
    score: number;
    probability: number | null;
    modelId: string | null;
  }>(
    ctx.db,
    sql`SELECT * FROM (
          SELECT score_since AS at, score, probability, model_id AS "modelId" FROM prospect_scores
          WHERE org_id = ${ctx.orgId} AND campaign_id = ${campaignId} AND prospect_id = ${prospectId}
          UNION ALL
          (SELECT at, score, probability, model_id FROM score_history
           WHERE org_id = ${ctx.orgId} AND campaign_id = ${campaignId} AND prospect_id = ${prospectId}
           ORDER BY at DESC LIMIT 499)
        ) h ORDER BY at DESC`,
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
