import { fold, isPlaceholder } from '../prospects/fold';
import { type Comma, commaOf, dateColumn, isCode, quantityOf } from './cell-numbers';

/**
 * Turns table columns into model features, learnt from training rows only: numbers get quantile bins
 * (one-hot, so that a curve like "never contacted = 999 days" is not forced into a line), a standardized
 * linear term and a missing-value flag; dates are numbers too, in days; categories keep their levels seen
 * often enough and group the rare ones as "(other)", with missing values as a level of their own.
 * Identifiers are left out.
 */

export interface SparseRow {
  idx: number[];
  val: number[];
}

type NumericSpec = {
  kind: 'numeric';
  name: string;
  column: number;
  mean: number;
  sd: number;
  /** Upper bounds of the bins but the last, ascending. */
  edges: number[];
  /** Feature index of bin 0, of the linear term, of the missing flag. */
  first: number;
  /** A column of dates, read as days since 1970 with its days and months in this order. */
  dates?: { dayFirst: boolean };
  /** What a comma is in this column's numbers, where its values said. */
  comma?: Comma;
};

type CategoricalSpec = {
  kind: 'categorical';
  name: string;
  column: number;
  /** Kept levels, then "(other)" and "(missing)". */
  levels: Map<string, number>;
  first: number;
};

export type ColumnSpec = NumericSpec | CategoricalSpec;

export interface Encoder {
  specs: ColumnSpec[];
  /** A readable name per feature: "age in [30, 35)", "job = technician". */
  features: string[];
  /** Columns left out, with why. */
  skipped: { name: string; why: string }[];
}

export interface EncoderOptions {
  /** Most bins per number (default: 4 to 24, by the training rows per number column, see binsPerNumber). */
  bins?: number;
  /** A level is kept when it is seen at least this many times in training… */
  minLevelCount?: number;
  /** …and at least this share of training rows. */
  minLevelShare?: number;
}

/** What CRMs and spreadsheets write for "no value", case aside: a number column with them stays one. */
const isMissing = isPlaceholder;

/** A column's name in lower-case words, accents aside and camel case parted: "customerId" is "customer id". */
const wordsOf = (name: string) =>
  fold(name)
    .split(' ')
    .filter((word) => word !== '');

/** Words that name an identifier column, accents aside: "id", "Identifiant", "customer_id", "clientId", "Réf.". */
const ID_WORDS = new Set([
  'id',
  'ids',
  'identifiant',
  'identifier',
  'uuid',
  'guid',
  'ref',
  'reference',
  'key',
]);
const namesAnIdentifier = (name: string) => wordsOf(name).some((word) => ID_WORDS.has(word));

/** Last words that name a row's number: "No", "N°", "Numéro", "Lead number", "Row", "Index". */
const ROW_NUMBER_WORDS = new Set([
  'n',
  'no',
  'nr',
  'num',
  'numero',
  'number',
  'nummer',
  'row',
  'index',
  'idx',
  '#',
]);

/**
 * Whether a name is that of a row counter: one of ROW_NUMBER_WORDS last ("#" among them), or no word at all,
 * or the "Unnamed: 0" pandas writes above the index it saved with the rows.
 */
function namesARowNumber(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 0 || words[0] === 'unnamed') return true;
  return ROW_NUMBER_WORDS.has(words[words.length - 1]!);
}

/**
 * Words of a column's name that make its digits a code, not a quantity: phone numbers ("33612345678" once
 * Excel dropped the "+"), company numbers, postal codes, industry codes. Binned as numbers, a phone number
 * became a "strongest feature" of its range.
 */
const CODE_WORDS = new Set([
  'phone',
  'telephone',
  'tel',
  'mobile',
  'portable',
  'gsm',
  'fax',
  'siret',
  'siren',
  'zip',
  'zipcode',
  'postal',
  'postcode',
  'cp',
  'iban',
  'naf',
  'ape',
  'nace',
  'naics',
  'sic',
]);

function namesACode(name: string): boolean {
  return wordsOf(name).some((word) => CODE_WORDS.has(word));
}

/** Whether values climb with the rows, nearly each above the one before: a row number, or a sorted key. */
function risesWithRows(numbers: number[]): boolean {
  let rises = 0;
  for (let i = 1; i < numbers.length; i++) if (numbers[i]! > numbers[i - 1]!) rises++;
  return rises >= 0.95 * (numbers.length - 1);
}

/**
 * Whole numbers that all differ are row numbers, not measures, when the column's name says so ("id",
 * "customer_id", "Réf.", whatever the number of rows: a small file's ids leak its order as much as a large
 * one's) or, from 50 rows up, when they run nearly one after the other ("Identifiant" 0 to 2999; fewer
 * small counts, say calls 1 to 5 in five rows, could run so by chance), when they climb with the rows
 * within a span near their count (a sample that kept the original "Lead number"; amounts in a file
 * sorted by them span far more), or when the name counts rows ("No", "N°", an empty
 * header over a shuffled pandas index). Distinct whole numbers in no order under another name, a revenue
 * in euros, stay a measure.
 */
