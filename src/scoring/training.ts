import { INTERACTION_TYPES } from '../../db/schema';
import { fnv1a } from '../lib/fnv';
import { seededRandom } from '../lib/random';
import { BacktestError } from './backtest-outcomes';
import { departmentOfTitle } from './departments';
import { reachesGoal, readEvent } from './engagement';
import { encoderToJson } from './features';
import { revenueCurrencyOf } from './fit';
import { eachInput, type InputChunk, type ScoringInput } from './inputs';
import { levelOfTitle } from './seniority';
import { trainAndMeasure } from './train-and-measure';

/**
 * What a model learns from, apart from the database: the organization's people as they are read, each
 * counted at once and kept in a uniform sample (HistorySample), then the sample as a table and the fit
 * (fitSample). A training runs this on a worker thread of its own (train-worker.ts): a sample of 100,000
 * people took 340 MB of heap at its peak, beyond the service thread's 128 MB.
 */

export interface HistoryRow extends Omit<ScoringInput, 'events'> {
  success: boolean;
  counts: Record<string, number>;
}

const ATTRIBUTE_MIN_SHARE = 0.01;
/** The most people a model learns from: a uniform sample beyond (41,188 bank calls train in about a second). */
export const MAX_TRAINING_ROWS = 100_000;

/**
 * A prospect as the model sees it: its record, how many interactions of each kind it had, and whether the
 * campaign's goal happened. Those who reached it are counted up to their success, and the rest up to a
 * date drawn among the successes' dates (`dates`, oldest first), the same for a person on every training
 * (by a hash of their id): up to today, the model would learn how long each was watched, not who they are
 * (with four e-mails sent over 100 days and meetings booked at random, "fewer e-mails" predicted a meeting
 * with an AUC of 1.0). Without any success, everything counts.
 */
export function historyRow(
  input: ScoringInput,
  successTypes: string[],
  dates: number[],
  /** Each event by its type as logged, for a model trained before events were read (see READ_COUNTS). */
  asLogged = false,
): HistoryRow {
  const { events, ...record } = input;
  let reached = false;
  let cut = Number.POSITIVE_INFINITY;
  for (const event of events)
    if (reachesGoal(event, successTypes)) {
      reached = true;
      cut = event.at;
      break;
    }
  if (!reached && dates.length > 0) cut = dates[(fnv1a(input.prospectId) >>> 0) % dates.length]!;
  // Counted as engagement reads them: an attempt someone picked up is an answered call, a refused call a
  // refusal alone (its own column), "Ne plus appeler" an opt-out.
  const counts: Record<string, number> = {};
  for (const event of events) {
    if (event.at >= cut) break;
    if (asLogged) {
      counts[event.type] = (counts[event.type] ?? 0) + 1;
      continue;
    }
    const { signal, refused } = readEvent(event);
    if (signal) counts[signal] = (counts[signal] ?? 0) + 1;
    if (refused) counts.refused = (counts.refused ?? 0) + 1;
  }
  return { ...record, success: reached, counts };
}

/**
 * The organization's people as a training reads them, chunk by chunk: beyond MAX_TRAINING_ROWS, a uniform
 * sample of that many (reservoir sampling, seeded), so that a million-prospect organization fits in memory.
 * `people` and `successes` count everyone.
 */
export class HistorySample {
  readonly rows: HistoryRow[] = [];
  people = 0;
  successes = 0;
  private readonly random = seededRandom(42);

  /** `dates`: when each person who reached the goal first did, oldest first (historyRow). */
  constructor(
    private readonly successTypes: string[],
    private readonly dates: number[],
  ) {}

  add(chunk: InputChunk): void {
    eachInput(chunk, (input) => {
      const row = historyRow(input, this.successTypes, this.dates);
      if (row.success) this.successes++;
      this.people++;
      if (this.rows.length < MAX_TRAINING_ROWS) this.rows.push(row);
      else {
        const slot = Math.floor(this.random.next() * this.people);
        if (slot < MAX_TRAINING_ROWS) this.rows[slot] = row;
      }
    });
  }
}

/** What a training's worker is given: the goal, the successes' dates (historyRow), the successes needed. */
export interface TrainerData {
  successTypes: string[];
  dates: number[];
  needed: number;
}

/** What a training ends with: a model to store, or why there is none. */
export type SampleFit = { people: number; successes: number } & (
  | { trained: TrainedModel }
  | { insufficient: string }
);

/** A trained model as it is stored: plain data that crosses threads. */
export interface TrainedModel {
  columns: string[];
  encoder: unknown;
  weights: number[];
  intercept: number;
  report: Record<string, unknown>;
  trainedOn: number;
}

/**
 * Fits the model on a sample, or says why it cannot: fewer than `needed` successes or others in it, or a
 * history the backtest's rules refuse (too few rows to measure, no usable column).
 */
export function fitSample(sample: HistorySample, successTypes: string[], needed: number): SampleFit {
  const { people, successes } = sample;
  const { columns, table, y } = historyTable(sample.rows, successTypes);
  const sampled = y.reduce((a, b) => a + b, 0);
  const others = people - successes;
  const counted =
    `${successes} ${successes === 1 ? 'success' : 'successes'} (${successTypes.join(', ')}) and ` +
    `${others} ${others === 1 ? 'other' : 'others'} among ${people} ${people === 1 ? 'person' : 'people'}`;
  if (sampled < needed || table.length - sampled < needed)
    return {
      people,
      successes,
      insufficient: `${counted}: at least ${needed} of each are needed to learn; prospects are ranked by fit and engagement`,
    };
  try {
    const trained = trainAndMeasure(
      columns,
      table,
      y,
      columns.map((_, i) => i),
    );
    return {
      people,
      successes,
      trained: {
        columns,
        encoder: encoderToJson(trained.encoder),
        weights: Array.from(trained.model.weights),
        intercept: trained.model.intercept,
        report: trained.report as unknown as Record<string, unknown>,
        trainedOn: table.length,
      },
    };
  } catch (error) {
    if (!(error instanceof BacktestError)) throw error;
    return {
      people,
      successes,
      insufficient: `${counted}: ${error.message}; prospects are ranked by fit and engagement`,
    };
  }
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * The column of refusals, which every model trained since events are counted as engagement reads them
 * has: a model without it learnt from counts of the types as logged, and is given those (historyRow).
 */
export const READ_COUNTS = 'refused count';

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
      case 'seniority level':
        return text(r.seniority ?? (r.jobTitle ? levelOfTitle(r.jobTitle) : undefined));
      // One vocabulary whichever gives it: the record's "Achats" is purchasing, as the title's "acheteur".
      case 'department area':
        return r.department
          ? departmentOfTitle(r.department) || r.department
          : r.jobTitle
            ? departmentOfTitle(r.jobTitle)
            : '';
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
 * The history as a table: one row per prospect with its firmographics, its custom attributes (those that
 * at least 1 % of people have) and how many interactions of each kind it had, and whether the campaign's
 * goal happened.
 */
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
    // The level the record gives, else the one its job title says, as the fit reads it.
    'seniority level',
    // The record's department, else the area its job title names (departmentOfTitle).
    'department area',
    'job title',
    'industry',
    'industry division',
    'employees',
    `revenue ${main}`,
    'revenue currency',
    ...keys.map((k) => `attribute ${k}`),
    ...types.map((t) => `${t} count`),
    READ_COUNTS,
  ];
  const table = rows.map((r) => rowFor(columns, r));
  const y = Uint8Array.from(rows, (r) => (r.success ? 1 : 0));
  return { columns, table, y };
}
