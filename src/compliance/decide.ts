import {
  type ApplicableRule,
  type Jurisdiction,
  jurisdictionLabel,
  jurisdictionsOf,
  rulesFor,
} from './jurisdiction';
import type { Policy } from './policy';
import { REASON_MESSAGES, type ReasonCode } from './reasons';
import type {
  ContactChannel,
  LegalBasis,
  RegistryName,
  RuleCheck,
  RulePack,
  Slots,
  Sourced,
} from './rules/types';
import { isPublicHoliday, localTime } from './zones';

/** Everything a decision depends on, gathered by the caller; decide() itself reads no clock and no database. */
export interface DecisionFacts {
  channel: ContactChannel;
  /** The campaign's sector, for sector bans (energy_renovation…). */
  sector?: string | null;
  contactPoint: {
    id: string;
    value: string;
    status: 'valid' | 'invalid';
    country: string | null;
    phoneType?: string | null;
  } | null;
  prospect: {
    id: string;
    kind: 'b2b' | 'b2c';
    country: string | null;
    region: string | null;
    postalCode: string | null;
    companyId: string | null;
  };
  /** The callee's possible time zones; several when the number does not say which. */
  zones: string[];
  /** Active suppressions that match the contact point, the person, their company or their e-mail domain. */
  suppressions: { id: string; scope: string; channel: string; reason: string | null }[];
  consents: {
    id: string;
    channel: string;
    basis: LegalBasis;
    givenAt: Date;
    expiresAt: Date | null;
    withdrawnAt: Date | null;
  }[];
  /** The newest copy of each registry the organization holds, and whether the number is on it. */
  registries: Partial<Record<RegistryName, { snapshotId: string; asOf: string; listed: boolean }>>;
  /** Recent attempts that concern the person, the contact point or the company (flags say which). */
  attempts: {
    at: Date;
    channel: ContactChannel;
    person: boolean;
    contactPoint: boolean;
    company: boolean;
    refused: boolean;
  }[];
}

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

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead the next allowed instant is looked for. */
const HORIZON = 400 * DAY;

type Check = RuleCheck & { policy?: boolean };

interface Evaluation {
  failed: Check[];
  /** No waiting fixes it (suppression, no consent, stale registry…). */
  permanent: boolean;
  /** When waiting may fix every time-bound failure: the latest of their earliest fixes. */
  retryAt: number;
  checked: Record<string, unknown>[];
  rules: ApplicableRule[];
}

/** What stays the same while a decision looks for its next allowed instant. */
interface Subject {
  facts: DecisionFacts;
  jurisdictions: Jurisdiction[];
  policy: Policy;
  packs: RulePack[];
  /** The rules in force by local date, usually one. */
  rulesByDate: Map<string, ApplicableRule[]>;
}

const POLICY_SOURCE = "the organization's policy (GET /v1/policy)";

function lawCheck(rule: string, source: Sourced<unknown>, code: ReasonCode): Check {
  return { code, rule, source: source.source, confidence: source.confidence };
}

function policyCheck(rule: string, code: ReasonCode): Check {
  return { code, rule, source: POLICY_SOURCE, confidence: 'U', policy: true };
}

const parsedSlots = new Map<string, [number, number]>();

/** "10:00-13:00" as minutes since midnight, [600, 780]. */
function parseSlot(slot: string): [number, number] {
  let parsed = parsedSlots.get(slot);
  if (!parsed) {
    const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    parsed = [minutes(slot.slice(0, 5)), minutes(slot.slice(6, 11))];
    parsedSlots.set(slot, parsed);
  }
  return parsed;
}

function slotsOf(slots: Slots, weekday: number): string[] {
  return (slots as Record<number, string[] | undefined>)[weekday] ?? [];
}

/**
 * Whether `t` falls in one of the slots in every candidate zone, and if not, the earliest instant it
 * might: the latest of each failing zone's next slot start.
 */
function windowCheck(slots: Slots, zones: string[], t: number): { ok: boolean; next: number } {
  let ok = true;
  let next = t;
  for (const zone of zones) {
    const local = localTime(zone, t);
    let inside = false;
    for (const slot of slotsOf(slots, local.weekday)) {
      const [from, to] = parseSlot(slot);
      if (local.minute >= from && local.minute < to) inside = true;
    }
    if (inside) continue;
    ok = false;
    next = Math.max(next, nextSlotStart(slots, zone, t));
  }
  return { ok, next };
}

