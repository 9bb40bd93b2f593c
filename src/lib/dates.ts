const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at the instant `utcMs`, in minutes. */
export function zoneOffsetMinutes(utcMs: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** The instant at which the wall clock of `timeZone` shows the given local time. */
export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour ?? 0,
    local.minute ?? 0,
    local.second ?? 0,
  );
  // Two passes settle the offset across a daylight-saving change.
  let guess = wall - zoneOffsetMinutes(wall, timeZone) * 60000;
  guess = wall - zoneOffsetMinutes(guess, timeZone) * 60000;
  return new Date(guess);
}

export interface DateReading {
  /** Local times without an offset are read in this zone. */
  timeZone: string;
  /** How "03/04/2026" reads when both orders are possible: day first in Europe, month first in the US. */
  dayFirst: boolean;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const SLASHED =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*(am|pm)?)?$/i;

/** Months as English, French and German write them, accents aside: a name is known by any start of 3+ letters. */
const MONTH_NAMES = [
  ['january', 'janvier', 'januar', 'janner'],
  ['february', 'fevrier', 'februar', 'feber'],
  ['march', 'mars', 'marz', 'maerz'],
  ['april', 'avril'],
  ['may', 'mai'],
  ['june', 'juin', 'juni'],
  ['july', 'juillet', 'juli'],
  ['august', 'aout'],
  ['september', 'septembre'],
  ['october', 'octobre', 'oktober'],
  ['november', 'novembre'],
  ['december', 'decembre', 'dezember'],
];
const WEEKDAYS = [
  'monday|lundi|montag',
  'tuesday|mardi|dienstag',
  'wednesday|mercredi|mittwoch',
  'thursday|jeudi|donnerstag',
  'friday|vendredi|freitag',
  'saturday|samedi|samstag|sonnabend',
  'sunday|dimanche|sonntag',
].flatMap((names) => names.split('|'));

const bareWord = (word: string) =>
  word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\.$/, '');

/** The month (1–12) a word names, when it names one only ("jui" could be June or July: none). */
function monthOf(word: string): number | undefined {
  const w = bareWord(word);
  if (w.length < 3) return undefined;
  const months = new Set<number>();
  MONTH_NAMES.forEach((names, i) => {
    if (names.some((name) => name.startsWith(w))) months.add(i + 1);
  });
  return months.size === 1 ? [...months][0] : undefined;
}

const isWeekday = (word: string) => {
  const w = bareWord(word.replace(/,$/, ''));
  return w.length >= 2 && WEEKDAYS.some((day) => day.startsWith(w));
};

