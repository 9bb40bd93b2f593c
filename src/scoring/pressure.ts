import type { InteractionType } from '../../db/schema';
import type { EngagementEvent } from './engagement';

/** What the organization sent or tried: the touches that tire a person, whatever came of them. */
const TOUCHES = new Set<InteractionType>([
  'email_sent',
  'sms_sent',
  'call_attempted',
  // An answered call is a call made all the same (the service logs an answered attempt as this alone).
  'call_answered',
  'voicemail_left',
  'linkedin_message',
]);

export interface Pressure {
  /** Touches in the window. */
  touches: number;
  /** Points taken off the score for the ranking: the more and the more recent, the more. */
  penalty: number;
}

/**
 * Recent contact pressure: each touch of the last `windowDays` (14) costs up to `perTouch` points (6),
 * less as it ages through the window, and at most `max` (40) in all. Warm and rested people come before
 * warm and tired ones; the score itself is unchanged.
 */
export function contactPressure(
  events: EngagementEvent[],
  now: Date,
  options: { windowDays?: number; perTouch?: number; max?: number } = {},
): Pressure {
  const window = (options.windowDays ?? 14) * 86_400_000;
  const perTouch = options.perTouch ?? 6;
  let touches = 0;
  let penalty = 0;
  for (const event of events) {
    if (!TOUCHES.has(event.type)) continue;
    // A touch dated a little ahead (see engagementScore) is a touch now.
    const age = Math.max(0, now.getTime() - event.at);
    if (age > window) continue;
    touches++;
    penalty += perTouch * (1 - age / window / 2);
  }
  return { touches, penalty: Math.round(Math.min(options.max ?? 40, penalty)) };
}

/** The order offered for contact: the score less the pressure, never below 0. */
export function rankFor(score: number, pressure: Pressure): number {
  return Math.max(0, score - pressure.penalty);
}
