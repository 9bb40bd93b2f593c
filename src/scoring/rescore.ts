import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  campaigns,
  jobs,
  prospectListMembers,
  prospectScores,
  type StoredReason,
  scoreHistory,
  scoreQueue,
} from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import type { JobHandler } from '../jobs/runner';
import { newId } from '../lib/ids';
import type { Contribution } from './fit';
import { readInputs, type ScoringInput } from './inputs';
import { activeScorer, type Scorer } from './models';
import { type ScoredCampaign, scoreInput } from './score';

/**
 * Keeping scores current. A full rescoring walks the organization's prospects in id order, a chunk per
 * transaction that also records how far it got, so that a job taken over after a crash starts again where
 * the last one committed. Changes to a prospect's facts put it on a queue in the same transaction, and a
 * job drains the queue. Either way a chunk reads its prospects and their events once for every campaign,
 * scores them in the process, and writes only the rows whose values changed, with a history line where
 * the score or the model did.
 */

export const RESCORE_CHUNK = 5000;
const QUEUE_CHUNK = 2000;

export interface Scoring {
  campaign: ScoredCampaign;
  scorer: Scorer | undefined;
}

/** The campaigns to score (one, or all the organization's) with their active models. */
export async function scoringsOf(ctx: Ctx, campaignId?: string): Promise<Scoring[]> {
  const rows = await ctx.db
    .select({
      id: campaigns.id,
      idealProfile: campaigns.idealProfile,
      successTypes: campaigns.successTypes,
      halfLifeDays: campaigns.halfLifeDays,
    })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), campaignId ? eq(campaigns.id, campaignId) : undefined));
  return Promise.all(
    rows.map(async (campaign) => ({ campaign, scorer: await activeScorer(ctx, campaign.id) })),
  );
}

const stored = (c: Contribution): StoredReason => ({
  code: c.code,
  points: Math.round(c.points * 10) / 10,
  facts: c.facts,
});

/** Scores a chunk of prospects for each campaign and writes what changed. Returns how many rows changed. */
export async function writeScores(
  ctx: Ctx,
  scorings: Scoring[],
  inputs: ScoringInput[],
  at: Date,
): Promise<number> {
  if (inputs.length === 0 || scorings.length === 0) return 0;
  const ids = inputs.map((i) => i.prospectId);
  const before = await queryRows<{
    campaignId: string;
    prospectId: string;
    score: number;
    modelId: string | null;
  }>(
    ctx.db,
    sql`SELECT campaign_id AS "campaignId", prospect_id AS "prospectId", score, model_id AS "modelId"
        FROM prospect_scores
        WHERE org_id = ${ctx.orgId} AND campaign_id = ANY(${sql.param(scorings.map((s) => s.campaign.id))}::uuid[])
          AND prospect_id = ANY(${sql.param(ids)}::uuid[])`,
  );
  const old = new Map(before.map((b) => [`${b.campaignId}/${b.prospectId}`, b]));
  const rows: unknown[] = [];
  const history: unknown[] = [];
  for (const { campaign, scorer } of scorings) {
    for (const input of inputs) {
      const s = scoreInput(campaign, scorer, input, at);
      const modelId = s.model?.id ?? null;
      const probability = s.model?.probability ?? null;
      rows.push({
        c: campaign.id,
        p: input.prospectId,
        s: s.score,
        r: s.rank,
        f: s.fit.score,
        e: s.engagement.score,
        pr: s.pressure.penalty,
        t: Math.min(s.pressure.touches, 32_767),
        pb: probability,
        m: modelId,
        rs: {
          positive: s.contributions.positive.map(stored),
          negative: s.contributions.negative.map(stored),
        },
      });
      const was = old.get(`${campaign.id}/${input.prospectId}`);
      if (!was || was.score !== s.score || was.modelId !== modelId)
        history.push({ c: campaign.id, p: input.prospectId, s: s.score, pb: probability, m: modelId });
    }
  }
  // A row is rewritten only when a value changed: rescoring a stable base writes next to nothing.
  const written = await queryRows<{ n: number }>(
    ctx.db,
    sql`WITH up AS (
          INSERT INTO prospect_scores AS ps (org_id, campaign_id, prospect_id, score, rank, fit, engagement, pressure,
            touches, probability, model_id, reasons, since)
          SELECT ${ctx.orgId}, u.c, u.p, u.s, u.r, u.f, u.e, u.pr, u.t, u.pb, u.m, u.rs, ${at.toISOString()}::timestamptz
          FROM json_to_recordset(${JSON.stringify(rows)}::json)
            AS u(c uuid, p uuid, s smallint, r smallint, f smallint, e smallint, pr smallint, t smallint,
                 pb double precision, m uuid, rs jsonb)
          ON CONFLICT (org_id, campaign_id, prospect_id) DO UPDATE SET
            score = excluded.score, rank = excluded.rank, fit = excluded.fit, engagement = excluded.engagement,
            pressure = excluded.pressure, touches = excluded.touches, probability = excluded.probability,
            model_id = excluded.model_id, reasons = excluded.reasons, since = excluded.since
          WHERE (ps.score, ps.rank, ps.fit, ps.engagement, ps.pressure, ps.touches, ps.probability, ps.model_id, ps.reasons)
            IS DISTINCT FROM (excluded.score, excluded.rank, excluded.fit, excluded.engagement, excluded.pressure,
              excluded.touches, excluded.probability, excluded.model_id, excluded.reasons)
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM up`,
  );
  if (history.length > 0)
    await ctx.db.execute(
      sql`INSERT INTO score_history (org_id, campaign_id, prospect_id, at, score, probability, model_id)
          SELECT ${ctx.orgId}, u.c, u.p, ${at.toISOString()}::timestamptz, u.s, u.pb, u.m
          FROM json_to_recordset(${JSON.stringify(history)}::json) AS u(c uuid, p uuid, s smallint, pb double precision, m uuid)
          ON CONFLICT DO NOTHING`,
    );
  return written[0]?.n ?? 0;
}

