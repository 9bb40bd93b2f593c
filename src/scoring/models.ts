import { Worker } from 'node:worker_threads';
import { and, desc, eq, sql } from 'drizzle-orm';
import { campaigns, INTERACTION_TYPES, type InteractionType, type Model, models } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { AppError, notFound } from '../http/errors';
import { workerCode } from '../lib/worker-code';
import { forgetCampaign, getCampaign } from './campaigns';
import { mayReachGoal, reachesGoal } from './engagement';
import { type Encoder, encodeRow, encoderFromJson } from './features';
import { readChunk, type ScoringInput } from './inputs';
import { type LogisticModel, predict } from './logistic';
import { queueRescoring } from './queue';
import { historyRow, READ_COUNTS, rowFor, type SampleFit, type TrainerData } from './training';

/** People read a chunk at a time for a training. */
const READ_CHUNK = 5000;
/**
 * The training worker's heap: a sample of 100,000 people with a few attributes peaked at 340 MB, and the
 * service thread's own is 128 MB.
 */
const TRAINING_HEAP_MB = 768;

/**
 * When each person who reached the goal first did, oldest first, to the minute as scoring reads events:
 * read before the people, so that each is counted as it is read and none keeps its events. Events are
 * read as the labels read them (reachesGoal): the first minute of each outcome of each candidate type,
 * a call log holding a handful of dispositions.
 */
async function successDates(ctx: Ctx, successTypes: string[]): Promise<number[]> {
  const types = INTERACTION_TYPES.filter((type) => mayReachGoal(type, successTypes));
  const rows = await queryRows<{
    prospect_id: string;
    type: InteractionType;
    outcome: string | null;
    minute: number;
  }>(
    ctx.db,
    sql`SELECT prospect_id, type, outcome, floor(date_part('epoch', min(occurred_at)) / 60)::int AS minute
        FROM interactions WHERE org_id = ${ctx.orgId} AND type = ANY(${sql.param(types)}::text[])
        GROUP BY prospect_id, type, outcome`,
  );
  const first = new Map<string, number>();
  for (const r of rows) {
    if (!reachesGoal({ type: r.type, outcome: r.outcome, at: r.minute * 60_000 }, successTypes)) continue;
    const known = first.get(r.prospect_id);
    if (known === undefined || r.minute < known) first.set(r.prospect_id, r.minute);
  }
  return [...first.values()].sort((a, b) => a - b).map((minute) => minute * 60_000);
}

export interface Scorer {
  id: string;
  columns: string[];
  encoder: Encoder;
  model: LogisticModel;
  bins: { from: number; to: number }[];
}

// A trained model never changes: what it takes to score with it is read and rebuilt once per process.
const scorers = new Map<string, Scorer>();

/** Model `id`, ready to score with (undefined if it has no weights). */
export async function scorerOf(ctx: Ctx, id: string): Promise<Scorer | undefined> {
  const known = scorers.get(id);
  if (known) return known;
  const model = await getModel(ctx, id);
  if (!model.encoder || !model.weights || model.intercept === null) return undefined;
  const scorer: Scorer = {
    id,
    columns: (model.encoder as { columns: string[] }).columns,
    encoder: encoderFromJson(model.encoder),
    model: { weights: Float64Array.from(model.weights), intercept: model.intercept, iterations: 0 },
    bins: (model.metrics?.calibration ?? []) as Scorer['bins'],
  };
  if (scorers.size >= 100) scorers.clear();
  scorers.set(id, scorer);
  return scorer;
}

/** The campaign's active model, ready to score with; undefined without one. */
export async function activeScorer(ctx: Ctx, campaignId: string): Promise<Scorer | undefined> {
  const [active] = await ctx.db
    .select({ id: models.id })
    .from(models)
    .where(and(eq(models.orgId, ctx.orgId), eq(models.campaignId, campaignId), eq(models.active, true)));
  return active ? scorerOf(ctx, active.id) : undefined;
}

