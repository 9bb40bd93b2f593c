import { type IndustryScheme, industryFamily, schemeOfCode } from '../prospects/company-values';
import { attributeKey } from '../prospects/fold';
import { toNumber } from './cell-numbers';
import { areaWordOf, departmentOfTitle } from './departments';
import { codeKey, fold, keywordIn, remembered } from './keywords';
import { regionIn } from './regions';
import { levelOfTitle, seniorityLevel } from './seniority';

/**
 * Fit to an ideal customer profile, defined per campaign: each criterion that matches adds its points, and
 * the result lists every criterion with whether it matched, so that a person can see why a prospect is
 * where it is.
 */

export interface IdealProfile {
  /** Industry codes matched by prefix, whatever the dots: "46.6" matches NAF 46.69Z, "5415" NAICS 541511. */
  industries?: { codes: string[]; points: number; scheme?: IndustryScheme };
  employees?: { min?: number; max?: number; points: number };
  /**
   * Annual revenue in `currency` (EUR when not said): a company whose revenue is in another currency is
   * not compared (neither matched nor outside), a company whose currency is not known is taken at its word.
   */
  revenue?: { min?: number; max?: number; points: number; currency?: string };
  countries?: { values: string[]; points: number };
  /** Names or codes, accents, case and punctuation aside: "California" finds "CA", "PACA" "Provence-Alpes-Côte d'Azur". */
  regions?: { values: string[]; points: number };
  /** Words looked for in the job title, French or English, accents and case ignored ("achat", "buyer"). */
  titles?: { keywords: string[]; points: number };
  seniority?: { values: string[]; points: number };
  departments?: { keywords: string[]; points: number };
  /** Conditions on custom attributes of the prospect or the company, their keys compared case aside. */
  attributes?: AttributeCondition[];
}

export interface AttributeCondition {
  key: string;
  op: 'eq' | 'in' | 'gte' | 'lte' | 'contains' | 'present';
  value?: string | number | (string | number)[];
  points: number;
}

export interface FitSubject {
  industryCode: string | null;
  /** NAF, NACE, NAICS, SIC; null when the import could not tell. */
  industryScheme?: string | null;
  employeeCount: number | null;
  /** The band as written when only a band is known ("50 à 99"): employeeCount is then its first number. */
  employeeBand?: string | null;
  annualRevenue: number | null;
  /** ISO 4217 code of annualRevenue; null or absent when the import could not tell. */
  revenueCurrency?: string | null;
  country: string | null;
  region: string | null;
  jobTitle: string | null;
  seniority: string | null;
  department: string | null;
  attributes: Record<string, unknown>;
}

export interface Contribution {
  /** A stable code for the criterion or signal: "fit.industry", "engagement.email_clicked". */
  code: string;
  points: number;
  /** The facts behind it, to write the reason: the code matched, the title, the count… */
  facts: Record<string, string | number>;
  /**
   * The instant its `days` and `ago` facts count from (epoch ms). A stored reason keeps the instant in their
   * place (storedFacts), and tells them from it when it is read (tellDays).
   */
  at?: number;
}

export interface FitResult {
  points: number;
  /** The most a prospect could get from this profile. */
  max: number;
  /** The least: the sum of the criteria given negative points, 0 without any. */
  min: number;
  /** 0–100: where the points lie between the least and the most. */
  score: number;
  contributions: Contribution[];
  /** Criteria that did not match (or could not be checked: the data is missing). */
  missed: { code: string; missing: boolean }[];
  /**
   * The criteria whose value the subject has, outside the target, each at the points it did not get
   * (negative) with that value in its facts: the reasons of a score that has no other.
   */
  outside: Contribution[];
}

/** An attribute by its key; when not written as the profile writes it, spaces, underscores, case and accents aside. */
function attributeOf(attributes: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(attributes, key)) return attributes[key];
  const wanted = keyOf(key);
  for (const k in attributes) if (Object.hasOwn(attributes, k) && keyOf(k) === wanted) return attributes[k];
  return undefined;
}
/** A key as attributes are compared: "Niveau client" is the niveau_client an import stored. */
const keyOf = remembered(attributeKey);

