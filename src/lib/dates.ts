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

/**
 * ISO 8601 and what exports make of it: PostgreSQL's "2026-11-20 09:00:00+01", a one-digit hour
 * ("2026-11-20 9:00"), slashes ("2026/11/20"), a comma before the time, a zone written UTC or GMT.
 */
const ISO =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:T|,?\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const SLASHED =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:,?[ T]+(\d{1,2})(?:[:h](\d{2})|h)(?::(\d{2})(?:[.,]\d+)?)?\s*(am|pm)?(?:\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?$/i;

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
].map((names) => names.split('|'));

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

/** The days a word may name, as getUTCDay() counts them (Sunday 0): "mar" is Tuesday (mardi) or none. */
const weekdaysOf = (word: string): number[] => {
  const w = bareWord(word.replace(/,$/, ''));
  if (w.length < 2) return [];
  return WEEKDAYS.flatMap((names, i) => (names.some((name) => name.startsWith(w)) ? [(i + 1) % 7] : []));
};

const TIME = String.raw`(?:,?\s+(?:at|à|a|um)?\s*(\d{1,2})(?:[:h](\d{2})|h)(?::(\d{2})(?:[.,]\d+)?)?\s*(am|pm)?(?:\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?`;
const LETTERS = String.raw`([A-Za-zÀ-ÿ]{3,}\.?)`;
/** "Nov 29, 2026 2:30 PM", "November 29th 2026". */
const MONTH_FIRST = new RegExp(String.raw`^${LETTERS}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`, 'i');
/** "29 novembre 2026 à 14h30", "29-Nov-2026", "29. November 2026", "Sun, 29 Nov 2026 14:30:00 +0000". */
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})(?:er|\.)?[\s-]+${LETTERS}[\s-]+(\d{4})${TIME}$`, 'i');

/** An hour of the 24-hour clock from one read with am or pm (1–12), or as it is without; undefined past 12. */
function onTheClock(hour: number, meridiem: string | undefined): number | undefined {
  if (!meridiem) return hour;
  if (hour > 12 || hour === 0) return undefined;
  return (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
}

/** A date whose month is written as a word, with its time if any; undefined when it is none. */
function parseNamedMonth(text: string, reading: DateReading): Date | undefined {
  // A weekday ahead must be the date's: "Mon, 29 Nov 2026" (a Sunday) is a date mistyped somewhere.
  const words = text.split(/\s+/);
  const named = words.length > 1 ? weekdaysOf(words[0]!) : [];
  let rest = named.length > 0 ? words.slice(1).join(' ') : text;
  let monthFirst = MONTH_FIRST.exec(rest);
  let dayFirst = monthFirst ? undefined : DAY_FIRST.exec(rest);
  // "Mar 3, 2026": the first word was a month ("mar" also starts mardi), not a weekday.
  if (!monthFirst && !dayFirst && named.length > 0) {
    named.length = 0;
    rest = text;
    monthFirst = MONTH_FIRST.exec(rest);
    dayFirst = monthFirst ? undefined : DAY_FIRST.exec(rest);
  }
  const match = monthFirst ?? dayFirst;
  if (!match) return undefined;
  const [monthWord, dayText] = monthFirst ? [match[1]!, match[2]!] : [match[2]!, match[1]!];
  const month = monthOf(monthWord);
  const [year, day] = [+match[3]!, +dayText];
  const [h, mi, s, meridiem, zone] = match.slice(4);
  const hour = onTheClock(+(h ?? 0), meridiem);
  const [minute, second] = [+(mi ?? 0), +(s ?? 0)];
  if (!month || hour === undefined) return undefined;
  if (named.length > 0 && !named.includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay()))
    return undefined;
  return instantOf({ year, month, day, hour, minute, second }, zone, reading.timeZone);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
}

/** Minutes east of UTC that "Z", "UTC", "GMT", "+01", "+0100" or "+01:00" say; undefined past ±14:00, where no zone is. */
function offsetMinutes(zone: string): number | undefined {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0;
  const match = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(zone);
  if (!match) return undefined;
  const [hours, minutes] = [+match[2]!, +(match[3] ?? 0)];
  if (minutes >= 60 || hours * 60 + minutes > 14 * 60) return undefined;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** The instant a wall time shows: at its own offset when it has one, else in `timeZone`. */
function instantOf(wall: WallTime, zone: string | undefined, timeZone: string): Date | undefined {
  const { year, month, day, hour, minute, second, millisecond = 0 } = wall;
  if (!validDate(year, month, day) || !validTime(hour, minute, second)) return undefined;
  if (zone === undefined) return new Date(zonedTimeToUtc(wall, timeZone).getTime() + millisecond);
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset * 60000);
}

/** ".5" → 500, ".123456" (PostgreSQL's microseconds) → 123. */
const millisecondsOf = (fraction: string | undefined) =>
  fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;

/**
 * Reads a date or date-time as exports write it: ISO 8601 (with or without offset, "2026/11/20 9:00",
 * PostgreSQL's "2026-11-20 09:00:00+01", "… UTC"), "29/11/2026 14:30", "20/11/2026, 09:00", "11/29/2026
 * 2:30 PM", "29.11.2026", a month in words in English, French or German ("Nov 29, 2026 2:30 PM", "29
 * novembre 2026 à 14h30", "Sun, 29 Nov 2026 14:30:00 +0000"), an Excel serial number (45990.5).
 * Undefined when it is none of them.
 */
export function parseDateTime(raw: string, reading: DateReading): Date | undefined {
  const text = raw.trim();
  // A zone written UTC or GMT is letters too, but no month's.
  if (/[A-Za-zÀ-ÿ]{3}/.test(text.replace(/\s*(?:UTC|GMT)$/i, ''))) return parseNamedMonth(text, reading);
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, , mo, d, h, mi, s, fraction, zone] = iso;
    const wall = { year: +y!, month: +mo!, day: +d!, hour: +(h ?? 0), minute: +(mi ?? 0), second: +(s ?? 0) };
    return instantOf({ ...wall, millisecond: millisecondsOf(fraction) }, zone, reading.timeZone);
  }
  const slashed = SLASHED.exec(text);
  if (slashed) {
    const [, a, b, y, h, mi, s, meridiem, zone] = slashed;
    const year = y!.length === 2 ? 2000 + +y! : +y!;
    let dayFirst = reading.dayFirst;
    if (+a! > 12) dayFirst = true;
    else if (+b! > 12) dayFirst = false;
    const [day, month] = dayFirst ? [+a!, +b!] : [+b!, +a!];
    let hour = +(h ?? 0);
    if (meridiem) {
      if (hour > 12) return undefined;
      hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
    }
    return instantOf(
      { year, month, day, hour, minute: +(mi ?? 0), second: +(s ?? 0) },
      zone,
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

export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

const CLOCK = /^(\d{1,2})(?:[:h](\d{2})(?::(\d{2})(?:[.,]\d+)?)?|h)?\s*(am|pm)?$/i;

/** A time of day alone, as a dialer's "Heure" column writes it: "14:30", "14h30", "2:30 PM", "9 am", 0.6042 (Excel). */
export function parseTimeOfDay(raw: string): TimeOfDay | undefined {
  const text = raw.trim();
  // Excel writes a time without a date as a fraction of a day.
  const fraction = /^0?[.,](\d+)$/.exec(text);
  if (fraction) {
    const seconds = Math.round(Number(`0.${fraction[1]}`) * 86400);
    if (seconds >= 86400) return undefined;
    return { hour: Math.floor(seconds / 3600), minute: Math.floor(seconds / 60) % 60, second: seconds % 60 };
  }
  const clock = CLOCK.exec(text);
  // "14" alone is a number, not a time: a clock has a separator or says am or pm.
  if (!clock || (!/[:h]/i.test(text) && !clock[4])) return undefined;
  const hour = onTheClock(+clock[1]!, clock[4]);
  const [minute, second] = [+(clock[2] ?? 0), +(clock[3] ?? 0)];
  return hour !== undefined && validTime(hour, minute, second) ? { hour, minute, second } : undefined;
}

/** The wall time an instant shows in `timeZone`. */
function wallTimeOf(date: Date, timeZone: string): WallTime {
  const local = new Date(date.getTime() + zoneOffsetMinutes(date.getTime(), timeZone) * 60000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/**
 * A date from one column at the time of day from another, as dialers export calls ("20/11/2026" and
 * "14:30"), on the date's day in `timeZone`. A date that shows a time of its own (other than midnight,
 * which is how spreadsheets write a date alone) keeps it when the two agree; undefined when they do not.
 */
export function atTimeOfDay(date: Date, time: TimeOfDay, timeZone: string): Date | undefined {
  const wall = wallTimeOf(date, timeZone);
  const midnight = wall.hour === 0 && wall.minute === 0 && wall.second === 0;
  if (!midnight && (wall.hour !== time.hour || wall.minute !== time.minute)) return undefined;
  return zonedTimeToUtc({ ...wall, ...time }, timeZone);
}

/** Whether two instants fall on the same day of `timeZone`'s calendar. */
export function sameLocalDay(a: Date, b: Date, timeZone: string): boolean {
  const [x, y] = [wallTimeOf(a, timeZone), wallTimeOf(b, timeZone)];
  return x.year === y.year && x.month === y.month && x.day === y.day;
}

const STRICT_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type InstantReading = { ok: true; date: Date } | { ok: false; problem: string };

const EXAMPLE_INSTANT = '"2026-11-20T09:00:00+01:00"';

/**
 * Reads an instant as an API must, where a misread date is stored for good: ISO 8601 with the time and
 * its offset, on a day that exists, from 1900 to 2200. JavaScript's own reading takes "1" for 2001,
 * "2026-02-31" for 3 March, and a date-time without offset in the server's zone.
 */
export function readInstant(text: string): InstantReading {
  const match = STRICT_INSTANT.exec(text);
  // A query string decodes "+" to a space: "…T09:00:00 01:00" was sent as "…T09:00:00+01:00".
  if (!match && STRICT_INSTANT.test(text.replace(/ (?=\d{2}(?::?\d{2})?$)/, '+')))
    return {
      ok: false,
      problem: 'has a space where its offset\'s "+" should be: in a URL, write "+" as %2B',
    };
  if (!match) {
    const problem = /^\d{4}-\d{2}-\d{2}$/.test(text)
      ? `is a date without a time: write the instant meant, e.g. "${text}T00:00:00Z" or "${text}T00:00:00+01:00"`
      : `must be an ISO 8601 date-time with an offset, e.g. ${EXAMPLE_INSTANT}`;
    return { ok: false, problem };
  }
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const [year, month, day] = [+y!, +mo!, +d!];
  if (year < 1900 || year > 2200) return { ok: false, problem: `year ${y} is outside 1900–2200` };
  if (!validDate(year, month, day))
    return { ok: false, problem: `${y}-${mo}-${d} is not a day of the calendar` };
  const [hour, minute, second] = [+h!, +mi!, +(s ?? 0)];
  if (!validTime(hour, minute, second))
    return { ok: false, problem: `${h}:${mi}${s ? `:${s}` : ''} is not a time of day` };
  if (!zone)
    return {
      ok: false,
      problem: `has no offset, so the instant depends on where it was written: add Z (UTC) or an offset, e.g. "+01:00"`,
    };
  const wall = { year, month, day, hour, minute, second, millisecond: millisecondsOf(fraction) };
  const date = instantOf(wall, zone, 'UTC');
  if (!date) return { ok: false, problem: `offset ${zone} is not one (from -14:00 to +14:00)` };
  return { ok: true, date };
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
