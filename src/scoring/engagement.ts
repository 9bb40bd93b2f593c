import type { InteractionType } from '../../db/schema';
import { asksNoContact } from '../interactions/types';
import { fold } from '../prospects/fold';
import type { Contribution } from './fit';

/**
 * Engagement from the interaction log: each signal is worth points that halve every `halfLifeDays` (30 by
 * default), so last week's reply counts more than last spring's. Negative signals count too: bounces,
 * refusals, and unanswered calls once they pile up. An opt-out or a complaint does not fade: it stands
 * until the person comes back of their own accord (writes, asks, books, buys), and only then decays.
 */

export interface EngagementEvent {
  type: InteractionType;
  /** When it happened, in milliseconds since the epoch. */
  at: number;
  outcome?: string | null;
}

/** Points of a fresh signal. Calls without an answer are counted apart: the first two are free. */
export const SIGNAL_POINTS: Partial<Record<InteractionType, number>> = {
  email_opened: 1,
  email_clicked: 3,
  email_replied: 8,
  sms_replied: 6,
  call_answered: 5,
  meeting_booked: 15,
  meeting_held: 12,
  web_visit: 2,
  form_submitted: 10,
  purchase: 10,
  email_bounced: -5,
  opt_out: -40,
  complaint: -50,
};
/**
 * How an outcome is read, by the words it contains, compared folded (fold(): case, accents and punctuation
 * aside, so that "NON INTERESSE", "non-intéressée" and `not_interested` read alike), each word or phrase
 * from the start of a word and as its beginning ("refus" finds refus, refusé, refusée, refused, refusal):
 * a refusal; an answered call, unless its words say that nobody picked up ("no_answer", as the service logs
 * an attempt nobody picked up, "Ne répond pas, rappeler demain", "NRP - à rappeler"). Each distinct outcome
 * is read once (readingOf). A refusal is someone who picked up: never an unanswered call.
 */
export const OUTCOME_WORDS = {
  refused: [
    'refus',
    'not interested',
    'no interest',
    'uninterested',
    'disinterested',
    'pas interess',
    'non interess',
    'desinteress',
    'aucun interet',
    'pas d interet',
    'pas de besoin',
    'pas besoin',
    'no need',
    'deja equipe',
    'ne plus appeler',
    'remove from list',
  ],
  /**
   * Refusals only as whole words of the outcome as written: "stop" is one, "non-stop", "STOP_SMS" or
   * "stopped at the desk" are not. A word is whole when no letter, digit, "_" or "-" touches it.
   */
  refusedWholeWords: ['stop'],
  /**
   * Words of a call someone picked up: answered, a meeting set, a call back asked for, hung up on, an
   * interest or a consent given ("consent_given", as the service's attempts log it).
   */
  answered: [
    'answer',
    'repondu',
    'decroche',
    'rdv',
    'rendez vous',
    'meeting',
    'rappeler',
    'call back',
    'callback',
    'hung up',
    'raccroch',
    'interested',
    'interess',
    'consent',
  ],
  /** Words that say nobody picked up, whatever else the outcome says ("Absent, rappeler lundi"). */
  unanswered: [
    'no answer',
    'unanswer',
    'not answer',
    'no reply',
    'non repondu',
    'pas repondu',
    'ne repond pas',
    'repond pas',
    'pas de reponse',
    'sans reponse',
    'nrp',
    'voicemail',
    'messagerie',
    'repondeur',
    'injoignable',
    'pas joignable',
    'non joignable',
    'unreachable',
    'not reached',
    'absent',
    'indisponible',
    'not available',
    'pas decroche',
    'ne decroche pas',
    'ligne occupee',
    'busy',
    'faux numero',
    'numero errone',
    'wrong number',
  ],
} as const;
const escaped = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Any of the words, from the start of a word of folded text. */
const startsAWord = (words: readonly string[]) => new RegExp(`(?:^| )(?:${words.map(escaped).join('|')})`);
// \b knows only ASCII letters: a word is whole when no letter or digit of any script touches it.
const wholeRefusal = new RegExp(
  OUTCOME_WORDS.refusedWholeWords
    .map((w) => `(?<![\\p{L}\\p{N}_-])${escaped(w)}(?![\\p{L}\\p{N}_-])`)
    .join('|'),
  'iu',
);
const refusedWords = startsAWord(OUTCOME_WORDS.refused);
const answeredWords = startsAWord(OUTCOME_WORDS.answered);
const unansweredWords = startsAWord(OUTCOME_WORDS.unanswered);

