import { nearestName } from '../lib/nearest-name';
import { BacktestError, openWarning, readOutcomes } from './backtest-outcomes';
import { type Encoder, encodeRow, learnEncoder, type SparseRow } from './features';
import { chooseL2, type LogisticModel, linear, trainLogistic } from './logistic';
import { auc, type CalibrationBin, calibration, capturedShares, stratifiedSplit } from './metrics';
import type { Table } from './table';

export { BacktestError } from './backtest-outcomes';
export { formatReport } from './backtest-report';

export interface BacktestOptions {
  target: string;
  /** The target's value that counts as a success; guessed from yes/oui/true/1… when absent. */
  positive?: string;
  /** Outcomes still open (a deal in progress): their rows are left out, neither success nor failure. */
  open?: string[];
  exclude?: string[];
  testFraction?: number;
  seed?: number;
  l2?: number;
  /** Most quantile bins per number. */
  bins?: number;
}

export interface BacktestReport {
  /** The target column as the file names it (the backtest only). */
  target?: string;
  /** Rows without an outcome are left out (`unlabelled`, the backtest only). */
  rows: {
    train: number;
    test: number;
    /** Successes among the held-out rows: what the AUC and the shares at the top are measured on. */
    testSuccesses: number;
    unlabelled?: number;
    blanksAsFailures?: number;
    /** Rows whose outcome is still open (--open), left out. */
    open?: number;
  };
  successRate: number;
  positive: string;
  /** Every value counted as a success, where the target writes its yes more than one way (the backtest only). */
  successes?: string[];
  /** The target's other values, each counted as a failure (the backtest only). */
  failures?: string[];
  /** Columns that alone tell successes from failures on the training rows: likely known only afterwards. */
  leaks: { column: string; auc: number }[];
  /**
   * Where the test AUC is higher than prospects' histories allow (SUSPECT_AUC) and no column alone gives
   * the outcome away: the three columns that tell it best alone, the likely leaks together.
   */
  suspects?: { column: string; auc: number }[];
  /** Columns filled in on the rows of one outcome only (a signature date, a reason for a loss). */
  oneSided?: { column: string; outcome: 'success' | 'failure'; rows: number }[];
  /** What the reader must know before trusting the figures (the backtest only). */
  warnings?: string[];
  features: number;
  skipped: { name: string; why: string }[];
  iterations: number;
  /** The L2 penalty the weights were fitted with (penaltyFor). */
  l2: number;
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

/** A header as a name is compared to it: case, accents and surrounding spaces aside. */
const foldName = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();

/**
 * The column a name given on the command line means: the header written so, else the one that only
 * differs by case and accents ("Resultat" for "Résultat"), else an error that suggests the nearest.
 */
function findColumn(columns: string[], name: string): number {
  const exact = columns.indexOf(name);
  if (exact !== -1) return exact;
  const matches = columns.flatMap((c, i) => (foldName(c) === foldName(name) ? [i] : []));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new BacktestError(
      `"${name}" could be ${matches.map((i) => `"${columns[i]}"`).join(' or ')}: write it as the header does`,
    );
  const folded = columns.map(foldName);
  const nearest = nearestName(foldName(name), folded);
  const meant = nearest === undefined ? '' : ` (did you mean "${columns[folded.indexOf(nearest)]}"?)`;
  throw new BacktestError(`no column "${name}"${meant}; the columns are: ${columns.join(', ')}`);
}

/**
 * Trains the service's model on part of a history and measures it on the rest: a stratified split, the
 * encoder and the regularized logistic regression learnt on the training rows only, then AUC, successes
 * captured at the top, lift and calibration on the held-out rows. Outcomes are read by readOutcomes;
 * columns that give the outcome away are named in a warning.
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
  const use = columns.map((_, i) => i).filter((i) => i !== target && !excluded.has(i));
  if (use.length === 0 && excluded.size > 0)
    throw new BacktestError(
      `no column can be used to predict: "${columns[target]}" is the target and --exclude left out ${[...excluded].map((i) => `"${columns[i]}"`).join(', ')}`,
    );
  if (table.rows.length === 0) throw new BacktestError('the file has a header but no rows');
  const outcomes = readOutcomes(table, target, columns[target]!, options.positive, options.open);
  const { report } = trainAndMeasure(columns, outcomes.rows, outcomes.y, use, options);
  // What --exclude left out is said with the rest, so that a report tells every column's fate.
  const left = [...excluded].map((i) => ({ name: columns[i]!, why: 'excluded by --exclude' }));
  return {
    target: columns[target]!,
    ...report,
    skipped: [...left, ...report.skipped],
    rows: {
      ...report.rows,
      unlabelled: outcomes.unlabelled,
      ...(outcomes.blanksAsFailures ? { blanksAsFailures: outcomes.blanksAsFailures } : {}),
      ...(outcomes.open ? { open: outcomes.open } : {}),
    },
    positive: outcomes.successes[0]!,
    ...(outcomes.successes.length > 1 ? { successes: outcomes.successes } : {}),
    failures: outcomes.failures,
    // What reading the file left out (a title line, rows longer than the header) is said with the rest.
    warnings: [
      ...(table.warnings ?? []),
      ...openWarning(outcomes, table, target, options.open),
      ...fewWarning(report.auc, report.rows),
      ...(report.leaks.length ? [leakWarning(report.leaks)] : []),
      ...(report.suspects ? [suspectWarning(report.auc, report.suspects)] : []),
      ...(report.oneSided ?? []).map(
        (c) =>
          `"${c.column}" is filled in on ${c.rows} training rows, all ${c.outcome === 'success' ? 'successes' : 'failures'}, ` +
          `and on no row of the other outcome: likely written after the outcome; if so, run again with --exclude "${c.column}"`,
      ),
    ],
  };
}

/** Held-out successes or failures under which the AUC's margin is worth saying. */
const FEW_TEST_OUTCOMES = 50;

/**
 * The AUC's margin where few successes or few failures are held out, from Hanley and McNeil's standard
 * error (1982), which counts both: with 12 successes among 600 rows, an AUC of 0.75 could as well be 0.59
 * or 0.91.
 */
function fewWarning(testAuc: number, rows: BacktestReport['rows']): string[] {
  const successes = rows.testSuccesses;
  const failures = rows.test - successes;
  if (Math.min(successes, failures) >= FEW_TEST_OUTCOMES) return [];
  const a = testAuc;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const variance =
    (a * (1 - a) + (successes - 1) * (q1 - a * a) + (failures - 1) * (q2 - a * a)) / (successes * failures);
  const margin = 1.96 * Math.sqrt(Math.max(0, variance));
  const few = successes <= failures ? `${successes} successes` : `${failures} failures`;
  return [
    `only ${few} are held out: the test AUC of ${a.toFixed(3)} could be anywhere from ` +
      `${Math.max(0, a - margin).toFixed(2)} to ${Math.min(1, a + margin).toFixed(2)} (95 %), and the shares at ` +
      'the top move as much; compare runs with other --seed values before trusting one',
  ];
}

/** What to say of columns that give the outcome away: which, how well, and how to leave them out. */
function leakWarning(leaks: BacktestReport['leaks']): string {
  const named = leaks.map((l) => `"${l.column}" (AUC ${l.auc.toFixed(3)})`).join(', ');
  const one = leaks.length === 1;
  return (
    `${named} alone ${one ? 'tells' : 'each tell'} successes from failures on the training rows: ` +
    `${one ? 'it is' : 'they are'} likely filled in after the outcome, and the AUC measures ${one ? 'it' : 'them'} ` +
    `rather than the prospects; if so, run again with --exclude "${leaks.map((l) => l.column).join(',')}"`
  );
}

/** What to say of a test AUC too high to be true when no column alone explains it. */
function suspectWarning(testAuc: number, suspects: { column: string; auc: number }[]): string {
  const named = suspects.map((l) => `"${l.column}" (AUC ${l.auc.toFixed(3)} alone)`).join(', ');
  return (
    `a test AUC of ${testAuc.toFixed(3)} is more than a history of prospects usually allows: columns filled in ` +
    `after the outcome (a signature date, a reason for a loss, a last stage reached) are the likely cause, ` +
    `together if not alone; those that tell it best: ${named}; if they are filled in afterwards, run again ` +
    `with --exclude "${suspects.map((l) => l.column).join(',')}"`
  );
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
        `(more history${options.testFraction === undefined ? '' : ', or another --test-fraction'})`,
    );
  const trainRows = train.map((i) => rows[i]!);
  const encoder = learnEncoder(columns, trainRows, use, options.bins ? { bins: options.bins } : {});
  if (encoder.features.length === 0)
    throw new BacktestError(
      `no column can be used to predict: ${encoder.skipped.map((s) => `${s.name} (${s.why})`).join(', ') || 'there is only the target'}`,
    );
  const encoded = trainRows.map((row) => encodeRow(encoder, row));
  const yTrain = train.map((i) => y[i]!);
  const started = performance.now();
  const penalty =
    options.l2 !== undefined
      ? { l2: options.l2 }
      : penaltyFor(encoded, yTrain, encoder.features.length, options.seed ?? 42);
  const model = trainLogistic(encoded, yTrain, encoder.features.length, penalty);
  const l2 = penalty.l2;
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
  const lifts = [...bins].reverse().map((b) => (rate > 0 ? b.observed / rate : 0));
  const [top10, top20, top50] = capturedShares(z, yt, [0.1, 0.2, 0.5]) as [number, number, number];
  const testAuc = auc(z, yt);
  const alone = aloneAucs(encoder, encoded, yTrain);
  const leaks = alone.filter((column) => column.auc >= LEAK_AUC);
  return {
    encoder,
    model,
    report: {
      rows: { train: train.length, test: test.length, testSuccesses: counts[2]! },
      successRate: y.reduce((a, b) => a + b, 0) / y.length,
      features: encoder.features.length,
      skipped: encoder.skipped,
      iterations: model.iterations,
      l2,
      trainMs,
      auc: testAuc,
      captured: { top10, top20, top50 },
      // The first tenth of the lift by decile: one figure, where the top 10 % rounded up had differed.
      topDecileLift: lifts[0] ?? 0,
      liftByDecile: lifts,
      calibration: bins,
      strongest,
      leaks,
      ...(testAuc >= SUSPECT_AUC && leaks.length === 0
        ? { suspects: [...alone].sort((a, b) => b.auc - a.auc).slice(0, 3) }
        : {}),
      ...oneSided(encoder, encoded, yTrain, new Set(leaks.map((c) => c.column))),
    },
  };
}

