import type { InteractionType } from '../../db/schema';
import type { Contribution } from './fit';

/**
 * Engagement from the interaction log: each signal is worth points that halve every `halfLifeDays` (30 by
 * default), so last week's reply counts more than last spring's. Negative signals count too: bounces,
 * opt-outs, complaints, refusals, and unanswered calls once they pile up.
 */

export interface EngagementEvent {
  type: InteractionType;
  occurredAt: Date;
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
/** How an outcome is read: a refusal, an answered call. */
const refused = /refus/i;
const answered = /answer|repondu/i;

const UNANSWERED_POINTS = -3;
const FREE_UNANSWERED = 2;
const REFUSED_POINTS = -15;

export interface EngagementResult {
  /** Sum of the decayed points. */
  points: number;
  /** 0–100 through a soft ceiling: 25 decayed points give 63, 75 give 95. */
  score: number;
  contributions: Contribution[];
}

export function engagementScore(
  events: EngagementEvent[],
  now: Date,
  options: { halfLifeDays?: number } = {},
): EngagementResult {
  const halfLife = (options.halfLifeDays ?? 30) * 86_400_000;
  const decay = (at: Date) => 0.5 ** (Math.max(0, now.getTime() - at.getTime()) / halfLife);
  // Whole days back, with a minute's grace: what happened 12 days ago to the minute is within the last 12.
  const daysSince = (at: Date) =>
    Math.max(1, Math.ceil((now.getTime() - at.getTime() - 60_000) / 86_400_000));
  const bySignal = new Map<string, { points: number; count: number; days: number }>();
  const add = (code: string, points: number, at: Date) => {
    const entry = bySignal.get(code) ?? { points: 0, count: 0, days: 0 };
    entry.points += points * decay(at);
    entry.count++;
    // How far back the counted events go: "3 clicks in the last 14 days".
    entry.days = Math.max(entry.days, daysSince(at));
    bySignal.set(code, entry);
  };
  const unanswered = events
    .filter((e) => e.type === 'call_attempted' && e.occurredAt <= now && !answered.test(e.outcome ?? ''))
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  // Unanswered calls count from the third on, in the order they were made.
  for (const call of unanswered.slice(FREE_UNANSWERED))
    add('engagement.unanswered_calls', UNANSWERED_POINTS, call.occurredAt);
  for (const event of events) {
    if (event.occurredAt > now) continue;
    if (refused.test(event.outcome ?? '')) add('engagement.refused', REFUSED_POINTS, event.occurredAt);
    const points = SIGNAL_POINTS[event.type];
    if (points !== undefined) add(`engagement.${event.type}`, points, event.occurredAt);
  }
  const contributions: Contribution[] = [...bySignal].map(([code, s]) => ({
    code,
    points: Math.round(s.points * 10) / 10,
    // Unanswered calls are told in full ("called 3 times in the last 15 days"), the free ones included.
    facts:
      code === 'engagement.unanswered_calls'
        ? { count: unanswered.length, days: daysSince(unanswered[0]!.occurredAt) }
        : { count: s.count, days: Math.max(1, s.days) },
  }));
  const points = contributions.reduce((sum, c) => sum + c.points, 0);
  const score = Math.round(100 * (1 - Math.exp(-Math.max(0, points) / 25)));
  return { points, score, contributions };
}
