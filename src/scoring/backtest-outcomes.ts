import { isPlaceholder } from '../prospects/fold';
import { toNumber } from './cell-numbers';
import type { Table } from './table';

/**
 * How a history's target column is read: which of its values are successes, which failures, which
 * rows have none yet, and what to say of values that may not be what they seem.
 */

export class BacktestError extends Error {}

/** Outcomes that say yes, as compared (outcomeKey): a column may write several ("Oui" and "O"). */
const YES = new Set([
  'yes',
  'oui',
  'true',
  'vrai',
  '1',
  'y',
  'o',
  'si',
  'ja',
  'success',
  'succes',
  'won',
  'closed won',
  'gagne',
  'converted',
  'converti',
  'signe',
]);
/**
 * Outcomes that say a deal or a lead is still open: counted as failures unless --open names them, and
 * then said in a warning (openWarning).
 */
const OPEN = new Set([
  'open',
  'opened',
  'ouvert',
  'en cours',
  'in progress',
  'pending',
  'en attente',
  'new',
  'nouveau',
  'qualification',
  'negotiation',
  'negociation',
  'proposal',
  'proposition',
  'a relancer',
  'working',
  'contacted',
]);
/** Outcomes that say no: a column that marks only these, the rest blank, names no success. */
const NO = new Set(['no', 'non', 'false', 'faux', '0', 'n', 'nein', 'lost', 'perdu', 'closed lost']);

/** Whether outcomes are all numbers, and not only 0 and 1 (which read as no and yes). */
function numbersNotYesNo(outcomes: string[]): boolean {
  const numbers = outcomes.map((o) => toNumber(o));
  return numbers.every(Number.isFinite) && numbers.some((n) => n !== 0 && n !== 1);
}

/** An outcome as compared: "Gagné", " GAGNE" and "gagné" are one value, "1.0" and "1" another. */
function outcomeKey(value: string): string {
  const key = value.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  return /^[01](?:[.,]0+)?$/.test(key) ? key[0]! : key;
}

/** Whether a target cell holds no outcome: blank, "N/A", "?", "inconnu", as the imports read them. */
const unlabelled = (cell: string | undefined) => isPlaceholder((cell ?? '').trim());

/** Which rows succeeded, as the target column says. */
export interface Outcomes {
  rows: string[][];
  y: Uint8Array;
  /** Each value counted as a success, then as a failure, as the file first writes it. */
  successes: string[];
  failures: string[];
  /** Rows left out for want of an outcome. */
  unlabelled: number;
  /** Blank rows counted as failures, in a column that marks only its successes. */
  blanksAsFailures: number;
  /** Rows left out as still open (--open). */
  open: number;
}

/**
 * The outcome of each row. Outcomes are compared case and spaces aside, "1.0" as "1"; a cell without one
 * (blank, "N/A", "?", "inconnu") leaves its row out, unless the column writes one value only and leaves
 * the rest blank ("X" where signed): then its blanks are the failures. Where the success is a yes, the
 * column's other ways of writing yes are successes too ("Oui" and "O").
 */
export function readOutcomes(
  table: Table,
  target: number,
  name: string,
  positive?: string,
  open: string[] = [],
): Outcomes {
  const stillOpen = openKeys(table, target, name, open, positive);
  // Whether the column marks only its successes is read from every value it holds, the open ones too:
  // "X", "En cours" and blanks leave the blanks without an outcome, with or without --open.
  const marks = distinctOutcomes(table, target).size === 1;
  const known = stillOpen.size
    ? { ...table, rows: table.rows.filter((row) => !stillOpen.has(outcomeKey(row[target] ?? ''))) }
    : table;
  const outcomes = knownOutcomes(known, target, name, positive, marks);
  return { ...outcomes, open: table.rows.length - known.rows.length };
}

/** The column's outcomes, each once as compared, shown as the file first writes it. */
function distinctOutcomes(table: Table, target: number): Map<string, string> {
  const values = new Map<string, string>();
  for (const row of table.rows) {
    if (unlabelled(row[target])) continue;
    const key = outcomeKey(row[target]!);
    if (!values.has(key)) values.set(key, row[target]!.trim());
  }
  return values;
}

/**
 * The outcomes --open names, as compared: each must be one of the column's, and none the success (the one
 * --positive names, else a yes), which would leave nothing to count.
 */
