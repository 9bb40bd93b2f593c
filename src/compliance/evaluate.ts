/**
 * Every rule of the law and of the policy checked at one instant: what fails, whether waiting can fix it
 * and from when, and what an allowed contact relied on.
 */

import { DAY, MINUTE } from '../lib/durations';
import { windowCheck } from './calling-window';
import { capRetry, cooldownUntil, validBases } from './contact-history';
import type { DecisionFacts } from './decision-facts';
import { type ApplicableRule, type Jurisdiction, rulesFor } from './jurisdiction';
import type { Policy } from './policy';
import type { ReasonCode } from './reasons';
import type { RuleCheck, RulePack, Sourced } from './rules/types';
import { isPublicHoliday, localTime } from './zones';

export type Check = RuleCheck & { policy?: boolean };

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
export interface Subject {
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
export function evaluate(subject: Subject, t: number): Evaluation {
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
