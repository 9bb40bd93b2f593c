import { type Encoder, encodeRow, learnEncoder, toNumber } from './features';
import { type LogisticModel, linear, trainLogistic } from './logistic';
import { auc, type CalibrationBin, calibration, captured, stratifiedSplit } from './metrics';
import type { Table } from './table';

export interface BacktestOptions {
  target: string;
  /** The target's value that counts as a success; guessed from yes/oui/true/1… when absent. */
  positive?: string;
  exclude?: string[];
  testFraction?: number;
  seed?: number;
  l2?: number;
  /** Most quantile bins per number. */
  bins?: number;
}

export interface BacktestReport {
  /** Rows without an outcome are left out (`unlabelled`, the backtest only). */
  rows: { train: number; test: number; unlabelled?: number };
  successRate: number;
  positive: string;
  /** The target's other values, each counted as a failure (the backtest only). */
  failures?: string[];
  features: number;
  skipped: { name: string; why: string }[];
  iterations: number;
  trainMs: number;
  auc: number;
  /** Share of the test set's successes in its top 10, 20 and 50 % by score. */
  captured: { top10: number; top20: number; top50: number };
  /** Success rate of the top decile over the test set's rate. */
  topDecileLift: number;
  /** Each tenth's success rate over the test set's, from the best-ranked tenth down. */
  liftByDecile: number[];
  calibration: CalibrationBin[];
  /** The features that weigh most, with their weight on the log-odds. */
  strongest: { feature: string; weight: number }[];
}

const POSITIVE = ['yes', 'oui', 'true', 'vrai', '1', 'y', 'o', 'success', 'won', 'converted'];

export class BacktestError extends Error {}

/** Successes and failures needed on each side of the split. */
const MIN_PER_CLASS = 5;

