/**
 * What a person's record says at an instant: the legal bases in force, the attempts inside a rolling
 * window, and the end of a cooldown after a refusal.
 */

import { DAY } from '../lib/durations';
import type { DecisionFacts } from './decision-facts';
import type { Policy } from './policy';
import type { ContactChannel, LegalBasis } from './rules/types';
import { localTime } from './zones';

/** The legal bases on record at `t` for the channel, and whether a consent was withdrawn. */
export function validBases(facts: DecisionFacts, policy: Policy, t: number) {
  const bases = new Map<LegalBasis, string>();
  let withdrawn = false;
  // Withdrawing consent withdraws it, whichever record of it the withdrawal was filed against: every
  // consent given before the latest withdrawal ends with it.
  let lastWithdrawal = Number.NEGATIVE_INFINITY;
  for (const c of facts.consents) {
    if (c.basis !== 'consent' || (c.channel !== facts.channel && c.channel !== 'all')) continue;
    if (c.withdrawnAt && c.withdrawnAt.getTime() <= t)
      lastWithdrawal = Math.max(lastWithdrawal, c.withdrawnAt.getTime());
  }
  for (const c of facts.consents) {
    if (c.channel !== facts.channel && c.channel !== 'all') continue;
    if (c.givenAt.getTime() > t) continue;
    if (c.withdrawnAt && c.withdrawnAt.getTime() <= t) {
      withdrawn = true;
      continue;
    }
    if (c.expiresAt && c.expiresAt.getTime() <= t) continue;
    if (!c.expiresAt && c.basis === 'existing_customer') {
      if (c.givenAt.getTime() + policy.existingCustomerMaxAgeDays * DAY <= t) continue;
    }
    if (c.basis === 'consent') {
      if (c.givenAt.getTime() <= lastWithdrawal) {
        withdrawn = true;
        continue;
      }
      if (c.givenAt.getTime() + policy.consentMaxAgeDays * DAY <= t) continue;
      // A refusal during a call ends a consent given before it (regulation.md §1, FR from 11 Aug 2026).
      if (refusedSince(facts, c.givenAt.getTime(), t)) {
        withdrawn = true;
        continue;
      }
    }
    if (!bases.has(c.basis)) bases.set(c.basis, c.id);
  }
  return { bases, withdrawn };
}

function refusedSince(facts: DecisionFacts, from: number, t: number): boolean {
  for (const a of facts.attempts) {
    if (a.refused && a.person && a.channel === facts.channel && a.at.getTime() >= from && a.at.getTime() <= t)
      return true;
  }
  return false;
}

type Scope = 'person' | 'contact_point' | 'company';

/**
 * Attempts in the rolling window before `t` on the channel (or any) and scope. When they reach `max`,
 * the instant at which enough of them have left the window for one more; otherwise 0.
 */
export function capRetry(
  attempts: DecisionFacts['attempts'],
  channel: ContactChannel | 'any' | 'phone+sms',
  scope: Scope,
  max: number,
  window: number,
  t: number,
): { used: number; retryAt: number } {
  const times: number[] = [];
  for (const a of attempts) {
    if (channel === 'phone+sms' ? a.channel === 'email' : channel !== 'any' && a.channel !== channel)
      continue;
    if (scope === 'person' ? !a.person : scope === 'company' ? !a.company : !a.contactPoint) continue;
    const at = a.at.getTime();
    if (at > t - window && at <= t) times.push(at);
  }
  if (times.length < max) return { used: times.length, retryAt: 0 };
  times.sort((a, b) => a - b);
  // With `max` allowed, the (n - max + 1)th oldest must leave the window before one more fits.
  return { used: times.length, retryAt: times[times.length - max]! + window + 1 };
}

/** "Soixante jours calendaires révolus": a refusal on day 0 allows a new attempt from local midnight of day N + 1. */
export function cooldownUntil(facts: DecisionFacts, zone: string, days: number): number {
  let until = 0;
  for (const a of facts.attempts) {
    if (!a.refused || !a.person || a.channel !== facts.channel) continue;
    const midnight = localTime(zone, a.at.getTime()).midnightUtc;
    // Noon of day N + 1 is safely inside that day whatever the daylight-saving changes in between.
    until = Math.max(until, localTime(zone, midnight + (days + 1) * DAY + 12 * 3_600_000).midnightUtc);
  }
  return until;
}
