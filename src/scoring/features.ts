import { forcedDayFirst, parseDateTime } from '../lib/dates';
import { isPlaceholder, parseLooseNumber } from '../prospects/values';

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
  /** Most bins per number (default: 4 to 24, by the number of training rows). */
  bins?: number;
  /** A level is kept when it is seen at least this many times in training… */
  minLevelCount?: number;
  /** …and at least this share of training rows. */
  minLevelShare?: number;
}

/** What CRMs and spreadsheets write for "no value", case aside: a number column with them stays one. */
const isMissing = isPlaceholder;

const PLAIN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const SCALES: Record<string, number> = {
  k: 1e3,
  m: 1e6,
  mio: 1e6,
  md: 1e9,
  mds: 1e9,
  mrd: 1e9,
  mrds: 1e9,
  bn: 1e9,
};

/** A currency written before the amount: "$", "US$", "CA$", "€", "£", "EUR"… */
const CURRENCY_BEFORE = /^(?:[a-z]{1,2}\$|[€$£¥]|eur|usd|gbp|chf)/i;

/**
 * A number as people write it, or NaN: "1234.5", "-3", "1 234,5", "1.234.567", and amounts and shares
 * with their unit as the import reads them: "764,23 €", "$76,423.16", "1,2 M€", "12k", "7,6 %".
 */
export function toNumber(raw: string, comma?: Comma): number {
  let text = raw.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (PLAIN.test(text) && !(comma === 'decimal' && DOT_GROUPS.test(text))) return Number(text);
  const sign = text.startsWith('-') ? -1 : 1;
  text = text.replace(/^[-+]/, '');
  // A currency sign before the number is the English way of writing, where "$7,847" is thousands; read
  // as a decimal it would fall below "$999" and scramble the column's order.
  const english = CURRENCY_BEFORE.test(text);
  text = text.replace(CURRENCY_BEFORE, '').replace(/(?:[€$£%]|eur|usd|gbp|chf)$/i, '');
  const scale = /(k|m|mio|mds?|mrds?|bn)$/i.exec(text);
  if (scale) text = text.slice(0, -scale[1]!.length);
  const settled = comma ? settle(text, comma) : undefined;
  const value = settled ?? parseLooseNumber(text, english);
  return value === undefined ? Number.NaN : sign * value * (scale ? SCALES[scale[1]!.toLowerCase()]! : 1);
}

/** What a comma is in a column of numbers: the decimal separator ("12,5") or thousands' ("1,234.5"). */
export type Comma = 'decimal' | 'thousands';

/** Digits grouped by dots in threes: "43.462", "1.234.567"; "0.125" is no thousands. */
const DOT_GROUPS = /^[-+]?[1-9]\d{0,2}(?:\.\d{3})+$/;

/**
 * A lone separator read as the column's other values read it, where they say: where the comma is decimal
 * ("23.687,36 €"), a comma alone is too and dots between groups of three are thousands ("43.462 €" is
 * 43462, as its neighbours are); where the comma is thousands ("$1,234.50"), a comma alone between groups
 * of three is too and a dot alone is decimal. Undefined when the column's convention does not settle it.
 */
function settle(text: string, comma: Comma): number | undefined {
  if (comma === 'decimal') {
    if (/^\d+,\d+$/.test(text)) return Number(text.replace(',', '.'));
    if (DOT_GROUPS.test(text)) return Number(text.replaceAll('.', ''));
    return undefined;
  }
  if (/^[1-9]\d{0,2}(?:,\d{3})+$/.test(text)) return Number(text.replaceAll(',', ''));
  if (/^\d*\.\d+$/.test(text)) return Number(text);
  return undefined;
}

/**
 * What the comma is in a column, from the values that leave no doubt: "12,5", "0,75" or "1.234,56" make it
 * decimal; "1,234.56" or "1,234,567" thousands. "7,847 €" alone could be either: it reads as the rest of its
 * column does. Undefined when no value says, or values say both.
 */
export function commaOf(values: string[]): Comma | undefined {
  let decimal = false;
  let thousands = false;
  for (const raw of values) {
    const text = raw.replace(/[^\d.,]/g, '');
    const comma = text.indexOf(',');
    if (comma < 0) continue;
    const dot = text.indexOf('.');
    if (dot >= 0) {
      if (dot < comma) decimal = true;
      else thousands = true;
    } else if (text.indexOf(',', comma + 1) >= 0) thousands = true;
    else if (text.length - comma - 1 !== 3) decimal = true;
    if (decimal && thousands) return undefined;
  }
  return decimal ? 'decimal' : thousands ? 'thousands' : undefined;
}