interface RescoreResult {
  after: string | null;
  scored: number;
  changed: number;
  [key: string]: unknown;
}

const systemCtx = (db: Ctx['db'], orgId: string, keyId: string | null): Ctx => ({
  db,
  orgId,
  actor: { keyId, role: 'admin' },
});

/** The runner's handler for full rescorings: chunk by chunk, each committed with where it got to. */
export function rescoreJobHandler(chunk = RESCORE_CHUNK): JobHandler {
  return async ({ job, database, signal, progress }) => {
    const ctx = systemCtx(database.db, job.orgId, job.createdBy);
    const { campaignId } = job.params as { campaignId: string | null };
    const scorings = await scoringsOf(ctx, campaignId ?? undefined);
    const [{ total }] = (await queryRows<{ total: number }>(
      ctx.db,
      sql`SELECT count(*)::int AS total FROM prospects WHERE org_id = ${ctx.orgId}`,
    )) as [{ total: number }];
    let state: RescoreResult = {
      after: null,
      scored: 0,
      changed: 0,
      ...(job.result as Partial<RescoreResult>),
    };
    const at = new Date();
    for (;;) {
      if (signal.aborted) return { status: 'failed', result: state };
      const done = await withTransaction(ctx, async (tx) => {
        const inputs = await readInputs(tx.db, tx.orgId, { after: state.after, limit: chunk });
        const changed = await writeScores(tx, scorings, inputs, at);
        state = {
          ...state,
          after: inputs.at(-1)?.prospectId ?? state.after,
          scored: state.scored + inputs.length,
          changed: state.changed + changed,
        };
        await tx.db.update(jobs).set({ checkpoint: state.scored, result: state }).where(eq(jobs.id, job.id));
        return inputs.length < chunk;
      });
      progress({
        rowsDone: state.scored,
        rowsTotal: Math.max(total, state.scored),
        bytesDone: 0,
        bytesTotal: null,
      });
      if (done) break;
    }
    await ctx.db
      .update(campaigns)
      .set({ rescoredAt: at })
      .where(
        and(
          eq(campaigns.orgId, ctx.orgId),
          inArray(
            campaigns.id,
            scorings.map((s) => s.campaign.id),
          ),
        ),
      );
    return {
      status: 'succeeded',
      result: { ...state, campaigns: scorings.map((s) => s.campaign.id) },
      progress: { rowsDone: state.scored, rowsTotal: state.scored, bytesDone: 0, bytesTotal: null },
    };
  };
}

/** The runner's handler for the queue of changed prospects: takes a chunk, rescores it, deletes it, again. */
export function rescoreQueueJobHandler(): JobHandler {
  return async ({ job, database, signal, progress }) => {
    const ctx = systemCtx(database.db, job.orgId, null);
    const scorings = await scoringsOf(ctx);
    let scored = 0;
    let changed = 0;
    for (;;) {
      if (signal.aborted) return { status: 'failed', result: { scored, changed } };
      const taken = await withTransaction(ctx, async (tx) => {
        const queued = await queryRows<{ prospectId: string }>(
          tx.db,
          sql`DELETE FROM score_queue WHERE org_id = ${tx.orgId} AND prospect_id IN (
                SELECT prospect_id FROM score_queue WHERE org_id = ${tx.orgId}
                ORDER BY queued_at LIMIT ${sql.raw(String(QUEUE_CHUNK))} FOR UPDATE SKIP LOCKED)
              RETURNING prospect_id AS "prospectId"`,
        );
        if (queued.length === 0) return 0;
        const inputs = await readInputs(tx.db, tx.orgId, { ids: queued.map((q) => q.prospectId) });
        changed += await writeScores(tx, scorings, inputs, new Date());
        return queued.length;
      });
      scored += taken;
      progress({ rowsDone: scored, rowsTotal: null, bytesDone: 0, bytesTotal: null });
      if (taken < QUEUE_CHUNK) break;
    }
    return { status: 'succeeded', result: { scored, changed } };
  };
}
