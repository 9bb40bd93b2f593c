import type { InteractionChannel, InteractionType } from '../../db/schema';
import type { SuppressionChannel } from '../compliance/suppression-values';
import {
  channelConflict,
  channelOfType,
  FUTURE_TOLERANCE_MS,
  outcomeNamedBy,
  parseChannel,
  parseInteractionType,
} from '../interactions/types';
import {
  atTimeOfDay,
  type DateReading,
  forcedDayFirst,
  parseDateTime,
  parseTimeOfDay,
  sameLocalDay,
} from '../lib/dates';
import { isUuid } from '../lib/ids';
import { contactPointDraft } from '../prospects/drafts';
import { normalizeCountry } from '../prospects/locale';
import { parseLooseNumber } from '../prospects/numbers';
import type { ColumnPlan } from './plan';
import { filled, type RowResult, readRow, rejected } from './rows';

/** How a row names its prospect; the import resolves it against the database. */
export type ProspectRef =
  | { by: 'id'; value: string }
  | { by: 'externalId'; value: string }
  | { by: 'contactPoint'; value: string; label: string };

export interface InteractionRecord {
  line: number;
  ref: ProspectRef;
  /** The row's other references, tried in turn when `ref` finds nobody: its phone after its e-mail. */
  also?: ProspectRef[];
  type: InteractionType;
  channel: InteractionChannel;
  occurredAt: Date;
  outcome?: string;
  campaign?: string;
  note?: string;
  externalId?: string;
  metadata: Record<string, unknown>;
  warnings?: string[];
  /** Set once the reference is resolved against the database. */
  prospectId?: string;
  /**
   * Set instead when the row is a stop about numbers or addresses nobody holds: each with the channels
   * it stops there.
   */
  unheld?: { value: string; pointChannel: 'phone' | 'email'; channels: SuppressionChannel[] }[];
  contactPointId?: string;
}

export interface InteractionRowOptions {
  defaultCountry: string | null;
  dates: DateReading;
  now: Date;
  /** The type of rows that give none (the import's `type` option): a dialer's export is all calls. */
  defaultType?: InteractionType;
  /** Whether the import already warned that a date contradicts its date order (said once). */
  contradictedOrder?: { warned: boolean };
}

export function toInteractionRecord(
  fields: string[],
  line: number,
  plan: ColumnPlan,
  options: InteractionRowOptions,
): RowResult<InteractionRecord> {
  const read = readRow(fields, line, plan);
  if ('blank' in read) return { kind: 'blank' };
  if ('error' in read) return { kind: 'rejected', error: read.error };
  const row = read.values;

  const refs: ProspectRef[] = [];
  const prospectId = row.one('prospectId');
  const externalId = row.one('externalId');
  const email = filled(row.one('email'));
  const phone = filled(row.one('phone'));
  if (prospectId) {
    if (!isUuid(prospectId))
      return rejected(line, `prospect id "${prospectId}" is not a Tiède id`, 'prospectId');
    refs.push({ by: 'id', value: prospectId.toLowerCase() });
  }
  if (externalId) refs.push({ by: 'externalId', value: externalId });
  const rawCountry = row.one('country');
  const country = (rawCountry && normalizeCountry(rawCountry)) || options.defaultCountry;
  for (const [channel, raw] of [
    ['email', email],
    ['phone', phone],
  ] as const) {
    if (!raw) continue;
    const result = contactPointDraft(channel, raw, channel === 'phone' ? country : null);
    // A bad e-mail or phone is the row's fault only when nothing else names the person.
    if (!result.ok) {
      if (refs.length === 0 && (channel === 'phone' || !phone))
        return rejected(line, result.message, channel);
      continue;
    }
    refs.push({
      by: 'contactPoint',
      value: result.draft.value,
      label: channel === 'email' ? `e-mail ${raw}` : `phone ${raw}`,
    });
  }
  const [ref, ...also] = refs;
  if (!ref) return rejected(line, 'no prospect id, CRM id, e-mail or phone says whom the event concerns');

  const rawType = row.one('type');
  if (!rawType && !options.defaultType)
    return rejected(
      line,
      "the event type is missing: fill it in, or name it with the import's type option (e.g. type=call_attempted)",
      'type',
    );
  const type = rawType ? parseInteractionType(rawType) : options.defaultType;
  if (!type)
    return rejected(
      line,
      `event type "${rawType}" is not known (e.g. email_sent, call_attempted, meeting_held)`,
      'type',
    );

  const rawChannel = row.one('channel');
  const channel = rawChannel ? parseChannel(rawChannel) : channelOfType(type);
  if (!channel)
    return rejected(
      line,
      `channel "${rawChannel}" is not known (email, phone, sms, web, linkedin…)`,
      'channel',
    );
  const conflict = rawChannel ? channelConflict(type, channel) : undefined;
  if (conflict) return rejected(line, `channel "${rawChannel}": ${conflict}`, 'channel');

  const when = readOccurredAt(row.one('occurredAt'), row.one('time'), options.dates);
  if ('problem' in when) return rejected(line, when.problem, when.field);
  const occurredAt = when.at;
  if (occurredAt.getTime() > options.now.getTime() + FUTURE_TOLERANCE_MS) {
    return rejected(line, `date "${when.raw}" is in the future`, 'occurredAt');
  }

  const warning = orderWarning(when.raw, line, options);

  const metadata: Record<string, unknown> = { ...row.prefixed('metadata') };
  const duration = row.one('duration');
  if (duration) {
    const seconds = parseDuration(duration);
    if (seconds === undefined)
      return rejected(line, `duration "${duration}" is not seconds or h:mm:ss`, 'duration');
    metadata.durationSeconds = seconds;
  }
  const record: InteractionRecord = {
    line,
    ref,
    ...(also.length > 0 ? { also } : {}),
    type,
    channel,
    occurredAt,
    metadata,
  };
  const outcome = row.one('outcome') ?? (rawType ? outcomeNamedBy(rawType) : undefined);
  const campaign = row.one('campaign');
  const note = row.one('note');
  const eventId = row.one('eventId');
  if (outcome) record.outcome = outcome;
  if (campaign) record.campaign = campaign;
  if (note) record.note = note;
  if (eventId) record.externalId = eventId;
  if (warning) record.warnings = [warning];
  return { kind: 'record', record };
}