/** Whether an outcome says the call was answered. */
export function answered(outcome: string | null | undefined): boolean {
  if (!outcome) return false;
  const words = fold(outcome);
  return answeredWords.test(words) && !unansweredWords.test(words);
}

/** Whether an outcome says the person refused: "Refusé", "Non intéressée", "STOP". */
export function refusal(outcome: string | null | undefined): boolean {
  return !!outcome && (refusedWords.test(fold(outcome)) || wholeRefusal.test(outcome));
}

/** How an outcome reads: a refusal, an answered call, a do-not-call (asksNoContact). */
interface Reading {
  refused: boolean;
  answered: boolean;
  noContact: boolean;
}
const NO_OUTCOME: Reading = { refused: false, answered: false, noContact: false };
/**
 * The readings of the outcomes met so far, each made once: a rescoring meets a call log's few dispositions
 * on a million calls, and their regular expressions cost more than the rest of the event's scoring. Up
 * to a bound: free text fills it, and it is emptied then.
 */
const READINGS = new Map<string, Reading>();
const READINGS_KEPT = 10_000;
/** Empties the readings kept (a rescoring's thread, its segment walked). */
export function forgetOutcomeReadings(): void {
  READINGS.clear();
}

function readingOf(outcome: string | null | undefined): Reading {
  if (!outcome) return NO_OUTCOME;
  let reading = READINGS.get(outcome);
  if (reading === undefined) {
    reading = { refused: refusal(outcome), answered: answered(outcome), noContact: asksNoContact(outcome) };
    // Full (free text, say), it starts again rather than stop keeping the dispositions that follow.
    if (READINGS.size >= READINGS_KEPT) READINGS.clear();
    READINGS.set(outcome, reading);
  }
  return reading;
}

/**
 * The type an event counts as: a call whose outcome is "Ne pas rappeler" or "do_not_contact" is the
 * person's opt-out, as the interaction service honours it, not a refusal that fades in a few months.
 */
function countedType(event: EngagementEvent, reading: Reading): InteractionType {
  const { type } = event;
  if (type === 'opt_out' || type === 'complaint') return type;
  return reading.noContact ? 'opt_out' : type;
}

/** What an event tells, as engagement and the model count it (readEvent). */
export interface EventReading {
  /** The type it counts as (countedType), whatever the outcome. */
  type: InteractionType;
  /** The signal it counts as, if any: an attempt someone picked up is an answered call; a refused call is none. */
  signal: InteractionType | undefined;
  /** Its outcome is a refusal (not a do-not-call, which is the opt-out it counts as). */
  refused: boolean;
  /** A call or voicemail nobody answered. */
  unanswered: boolean;
}

/**
 * How an event counts. A call that ended in a refusal counts as the refusal alone, whichever way it was
 * logged; an attempt whose outcome says someone picked up ("Répondu") is the answered call a dialer logs;
 * a voicemail is a call nobody answered, as the service's own attempts log it.
 */
export function readEvent(event: EngagementEvent): EventReading {
  return readEventInto(event, { type: event.type, signal: undefined, refused: false, unanswered: false });
}

/**
 * Whether an event reaches a campaign's goal (its types), read as engagement reads it: an attempt someone
 * picked up reaches a goal of answered calls, a call that ended in a refusal does not, a meeting logged
 * with "Ne plus appeler" is the opt-out it asks for. The goal reached, the model's labels and its count of
 * successes all read events here.
 */
export function reachesGoal(event: EngagementEvent, goal: readonly string[]): boolean {
  return goalSignal(event, goal) !== undefined;
}

/** The goal's type an event reaches, as read (an answered attempt reaches call_answered), if it reaches one. */
export function goalSignal(event: EngagementEvent, goal: readonly string[]): InteractionType | undefined {
  if (!mayReachGoal(event.type, goal)) return undefined;
  const { signal } = readEvent(event);
  return signal !== undefined && goal.includes(signal) ? signal : undefined;
}

/** Whether events logged as `type` may reach the goal, whatever their outcome: its types, and attempts for answered calls. */
export const mayReachGoal = (type: string, goal: readonly string[]): boolean =>
  goal.includes(type) || (type === 'call_attempted' && goal.includes('call_answered'));

