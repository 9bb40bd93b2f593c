import { forcedDayFirst, parseDateTime } from '../lib/dates';
import { parseLooseNumber } from '../prospects/numbers';

/**
 * What a cell of a table holds as a quantity: numbers as spreadsheets and CRMs write them (French and English
 * separators, currencies, percents, "1,2 k"), dates as days, codes and phone numbers as no quantity. The
 * model's features (features.ts), the backtest's outcomes and the fit's ranges read cells through here.
 */

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
export function dateColumn(present: string[]): { dayFirst: boolean } | undefined {
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
export function quantityOf(raw: string, dates?: { dayFirst: boolean }, comma?: Comma): number {
  if (dates) return daysOf(raw, dates.dayFirst);
  return isCode(raw) ? Number.NaN : toNumber(raw, comma);
}