export interface ModelOpinion {
  modelId: string;
  probability: number;
  /** Where the prospect stands among the people the model was measured on (0–100, from its calibration tenths). */
  percentile: number;
}

/** The model's view of one prospect: the probability of the campaign's goal and its percentile. */
export function modelOpinion(scorer: Scorer, input: ScoringInput, successTypes: string[]): ModelOpinion {
  const probability = predict(
    scorer.model,
    // Everything up to now counts: no date to cut at.
    encodeRow(
      scorer.encoder,
      rowFor(scorer.columns, historyRow(input, successTypes, [], !scorer.columns.includes(READ_COUNTS))),
    ),
  );
  return { modelId: scorer.id, probability, percentile: percentileOf(probability, scorer.bins) };
}

/**
 * Where a probability stands among the people the model was measured on (0–100), from the calibration's
 * tenths: by interpolation within its tenth, or, when the probability is shared by several tenths (a
 * model that gives most people the same odds), at the middle of those tenths: the 70 % who share the
 * lowest odds stand at 35, not above the 70 % they tie with.
 */
export function percentileOf(probability: number, bins: { from: number; to: number }[]): number {
  if (bins.length === 0) return 50;
  // Probabilities read back from JSON may differ in their last digits.
  const tolerance = 1e-9 + 1e-6 * Math.abs(probability);
  let below = 0;
  let reaching = 0;
  for (const bin of bins) {
    if (bin.to < probability - tolerance) below++;
    if (bin.from <= probability + tolerance) reaching++;
  }
  if (reaching - below > 1) return Math.round((100 * (below + reaching)) / 2 / bins.length);
  const bin = bins[below];
  const within =
    bin && bin.to > bin.from ? Math.max(0, Math.min(1, (probability - bin.from) / (bin.to - bin.from))) : 0.5;
  return Math.round((100 * Math.min(bins.length, below + within)) / bins.length);
}

/**
 * Trains a model for a campaign on the organization's history and stores it with its measures. With fewer
 * successes than `minSuccesses`, it stores why instead, and prospects keep being ranked by fit and
 * engagement.
 */
export async function trainModel(
  ctx: Ctx,
  input: { campaignId: string; minSuccesses?: number },
): Promise<Model> {
  const campaign = await getCampaign(ctx, input.campaignId);
  const needed = input.minSuccesses ?? 50;
  const fit = await trainOnWorker(ctx, campaign.successTypes, needed);
  const base = {
    orgId: ctx.orgId,
    campaignId: campaign.id,
    rows: fit.people,
    successes: fit.successes,
    successTypes: campaign.successTypes,
    createdBy: ctx.actor.keyId,
  };
  if ('insufficient' in fit) {
    const [row] = await ctx.db
      .insert(models)
      .values({ ...base, status: 'insufficient_history', metrics: { needed, message: fit.insufficient } })
      .returning();
    return row!;
  }
  const { trained } = fit;
  const [row] = await ctx.db
    .insert(models)
    .values({
      ...base,
      status: 'ready',
      metrics: { ...trained.report, trainedOn: trained.trainedOn },
      encoder: { columns: trained.columns, ...(trained.encoder as object) },
      weights: trained.weights,
      intercept: trained.intercept,
    })
    .returning();
  return row!;
}

/**
 * A training's sample and fit on a worker thread with a heap of its own, fed the people chunk by chunk
 * as they are read here (one chunk at a time in this thread, whatever the organization's size).
 */
