import { getCountries } from 'libphonenumber-js/max';
import { fold } from './fold';

/** Countries, languages and time zones, from the names and codes files write them with. */

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
