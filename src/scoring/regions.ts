import { nearestName } from '../lib/nearest-name';
import { fold } from '../prospects/fold';

/**
 * Regions known by their names and their codes, so that a profile's "California" or "PACA" finds the
 * "CA" or "Provence-Alpes-Côte d'Azur" an import stored: US states, Canadian provinces and territories,
 * French regions, overseas ones included (ISO 3166-2 codes, and the abbreviations people use).
 */
const REGIONS: Record<string, Record<string, string[]>> = {
  US: {
    AL: ['Alabama'],
    AK: ['Alaska'],
    AZ: ['Arizona'],
    AR: ['Arkansas'],
    CA: ['California', 'Californie'],
    CO: ['Colorado'],
    CT: ['Connecticut'],
    DE: ['Delaware'],
    FL: ['Florida', 'Floride'],
    GA: ['Georgia', 'Géorgie'],
    HI: ['Hawaii', 'Hawaï'],
    ID: ['Idaho'],
    IL: ['Illinois'],
    IN: ['Indiana'],
    IA: ['Iowa'],
    KS: ['Kansas'],
    KY: ['Kentucky'],
    LA: ['Louisiana', 'Louisiane'],
    ME: ['Maine'],
    MD: ['Maryland'],
    MA: ['Massachusetts'],
    MI: ['Michigan'],
    MN: ['Minnesota'],
    MS: ['Mississippi'],
    MO: ['Missouri'],
    MT: ['Montana'],
    NE: ['Nebraska'],
    NV: ['Nevada'],
    NH: ['New Hampshire'],
    NJ: ['New Jersey'],
    NM: ['New Mexico', 'Nouveau-Mexique'],
    NY: ['New York', 'New York State', 'État de New York'],
    NC: ['North Carolina', 'Caroline du Nord'],
    ND: ['North Dakota', 'Dakota du Nord'],
    OH: ['Ohio'],
    OK: ['Oklahoma'],
    OR: ['Oregon'],
    PA: ['Pennsylvania', 'Pennsylvanie'],
    RI: ['Rhode Island'],
    SC: ['South Carolina', 'Caroline du Sud'],
    SD: ['South Dakota', 'Dakota du Sud'],
    TN: ['Tennessee'],
    TX: ['Texas'],
    UT: ['Utah'],
    VT: ['Vermont'],
    VA: ['Virginia', 'Virginie'],
    WA: ['Washington', 'Washington State', 'État de Washington'],
    WV: ['West Virginia', 'Virginie-Occidentale'],
    WI: ['Wisconsin'],
    WY: ['Wyoming'],
    DC: ['District of Columbia', 'Washington DC', 'Washington D.C.'],
    PR: ['Puerto Rico', 'Porto Rico'],
  },
  CA: {
    AB: ['Alberta'],
    BC: ['British Columbia', 'Colombie-Britannique'],
    MB: ['Manitoba'],
    NB: ['New Brunswick', 'Nouveau-Brunswick'],
    NL: ['Newfoundland and Labrador', 'Newfoundland', 'Terre-Neuve-et-Labrador', 'Terre-Neuve'],
    NS: ['Nova Scotia', 'Nouvelle-Écosse'],
    NT: ['Northwest Territories', 'Territoires du Nord-Ouest'],
    NU: ['Nunavut'],
    ON: ['Ontario'],
    PE: ['Prince Edward Island', 'Île-du-Prince-Édouard', 'PEI'],
    QC: ['Québec', 'PQ'],
    SK: ['Saskatchewan'],
    YT: ['Yukon'],
  },
  FR: {
    ARA: ['Auvergne-Rhône-Alpes', 'AURA'],
    BFC: ['Bourgogne-Franche-Comté'],
    BRE: ['Bretagne', 'Brittany'],
    CVL: ['Centre-Val de Loire', 'Centre'],
    COR: ['Corse', 'Corsica'],
    GES: ['Grand Est'],
    HDF: ['Hauts-de-France'],
    IDF: ['Île-de-France'],
    NOR: ['Normandie', 'Normandy'],
    NAQ: ['Nouvelle-Aquitaine', 'NA'],
    OCC: ['Occitanie'],
    PDL: ['Pays de la Loire'],
    PAC: ["Provence-Alpes-Côte d'Azur", 'PACA', 'Région Sud'],
    // The overseas regions, by their department numbers (ISO 3166-2:FR writes them so).
    '971': ['Guadeloupe'],
    '972': ['Martinique'],
    '973': ['Guyane', 'Guyane française', 'French Guiana'],
    '974': ['La Réunion', 'Réunion', 'Reunion Island'],
    '976': ['Mayotte'],
  },
};

/** A region's name as compared: accents, case and punctuation aside, "IdF" kept one word. */
export const regionName = (value: string) => fold(value, { camel: false });

/** Each name and code, compared as regionName does, to its region: "californie", "ca", "us ca" → US:CA. */
const KNOWN = new Map<string, { country: string; key: string }>();
for (const [country, regions] of Object.entries(REGIONS))
  for (const [code, names] of Object.entries(regions)) {
    const region = { country, key: `${country}:${code}` };
    for (const name of [code, `${country}-${code}`, ...names]) {
      const known = KNOWN.get(regionName(name));
      if (known && known.key !== region.key) throw new Error(`"${name}" names two regions`);
      KNOWN.set(regionName(name), region);
    }
  }

/** Names of the known regions as they are written ("Californie", "Île-de-France"), for suggestions. */
const NAMES = Object.values(REGIONS).flatMap((regions) => Object.values(regions).flat());

/** Whether a profile's region is one of the known ones, by name or code. */
export const knownRegion = (value: string) => KNOWN.has(regionName(value));

/** The known region a misspelt name was likely meant as ("Californa" → "California"), compared as regionName does. */
export function nearestRegion(value: string): string | undefined {
  const folded = NAMES.map(regionName);
  const near = nearestName(regionName(value), folded);
  return near === undefined ? undefined : NAMES[folded.indexOf(near)];
}

/**
 * A region as matched: the key of a known one ("US:CA" for California, CA or US-CA), else its name.
 * With a country, only that country's regions are known: the "CA" of an Italian company is Cagliari's,
 * not California's.
 */
export function regionKey(value: string, country?: string | null): string {
  const name = regionName(value);
  const known = KNOWN.get(name);
  return known && (!country || known.country === country.toUpperCase()) ? known.key : name;
}

/**
 * Rescoring matches the same few regions for every prospect of an organization: a stored region's key is
 * remembered (a bounded map, emptied when full), a profile's regions' once per profile.
 */
const storedKeys = new Map<string, { key: string; name: string }>();
const profileKeys = new WeakMap<string[], { key: string; name: string }[]>();

function storedRegion(region: string, country: string | null) {
  const id = `${country ?? ''}|${region}`;
  let known = storedKeys.get(id);
  if (!known) {
    known = { key: regionKey(region, country), name: regionName(region) };
    if (storedKeys.size >= 50_000) storedKeys.clear();
    storedKeys.set(id, known);
  }
  return known;
}

/**
 * Whether a stored region is one of a profile's: the same region by name or code ("NY", "New York"), or
 * the same text, accents, case and punctuation aside ("CA" is "CA" wherever it is).
 */
export function regionIn(values: string[], region: string, country: string | null): boolean {
  let wanted = profileKeys.get(values);
  if (!wanted) {
    wanted = values.map((v) => ({ key: regionKey(v), name: regionName(v) }));
    profileKeys.set(values, wanted);
  }
  const theirs = storedRegion(region, country);
  return wanted.some((r) => r.key === theirs.key || r.name === theirs.name);
}