function openKeys(
  table: Table,
  target: number,
  name: string,
  open: string[],
  positive: string | undefined,
): Set<string> {
  const keys = new Set(open.map(outcomeKey));
  if (keys.size === 0) return keys;
  const seen = new Set(table.rows.map((row) => outcomeKey(row[target] ?? '')));
  const absent = open.filter((value) => !seen.has(outcomeKey(value)));
  if (absent.length > 0)
    throw new BacktestError(
      `--open names ${absent.map((v) => `"${v}"`).join(', ')}, which "${name}" never holds`,
    );
  const success = open.filter((value) =>
    positive === undefined ? YES.has(outcomeKey(value)) : outcomeKey(value) === outcomeKey(positive),
  );
  if (success.length > 0)
    throw new BacktestError(
      `--open names ${success.map((v) => `"${v}"`).join(', ')}, a success: open outcomes are those not known yet`,
    );
  return keys;
}

function knownOutcomes(
  table: Table,
  target: number,
  name: string,
  positive: string | undefined,
  marks: boolean,
): Omit<Outcomes, 'open'> {
  const labelled = table.rows.filter((row) => !unlabelled(row[target]));
  const values = distinctOutcomes(table, target);
  if (values.size === 0) throw new BacktestError(`"${name}" is empty on every row`);
  const marksOnly = marks && values.size === 1 && labelled.length < table.rows.length;
  // "Non" where it failed and nothing elsewhere: the blanks may be successes, or simply unknown.
  const [only] = values.keys();
  if (marksOnly && positive === undefined && NO.has(only!))
    throw new BacktestError(
      `"${name}" holds only "${values.get(only!)}" and blanks: a no with nothing to say which rows succeeded; give --positive VALUE, or fill in the successes`,
    );
  if (values.size === 1 && !marksOnly)
    throw new BacktestError(
      `every row of "${name}" is "${[...values.values()][0]}": there is nothing to tell successes from`,
    );
  const key = successKey(values, name, positive, marksOnly);
  const keys = YES.has(key) ? [key, ...[...values.keys()].filter((k) => k !== key && YES.has(k))] : [key];
  const rows = marksOnly ? table.rows : labelled;
  const y = Uint8Array.from(rows, (row) =>
    !unlabelled(row[target]) && keys.includes(outcomeKey(row[target]!)) ? 1 : 0,
  );
  return {
    rows,
    y,
    successes: keys.map((k) => values.get(k)!),
    failures: [...values].filter(([k]) => !keys.includes(k)).map(([, shown]) => shown),
    unlabelled: table.rows.length - rows.length,
    blanksAsFailures: marksOnly ? table.rows.length - labelled.length : 0,
  };
}

/** The outcome that counts as a success: the one asked for, else the column's yes, else the only one. */
function successKey(values: Map<string, string>, name: string, positive: string | undefined, only: boolean) {
  const listed = [...values.values()].slice(0, 20).join(', ');
  const asked = positive === undefined ? undefined : outcomeKey(positive);
  // Amounts or counts: "1" would be taken for a yes and every other number for a no.
  if (asked === undefined && !only && numbersNotYesNo([...values.keys()]))
    throw new BacktestError(
      `the target column holds numbers, not a yes/no outcome: give --positive VALUE (its values are: ${listed})`,
    );
  const key = asked ?? (only ? [...values.keys()][0] : [...values.keys()].find((v) => YES.has(v)));
  if (key === undefined)
    throw new BacktestError(
      `say which value of "${name}" is a success (--positive); its values are: ${listed}`,
    );
  if (!values.has(key))
    throw new BacktestError(`"${positive}" never appears in "${name}"; its values are: ${listed}`);
  return key;
}

/** Failures whose outcome reads as still open, with their rows: they may yet succeed. */
export function openWarning(
  outcomes: Outcomes,
  table: Table,
  target: number,
  given: string[] = [],
): string[] {
  const open = outcomes.failures.filter((value) => OPEN.has(outcomeKey(value)));
  if (open.length === 0) return [];
  const keys = new Set(open.map(outcomeKey));
  const rows = table.rows.filter((row) => keys.has(outcomeKey(row[target] ?? ''))).length;
  const named = open.map((v) => `"${v}"`).join(', ');
  // The values --open already leaves out stay in the command it suggests.
  return [
    `${rows} rows of ${named} are counted as failures: if they are deals or leads still open, their outcome ` +
      `is not known yet, and counting them as lost lowers the figures; run again with --open "${[...given, ...open].join(',')}" ` +
      'to leave them out',
  ];
}
