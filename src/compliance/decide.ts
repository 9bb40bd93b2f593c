import { DAY, MINUTE } from '../lib/durations';
import type { DecisionFacts } from './decision-facts';
import { type Check, evaluate, type Subject } from './evaluate';
import { jurisdictionLabel, jurisdictionsOf } from './jurisdiction';
import type { Policy } from './policy';
import { REASON_MESSAGES, type ReasonCode } from './reasons';
import type { RulePack } from './rules/types';

export interface Reason {
  code: ReasonCode;
  message: { fr: string; en: string };
  rule: string;
  source: string;
  confidence: 'C' | 'S' | 'U' | 'policy';
}

export interface Decision {
  allowed: boolean;
  reasons: Reason[];
  /** The first instant from which the contact would be allowed, if waiting is enough; null otherwise. */
  nextAllowedAt: Date | null;
  jurisdiction: string | null;
  rules: string | null;
  zones: string[];
  /** What an allowed decision relied on: registry copy, consent, counts. */
  checked: Record<string, unknown>[];
}

/** How far ahead the next allowed instant is looked for. */
const HORIZON = 400 * DAY;

function reason(check: Check): Reason {
  return {
    code: check.code,
    message: REASON_MESSAGES[check.code],
    rule: check.rule,
    source: check.source,
    confidence: check.policy ? 'policy' : check.confidence,
  };
}

function refusal(zones: string[], code: ReasonCode, rule: string, source: string): Decision {
  return {
    allowed: false,
    reasons: [{ code, message: REASON_MESSAGES[code], rule, source, confidence: 'policy' }],
    nextAllowedAt: null,
    jurisdiction: null,
    rules: null,
    zones,
    checked: [],
  };
}

/**
 * May this person be contacted on this channel at `now`? Pure: the same facts, rules, policy and instant
 * always give the same answer. Refusals say why, with the rule and its source, and when waiting is
 * enough, the first instant from which the contact would be allowed.
 */
export function decide(facts: DecisionFacts, packs: RulePack[], policy: Policy, now: Date): Decision {
  const zones = facts.zones;
  let suppressed: DecisionFacts['suppressions'][number] | undefined;
  for (const s of facts.suppressions) {
    if (s.channel !== 'all' && s.channel !== facts.channel) continue;
    if (s.reason === 'erasure')
      return refusal(
        zones,
        'ERASED',
        'erasure (GDPR Art. 17)',
        `suppression ${s.id}, kept when the person's data was erased`,
      );
    suppressed ??= s;
  }
  if (suppressed)
    return refusal(
      zones,
      'SUPPRESSED',
      `suppression by ${suppressed.scope.replace('_', ' ')}`,
      `suppression ${suppressed.id} (GDPR Art. 21: an objection to direct marketing is absolute)`,
    );
  const point = facts.contactPoint;
  if (!point || point.status === 'invalid')
    return refusal(
      zones,
      'INVALID_CONTACT_POINT',
      'contact point',
      point ? 'marked invalid' : `no ${facts.channel === 'email' ? 'e-mail address' : 'phone number'}`,
    );
  if (facts.channel === 'sms' && point.phoneType === 'fixed_line')
    return refusal(
      zones,
      'INVALID_CONTACT_POINT',
      'contact point',
      'a fixed line cannot receive text messages',
    );
  const jurisdictions = jurisdictionsOf(facts);
  if (jurisdictions.length === 0 || zones.length === 0)
    return refusal(
      zones,
      'UNKNOWN_JURISDICTION',
      'jurisdiction',
      "neither the prospect's country nor the number's is known",
    );

  const subject: Subject = { facts, jurisdictions, policy, packs, rulesByDate: new Map() };
  const t0 = now.getTime();
  const first = evaluate(subject, t0);
  const allowed = first.failed.length === 0;
  return {
    allowed,
    reasons: dedupe(first.failed).map(reason),
    nextAllowedAt: allowed ? now : first.permanent ? null : nextAllowed(subject, first.retryAt, t0),
    jurisdiction: jurisdictions.map(jurisdictionLabel).join(' + '),
    rules: first.rules.map((r) => `${r.pack.id} ${r.pack.version}`).join(' + ') || null,
    zones,
    checked: allowed ? first.checked : [],
  };
}

function dedupe(checks: Check[]): Check[] {
  if (checks.length < 2) return checks;
  const seen = new Set<string>();
  return checks.filter((c) => {
    const key = `${c.code} ${c.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Walks forward from the latest of the earliest fixes until every rule passes at once. */
function nextAllowed(subject: Subject, from: number, now: number): Date | null {
  let t = Math.ceil(from / MINUTE) * MINUTE;
  for (let i = 0; i < 200 && t < now + HORIZON; i++) {
    const evaluation = evaluate(subject, t);
    if (evaluation.permanent) return null;
    if (evaluation.failed.length === 0) return new Date(t);
    t = Math.max(t + MINUTE, Math.ceil(evaluation.retryAt / MINUTE) * MINUTE);
  }
  return null;
}