function numbersIdentify(name: string, numbers: number[]): boolean {
  if (numbers.length === 0 || !numbers.every(Number.isInteger)) return false;
  const distinct = new Set(numbers).size;
  if (distinct < 0.98 * numbers.length) return false;
  if (namesAnIdentifier(name)) return true;
  if (numbers.length < 50) return false;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const n of numbers) {
    if (n < low) low = n;
    if (n > high) high = n;
  }
  const span = high - low + 1;
  if (distinct >= 0.99 * numbers.length && namesARowNumber(name)) return true;
  // Climbing with the rows, a key keeps to a span near its count (a sample of one lead in ten spans ten
  // times as many); amounts in a file sorted by them spread far wider, and stay a measure.
  if (distinct >= 0.99 * numbers.length && risesWithRows(numbers) && span <= 20 * distinct) return true;
  return span <= 2 * distinct;
}

/**
 * Share of a column's values that must read as numbers for it to be a number column: the rest ("NR",
 * "voir contrat") are missing values. Below, the column is one of categories.
 */
const NUMBER_SHARE = 0.8;
/**
 * Share of a column's values written as codes that makes it a column of codes: nobody writes a quantity
 * with a leading zero, so a few "007" or "01000" show a code padded to its width.
 */
const CODE_SHARE = 0.05;

/** What a column is, read from its training values, before features are laid out. */
type ColumnReading =
  | { kind: 'skipped'; why: string }
  | { kind: 'numeric'; numbers: number[]; dates?: { dayFirst: boolean }; comma?: Comma }
  | { kind: 'categorical'; counts: Map<string, number> };

function readColumn(name: string, present: string[]): ColumnReading {
  if (present.length === 0) return { kind: 'skipped', why: 'always empty' };
  const dates = dateColumn(present);
  const codes = !dates && (namesACode(name) || present.filter(isCode).length >= CODE_SHARE * present.length);
  const comma = dates || codes ? undefined : commaOf(present);
  const numbers = codes
    ? []
    : present.map((v) => quantityOf(v, dates, comma)).filter((n) => Number.isFinite(n));
  const numeric = numbers.length >= NUMBER_SHARE * present.length;
  if (numeric && !dates && numbersIdentify(name, numbers))
    return { kind: 'skipped', why: 'an identifier (whole numbers that all differ)' };
  if (numeric) return { kind: 'numeric', numbers, ...(dates ? { dates } : {}), ...(comma ? { comma } : {}) };
  const counts = new Map<string, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Numbers with too much text among them to be one column of numbers ("12", "NR", "voir contrat") differ
  // as measures do: categories, whose rare values are grouped, rather than an identifier.
  const mostlyNumbers = numbers.length > 0.5 * present.length;
  if (!mostlyNumbers && counts.size > 0.5 * present.length && counts.size > 50)
    return { kind: 'skipped', why: 'an identifier (almost every value differs)' };
  // Named as one, codes that all differ ("C12", "REF-0042") are one whatever the number of rows.
  if (namesAnIdentifier(name) && counts.size >= 0.98 * present.length)
    return { kind: 'skipped', why: 'an identifier (named so, and its values all differ)' };
  return { kind: 'categorical', counts };
}

/**
 * Bins per number: enough training rows per bin for a weight to mean something (24 from 6,000 rows,
 * fewer below), and about one feature per ten rows in all, counting each number's linear term and
 * missing flag: sixty numbers on 7,500 rows get 10 bins each, where 24 would make 1,560 features that
 * overfit and make each Newton step slow.
 */
export function binsPerNumber(rows: number, numbers: number): number {
  const byRows = Math.floor(rows / 250);
  const byBudget = numbers > 0 ? Math.floor(rows / 10 / numbers) - 2 : 24;
  return Math.max(4, Math.min(24, byRows, byBudget));
}

export function learnEncoder(
  columns: string[],
  rows: string[][],
  use: number[],
  options: EncoderOptions = {},
): Encoder {
  const readings = use.map((column) => {
    const present = rows.map((r) => r[column] ?? '').filter((v) => !isMissing(v));
    return {
      column,
      name: columns[column]!,
      reading: readColumn(columns[column]!, present),
      filled: present.length === rows.length,
    };
  });
  const numeric = readings.filter((r) => r.reading.kind === 'numeric').length;
  const bins = options.bins ?? binsPerNumber(rows.length, numeric);
  const threshold = Math.max(options.minLevelCount ?? 20, (options.minLevelShare ?? 0.002) * rows.length);
  const specs: ColumnSpec[] = [];
  const features: string[] = [];
  const skipped: Encoder['skipped'] = [];
  for (const { column, name, reading, filled } of readings) {
    if (reading.kind === 'skipped') skipped.push({ name, why: reading.why });
    else if (reading.kind === 'numeric') specs.push(numericSpec(name, column, reading, bins, features));
    // Filled on every row with no value frequent enough to learn from (310 cities, free notes): every
    // row would read "(other)", a column that tells nothing. Said so rather than kept in silence.
    else if (filled && ![...reading.counts.values()].some((n) => n >= threshold))
      skipped.push({
        name,
        why: `no value on ${Math.ceil(threshold)} rows or more (${reading.counts.size} different values)`,
      });
    else specs.push(categoricalSpec(name, column, reading.counts, threshold, features));
  }
  return { specs, features, skipped };
}