function nextSlotStart(slots: Slots, zone: string, t: number): number {
  let probe = t;
  for (let d = 0; d < 14; d++) {
    const local = localTime(zone, probe);
    const starts = slotsOf(slots, local.weekday)
      .map(parseSlot)
      .sort((a, b) => a[0] - b[0]);
    for (const [from, to] of starts) {
      const end = local.midnightUtc + to * MINUTE;
      if (end > t) return Math.max(local.midnightUtc + from * MINUTE, t);
    }
    probe = local.nextMidnightUtc;
  }
  return t + 14 * DAY;
}

/** The legal bases on record at `t` for the channel, and whether a consent was withdrawn. */
function validBases(facts: DecisionFacts, policy: Policy, t: number) {
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
function capRetry(
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
function cooldownUntil(facts: DecisionFacts, zone: string, days: number): number {
  let until = 0;
  for (const a of facts.attempts) {
    if (!a.refused || !a.person || a.channel !== facts.channel) continue;
    const midnight = localTime(zone, a.at.getTime()).midnightUtc;
    // Noon of day N + 1 is safely inside that day whatever the daylight-saving changes in between.
    until = Math.max(until, localTime(zone, midnight + (days + 1) * DAY + 12 * 3_600_000).midnightUtc);
  }
  return until;
}

function rulesAt(subject: Subject, date: string): ApplicableRule[] {
  let rules = subject.rulesByDate.get(date);
  if (!rules) {
    rules = rulesFor(
      subject.packs,
      subject.jurisdictions,
      subject.facts.channel,
      subject.facts.prospect.kind,
      date,
    );
    subject.rulesByDate.set(date, rules);
  }
  return rules;
}

/** Evaluates every rule of the law and of the policy at the instant `t`. */
function evaluate(subject: Subject, t: number): Evaluation {
  const { facts, policy } = subject;
  const failed: Check[] = [];
  const checked: Record<string, unknown>[] = [];
  let permanent = false;
  let retryAt = t;
  const zones = facts.zones;
  const here = localTime(zones[0]!, t);
  const rules = rulesAt(subject, here.date);
  const { bases, withdrawn } = validBases(facts, policy, t);

  for (const { pack, rule, jurisdiction } of rules) {
    const name = `${pack.id} ${pack.version} ${facts.channel}/${facts.prospect.kind}`;
    if (rule.requiresBasis) {
      const basis = rule.requiresBasis.value.find((b) => bases.has(b));
      if (basis) checked.push({ check: 'legal basis', rule: name, basis, consentId: bases.get(basis) });
      else {
        failed.push(lawCheck(name, rule.requiresBasis, withdrawn ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT'));
        permanent = true;
      }
    }
    if (
      rule.bannedSectors &&
      facts.sector &&
      rule.bannedSectors.value.includes(facts.sector) &&
      !bases.has('contract_in_progress')
    ) {
      failed.push(lawCheck(name, rule.bannedSectors, 'SECTOR_BANNED'));
      permanent = true;
    }
    for (const list of rule.registries ?? []) {
      const { name: registry, maxAgeDays } = list.value;
      const copy = facts.registries[registry];
      const exempt = rule.registryExemptions?.value.find((b) => bases.has(b));
      const age = copy
        ? Math.round((Date.parse(here.date) - Date.parse(copy.asOf)) / DAY)
        : Number.POSITIVE_INFINITY;
      if (!copy || age > maxAgeDays) {
        failed.push(lawCheck(name, list, 'REGISTRY_STALE'));
        permanent = true;
      } else if (copy.listed && !exempt) {
        failed.push(lawCheck(name, list, 'REGISTRY_LISTED'));
        permanent = true;
      } else {
        checked.push({
          check: 'registry',
          rule: name,
          registry,
          snapshotId: copy.snapshotId,
          asOf: copy.asOf,
          ageDays: age,
          listed: copy.listed,
          ...(exempt ? { exemption: exempt } : {}),
        });
      }
    }
    if (rule.holidays?.value) {
      for (const zone of zones) {
        const local = localTime(zone, t);
        if (isPublicHoliday(jurisdiction.holidayCountry, jurisdiction.holidayRegion, local.date)) {
          failed.push(lawCheck(name, rule.holidays, 'HOLIDAY'));
          retryAt = Math.max(retryAt, local.nextMidnightUtc);
          break;
        }
      }
    }
    if (rule.window) {
      const window = windowCheck(rule.window.value, zones, t);
      if (!window.ok) {
        failed.push(lawCheck(name, rule.window, 'OUTSIDE_WINDOW'));
        retryAt = Math.max(retryAt, window.next);
      }
    }
    for (const cap of rule.caps ?? []) {
      const { used, retryAt: capAt } = capRetry(
        facts.attempts,
        cap.value.callsAndTexts ? 'phone+sms' : facts.channel,
        cap.value.per,
        cap.value.max,
        cap.value.windowMinutes * MINUTE,
        t,
      );
      if (capAt) {
        failed.push(lawCheck(name, cap, 'CAP_REACHED'));
        retryAt = Math.max(retryAt, capAt);
      } else
        checked.push({
          check: 'cap',
          rule: name,
          per: cap.value.per,
          used,
          max: cap.value.max,
          windowDays: cap.value.windowMinutes / 1440,
        });
    }
    if (rule.refusalCooldownDays) {
      const until = cooldownUntil(facts, zones[0]!, rule.refusalCooldownDays.value);
      if (until > t) {
        failed.push(lawCheck(name, rule.refusalCooldownDays, 'REFUSAL_COOLDOWN'));
        retryAt = Math.max(retryAt, until);
      }
    }
  }

  const policyWindow = policy.windows[facts.channel];
  if (policyWindow) {
    const window = windowCheck(policyWindow, zones, t);
    if (!window.ok) {
      failed.push(policyCheck(`policy ${facts.channel} hours`, 'OUTSIDE_WINDOW'));
      retryAt = Math.max(retryAt, window.next);
    }
  }
  if (policy.quietDays.weekdays.length > 0 || policy.quietDays.dates.length > 0) {
    for (const zone of zones) {
      const local = localTime(zone, t);
      if (policy.quietDays.weekdays.includes(local.weekday) || policy.quietDays.dates.includes(local.date)) {
        failed.push(policyCheck('policy quiet day', 'HOLIDAY'));
        retryAt = Math.max(retryAt, local.nextMidnightUtc);
        break;
      }
    }
  }
  for (const cap of policy.caps) {
    if (cap.channel !== 'any' && cap.channel !== facts.channel) continue;
    if (cap.scope === 'company' && !facts.prospect.companyId) continue;
    const { used, retryAt: capAt } = capRetry(
      facts.attempts,
      cap.channel,
      cap.scope,
      cap.max,
      cap.windowHours * 3_600_000,
      t,
    );
    if (capAt) {
      failed.push(
        policyCheck(
          `policy cap: ${cap.max} ${cap.channel === 'any' ? 'contacts' : cap.channel} per ${cap.scope.replace('_', ' ')} in ${cap.windowHours} h`,
          'CAP_REACHED',
        ),
      );
      retryAt = Math.max(retryAt, capAt);
    } else
      checked.push({
        check: 'cap',
        rule: 'policy',
        per: cap.scope,
        channel: cap.channel,
        used,
        max: cap.max,
        windowHours: cap.windowHours,
      });
  }
  if (policy.pressureBudget) {
    const { max, windowDays } = policy.pressureBudget;
    const { used, retryAt: capAt } = capRetry(facts.attempts, 'any', 'person', max, windowDays * DAY, t);
    if (capAt) {
      failed.push(
        policyCheck(`policy pressure budget: ${max} contacts in ${windowDays} days`, 'PRESSURE_BUDGET'),
      );
      retryAt = Math.max(retryAt, capAt);
    } else checked.push({ check: 'pressure budget', used, max, windowDays });
  }
  const policyCooldown = policy.refusalCooldownDays[facts.channel];
  if (policyCooldown) {
    const until = cooldownUntil(facts, zones[0]!, policyCooldown);
    if (until > t) {
      failed.push(policyCheck(`policy cooldown: ${policyCooldown} days after a refusal`, 'REFUSAL_COOLDOWN'));
      retryAt = Math.max(retryAt, until);
    }
  }
  return { failed, permanent, retryAt, checked, rules };
}

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