/** Training rows per feature from which the default penalty, 1, no longer overfits. */
const ROWS_PER_FEATURE = 50;

/**
 * The L2 penalty: 1 where each feature has rows enough (the bank's 175 features on 30,891 rows), else
 * the one chooseL2 finds best on a part of the training rows (sixty numbers on 7,500 rows).
 */
function penaltyFor(
  encoded: SparseRow[],
  y: number[],
  features: number,
  seed: number,
): { l2: number; start?: Float64Array } {
  return encoded.length >= ROWS_PER_FEATURE * features ? { l2: 1 } : chooseL2(encoded, y, features, seed);
}

/** Rows a column must be filled on, and the share of one outcome's rows, to be named by oneSided. */
const ONE_SIDED_ROWS = 20;
const ONE_SIDED_SHARE = 0.3;

/**
 * Columns filled in for one outcome only, on a good part of its rows: every training row where a date of
 * signature is given succeeded, or every row with a reason for a loss failed. Such a column is written
 * after the outcome, whatever the AUC it reaches alone (a signature date for 85 % of the winners: 0.94).
 */
function oneSided(
  encoder: Encoder,
  encoded: SparseRow[],
  y: number[],
  /** Columns already named as leaks. */
  named: Set<string>,
): { oneSided?: { column: string; outcome: 'success' | 'failure'; rows: number }[] } {
  const total = [0, 0];
  for (const v of y) total[v]!++;
  const found: { column: string; outcome: 'success' | 'failure'; rows: number }[] = [];
  for (const spec of encoder.specs) {
    if (named.has(spec.name)) continue;
    const missing =
      spec.kind === 'numeric'
        ? spec.first + spec.edges.length + 2
        : spec.first + spec.levels.get('(missing)')!;
    const filled = [0, 0];
    encoded.forEach((row, i) => {
      if (!row.idx.includes(missing)) filled[y[i]!]!++;
    });
    for (const side of [1, 0] as const) {
      const other = filled[1 - side]!;
      const mine = filled[side]!;
      if (other === 0 && mine >= ONE_SIDED_ROWS && mine >= ONE_SIDED_SHARE * total[side]!)
        found.push({ column: spec.name, outcome: side === 1 ? 'success' : 'failure', rows: mine });
    }
  }
  return found.length > 0 ? { oneSided: found } : {};
}

