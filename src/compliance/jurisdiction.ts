import Holidays from 'date-holidays';
import { type CountryCode, getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js';
import { FRENCH_OVERSEAS, RULE_PACKS } from './rules/packs';
import type { Audience, ChannelRule, ContactChannel, RulePack } from './rules/types';

/** Whose law applies, and whose public holidays. */
export interface Jurisdiction {
  /** The country whose law applies (FR for the overseas departments too). */
  country: string;
  /** A region with rules of its own (US-FL), when known. */
  region?: string;
  /** The calendar of public holidays: the overseas departments and Alsace–Moselle have their own. */
  holidayCountry: string;
  holidayRegion?: string;
}

interface PlaceFacts {
  prospect: { country: string | null; region: string | null; postalCode: string | null };
  contactPoint: { value: string; country: string | null } | null;
  channel: ContactChannel;
}

// Florida's area codes (NANPA), for a number whose holder's state is not on record.
const FLORIDA_AREA_CODES = new Set([
  '239',
  '305',
  '321',
  '324',
  '352',
  '386',
  '407',
  '448',
  '561',
  '645',
  '656',
  '689',
  '727',
  '728',
  '754',
  '772',
  '786',
  '813',
  '850',
  '863',
  '904',
  '941',
  '954',
]);

// French postal codes of the overseas departments and collectivities (971 Guadeloupe…).
const FRENCH_OVERSEAS_POSTAL: [string, string][] = [
  ['97133', 'BL'],
  ['97150', 'MF'],
  ['971', 'GP'],
  ['972', 'MQ'],
  ['973', 'GF'],
  ['974', 'RE'],
  ['975', 'PM'],
  ['976', 'YT'],
];

const statesCache = new Map<string, Map<string, string>>();

/** The regions date-holidays knows for a country, by code and by lower-case name. */
function knownStates(country: string): Map<string, string> {
  let states = statesCache.get(country);
  if (!states) {
    states = new Map();
    const listed = (new Holidays().getStates(country) ?? {}) as Record<string, string>;
    for (const [code, name] of Object.entries(listed)) {
      states.set(code.toLowerCase(), code);
      states.set(name.toLowerCase(), code);
      // "Département Moselle" is "Moselle" in a CRM.
      states.set(
        name.replace(/^(Département|Département et région d'outre-mer)\s+/i, '').toLowerCase(),
        code,
      );
    }
    statesCache.set(country, states);
  }
  return states;
}

function holidayRegion(
  country: string,
  region: string | null,
  postalCode: string | null,
): string | undefined {
  const states = knownStates(country);
  if (states.size === 0) return undefined;
  if (country === 'FR' && postalCode) {
    const department = postalCode.trim().slice(0, 2);
    if (states.has(department)) return states.get(department);
  }
  if (region) {
    const cleaned = region
      .trim()
      .toLowerCase()
      .replace(new RegExp(`^${country.toLowerCase()}-`), '');
    if (states.has(cleaned)) return states.get(cleaned);
    if (country === 'FR' && cleaned === 'alsace') return '67';
  }
  return undefined;
}

/**
 * The callee's jurisdictions, most specific first: the prospect's country (their residence) and, when it
 * differs, the country of the number, whose national registry covers it. Both apply, so that the
 * stricter rule wins. Empty when neither is known.
 */
export function jurisdictionsOf(facts: PlaceFacts): Jurisdiction[] {
  const { prospect, contactPoint } = facts;
  const found: Jurisdiction[] = [];
  const add = (place: string, region: string | null, postalCode: string | null, number: string | null) => {
    let holidayCountry = place;
    if (place === 'FR' && postalCode) {
      const overseas = FRENCH_OVERSEAS_POSTAL.find(([prefix]) => postalCode.trim().startsWith(prefix));
      if (overseas) holidayCountry = overseas[1];
    }
    const country = FRENCH_OVERSEAS.has(place) ? 'FR' : place;
    if (found.some((j) => j.country === country)) return;
    const jurisdiction: Jurisdiction = { country, holidayCountry };
    const holidays = holidayRegion(holidayCountry, region, postalCode);
    if (holidays) jurisdiction.holidayRegion = holidays;
    if (country === 'US') {
      const state =
        holidays ??
        (number?.startsWith('+1') && FLORIDA_AREA_CODES.has(number.slice(2, 5)) ? 'FL' : undefined);
      if (state) jurisdiction.region = state;
    }
    found.push(jurisdiction);
  };
  const phone = facts.channel !== 'email' && contactPoint ? contactPoint.value : null;
  if (prospect.country) add(prospect.country, prospect.region, prospect.postalCode, phone);
  if (contactPoint?.country && phone && !sameNumberingPlan(contactPoint.country, prospect.country)) {
    add(contactPoint.country, null, null, phone);
  }
  return found;
}

const PACK_COUNTRIES = new Set(RULE_PACKS.map((p) => p.country));

/**
 * A number from a territory without a pack of its own that shares the person's calling code (a Guernsey
 * +44 7911 range for someone living in England) is read as part of the person's national plan; a number
 * from a country with its own law (a Canadian number for a US resident) brings that law in too.
 */
function sameNumberingPlan(numberCountry: string, personCountry: string | null): boolean {
  if (!personCountry || PACK_COUNTRIES.has(numberCountry)) return false;
  if (!isSupportedCountry(numberCountry) || !isSupportedCountry(personCountry)) return false;
  return (
    getCountryCallingCode(numberCountry as CountryCode) ===
    getCountryCallingCode(personCountry as CountryCode)
  );
}

export function jurisdictionLabel(jurisdiction: Jurisdiction): string {
  return jurisdiction.region ? `${jurisdiction.country}-${jurisdiction.region}` : jurisdiction.country;
}

function inForce(pack: RulePack, date: string): boolean {
  return pack.effectiveFrom <= date && (!pack.effectiveTo || date <= pack.effectiveTo);
}

export interface ApplicableRule {
  pack: RulePack;
  rule: ChannelRule;
  jurisdiction: Jurisdiction;
}

/**
 * The rules in force on a local date for a channel and audience: each jurisdiction's own pack (or the
 * conservative default when it has none) and any regional overlay.
 */
export function rulesFor(
  packs: RulePack[],
  jurisdictions: Jurisdiction[],
  channel: ContactChannel,
  audience: Audience,
  date: string,
): ApplicableRule[] {
  const applicable: ApplicableRule[] = [];
  for (const jurisdiction of jurisdictions) {
    const national =
      packs.find((p) => p.country === jurisdiction.country && !p.region && inForce(p, date)) ??
      packs.find((p) => p.country === '*' && inForce(p, date));
    const overlay = jurisdiction.region
      ? packs.find(
          (p) => p.country === jurisdiction.country && p.region === jurisdiction.region && inForce(p, date),
        )
      : undefined;
    for (const pack of [national, overlay]) {
      const rule = pack?.rules[channel]?.[audience];
      if (pack && rule) applicable.push({ pack, rule, jurisdiction });
    }
  }
  return applicable;
}
