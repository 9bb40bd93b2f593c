import { forcedDayFirst, parseDateTime } from '../lib/dates';
import { fold, isPlaceholder, parseLooseNumber } from '../prospects/values';

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

/** A currency or a percent sign written after the amount: "764,23 €", "7,6 %". */
const UNIT_AFTER = /(?:[€$£¥%]|eur|usd|gbp|chf)$/i;

/**
 * An amount without its spaces, its sign and its currency, however they are set around it, and whether it
 * was negative as accounts and typesetting write it: in brackets ("(1 234,50)", "$(1,234.50)", "(1 234,50)
 * €"), with a minus before, the typographic one too ("−12,5", U+2212), or after the number as SAP writes it
 * ("1.234,50-", "1.234,50- €"). `english`: a currency came first, the English way ("$7,847").
 */
function unsigned(raw: string): { text: string; negative: boolean; english: boolean } {
  let text = raw.trim().replace(/[\s\u00a0\u202f]/g, '');
  let negative = false;
  let english = false;
  for (let before = ''; before !== text; ) {
    before = text;
    if (CURRENCY_BEFORE.test(text)) {
      english = true;
      text = text.replace(CURRENCY_BEFORE, '');
    }
    text = text.replace(UNIT_AFTER, '');
    if (text.length > 2 && text.startsWith('(') && text.endsWith(')')) {
      negative = true;
      text = text.slice(1, -1);
    } else if (/^[-\u2212]/.test(text)) {
      negative = true;
      text = text.slice(1);
    } else if (/\d-$/.test(text)) {
      negative = true;
      text = text.slice(0, -1);
    } else if (text.startsWith('+')) text = text.slice(1);
  }
  return { text, negative, english };
}

/**
 * A number as people write it, or NaN: "1234.5", "-3", "1 234,5", "1.234.567", and amounts and shares
 * with their unit as the import reads them: "764,23 €", "$76,423.16", "1,2 M€", "12k", "7,6 %"; negative
 * amounts as accounts write them too (unsigned).
 */
export function toNumber(raw: string, comma?: Comma): number {
  const trimmed = raw.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (PLAIN.test(trimmed) && !(comma === 'decimal' && DOT_GROUPS.test(trimmed))) return Number(trimmed);
  // A currency sign before the number is the English way of writing, where "$7,847" is thousands; read
  // as a decimal it would fall below "$999" and scramble the column's order.
  let { text, negative, english } = unsigned(trimmed);
  const sign = negative ? -1 : 1;
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
 * column does, and where no value says, as the column's whole numbers show (commasGroupThousands,
 * dotsGroupThousands). Undefined when no value says, or values say both.
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
  if (decimal) return 'decimal';
  if (thousands || commasGroupThousands(values)) return 'thousands';
  // Dots that group thousands leave the comma, had there been one, to decimals: amounts beside their
  // currency, or whole numbers as commasGroupThousands reads them ("5.994" and "12.500" beside "93").
  return dotsGroupThousands(values) || separatorGroupsThousands(values, '.') ? 'decimal' : undefined;
}

/**
 * Commas that group thousands in a column of whole numbers: "1,250" and "12,500" beside "800" and "42",
 * where every comma sets off groups of three, none follows a lone "0", and the numbers without a comma,
 * a tenth of the column at least, all stay under a thousand (the larger ones are the grouped ones). A
 * French column of three decimals ("4,857", "0,879") has no plain numbers to show it, or a "0,".
 */
function commasGroupThousands(values: string[]): boolean {
  return separatorGroupsThousands(values, ',');
}

/** Whole numbers whose thousands a separator groups: commasGroupThousands, with a comma or with a dot. */
function separatorGroupsThousands(values: string[], separator: ',' | '.'): boolean {
  const groups = separator === ',' ? /^[1-9]\d{0,2}(?:,\d{3})+$/ : DOT_GROUPS;
  let grouped = 0;
  let plain = 0;
  let numbers = 0;
  for (const raw of values) {
    const text = withoutCurrency(raw);
    // Text ("10-49", "NR") is no number this rule speaks of.
    if (!/^[\d.,]+$/.test(text)) continue;
    numbers++;
    if (text.includes(separator)) {
      if (!groups.test(text)) return false;
      grouped++;
    } else if (/^\d+$/.test(text)) {
      if (Number(text) >= 1000) return false;
      plain++;
    }
  }
  return grouped > 0 && plain >= 0.1 * numbers;
}

/** A currency beside an amount, before or after it: "3.116 €", "17.460 EUR", "$3.116". */
const CURRENCY = /[€$£¥]|eur|usd|gbp|chf/i;

/**
 * Dots that group thousands in amounts: "3.116 €" and "17.460 €" in a Spanish or German export, where
 * every dotted value has its currency beside it, every dot is followed by three digits and no value has
 * a comma. "4.857" without a currency stays a decimal (a rate, an index).
 */
function dotsGroupThousands(values: string[]): boolean {
  let dotted = 0;
  for (const raw of values) {
    if (raw.includes(',')) return false;
    if (!raw.includes('.')) continue;
    const amount = withoutCurrency(raw);
    if (!CURRENCY.test(raw) || !DOT_GROUPS.test(amount)) return false;
    dotted++;
  }
  return dotted > 0;
}

/** A value without its spaces, sign and currency: "$ 1,250" and "(1,250 €)" are "1,250" (unsigned). */
const withoutCurrency = (raw: string) => unsigned(raw).text;

const DATE_LIKE =
  /^(?:\d{4}-\d{2}-\d{2}(?:[T ].*)?|\d{4}[/.]\d{1,2}[/.]\d{1,2}(?:[ T].*)?|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})(?:[ T].*)?)$/;

/** A date with its month in words, as CRMs and French exports write them: "Aug 15, 2025", "15 août 2025". */
const wordDate = (value: string) =>
  /\p{L}{3}/u.test(value) &&
  /\b\d{4}\b/.test(value) &&
  parseDateTime(value, { timeZone: 'UTC', dayFirst: true }) !== undefined;

/**
 * Whether a column holds dates ("2024-03-15", "15/03/2024", "03/15/2024 10:30"), and which of day and
 * month comes first: month first only when some dates can only be read so and none the other way.
 */
function dateColumn(present: string[]): { dayFirst: boolean } | undefined {
  let dates = 0;
  let dayFirst = 0;
  let monthFirst = 0;
  for (const value of present) {
    if (!DATE_LIKE.test(value.trim()) && !wordDate(value)) continue;
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

/**
 * Phone numbers and codes, whose digits are no quantity: an international number ("+33 6 12 34 56 78";
 * a "+5" change is a number), digits after a leading zero ("007", "0612345678"; "0", "0.5" and "0,5" are
 * numbers), pairs of digits set apart ("06 12 34 56 78").
 */
export function isCode(raw: string): boolean {
  const text = raw.trim();
  if (/^0\d+$/.test(text)) return true;
  if (/^\d{2}(?:[\s\u00a0\u202f.]\d{2}){3,}$/.test(text)) return true;
  return /^\+[\d\s\u00a0\u202f().-]+$/.test(text) && text.replace(/\D/g, '').length >= 8;
}

/** A cell of a number column as its number: days for a date, NaN for a code or text. */
function quantityOf(raw: string, dates?: { dayFirst: boolean }, comma?: Comma): number {
  if (dates) return daysOf(raw, dates.dayFirst);
  return isCode(raw) ? Number.NaN : toNumber(raw, comma);
}

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
