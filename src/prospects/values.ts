import { getCountries } from 'libphonenumber-js/max';

/**
 * Lower-case, accents stripped, punctuation to single spaces: how headers and labels are compared. Words
 * joined in camel case are parted ("denominationUniteLegale"), unless `camel` is false (a company's name:
 * "SirenCo" is one word, whose "Co" is no legal form).
 */
export function fold(text: string, options: { camel?: boolean } = {}): string {
  // Accents only exist beyond ASCII: plain text skips the Unicode normalization.
  const plain = /^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return (options.camel === false ? plain : plain.replace(/([a-z])([A-Z])/g, '$1 $2'))
    .toLowerCase()
    .replace(/[^a-z0-9#]+/g, ' ')
    .trim();
}

/**
 * What files write in a cell that holds nothing, after fold(): "n/a", "#N/A", "-", "?", "none", "néant",
 * "inconnu", "NC", "NR", "Non communiqué", "k.A.", "(blank)"… Imports read such an e-mail or phone as
 * empty, the backtest such a value as missing.
 */
const PLACEHOLDERS = new Set([
  '',
  'n a',
  '#n a',
  'na',
  'nan',
  'none',
  'null',
  'nil',
  'neant',
  'aucun',
  'nc',
  'n c',
  'nr',
  'n r',
  'non communique',
  'non communiquee',
  'nd',
  'n d',
  'k a',
  'n v',
  'keine angabe',
  'unbekannt',
  'unknown',
  'inconnu',
  'inconnue',
  'non renseigne',
  'non renseignee',
  'not available',
  'blank',
  'missing',
]);
/**
 * What a spreadsheet writes where a formula failed, in English or French: "#DIV/0!", "#VALUE!",
 * "#VALEUR!", "#REF!", "#NAME?", "#NOM?", "#NUM!", "#NULL!", "#N/A". A cell that says so holds no value.
 */
const EXCEL_ERROR = /^\s*#(?:[a-z][a-z0-9/_]*[!?]|n\/a)\s*$/i;
/** The longest placeholder as written, with room for dots and spaces: longer text is never folded. */
const PLACEHOLDER_LENGTH = 16;
const placeholderCache = new Map<string, boolean>();

/** Whether a cell only says that it is empty (see PLACEHOLDERS and EXCEL_ERROR). */
export function isPlaceholder(cell: string): boolean {
  if (cell.length > PLACEHOLDER_LENGTH) return false;
  if (EXCEL_ERROR.test(cell)) return true;
  // None other holds a digit or an "@": numbers, addresses and amounts are never folded, row after row.
  if (/[\d@]/.test(cell)) return false;
  let known = placeholderCache.get(cell);
  if (known === undefined) {
    known = PLACEHOLDERS.has(fold(cell));
    if (placeholderCache.size >= 10_000) placeholderCache.clear();
    placeholderCache.set(cell, known);
  }
  return known;
}

const DISPLAY_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt'];

const COUNTRY_ALIASES: Record<string, string> = {
  uk: 'GB',
  'u k': 'GB',
  england: 'GB',
  angleterre: 'GB',
  scotland: 'GB',
  ecosse: 'GB',
  wales: 'GB',
  'pays de galles': 'GB',
  'northern ireland': 'GB',
  'great britain': 'GB',
  'grande bretagne': 'GB',
  britain: 'GB',
  usa: 'US',
  'u s a': 'US',
  'u s': 'US',
  america: 'US',
  'united states of america': 'US',
  'etats unis d amerique': 'US',
  'etats unis': 'US',
  deutschland: 'DE',
  holland: 'NL',
  'the netherlands': 'NL',
  'republique tcheque': 'CZ',
  'czech republic': 'CZ',
  'south korea': 'KR',
  'coree du sud': 'KR',
  russia: 'RU',
  'ivory coast': 'CI',
  'cote d ivoire': 'CI',
};

// ISO 3166 alpha-3 codes seen in exports, for the countries a European team calls most.
const ALPHA3: Record<string, string> = {
  fra: 'FR',
  gbr: 'GB',
  usa: 'US',
  deu: 'DE',
  can: 'CA',
  bel: 'BE',
  che: 'CH',
  lux: 'LU',
  esp: 'ES',
  ita: 'IT',
  nld: 'NL',
  prt: 'PT',
  irl: 'IE',
  aut: 'AT',
  pol: 'PL',
  swe: 'SE',
  dnk: 'DK',
  nor: 'NO',
  fin: 'FI',
  mar: 'MA',
  dza: 'DZ',
  tun: 'TN',
  sen: 'SN',
  civ: 'CI',
  aus: 'AU',
  jpn: 'JP',
  chn: 'CN',
  ind: 'IN',
  bra: 'BR',
  mex: 'MX',
  cze: 'CZ',
  grc: 'GR',
  rou: 'RO',
  hun: 'HU',
};

let countryIndex: Map<string, string> | undefined;

function buildCountryIndex(): Map<string, string> {
  const index = new Map<string, string>();
  const codes = getCountries();
  for (const language of DISPLAY_LANGUAGES) {
    const names = new Intl.DisplayNames([language], { type: 'region' });
    for (const code of codes) {
      const name = names.of(code);
      if (name && name !== code) index.set(fold(name), code);
    }
  }
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) index.set(alias, code);
  for (const [alpha3, code] of Object.entries(ALPHA3)) index.set(alpha3, code);
  for (const code of codes) index.set(code.toLowerCase(), code);
  return index;
}

/** ISO 3166-1 alpha-2 code from "FR", "FRA", "France", "Allemagne", "United Kingdom", "UK"… */
export function normalizeCountry(raw: string): string | undefined {
  const key = fold(raw);
  if (key === '') return undefined;
  countryIndex ??= buildCountryIndex();
  return countryIndex.get(key) ?? countryIndex.get(key.replace(/^(the|la|le|les|l) /, ''));
}

let languageIndex: Map<string, string> | undefined;
const LANGUAGE_CODES = [
  'fr',
  'en',
  'de',
  'es',
  'it',
  'nl',
  'pt',
  'pl',
  'sv',
  'da',
  'no',
  'fi',
  'ar',
  'zh',
  'ja',
];

/** ISO 639-1 code from "fr", "fr-FR", "Français", "French", "Deutsch"… */
export function normalizeLanguage(raw: string): string | undefined {
  const text = raw.trim();
  const tag = /^([a-z]{2})(?:[-_][a-z]{2,4})?$/i.exec(text);
  if (tag) return tag[1]!.toLowerCase();
  if (!languageIndex) {
    languageIndex = new Map();
    for (const display of DISPLAY_LANGUAGES) {
      const names = new Intl.DisplayNames([display], { type: 'language' });
      for (const code of LANGUAGE_CODES) languageIndex.set(fold(names.of(code) ?? code), code);
    }
    for (const code of LANGUAGE_CODES) {
      languageIndex.set(fold(new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code), code);
    }
  }
  return languageIndex.get(fold(text));
}

let timeZones: Set<string> | undefined;

/** The IANA zone as Intl spells it, or undefined when the name is unknown. */
export function normalizeTimeZone(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  timeZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (timeZones.has(text)) return text;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

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

export const INDUSTRY_SCHEMES = ['NAF', 'NACE', 'NAICS', 'SIC'] as const;
export type IndustryScheme = (typeof INDUSTRY_SCHEMES)[number];

/** The schemes whose codes share a tree: NAF refines NACE (NAF 46.69Z is NACE 46.69). */
export function industryFamily(scheme: IndustryScheme): IndustryScheme[] {
  return scheme === 'NAF' || scheme === 'NACE' ? ['NAF', 'NACE'] : [scheme];
}

/**
 * A company's scheme, or the one its code's shape gives away when none was stored: "46.69Z" and "46.69"
 * are NAF or NACE; digits alone could be NAICS or SIC, so they tell nothing.
 */
export function schemeOfCode(code: string, scheme: string | null | undefined): IndustryScheme | undefined {
  if (scheme && (INDUSTRY_SCHEMES as readonly string[]).includes(scheme)) return scheme as IndustryScheme;
  return /^\d{2}\.\d/.test(code) ? 'NAF' : undefined;
}

export interface Industry {
  code: string;
  scheme?: IndustryScheme;
  label?: string;
}

/**
 * Industry code and its scheme: NAF rév. 2 as "46.69Z" (also written "4669Z" or "46.69 Z"), NAICS as 2–6
 * digits, SIC as 4 (US) or 5 (UK SIC 2007) digits. A label after the code ("62.02A - Conseil…") is kept.
 */
/** France and the overseas departments, whose companies are classified by NAF. */
const FRENCH_NAF = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT']);

export function parseIndustry(
  raw: string,
  schemeHint?: IndustryScheme,
  country?: string,
): Industry | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (schemeHint === 'NACE') {
    const nace = /^(\d{2}(?:\.\d{1,2}){0,2})\b\s*[-–:]?\s*(.*)$/.exec(text);
    if (nace) return withLabel({ code: nace[1]!, scheme: 'NACE' }, nace[2]);
  }
  const naf = /^(\d{2})[.\s-]?(\d{2})\s*([A-Z])\b\s*[-–:]?\s*(.*)$/i.exec(text);
  if (naf && (schemeHint === undefined || schemeHint === 'NAF')) {
    return withLabel({ code: `${naf[1]}.${naf[2]}${naf[3]!.toUpperCase()}`, scheme: 'NAF' }, naf[4]);
  }
  // A class or group without NAF's letter, "62.01" or "46.6": NACE's tree, which NAF refines.
  const dotted = /^(\d{2})[.\s](\d{1,2})(?![.\d])\s*[-–:]?\s*(.*)$/.exec(text);
  if (dotted && (schemeHint === undefined || schemeHint === 'NAF'))
    return withLabel({ code: `${dotted[1]}.${dotted[2]}`, scheme: schemeHint ?? 'NACE' }, dotted[3]);
  // Four digits under a NAF heading are a class written without its dot: 6201 is 62.01.
  const undotted = /^(\d{2})(\d{2})(?!\d)\s*[-–:]?\s*(.*)$/.exec(text);
  // So are they for a French company, whose code is NAF whatever the column says.
  const french = schemeHint === undefined && country !== undefined && FRENCH_NAF.has(country);
  if (undotted && (schemeHint === 'NAF' || french))
    return withLabel({ code: `${undotted[1]}.${undotted[2]}`, scheme: 'NAF' }, undotted[3]);
  const digits = /^(\d{2,6})(?![.\d])\s*[-–:]?\s*(.*)$/.exec(text);
  if (digits) {
    const code = digits[1]!;
    const scheme =
      schemeHint ??
      (code.length === 6
        ? 'NAICS'
        : code.length === 5 && country === 'GB'
          ? 'SIC'
          : code.length === 4
            ? 'SIC'
            : undefined);
    return withLabel({ code, ...(scheme ? { scheme } : {}) }, digits[2]);
  }
  return { code: text, ...(schemeHint ? { scheme: schemeHint } : {}) };
}

function withLabel(industry: Industry, label: string | undefined): Industry {
  const trimmed = label?.trim();
  return trimmed ? { ...industry, label: trimmed } : industry;
}

/** The country a registration scheme belongs to: a SIREN is French, a Companies House number British. */
export function countryOfRegistration(scheme: string | null | undefined): string | undefined {
  switch (scheme) {
    case 'SIREN':
    case 'SIRET':
      return 'FR';
    case 'COMPANIES_HOUSE':
      return 'GB';
    case 'EIN':
      return 'US';
    case 'HRB':
      return 'DE';
    default:
      return undefined;
  }
}

export type RegistrationScheme = 'SIREN' | 'SIRET' | 'COMPANIES_HOUSE' | 'EIN' | 'HRB' | 'VAT' | 'OTHER';

export interface Registration {
  id: string;
  scheme: RegistrationScheme;
  /** Set when the id has the right shape but fails its check digit: kept, and reported as a warning. */
  warning?: string;
}

export type RegistrationResult = Registration | { error: string };

/** Luhn, as INSEE uses it for SIREN and SIRET (La Poste's establishments use a digit sum instead). */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function laPosteSiret(digits: string): boolean {
  if (!digits.startsWith('356000000')) return false;
  let sum = 0;
  for (const ch of digits) sum += ch.charCodeAt(0) - 48;
  return sum % 5 === 0;
}

/**
 * Company registration id: SIREN (9 digits), SIRET (14), Companies House (8, may start with letters),
 * EIN (NN-NNNNNNN), German HRB. Excel's scientific notation ("3,56E+13") is detected: its digits are lost.
 */
export function parseRegistration(
  raw: string,
  schemeHint?: RegistrationScheme,
  country?: string,
): RegistrationResult | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d([.,]\d+)?e\+?\d+$/i.test(text)) {
    return { error: `"${text}" was turned into scientific notation by a spreadsheet: its digits are lost` };
  }
  const compact = text.replace(/[\s\u00a0.\-/]/g, '').toUpperCase();
  if (/^\d{14}$/.test(compact) && (!schemeHint || schemeHint === 'SIRET' || schemeHint === 'SIREN')) {
    return checked({ id: compact, scheme: 'SIRET' }, luhn(compact) || laPosteSiret(compact));
  }
  if (
    /^\d{9}$/.test(compact) &&
    (!schemeHint || schemeHint === 'SIREN' || schemeHint === 'SIRET') &&
    country !== 'US'
  ) {
    return checked({ id: compact, scheme: 'SIREN' }, luhn(compact));
  }
  if (schemeHint === 'SIRET' || schemeHint === 'SIREN') {
    return { error: `"${text}" is not a ${schemeHint} (${schemeHint === 'SIRET' ? 14 : 9} digits)` };
  }
  if (/^\d{2}-?\d{7}$/.test(text.trim()) && (schemeHint === 'EIN' || country === 'US')) {
    return { id: `${compact.slice(0, 2)}-${compact.slice(2)}`, scheme: 'EIN' };
  }
  if (/^(\d{8}|[A-Z]{2}\d{6})$/.test(compact) && (schemeHint === 'COMPANIES_HOUSE' || country === 'GB')) {
    return { id: compact, scheme: 'COMPANIES_HOUSE' };
  }
  if (/^HRB?\d+/.test(compact)) return { id: compact, scheme: 'HRB' };
  return { id: compact, scheme: schemeHint ?? 'OTHER' };
}