const DATE_LIKE = /^(?:\d{4}-\d{2}-\d{2}(?:[T ].*)?|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})(?:[ T].*)?)$/;

/**
 * Whether a column holds dates ("2024-03-15", "15/03/2024", "03/15/2024 10:30"), and which of day and
 * month comes first: month first only when some dates can only be read so and none the other way.
 */
function dateColumn(present: string[]): { dayFirst: boolean } | undefined {
  let dates = 0;
  let dayFirst = 0;
  let monthFirst = 0;
  for (const value of present) {
    if (!DATE_LIKE.test(value.trim())) continue;
    dates++;
    const forced = forcedDayFirst(value);
    if (forced === true) dayFirst++;
    else if (forced === false) monthFirst++;
  }
  if (dates < 0.95 * present.length) return undefined;
  return { dayFirst: !(monthFirst > 0 && dayFirst === 0) };
}

/** A date as days since 1970 (UTC), or NaN. */
function daysOf(raw: string, dayFirst: boolean): number {
  const date = parseDateTime(raw, { timeZone: 'UTC', dayFirst });
  return date ? date.getTime() / 86_400_000 : Number.NaN;
}

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
const namesAnIdentifier = (name: string) =>
  name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\d]+/u)
    .some((word) => ID_WORDS.has(word));

/**
 * Whole numbers that all differ are row numbers, not measures, when the column's name says so ("id",
 * "customer_id", "Réf.", whatever the number of rows: a small file's ids leak its order as much as a large
 * one's) or when they run nearly one after the other from 50 rows up ("Identifiant" 0 to 2999; fewer
 * small counts, say calls 1 to 5 in five rows, could run so by chance).
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
  return span <= 2 * distinct;
}

export function learnEncoder(
  columns: string[],
  rows: string[][],
  use: number[],
  options: EncoderOptions = {},
): Encoder {
  // Enough rows per bin for a weight to mean something: 24 bins from 6,000 training rows, fewer below.
  const bins = options.bins ?? Math.max(4, Math.min(24, Math.floor(rows.length / 250)));
  const minCount = options.minLevelCount ?? 20;
  const minShare = options.minLevelShare ?? 0.002;
  const specs: ColumnSpec[] = [];
  const features: string[] = [];
  const skipped: Encoder['skipped'] = [];
  for (const column of use) {
    const name = columns[column]!;
    const values = rows.map((r) => r[column] ?? '');
    const present = values.filter((v) => !isMissing(v));
    if (present.length === 0) {
      skipped.push({ name, why: 'always empty' });
      continue;
    }
    const dates = dateColumn(present);
    const comma = dates ? undefined : commaOf(present);
    const numbers = present
      .map(dates ? (v) => daysOf(v, dates.dayFirst) : (v) => toNumber(v, comma))
      .filter((n) => Number.isFinite(n));
    if (!dates && numbers.length >= 0.95 * present.length && numbersIdentify(name, numbers)) {
      skipped.push({ name, why: 'an identifier (whole numbers that all differ)' });
      continue;
    }
    if (numbers.length >= 0.95 * present.length) {
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
      specs.push({
        kind: 'numeric',
        name,
        column,
        mean,
        sd,
        edges,
        first,
        ...(dates ? { dates } : {}),
        ...(comma ? { comma } : {}),
      });
      continue;
    }
    const counts = new Map<string, number>();
    for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > 0.5 * present.length && counts.size > 50) {
      skipped.push({ name, why: 'an identifier (almost every value differs)' });
      continue;
    }
    // Named as one, codes that all differ ("C12", "REF-0042") are one whatever the number of rows.
    if (namesAnIdentifier(name) && counts.size >= 0.98 * present.length) {
      skipped.push({ name, why: 'an identifier (named so, and its values all differ)' });
      continue;
    }
    const threshold = Math.max(minCount, minShare * rows.length);
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
    specs.push({ kind: 'categorical', name, column, levels, first });
  }
  return { specs, features, skipped };
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
      const x = isMissing(raw)
        ? Number.NaN
        : spec.dates
          ? daysOf(raw, spec.dates.dayFirst)
          : toNumber(raw, spec.comma);
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
