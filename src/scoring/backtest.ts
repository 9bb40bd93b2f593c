import { nearestName } from '../lib/nearest-name';
import { BacktestError, openWarning, readOutcomes } from './backtest-outcomes';
import type { CalibrationBin } from './metrics';
import type { Table } from './table';
import { trainAndMeasure } from './train-and-measure';

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