/**
 * When the event happened, from its date column and its time column if any: a dialer writes the day in
 * one ("20/11/2026") and the time in the other ("14:30"). A time column of full date-times gives them.
 * `raw` is the text the instant was read from.
 */
function readOccurredAt(
  rawDate: string | undefined,
  rawTime: string | undefined,
  dates: DateReading,
): { at: Date; raw: string } | { problem: string; field: 'occurredAt' | 'time' } {
  const time = rawTime === undefined ? undefined : parseTimeOfDay(rawTime);
  const timeAsDate = rawTime === undefined || time ? undefined : parseDateTime(rawTime, dates);
  if (rawTime !== undefined && !time && !timeAsDate)
    return { problem: `time "${rawTime}" is not a time of day (e.g. 14:30 or 2:30 PM)`, field: 'time' };
  if (rawDate === undefined) {
    if (timeAsDate) return { at: timeAsDate, raw: rawTime! };
    const problem = time ? `the date is missing: time "${rawTime}" says no day` : 'the date is missing';
    return { problem, field: 'occurredAt' };
  }
  const date = parseDateTime(rawDate, dates);
  if (!date)
    return {
      problem: `date "${rawDate}" is not a date (e.g. 2026-11-29T14:30 or 29/11/2026 14:30)`,
      field: 'occurredAt',
    };
  if (time) {
    const at = atTimeOfDay(date, time, dates.timeZone);
    if (at) return { at, raw: rawDate };
    return { problem: `date "${rawDate}" and time "${rawTime}" say different times`, field: 'time' };
  }
  if (timeAsDate) {
    if (sameLocalDay(date, timeAsDate, dates.timeZone)) return { at: timeAsDate, raw: rawTime! };
    return { problem: `date "${rawDate}" and time "${rawTime}" say different days`, field: 'time' };
  }
  return { at: date, raw: rawDate };
}

/**
 * "12/31/2025" in an import that reads day first was read month first, as it must; but then the
 * file's "03/04/2026" probably meant 4 March and was read 3 April. Said once per import, at the first such line.
 */
function orderWarning(rawDate: string, line: number, options: InteractionRowOptions): string | undefined {
  const forced = forcedDayFirst(rawDate);
  const state = options.contradictedOrder;
  if (forced === undefined || forced === options.dates.dayFirst || !state || state.warned) return undefined;
  state.warned = true;
  const [reads, other, example] = options.dates.dayFirst
    ? ['day first (dateOrder "dmy")', 'mdy', '03/04/2026 as 3 April']
    : ['month first (dateOrder "mdy")', 'dmy', '03/04/2026 as March 4'];
  return `line ${line}: date "${rawDate.trim()}" can only be read the other way round, but this import reads dates ${reads}; if the file writes them that way, dates that read both ways were misread (${example}): import it again with dateOrder "${other}"`;
}

/** "95", "1:35", "00:01:35" → seconds. */
export function parseDuration(raw: string): number | undefined {
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(raw.trim());
  if (clock) return +(clock[1] ?? 0) * 3600 + +clock[2]! * 60 + +clock[3]!;
  const value = parseLooseNumber(raw.replace(/\s*(s|sec|secondes?|seconds?)$/i, ''));
  return value !== undefined && value >= 0 ? Math.round(value) : undefined;
}