/** A column's AUC alone, on the training rows, from which it gives the outcome away. */
const LEAK_AUC = 0.98;
/**
 * A test AUC beyond what who the prospects are can tell (the bank's calls reach 0.80, studies of such
 * histories rarely 0.90): columns known only after the outcome are the likely cause, together if not one
 * alone (a signature date for 85 % of the winners and a loss reason for 70 % of the losers gave 0.9997).
 */
const SUSPECT_AUC = 0.95;

/**
 * How well each column alone tells successes from failures on the training rows, to name the columns that
 * give the outcome away (LEAK_AUC): a date of signature filled in
 * for successes only, a status that spells the outcome again, an amount signed that is 0 for failures:
 * each column scores a row by the training success rate of the bin, level or missing flag the row falls
 * in, a number also by its value (missing values first or last), and is named when one of these scores
 * orders the rows with an AUC of LEAK_AUC or more.
 */
export function aloneAucs(
  encoder: Encoder,
  encoded: SparseRow[],
  y: number[],
): { column: string; auc: number }[] {
  const rates = groupRates(encoder, encoded, y);
  return encoder.specs.map((spec, s) => {
    let best = auc(rates[s]!, y);
    if (spec.kind === 'numeric') {
      const linear = spec.first + spec.edges.length + 1;
      for (const missing of [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
        const values = encoded.map((row) => row.val[row.idx.indexOf(linear)] ?? missing);
        const ordered = auc(values, y);
        best = Math.max(best, ordered, 1 - ordered);
      }
    }
    return { column: spec.name, auc: best };
  });
}

/** Per column, each row's training success rate among the rows in its bin, level or missing flag. */
function groupRates(encoder: Encoder, encoded: SparseRow[], y: number[]): Float64Array[] {
  // Which column each one-hot feature belongs to; -1 for the linear terms, which group no rows.
  const owner = new Int32Array(encoder.features.length).fill(-1);
  encoder.specs.forEach((spec, s) => {
    const size = spec.kind === 'numeric' ? spec.edges.length + 3 : spec.levels.size;
    owner.fill(s, spec.first, spec.first + size);
    if (spec.kind === 'numeric') owner[spec.first + spec.edges.length + 1] = -1;
  });
  const seen = new Float64Array(encoder.features.length);
  const successes = new Float64Array(encoder.features.length);
  encoded.forEach((row, i) => {
    for (const j of row.idx) {
      seen[j]!++;
      successes[j]! += y[i]!;
    }
  });
  const rates = encoder.specs.map(() => new Float64Array(encoded.length));
  encoded.forEach((row, i) => {
    for (const j of row.idx) if (owner[j]! >= 0) rates[owner[j]!]![i] = successes[j]! / seen[j]!;
  });
  return rates;
}
