import { and, desc, eq } from 'drizzle-orm';
import { campaigns, INTERACTION_TYPES, type Model, models } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, notFound } from '../http/errors';
import { fnv1a } from '../lib/fnv';
import { seededRandom } from '../lib/random';
import { BacktestError, type Trained, trainAndMeasure } from './backtest';
import { forgetCampaign, getCampaign } from './campaigns';
import type { EngagementEvent } from './engagement';
import { type Encoder, encodeRow, encoderFromJson, encoderToJson } from './features';
import { revenueCurrencyOf } from './fit';
import { readInputs, type ScoringInput } from './inputs';
import { type LogisticModel, predict } from './logistic';
import { queueRescoring } from './queue';

export interface HistoryRow extends Omit<ScoringInput, 'events'> {
  success: boolean;
  counts: Record<string, number>;
}

/** A row read for training: its events kept (oldest first) until every success's date is known. */
interface TrainingRow extends HistoryRow {
  /** When the goal was reached (the first success), for those who reached it. */
  reachedAt?: number;
  /** The events counted: before the success for those who reached it, all for the others. */
  events: EngagementEvent[];
}

const ATTRIBUTE_MIN_SHARE = 0.01;
const READ_CHUNK = 5000;
/** The most people a model learns from: a uniform sample beyond (41,188 bank calls train in about a second). */
export const MAX_TRAINING_ROWS = 100_000;

/**
 * A prospect as the model sees it: its record, how many interactions of each kind it had, and whether the
 * campaign's goal happened; for those who reached it, only what came before counts.
 */
function historyRow(input: ScoringInput, successTypes: string[]): TrainingRow {
  const { events, ...record } = input;
  const counts: Record<string, number> = {};
  let reachedAt: number | undefined;
  let before = events.length;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (successTypes.includes(event.type)) {
      reachedAt = event.at;
      before = i;
      break;
    }
    counts[event.type] = (counts[event.type] ?? 0) + 1;
  }
  return {
    ...record,
    success: reachedAt !== undefined,
    counts,
    events: before === events.length ? events : events.slice(0, before),
    ...(reachedAt !== undefined ? { reachedAt } : {}),
  };
}

/**
 * Cuts the history of those who did not reach the goal at dates like those when the others reached it.
 * Successes are counted up to their success, and the rest up to today: otherwise the model learns how long
 * each was watched, not who they are (with four e-mails sent over 100 days and meetings booked at random,
 * "fewer e-mails" predicted a meeting with an AUC of 1.0). Each other person's date is drawn among the
 * successes' dates, the same for a person on every training (by a hash of their id), and only what came
 * before it is counted.
 */
function cutAtComparableDates(rows: TrainingRow[]): void {
  const dates = rows.flatMap((r) => (r.reachedAt !== undefined ? [r.reachedAt] : [])).sort((a, b) => a - b);
  if (dates.length === 0) return;
  for (const row of rows) {
    if (row.success) continue;
    const cut = dates[(fnv1a(row.prospectId) >>> 0) % dates.length]!;
    const counts: Record<string, number> = {};
    for (const event of row.events) {
      if (event.at >= cut) break;
      counts[event.type] = (counts[event.type] ?? 0) + 1;
    }
    row.counts = counts;
  }
}

/** Every prospect of the organization, read in chunks through the scoring's own reader. */
/**
 * Every prospect of the organization, read in chunks through the scoring's own reader; beyond
 * MAX_TRAINING_ROWS, a uniform sample of that many (reservoir sampling, seeded), so that training a
 * million-prospect organization fits in the service's memory. Counts are of everyone.
 */
