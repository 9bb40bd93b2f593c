/** Numbers as people type them, and the headcounts and amounts of money written with them. */

/** Spaces of every kind (French Excel writes U+00A0 and U+202F as thousands separators). */
const SPACES = /[\s\u00a0\u202f\u2009']/g;

/**
 * Parses a number as people type it: "1 234,56", "1.234,56", "1,234.56", "12,5". A lone separator
 * followed by exactly three digits is read as thousands when `integerHint` says the value is whole.
 */
export function parseLooseNumber(raw: string, integerHint = false): number | undefined {
  let text = raw.replace(SPACES, '');
  if (!/^[-+]?[\d.,]+$/.test(text) || !/\d/.test(text)) return undefined;
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    text = text.replaceAll(thousands, '').replace(decimal, '.');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const parts = text.split(sep);
    const groupsOfThree = parts.length > 2 || (integerHint && parts[1]!.length === 3);
    text =
      groupsOfThree && parts.slice(1).every((p) => p.length === 3) ? parts.join('') : text.replace(sep, '.');
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export interface Employees {
  count?: number;
  band?: string;
}

/** INSEE "tranche d'effectif salarié" codes, as in SIRENE exports. */
const INSEE_BANDS: Record<string, string> = {
  '00': '0',
  '01': '1-2',
  '02': '3-5',
  '03': '6-9',
  '11': '10-19',
  '12': '20-49',
  '21': '50-99',
  '22': '100-199',
  '31': '200-249',
  '32': '250-499',
  '41': '500-999',
  '42': '1000-1999',
  '51': '2000-4999',
  '52': '5000-9999',
  '53': '10000+',
};

/** "250", "1 200", "10-49", "10 à 49 salariés", "5000+", "plus de 500", INSEE code "12" (bands only). */
export function parseEmployees(raw: string, asBand = false): Employees | undefined {
  const text = raw.trim().toLowerCase();
  if (text === '') return undefined;
  if (asBand && INSEE_BANDS[text]) return { band: INSEE_BANDS[text] };
  const cleaned = text.replace(/(salari[ée]s?|employ[ée]e?s?|personnes?|people|staff|emp\.?)/g, '').trim();
  const range = /^(?:de\s+)?([\d\s\u00a0\u202f.,]+?)\s*(?:-|–|à|a|to|bis)\s*([\d\s\u00a0\u202f.,]+)$/.exec(
    cleaned,
  );
  if (range) {
    const low = parseLooseNumber(range[1]!, true);
    const high = parseLooseNumber(range[2]!, true);
    if (low !== undefined && high !== undefined && low <= high) return { band: `${low}-${high}` };
  }
  const open =
    /^(?:>\s*=?|plus de|more than|over|über|\+)?\s*([\d\s\u00a0\u202f.,]+?)\s*(\+|et plus|and more|or more)?$/.exec(
      cleaned,
    );
  if (open) {
    const value = parseLooseNumber(open[1]!, true);
    if (value === undefined || value < 0 || !Number.isInteger(value)) return undefined;
    const isOpen = open[2] !== undefined || /^(>|plus|more|over|über|\+)/.test(cleaned);
    return isOpen ? { band: `${value}+` } : { count: value };
  }
  return undefined;
}

export interface Money {
  amount: number;
  currency?: string;
}

const CURRENCIES: [RegExp, string][] = [
  [/€|\beur(os?)?\b/i, 'EUR'],
  [/£|\bgbp\b/i, 'GBP'],
  [/\$|\busd\b/i, 'USD'],
  [/\bchf\b/i, 'CHF'],
  [/\bcad\b/i, 'CAD'],
];

const MULTIPLIERS: [RegExp, number][] = [
  [/\b(mds?|mrds?|milliards?|bn|billions?|b)\b|md€|mrd€/i, 1e9],
  [/\b(m|mio|millions?|mn)\b|m€|m\$|m£/i, 1e6],
  [/\b(k|k€|milliers?|thousands?)\b|k€|k\$|k£/i, 1e3],
];

/** "1 234 567 €", "1,2 M€", "$1.5M", "12k", "2,5 Mds €" → amount and currency. */
export function parseMoney(raw: string): Money | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const currency = CURRENCIES.find(([re]) => re.test(text))?.[1];
  const number = /[-+]?\d[\d\s\u00a0\u202f.,']*/.exec(text)?.[0].trim();
  if (!number) return undefined;
  const rest = text.replace(number, ' ');
  const multiplier = MULTIPLIERS.find(([re]) => re.test(rest))?.[1] ?? 1;
  const value = parseLooseNumber(number, multiplier === 1);
  if (value === undefined) return undefined;
  return { amount: Math.round(value * multiplier * 100) / 100, ...(currency ? { currency } : {}) };
}
