/** What classifies and identifies a company: its industry code, its registration id, its web domain. */

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

/** France and the overseas departments, whose companies are classified by NAF. */
const FRENCH_NAF = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT']);

/**
 * Industry code and its scheme: NAF rév. 2 as "46.69Z" (also written "4669Z" or "46.69 Z"), NAICS as 2–6
 * digits, SIC as 4 (US) or 5 (UK SIC 2007) digits. A label after the code ("62.02A - Conseil…") is kept.
 */
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