async function historyRows(ctx: Ctx, successTypes: string[]) {
  const rows: TrainingRow[] = [];
  const random = seededRandom(42);
  let seen = 0;
  let successes = 0;
  let after: string | null = null;
  for (;;) {
    const inputs = await readInputs(ctx.db, ctx.orgId, { after, limit: READ_CHUNK });
    for (const input of inputs) {
      const row = historyRow(input, successTypes);
      if (row.success) successes++;
      seen++;
      if (rows.length < MAX_TRAINING_ROWS) rows.push(row);
      else {
        const slot = Math.floor(random.next() * seen);
        if (slot < MAX_TRAINING_ROWS) rows[slot] = row;
      }
    }
    if (inputs.length < READ_CHUNK) {
      cutAtComparableDates(rows);
      return { rows, people: seen, successes };
    }
    after = inputs.at(-1)!.prospectId;
  }
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** A record as the values of the model's columns, by name: "attribute erp", "email_clicked count"… */
export function rowFor(columns: string[], r: HistoryRow): string[] {
  return columns.map((column) => {
    if (column.startsWith('attribute ')) return text(r.attributes?.[column.slice('attribute '.length)]);
    if (column.endsWith(' count')) return String(r.counts[column.slice(0, -' count'.length)] ?? 0);
    switch (column) {
      case 'kind':
        return r.kind;
      case 'job title':
        return text(r.jobTitle);
      case 'industry':
        return text(r.industryCode);
      case 'industry division':
        return r.industryCode ? r.industryCode.replace(/[^0-9A-Za-z]/g, '').slice(0, 2) : '';
      case 'employees':
        return text(r.employeeCount);
      // Models trained before revenues were kept apart by currency took every amount as it came.
      case 'revenue':
        return text(r.annualRevenue);
      case 'revenue currency':
        return r.annualRevenue === null ? '' : (revenueCurrencyOf(r) ?? '');
      default:
        // "revenue EUR": the amount where it is in that currency, missing in any other.
        if (column.startsWith('revenue '))
          return revenueCurrencyOf(r) === column.slice('revenue '.length) ? text(r.annualRevenue) : '';
        return text(r[column as 'country' | 'region' | 'language' | 'seniority' | 'department']);
    }
  });
}

/**
 * The organization's history as a table: one row per prospect with its firmographics, its custom
 * attributes (those that at least 1 % of people have) and how many interactions of each kind it had, and
 * whether the campaign's goal happened. For those who reached it, only what came before counts.
 */
async function history(ctx: Ctx, successTypes: string[]) {
  const { rows, people, successes } = await historyRows(ctx, successTypes);
  return { ...historyTable(rows, successTypes), people, successes };
}

/** The model's columns for a history, and each row's values in them. */
export function historyTable(rows: HistoryRow[], successTypes: string[]) {
  const keyCounts = new Map<string, number>();
  for (const row of rows)
    for (const key of Object.keys(row.attributes ?? {})) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  const keys = [...keyCounts]
    .filter(([, n]) => n >= ATTRIBUTE_MIN_SHARE * rows.length)
    .map(([k]) => k)
    .sort();
  const types = INTERACTION_TYPES.filter((t) => !successTypes.includes(t));
  // Amounts in different currencies are not one scale (12.9 M£ is no 12.9 M€, and rates change): the
  // amount is a number in the history's most common currency, its currency a category of its own.
  const currencies = new Map<string, number>();
  for (const r of rows) {
    const currency = r.annualRevenue === null ? undefined : revenueCurrencyOf(r);
    if (currency) currencies.set(currency, (currencies.get(currency) ?? 0) + 1);
  }
  const [main] = [...currencies].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? ['EUR'];
  const columns = [
    'kind',
    'country',
    'region',
    'language',
    'seniority',
    'department',
    'job title',
    'industry',
    'industry division',
    'employees',
    `revenue ${main}`,
    'revenue currency',
    ...keys.map((k) => `attribute ${k}`),
    ...types.map((t) => `${t} count`),
  ];
  const table = rows.map((r) => rowFor(columns, r));
  const y = Uint8Array.from(rows, (r) => (r.success ? 1 : 0));
  return { columns, table, y };
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
    encodeRow(scorer.encoder, rowFor(scorer.columns, historyRow(input, successTypes))),
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
  const { columns, table, y, people, successes } = await history(ctx, campaign.successTypes);
  const sampled = y.reduce((a, b) => a + b, 0);
  const needed = input.minSuccesses ?? 50;
  const base = {
    orgId: ctx.orgId,
    campaignId: campaign.id,
    rows: people,
    successes,
    successTypes: campaign.successTypes,
    createdBy: ctx.actor.keyId,
  };
  const insufficient = async (message: string) => {
    const [row] = await ctx.db
      .insert(models)
      .values({ ...base, status: 'insufficient_history', metrics: { needed, message } })
      .returning();
    return row!;
  };
  const counted = `${successes} successes (${campaign.successTypes.join(', ')}) and ${people - successes} others among ${people} people`;
  if (sampled < needed || table.length - sampled < needed)
    return insufficient(
      `${counted}: at least ${needed} of each are needed to learn; prospects are ranked by fit and engagement`,
    );
  let trained: Trained;
  try {
    trained = trainAndMeasure(
      columns,
      table,
      y,
      columns.map((_, i) => i),
    );
  } catch (error) {
    if (!(error instanceof BacktestError)) throw error;
    return insufficient(`${counted}: ${error.message}; prospects are ranked by fit and engagement`);
  }
  const [row] = await ctx.db
    .insert(models)
    .values({
      ...base,
      status: 'ready',
      metrics: { ...(trained.report as unknown as Record<string, unknown>), trainedOn: table.length },
      encoder: { columns, ...(encoderToJson(trained.encoder) as object) },
      weights: Array.from(trained.model.weights),
      intercept: trained.model.intercept,
    })
    .returning();
  return row!;
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
export async function activateModel(ctx: Ctx, id: string): Promise<Model & { rescoringJobId: string }> {
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