/** Header names made unique for reports and --exclude: a second "x" is "x #2". */
function uniqueNames(columns: string[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((column) => {
    const nth = (seen.get(column) ?? 0) + 1;
    seen.set(column, nth);
    return nth === 1 ? column : `${column} #${nth}`;
  });
}

function findColumn(columns: string[], name: string): number {
  const exact = columns.indexOf(name);
  if (exact !== -1) return exact;
  const folded = columns.findIndex((c) => c.trim().toLowerCase() === name.trim().toLowerCase());
  if (folded !== -1) return folded;
  throw new BacktestError(`no column "${name}"; the columns are: ${columns.join(', ')}`);
}

/** Whether outcomes are all numbers, and not only 0 and 1 (which read as no and yes). */
function numbersNotYesNo(outcomes: string[]): boolean {
  const numbers = outcomes.map((o) => toNumber(o));
  return numbers.every(Number.isFinite) && numbers.some((n) => n !== 0 && n !== 1);
}

/** An outcome as compared: "Oui", " OUI" and "oui" are one value. */
const outcomeKey = (value: string) => value.trim().toLowerCase();

/**
 * Trains the service's model on part of a history and measures it on the rest: a stratified split, the
 * encoder and the regularized logistic regression learnt on the training rows only, then AUC, successes
 * captured at the top, lift and calibration on the held-out rows. Outcomes are compared case and spaces
 * aside; rows without one are left out and counted.
 */
export function backtest(table: Table, options: BacktestOptions): BacktestReport {
  const columns = uniqueNames(table.columns);
  const target = findColumn(columns, options.target);
  const excluded = new Set<number>();
  for (const name of options.exclude ?? []) {
    if (name.trim() === '') throw new BacktestError('--exclude names an empty column (two commas in a row?)');
    const column = findColumn(columns, name);
    if (column === target)
      throw new BacktestError(`"${columns[column]}" is the target: it cannot also be excluded`);
    excluded.add(column);
  }
  if (table.rows.length === 0) throw new BacktestError('the file has a header but no rows');
  const rows = table.rows.filter((row) => outcomeKey(row[target] ?? '') !== '');
  const unlabelled = table.rows.length - rows.length;
  if (rows.length === 0) throw new BacktestError(`"${columns[target]}" is empty on every row`);
  // Each outcome once, case aside, shown as the file first writes it.
  const values = new Map<string, string>();
  for (const row of rows) {
    const key = outcomeKey(row[target]!);
    if (!values.has(key)) values.set(key, row[target]!.trim());
  }
  const listed = [...values.values()].slice(0, 20).join(', ');
  if (values.size === 1)
    throw new BacktestError(
      `every row of "${columns[target]}" is "${[...values.values()][0]}": there is nothing to tell successes from`,
    );
  const asked = options.positive === undefined ? undefined : outcomeKey(options.positive);
  // Amounts or counts: "1" would be taken for a yes and every other number for a no.
  if (asked === undefined && numbersNotYesNo([...values.keys()]))
    throw new BacktestError(
      `the target column holds numbers, not a yes/no outcome: give --positive VALUE (its values are: ${listed})`,
    );
  const positive =
    asked ??
    [...values.keys()].find((v) => POSITIVE.includes(v)) ??
    (() => {
      throw new BacktestError(
        `say which value of "${columns[target]}" is a success (--positive); its values are: ${listed}`,
      );
    })();
  if (!values.has(positive))
    throw new BacktestError(
      `"${options.positive ?? positive}" never appears in "${columns[target]}"; its values are: ${listed}`,
    );
  const y = Uint8Array.from(rows, (row) => (outcomeKey(row[target]!) === positive ? 1 : 0));
  const use = columns.map((_, i) => i).filter((i) => i !== target && !excluded.has(i));
  const { report } = trainAndMeasure(columns, rows, y, use, options);
  // What --exclude left out is said with the rest, so that a report tells every column's fate.
  const left = [...excluded].map((i) => ({ name: columns[i]!, why: 'excluded by --exclude' }));
  return {
    ...report,
    skipped: [...left, ...report.skipped],
    rows: { ...report.rows, unlabelled },
    positive: values.get(positive)!,
    failures: [...values].filter(([key]) => key !== positive).map(([, shown]) => shown),
  };
}

export interface Trained {
  encoder: Encoder;
  model: LogisticModel;
  report: Omit<BacktestReport, 'positive'>;
}

/**
 * The model's whole training: a stratified split, the encoder and the regularized logistic regression
 * learnt on the training rows only, measured on the held-out ones. The backtest and the service's own
 * training both go through here.
 */
export function trainAndMeasure(
  columns: string[],
  rows: string[][],
  y: Uint8Array,
  use: number[],
  options: { testFraction?: number; seed?: number; l2?: number; bins?: number } = {},
): Trained {
  const { train, test } = stratifiedSplit(y, options.testFraction ?? 0.25, options.seed ?? 42);
  // Fewer than this many successes or failures on either side, and the figures would be noise: an AUC
  // from two held-out rows is 0 or 1.
  const least = (indices: number[], success: 0 | 1) => indices.filter((i) => y[i] === success).length;
  const counts = [least(train, 1), least(train, 0), least(test, 1), least(test, 0)];
  if (Math.min(...counts) < MIN_PER_CLASS)
    throw new BacktestError(
      `too few rows to train and measure: ${counts[0]} successes and ${counts[1]} failures to train, ` +
        `${counts[2]} and ${counts[3]} held out; each needs at least ${MIN_PER_CLASS} ` +
        '(more rows, or another --test-fraction)',
    );
  const trainRows = train.map((i) => rows[i]!);
  const encoder = learnEncoder(columns, trainRows, use, options.bins ? { bins: options.bins } : {});
  if (encoder.features.length === 0)
    throw new BacktestError(
      `no column can be used to predict: ${encoder.skipped.map((s) => `${s.name} (${s.why})`).join(', ') || 'there is only the target'}`,
    );
  const started = performance.now();
  const model = trainLogistic(
    trainRows.map((row) => encodeRow(encoder, row)),
    train.map((i) => y[i]!),
    encoder.features.length,
    { l2: options.l2 ?? 1 },
  );
  const trainMs = performance.now() - started;

  const z = test.map((i) => linear(model, encodeRow(encoder, rows[i]!)));
  const p = z.map((v) => 1 / (1 + Math.exp(-v)));
  const yt = test.map((i) => y[i]!);
  const rate = yt.reduce((a, b) => a + b, 0) / yt.length;
  const bins = calibration(p, yt, 10);
  const strongest = encoder.features
    .map((feature, j) => ({ feature, weight: model.weights[j]! }))
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, 10);
  return {
    encoder,
    model,
    report: {
      rows: { train: train.length, test: test.length },
      successRate: y.reduce((a, b) => a + b, 0) / y.length,
      features: encoder.features.length,
      skipped: encoder.skipped,
      iterations: model.iterations,
      trainMs,
      auc: auc(z, yt),
      captured: { top10: captured(z, yt, 0.1), top20: captured(z, yt, 0.2), top50: captured(z, yt, 0.5) },
      topDecileLift: captured(z, yt, 0.1) / 0.1,
      liftByDecile: [...bins].reverse().map((b) => (rate > 0 ? b.observed / rate : 0)),
      calibration: bins,
      strongest,
    },
  };
}

export function formatReport(report: BacktestReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `rows: ${report.rows.train} to train, ${report.rows.test} to test (stratified)${report.rows.unlabelled ? `, ${report.rows.unlabelled} without an outcome left out` : ''}; success ("${report.positive}", case aside) rate ${pct(report.successRate)}${(report.failures?.length ?? 0) > 1 ? `; counted as failures: ${report.failures!.slice(0, 20).join(', ')}` : ''}`,
    `features: ${report.features}${report.skipped.length ? `; left out: ${report.skipped.map((s) => `${s.name} (${s.why})`).join(', ')}` : ''}`,
    `training: ${report.iterations} Newton iterations, ${Math.round(report.trainMs)} ms`,
    '',
    `test AUC                       ${report.auc.toFixed(4)}`,
    `successes in the top 10 %      ${pct(report.captured.top10)} (lift ${report.topDecileLift.toFixed(2)})`,
    `successes in the top 20 %      ${pct(report.captured.top20)}`,
    `successes in the top 50 %      ${pct(report.captured.top50)}`,
    '',
    'calibration (test rows in ten groups by predicted probability)',
    '  predicted range        rows   mean predicted   observed',
    ...report.calibration.map(
      (b) =>
        `  ${b.from.toFixed(3)} – ${b.to.toFixed(3)}    ${String(b.rows).padStart(6)}   ${pct(b.predicted).padStart(14)}   ${pct(b.observed).padStart(8)}`,
    ),
    '',
    'strongest features (weight on the log-odds)',
    ...report.strongest.map(
      (s) => `  ${s.weight >= 0 ? '+' : '−'}${Math.abs(s.weight).toFixed(2)}  ${s.feature}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