const TIME = String.raw`(?:,?\s+(?:at|à|a|um)?\s*(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*(am|pm)?(?:\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?`;
const LETTERS = String.raw`([A-Za-zÀ-ÿ]{3,}\.?)`;
/** "Nov 29, 2026 2:30 PM", "November 29th 2026". */
const MONTH_FIRST = new RegExp(String.raw`^${LETTERS}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`, 'i');
/** "29 novembre 2026 à 14h30", "29-Nov-2026", "29. November 2026", "Sun, 29 Nov 2026 14:30:00 +0000". */
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})(?:er|\.)?[\s-]+${LETTERS}[\s-]+(\d{4})${TIME}$`, 'i');

/** A date whose month is written as a word, with its time if any; undefined when it is none. */
function parseNamedMonth(text: string, reading: DateReading): Date | undefined {
  // A weekday ahead says nothing the date does not.
  const words = text.split(/\s+/);
  const rest = words.length > 1 && isWeekday(words[0]!) ? words.slice(1).join(' ') : text;
  const monthFirst = MONTH_FIRST.exec(rest);
  const dayFirst = monthFirst ? undefined : DAY_FIRST.exec(rest);
  const match = monthFirst ?? dayFirst;
  if (!match) return undefined;
  const [monthWord, dayText] = monthFirst ? [match[1]!, match[2]!] : [match[2]!, match[1]!];
  const month = monthOf(monthWord);
  const [year, day] = [+match[3]!, +dayText];
  const [h, mi, s, meridiem, zone] = match.slice(4);
  let hour = +(h ?? 0);
  if (meridiem) {
    if (hour > 12 || hour === 0) return undefined;
    hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
  }
  const [minute, second] = [+(mi ?? 0), +(s ?? 0)];
  if (!month || !validDate(year, month, day) || !validTime(hour, minute, second)) return undefined;
  if (!zone) return zonedTimeToUtc({ year, month, day, hour, minute, second }, reading.timeZone);
  const offset = /^[+-]/.test(zone) ? zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2') : 'Z';
  const at = (n: number) => String(n).padStart(2, '0');
  const date = new Date(`${year}-${at(month)}-${at(day)}T${at(hour)}:${at(minute)}:${at(second)}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Reads a date or date-time as exports write it: ISO 8601 (with or without offset), "29/11/2026 14:30",
 * "11/29/2026 2:30 PM", "29.11.2026", a month in words in English, French or German ("Nov 29, 2026
 * 2:30 PM", "29 novembre 2026 à 14h30", "Sun, 29 Nov 2026 14:30:00 +0000"), an Excel serial number
 * (45990.5). Undefined when it is none of them.
 */
export function parseDateTime(raw: string, reading: DateReading): Date | undefined {
  const text = raw.trim();
  if (/[A-Za-zÀ-ÿ]{3}/.test(text)) return parseNamedMonth(text, reading);
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    if (!validDate(+y!, +mo!, +d!) || !validTime(+(h ?? 0), +(mi ?? 0), +(s ?? 0))) return undefined;
    if (zone) {
      const date = new Date(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      return Number.isNaN(date.getTime()) ? undefined : date;
    }
    return zonedTimeToUtc(
      { year: +y!, month: +mo!, day: +d!, hour: +(h ?? 0), minute: +(mi ?? 0), second: +(s ?? 0) },
      reading.timeZone,
    );
  }
  const slashed = SLASHED.exec(text);
  if (slashed) {
    const [, a, b, y, h, mi, s, meridiem] = slashed;
    let first = +a!;
    let second = +b!;
    const year = y!.length === 2 ? 2000 + +y! : +y!;
    let dayFirst = reading.dayFirst;
    if (first > 12) dayFirst = true;
    else if (second > 12) dayFirst = false;
    const [day, month] = dayFirst ? [first, second] : [second, first];
    first = day;
    second = month;
    let hour = +(h ?? 0);
    if (meridiem) {
      if (hour > 12) return undefined;
      hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
    }
    if (!validDate(year, second, first) || !validTime(hour, +(mi ?? 0), +(s ?? 0))) return undefined;
    return zonedTimeToUtc(
      { year, month: second, day: first, hour, minute: +(mi ?? 0), second: +(s ?? 0) },
      reading.timeZone,
    );
  }
  // Excel serial dates: days since 1899-12-30, in the sheet's local time.
  if (/^\d{5}(\.\d+)?$/.test(text)) {
    const serial = Number(text);
    if (serial < 20000 || serial > 80000) return undefined;
    const ms = Math.round((serial - 25569) * 86400000);
    const d = new Date(ms);
    return zonedTimeToUtc(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      reading.timeZone,
    );
  }
  return undefined;
}

/**
 * The order a day/month date's own numbers impose: true for "31/12/2025" (day first), false for
 * "12/31/2025" (month first), undefined when both orders read ("03/04/2026") or it is not such a date.
 */
export function forcedDayFirst(raw: string): boolean | undefined {
  const slashed = SLASHED.exec(raw.trim());
  if (!slashed) return undefined;
  const first = +slashed[1]!;
  const second = +slashed[2]!;
  if (first > 12 && second <= 12) return true;
  if (second > 12 && first <= 12) return false;
  return undefined;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1900 || year > 2200) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validTime(hour: number, minute: number, second: number): boolean {
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 61;
}

/** The zone most of a country lives in, to read local times when nothing else says. */
export const COUNTRY_MAIN_ZONE: Record<string, string> = {
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  DE: 'Europe/Berlin',
  BE: 'Europe/Brussels',
  CH: 'Europe/Zurich',
  LU: 'Europe/Luxembourg',
  ES: 'Europe/Madrid',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  PT: 'Europe/Lisbon',
  IE: 'Europe/Dublin',
  AT: 'Europe/Vienna',
  US: 'America/New_York',
  CA: 'America/Toronto',
};
