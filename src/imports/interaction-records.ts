import type { InteractionChannel, InteractionType } from '../../db/schema';
import {
  channelOfType,
  FUTURE_TOLERANCE_MS,
  parseChannel,
  parseInteractionType,
} from '../interactions/types';
import { type DateReading, forcedDayFirst, parseDateTime } from '../lib/dates';
import { isUuid } from '../lib/ids';
import { contactPointDraft } from '../prospects/drafts';
import { normalizeCountry, parseLooseNumber } from '../prospects/values';
import type { ColumnPlan } from './plan';
import { type RowResult, readRow, rejected } from './rows';

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
  contactPointId?: string;
}

export interface InteractionRowOptions {
  defaultCountry: string | null;
  dates: DateReading;
  now: Date;
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
  const email = row.one('email');
  const phone = row.one('phone');
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
  if (!rawType) return rejected(line, 'the event type is missing', 'type');
  const type = parseInteractionType(rawType);
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

  const rawDate = row.one('occurredAt');
  if (!rawDate) return rejected(line, 'the date is missing', 'occurredAt');
  const occurredAt = parseDateTime(rawDate, options.dates);
  if (!occurredAt)
    return rejected(
      line,
      `date "${rawDate}" is not a date (e.g. 2026-11-29T14:30 or 29/11/2026 14:30)`,
      'occurredAt',
    );
  if (occurredAt.getTime() > options.now.getTime() + FUTURE_TOLERANCE_MS) {
    return rejected(line, `date "${rawDate}" is in the future`, 'occurredAt');
  }

  const warning = orderWarning(rawDate, line, options);

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
  const outcome = row.one('outcome');
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