function checked(registration: Registration, valid: boolean): Registration {
  return valid
    ? registration
    : { ...registration, warning: `${registration.scheme} ${registration.id} fails its check digit` };
}

/** "https://www.acme.fr/contact" → "acme.fr". */
export function normalizeDomain(raw: string): string | undefined {
  let text = raw.trim().toLowerCase();
  if (text === '') return undefined;
  text = text.replace(/^[a-z]+:\/\//, '').replace(/^www\d?\./, '');
  text = text.split(/[/?#:\s]/)[0] ?? '';
  if (text.includes('@')) text = text.slice(text.lastIndexOf('@') + 1);
  return /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(text) ? text : undefined;
}

/**
 * Splits "Jean Dupont", "DUPONT Jean", "Dupont, Jean" or "M. Jean-Pierre de La Tour" into first and last
 * names. A word in capitals is the family name, as French lists write it.
 */
export function splitFullName(raw: string): { firstName?: string; lastName?: string } {
  let text = raw.trim().replace(/\s+/g, ' ');
  text = text.replace(
    /^(m\.|mr\.?|mrs\.?|ms\.?|mme\.?|mlle\.?|dr\.?|me\.?|monsieur|madame|mademoiselle|herr|frau)\s+/i,
    '',
  );
  if (text === '') return {};
  const comma = text.indexOf(',');
  if (comma > 0) return compact(text.slice(comma + 1), text.slice(0, comma));
  const words = text.split(' ');
  if (words.length === 1) return { lastName: words[0] };
  const isUpper = (w: string) => w.length > 1 && w === w.toUpperCase() && w !== w.toLowerCase();
  const upper = words.map(isUpper);
  if (upper.some(Boolean) && !upper.every(Boolean)) {
    return compact(words.filter((_, i) => !upper[i]).join(' '), words.filter((_, i) => upper[i]).join(' '));
  }
  return compact(words[0]!, words.slice(1).join(' '));
}

function compact(firstName: string, lastName: string) {
  const f = firstName.trim();
  const l = lastName.trim();
  return { ...(f ? { firstName: f } : {}), ...(l ? { lastName: l } : {}) };
}

/** "B2B", "professionnel", "entreprise" → b2b; "B2C", "particulier", "consumer" → b2c. */
export function parseProspectKind(raw: string): 'b2b' | 'b2c' | undefined {
  const key = fold(raw);
  if (/^(b2b|pro|professionnel|professional|business|entreprise|company|societe|firm)s?$/.test(key))
    return 'b2b';
  if (/^(b2c|particulier|consumer|individual|private|prive|personne physique|person)s?$/.test(key))
    return 'b2c';
  return undefined;
}