/** readEvent into a reading given: engagement reads every event of a million people into one. */
function readEventInto(event: EngagementEvent, into: EventReading): EventReading {
  const reading = readingOf(event.outcome);
  const type = countedType(event, reading);
  // A do-not-call counts as the opt-out it is, not also as a refusal.
  const refused = type === event.type && reading.refused;
  const call = type === 'call_attempted' || type === 'call_answered';
  into.type = type;
  into.signal =
    call && refused ? undefined : type === 'call_attempted' && reading.answered ? 'call_answered' : type;
  into.refused = refused;
  into.unanswered = (type === 'call_attempted' || type === 'voicemail_left') && !refused && !reading.answered;
  return into;
}

/** Signals that stand until the person comes back, whatever their age. */
const STANDING: Partial<Record<InteractionType, true>> = { opt_out: true, complaint: true };
/** What a person does of their own accord that lifts an opt-out or a complaint made before. */
const COMES_BACK: Partial<Record<InteractionType, true>> = {
  email_replied: true,
  sms_replied: true,
  form_submitted: true,
  meeting_booked: true,
  meeting_held: true,
  purchase: true,
};

/** Signals of a conversation: after one, the unanswered calls before it no longer pile up. */
const CONVERSATION: Partial<Record<InteractionType, true>> = {
  call_answered: true,
  email_replied: true,
  sms_replied: true,
  meeting_booked: true,
  meeting_held: true,
};

/** The reason code of each signal, made once: "engagement.email_clicked". */
const SIGNAL_CODES = Object.fromEntries(
  Object.keys(SIGNAL_POINTS).map((type) => [type, `engagement.${type}`]),
) as Partial<Record<InteractionType, string>>;

/**
 * What engagement tallies, by index: each signal, then refusals, then unanswered calls. A person's tallies
 * are kept in arrays of the module, emptied as the next person starts, rather than a map and an object a code:
 * a rescoring tallies ten million events.
 */
const TALLIED = [
  ...Object.values(SIGNAL_CODES),
  'engagement.refused',
  'engagement.unanswered_calls',
] as string[];
const TALLY_OF = new Map(Object.keys(SIGNAL_POINTS).map((type, i) => [type, i]));
const REFUSED_TALLY = TALLIED.length - 2;
const UNANSWERED_TALLY = TALLIED.length - 1;
const tallyPoints = new Float64Array(TALLIED.length);
const tallyCount = new Int32Array(TALLIED.length);
/** The oldest counted event of each, for "in the last N days". */
const tallyOldest = new Float64Array(TALLIED.length);
/** The tallies in the order they were first counted (the order of the reasons among equals). */
const tallyOrder = new Int8Array(TALLIED.length);
let tallied = 0;
const reading: EventReading = { type: 'email_sent', signal: undefined, refused: false, unanswered: false };

const UNANSWERED_POINTS = -3;
const FREE_UNANSWERED = 2;
const REFUSED_POINTS = -15;

export interface EngagementResult {
  /** Sum of the decayed points. */
  points: number;
  /** 0–100 through a soft ceiling: 25 decayed points give 63, 75 give 95. */
  score: number;
  contributions: Contribution[];
  /**
   * An opt-out or complaint the person has not come back from since, at its full points: taken off the
   * whole score, and the person is offered for contact last. Also among `contributions`, not in `points`.
   */
  standing?: Contribution;
}

/**
 * Whole days back, with an hour's grace: what happened 12 days and a few minutes ago is within the last 12.
 * Scoring reads events to the minute, floored, so the grace must be wider than a minute plus a request's time.
 */
const DAYS_GRACE_MS = 3_600_000;
export function daysSince(now: number, at: number): number {
  return Math.max(1, Math.ceil((now - at - DAYS_GRACE_MS) / 86_400_000));
}

/** Whole days ago, for "il y a 7 jours": seven days and six hours ago is seven days ago, not eight. */
export function daysAgo(now: number, at: number): number {
  return Math.max(0, Math.floor((now - at) / 86_400_000));
}

function tally(index: number, points: number, at: number): void {
  if (tallyCount[index] === 0) {
    tallyOrder[tallied++] = index;
    tallyPoints[index] = points;
    tallyOldest[index] = at;
  } else {
    tallyPoints[index] = tallyPoints[index]! + points;
    if (at < tallyOldest[index]!) tallyOldest[index] = at;
  }
  tallyCount[index] = tallyCount[index]! + 1;
}