/** The currency a country's companies report in, for amounts stored without one. */
const COUNTRY_CURRENCY: Record<string, string> = {
  ...Object.fromEntries(
    'AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MC MT NL PT SI SK'.split(' ').map((c) => [c, 'EUR']),
  ),
  US: 'USD',
  GB: 'GBP',
  CH: 'CHF',
  CA: 'CAD',
  AU: 'AUD',
  JP: 'JPY',
  SE: 'SEK',
  NO: 'NOK',
  DK: 'DKK',
  PL: 'PLN',
  CZ: 'CZK',
  HU: 'HUF',
  RO: 'RON',
  IN: 'INR',
  CN: 'CNY',
  BR: 'BRL',
  MA: 'MAD',
  TN: 'TND',
};
const currencyOfCountry = (country: string | null | undefined) =>
  country ? COUNTRY_CURRENCY[country] : undefined;

/** The currency of a subject's revenue: its own, else its country's (a US company's bare 5000000 is dollars). */
export function revenueCurrencyOf(
  subject: Pick<FitSubject, 'revenueCurrency' | 'country'>,
): string | undefined {
  return subject.revenueCurrency?.toUpperCase() ?? currencyOfCountry(subject.country);
}

const inRange = (value: number, range: { min?: number; max?: number }) =>
  (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);

/** A value as a number, written the way an import stores it ("75,5", "1 200", "12 k€"); NaN otherwise. */
function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? toNumber(value) : Number.NaN;
}

/** Equal as numbers when both are ("75,5" and 75.5), else as text, case and accents aside. */
function same(value: unknown, number: number, wanted: unknown): boolean {
  const b = numberOf(wanted);
  if (!Number.isNaN(number) && !Number.isNaN(b)) return number === b;
  return fold(String(value)) === fold(String(wanted));
}

function attributeMatches(condition: AttributeCondition, value: unknown): boolean {
  if (condition.op === 'present') return value !== undefined && value !== null && value !== '';
  if (value === undefined || value === null) return false;
  const wanted = condition.value;
  switch (condition.op) {
    case 'eq':
      return same(value, numberOf(value), wanted);
    case 'in': {
      if (!Array.isArray(wanted)) return false;
      const number = numberOf(value);
      return wanted.some((w) => same(value, number, w));
    }
    case 'gte':
      return numberOf(value) >= numberOf(wanted);
    case 'lte':
      return numberOf(value) <= numberOf(wanted);
    case 'contains':
      return fold(String(value)).includes(fold(String(wanted)));
  }
}

type Checked = Pick<FitResult, 'contributions' | 'missed' | 'outside' | 'max' | 'min'>;
type Facts = Record<string, string | number>;

/**
 * Counts a criterion: its points within the reach of the profile, and what it matched or missed. A
 * function of the module rather than a closure of fitScore: a rescoring calls fitScore a million times.
 */
function check(
  tally: Checked,
  code: string,
  points: number,
  known: boolean,
  matched: false | Facts,
  value?: Facts,
): void {
  tally.max += Math.max(0, points);
  tally.min += Math.min(0, points);
  if (matched) tally.contributions.push({ code, points, facts: matched });
  else {
    tally.missed.push({ code, missing: !known });
    // Marked `outside: 1` by the score, when it shows them.
    if (value && points > 0) tally.outside.push({ code, points: -points, facts: value });
  }
}