async function trainOnWorker(ctx: Ctx, successTypes: string[], needed: number): Promise<SampleFit> {
  const dates = await successDates(ctx, successTypes);
  const code = await workerCode(new URL('./train-worker.ts', import.meta.url));
  const worker = new Worker(code, {
    workerData: { successTypes, dates, needed } satisfies TrainerData,
    resourceLimits: { maxOldGenerationSizeMb: TRAINING_HEAP_MB, maxYoungGenerationSizeMb: 32 },
  });
  const fitted = new Promise<SampleFit>((resolve, reject) => {
    worker.on('message', (message: { fit?: SampleFit; error?: string }) => {
      if (message.fit) resolve(message.fit);
      if (message.error) reject(new Error(`training worker: ${message.error}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the training worker stopped (exit code ${code})`)));
  });
  fitted.catch(() => {}); // awaited below; never an unhandled rejection if the read fails first
  try {
    for (let after: string | null = null; ; ) {
      const chunk = await readChunk(ctx.db, ctx.orgId, { after, limit: READ_CHUNK });
      worker.postMessage({ chunk });
      if (chunk.count < READ_CHUNK) break;
      after = chunk.last;
    }
    worker.postMessage({ end: true });
    return await fitted;
  } finally {
    await worker.terminate();
  }
}

export async function getModel(ctx: Ctx, id: string): Promise<Model> {
  const [row] = await ctx.db
    .select()
    .from(models)
    .where(and(eq(models.orgId, ctx.orgId), eq(models.id, id)));
  if (!row) throw notFound('Model');
  return row;
}

export async function listModels(ctx: Ctx, campaignId?: string): Promise<Model[]> {
  return ctx.db
    .select()
    .from(models)
    .where(and(eq(models.orgId, ctx.orgId), campaignId ? eq(models.campaignId, campaignId) : undefined))
    .orderBy(desc(models.id))
    .limit(100);
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The held-out AUC a model needs to be activated. */
export const MIN_ACTIVE_AUC = 0.6;

/** Makes a ready model the campaign's active one (the one before it steps down), and queues the rescoring. */
export async function activateModel(
  ctx: Ctx,
  id: string,
): Promise<Model & { rescoringJobId: string | null }> {
  const activated = await withTransaction(ctx, async (tx) => {
    const model = await getModel(tx, id);
    if (model.status !== 'ready')
      throw new AppError(
        'CONFLICT',
        'this model could not be trained (too little history): it cannot be activated',
      );
    // A model learnt to predict another goal than the campaign's says nothing of this one. The campaign
    // is locked, so that a change of goal cannot commit between this check and the activation.
    const [campaign] = await tx.db
      .select()
      .from(campaigns)
      .where(and(eq(campaigns.orgId, tx.orgId), eq(campaigns.id, model.campaignId)))
      .for('update');
    if (!campaign) throw notFound('Campaign');
    if (model.successTypes && !sameSet(model.successTypes, campaign.successTypes))
      throw new AppError(
        'CONFLICT',
        `this model learnt to predict ${model.successTypes.join(', ')}, but the campaign's goal is now ${campaign.successTypes.join(', ')}: train a model for it`,
        { extra: { modelSuccessTypes: model.successTypes, campaignSuccessTypes: campaign.successTypes } },
      );
    // A model that ranks held-out people little better than chance would still weigh half of every score.
    const heldOut = (model.metrics as { auc?: number } | null)?.auc;
    if (typeof heldOut === 'number' && !(heldOut >= MIN_ACTIVE_AUC))
      throw new AppError(
        'CONFLICT',
        `this model ranks held-out people little better than chance (AUC ${heldOut.toFixed(3)}, at least ${MIN_ACTIVE_AUC} is needed): it cannot be activated; train it again on more history`,
      );
    // Already the campaign's model (read again under the campaign's lock, which activations take):
    // nothing changes, and nobody is rescored.
    const [now] = await tx.db
      .select()
      .from(models)
      .where(and(eq(models.orgId, tx.orgId), eq(models.id, id)));
    if (now?.active) return { ...now, rescoringJobId: null };
    await tx.db
      .update(models)
      .set({ active: false })
      .where(
        and(eq(models.orgId, tx.orgId), eq(models.campaignId, model.campaignId), eq(models.active, true)),
      );
    const [row] = await tx.db
      .update(models)
      .set({ active: true })
      .where(and(eq(models.orgId, tx.orgId), eq(models.id, id)))
      .returning();
    const job = await queueRescoring(tx, model.campaignId, `model ${id} activated`);
    return { ...row!, rescoringJobId: job.id };
  });
  forgetCampaign(ctx.orgId, activated.campaignId);
  return activated;
}