// Written as plain loops without closures: rescoring runs it for every prospect of an organization.
export function engagementScore(
  events: EngagementEvent[],
  now: Date,
  options: { halfLifeDays?: number; since?: number } = {},
): EngagementResult {
  const halfLife = (options.halfLifeDays ?? 30) * 86_400_000;
  const end = now.getTime();
  let unanswered: number[] = [];
  // When the person last picked up, replied or met us.
  let talked = Number.NEGATIVE_INFINITY;
  let standing: { type: InteractionType; at: number; byCall?: true } | undefined;
  let cameBack = Number.NEGATIVE_INFINITY;
  const since = options.since ?? Number.NEGATIVE_INFINITY;
  // The last person's tallies emptied.
  for (let i = 0; i < tallied; i++) tallyCount[tallyOrder[i]!] = 0;
  tallied = 0;
  for (const event of events) {
    // An event dated a little ahead (the log takes up to a day: a dialer's local time written as UTC)
    // counts as happening now: left out, it would wait for a full rescoring to count at all.
    const at = Math.min(event.at, end);
    const { type, signal, refused, unanswered: unheard } = readEventInto(event, reading);
    // Whatever their age, opt-outs and what lifts them; the rest only since `since`.
    // An opt-out a call's outcome asked for ("Ne plus appeler") is told as such: it stops the phone.
    if (STANDING[type] && (!standing || at >= standing.at))
      standing = { type, at, ...(type !== event.type ? { byCall: true as const } : {}) };
    if (COMES_BACK[type] && at > cameBack) cameBack = at;
    if (at <= since) continue;
    const weight = 0.5 ** ((end - at) / halfLife);
    if (unheard) unanswered.push(at);
    if (refused) tally(REFUSED_TALLY, REFUSED_POINTS * weight, at);
    const index = signal === undefined ? undefined : TALLY_OF.get(signal);
    if (index !== undefined) tally(index, SIGNAL_POINTS[signal!]! * weight, at);
    if ((refused || (signal && CONVERSATION[signal])) && at > talked) talked = at;
  }
  // The last opt-out or complaint, unless the person came back after it: out of the decayed tallies,
  // at its full points. One they came back from decays with the rest.
  let stands: Contribution | undefined;
  if (standing && standing.at > cameBack) {
    const code = SIGNAL_CODES[standing.type]!;
    stands = {
      code,
      points: SIGNAL_POINTS[standing.type]!,
      facts: {
        days: daysSince(end, standing.at),
        ago: daysAgo(end, standing.at),
        standing: 1,
        ...(standing.byCall ? { call: 1 } : {}),
      },
      at: standing.at,
    };
  }
  // Unanswered calls count from the third on, in the order they were made, since the last time the
  // person talked or wrote back: calls that went unanswered before a conversation say nothing of now.
  if (talked > Number.NEGATIVE_INFINITY) unanswered = unanswered.filter((at) => at > talked);
  if (unanswered.length > FREE_UNANSWERED) {
    unanswered.sort((a, b) => a - b);
    for (let i = FREE_UNANSWERED; i < unanswered.length; i++) {
      const at = unanswered[i]!;
      tally(UNANSWERED_TALLY, UNANSWERED_POINTS * 0.5 ** ((end - at) / halfLife), at);
    }
  }
  const contributions: Contribution[] = [];
  let points = 0;
  const standingTally = stands ? TALLY_OF.get(standing!.type) : undefined;
  for (let i = 0; i < tallied; i++) {
    const index = tallyOrder[i]!;
    const count = tallyCount[index]!;
    if (index === standingTally) continue;
    const rounded = Math.round(tallyPoints[index]! * 10) / 10;
    points += rounded;
    // Unanswered calls are told in full ("called 3 times in the last 15 days"), the free ones included.
    const calls = index === UNANSWERED_TALLY;
    const since = calls ? unanswered[0]! : tallyOldest[index]!;
    contributions.push({
      code: TALLIED[index]!,
      points: rounded,
      facts: { count: calls ? unanswered.length : count, days: daysSince(end, since) },
      at: since,
    });
  }
  const score = Math.round(100 * (1 - Math.exp(-Math.max(0, points) / 25)));
  if (stands) contributions.push(stands);
  return { points, score, contributions, ...(stands ? { standing: stands } : {}) };
}