/** A number column's spec, its features (quantile bins, linear term, missing flag) added to `features`. */
function numericSpec(
  name: string,
  column: number,
  { numbers, dates, comma }: Extract<ColumnReading, { kind: 'numeric' }>,
  bins: number,
  features: string[],
): NumericSpec {
  const sorted = Float64Array.from(numbers).sort();
  const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
  const sd = Math.sqrt(numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / numbers.length) || 1;
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const edge = sorted[Math.floor((b * sorted.length) / bins)]!;
    if (edge > sorted[0]! && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  const first = features.length;
  const bounds = [Number.NEGATIVE_INFINITY, ...edges, Number.POSITIVE_INFINITY];
  const show = dates ? fmtDay : fmt;
  for (let b = 0; b + 1 < bounds.length; b++)
    features.push(`${name} in [${show(bounds[b]!)}, ${show(bounds[b + 1]!)})`);
  features.push(`${name} (linear)`, `${name} missing`);
  return {
    kind: 'numeric',
    name,
    column,
    mean,
    sd,
    edges,
    first,
    ...(dates ? { dates } : {}),
    ...(comma ? { comma } : {}),
  };
}

/** A category column's spec: levels seen at least `threshold` times, "(other)" and "(missing)". */
function categoricalSpec(
  name: string,
  column: number,
  counts: Map<string, number>,
  threshold: number,
  features: string[],
): CategoricalSpec {
  const kept = [...counts].filter(([, n]) => n >= threshold).sort((a, b) => b[1] - a[1]);
  const first = features.length;
  const levels = new Map<string, number>();
  for (const [level] of kept) {
    levels.set(level, features.length - first);
    features.push(`${name} = ${level}`);
  }
  levels.set('(other)', features.length - first);
  features.push(`${name} = (other)`);
  levels.set('(missing)', features.length - first);
  features.push(`${name} missing`);
  return { kind: 'categorical', name, column, levels, first };
}

function fmtDay(n: number): string {
  return Number.isFinite(n) ? new Date(Math.round(n * 86_400_000)).toISOString().slice(0, 10) : fmt(n);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

/** One row's features, as the indices and values of the non-zero ones. */
export function encodeRow(encoder: Encoder, row: string[]): SparseRow {
  const idx: number[] = [];
  const val: number[] = [];
  for (const spec of encoder.specs) {
    const raw = row[spec.column] ?? '';
    if (spec.kind === 'numeric') {
      const x = isMissing(raw) ? Number.NaN : quantityOf(raw, spec.dates, spec.comma);
      const nBins = spec.edges.length + 1;
      if (!Number.isFinite(x)) {
        idx.push(spec.first + nBins + 1);
        val.push(1);
        continue;
      }
      let bin = 0;
      while (bin < spec.edges.length && x >= spec.edges[bin]!) bin++;
      idx.push(spec.first + bin, spec.first + nBins);
      val.push(1, Math.max(-5, Math.min(5, (x - spec.mean) / spec.sd)));
    } else {
      const level = isMissing(raw) ? '(missing)' : spec.levels.has(raw) ? raw : '(other)';
      idx.push(spec.first + spec.levels.get(level)!);
      val.push(1);
    }
  }
  return { idx, val };
}

/** The encoder as plain JSON, to be stored with a model. */
export function encoderToJson(encoder: Encoder): unknown {
  return {
    features: encoder.features,
    skipped: encoder.skipped,
    specs: encoder.specs.map((spec) =>
      spec.kind === 'categorical' ? { ...spec, levels: [...spec.levels] } : spec,
    ),
  };
}

export function encoderFromJson(json: unknown): Encoder {
  const stored = json as {
    features: string[];
    skipped: Encoder['skipped'];
    specs: (NumericSpec | (Omit<CategoricalSpec, 'levels'> & { levels: [string, number][] }))[];
  };
  return {
    features: stored.features,
    skipped: stored.skipped,
    specs: stored.specs.map((spec) =>
      spec.kind === 'categorical' ? { ...spec, levels: new Map(spec.levels) } : spec,
    ),
  };
}