export function fitScore(profile: IdealProfile, subject: FitSubject): FitResult {
  const t: Checked = { contributions: [], missed: [], outside: [], max: 0, min: 0 };
  if (profile.industries) {
    const code = subject.industryCode;
    const { scheme } = profile.industries;
    const theirs = code ? schemeOfCode(code, subject.industryScheme) : undefined;
    // A code of another scheme is another trade, whatever its digits.
    const sameScheme = !scheme || !theirs || industryFamily(scheme).includes(theirs);
    const hit =
      code && sameScheme
        ? profile.industries.codes.find((prefix) => codeKey(code).startsWith(codeKey(prefix)))
        : undefined;
    check(
      t,
      'fit.industry',
      profile.industries.points,
      code !== null,
      hit && code ? { code } : false,
      code ? { code } : undefined,
    );
  }
  if (profile.employees) {
    const n = subject.employeeCount;
    // A band is told as the band it is, not as an exact headcount.
    const facts: (Facts & { count: number }) | undefined =
      n === null ? undefined : subject.employeeBand ? { count: n, band: subject.employeeBand } : { count: n };
    check(
      t,
      'fit.employees',
      profile.employees.points,
      n !== null,
      facts && inRange(facts.count, profile.employees) ? facts : false,
      facts,
    );
  }
  if (profile.revenue) {
    const currency = profile.revenue.currency?.toUpperCase() ?? 'EUR';
    // An amount written without its currency is in its country's: a US company's bare 5000000 is dollars.
    const theirs = revenueCurrencyOf(subject);
    const r = subject.annualRevenue;
    // An amount in another currency is not compared: 12.9 M£ is no 12.9 M€, and rates change.
    const facts = r === null || (theirs && theirs !== currency) ? undefined : { revenue: r, currency };
    check(
      t,
      'fit.revenue',
      profile.revenue.points,
      facts !== undefined,
      facts && inRange(facts.revenue, profile.revenue) ? facts : false,
      facts,
    );
  }
  if (profile.countries) {
    const c = subject.country;
    const hit = c !== null && profile.countries.values.some((v) => v.toUpperCase() === c.toUpperCase());
    check(
      t,
      'fit.country',
      profile.countries.points,
      c !== null,
      hit ? { country: c! } : false,
      c ? { country: c } : undefined,
    );
  }
  if (profile.regions) {
    const r = subject.region;
    const hit = r !== null && regionIn(profile.regions.values, r, subject.country);
    check(
      t,
      'fit.region',
      profile.regions.points,
      r !== null,
      hit ? { region: r! } : false,
      r ? { region: r } : undefined,
    );
  }
  if (profile.titles) {
    const word = keywordIn(subject.jobTitle, profile.titles.keywords);
    check(
      t,
      'fit.title',
      profile.titles.points,
      subject.jobTitle !== null,
      word ? { title: subject.jobTitle!, keyword: word } : false,
      subject.jobTitle ? { title: subject.jobTitle } : undefined,
    );
  }
  if (profile.seniority) {
    // Said by the record, else by the job title.
    const s = subject.seniority ?? (subject.jobTitle ? levelOfTitle(subject.jobTitle) : undefined) ?? null;
    const hit = s !== null && profile.seniority.values.some((v) => seniorityLevel(v) === seniorityLevel(s));
    check(
      t,
      'fit.seniority',
      profile.seniority.points,
      s !== null,
      hit ? { seniority: s! } : false,
      s ? { seniority: s } : undefined,
    );
  }
  if (profile.departments) {
    // Said by the record, else by a job title that names it; a title that names no area leaves it unknown,
    // and so held against nobody ("Assistante de direction" says nothing of a department), one that names
    // another ("Directeur commercial" for purchasing) is known and outside. A keyword and a department
    // that name one area meet across languages ("procurement" and "Directrice des achats").
    const fromTitle = subject.department === null;
    const text = subject.department ?? subject.jobTitle;
    const named = text ? areaWordOf(text) : null;
    const word =
      keywordIn(text, profile.departments.keywords) ??
      (named && profile.departments.keywords.some((k) => departmentOfTitle(k) === named.area)
        ? named.word
        : undefined);
    check(
      t,
      'fit.department',
      profile.departments.points,
      !fromTitle || named !== null || word !== undefined,
      word ? (fromTitle ? { department: word, fromTitle: 1 } : { department: subject.department! }) : false,
      subject.department ? { department: subject.department } : undefined,
    );
  }
  // Two conditions on one attribute (tiers, say) keep codes of their own: the second is "…#2".
  const seen = new Map<string, number>();
  for (const condition of profile.attributes ?? []) {
    const value = attributeOf(subject.attributes, condition.key);
    const hit = attributeMatches(condition, value);
    const nth = (seen.get(condition.key) ?? 0) + 1;
    seen.set(condition.key, nth);
    const known = value !== undefined && value !== null;
    // Facts for the reason it gives, or the one against when it is missed (outside).
    const facts =
      known && value !== '' && (hit || condition.points > 0)
        ? {
            attribute: condition.key,
            value: String(value),
            ...(condition.op === 'gte' || condition.op === 'lte'
              ? { op: condition.op, wanted: String(condition.value) }
              : {}),
          }
        : undefined;
    check(
      t,
      `fit.attribute.${condition.key}${nth > 1 ? `#${nth}` : ''}`,
      condition.points,
      known,
      hit ? (facts ?? { attribute: condition.key, value: String(value) }) : false,
      facts,
    );
  }
  const { contributions, missed, outside, max, min } = t;
  let points = 0;
  for (const c of contributions) points += c.points;
  // Between the least and the most, so that a criterion with negative points (a sector to avoid) ranks
  // the people it matches below those it does not, even when nobody matches anything else.
  const score = max > min ? Math.round((100 * (points - min)) / (max - min)) : 0;
  return { points, max, min, score, contributions, missed, outside };
}
