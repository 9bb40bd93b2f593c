import Holidays from 'date-holidays';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/compliance/decide';
import type { DecisionFacts } from '../../src/compliance/decision-facts';
import { DEFAULT_POLICY, type Policy } from '../../src/compliance/policy';
import { RULE_PACKS } from '../../src/compliance/rules/packs';
import { calleeTimeZones } from '../../src/compliance/zones';

const DAY = 86_400_000;
const FROM = Date.parse('2025-06-01T00:00:00Z');
const TO = Date.parse('2027-06-01T00:00:00Z');

/** Paris wall clock, computed independently of the code under test. */
function paris(t: number) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday as string,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const frenchHolidays = new Set(
  [2025, 2026, 2027].flatMap((y) =>
    new Holidays('FR')
      .getHolidays(y)
      .filter((h) => h.type === 'public')
      .map((h) => h.date.slice(0, 10)),
  ),
);

const attemptArb = (instant: number) =>
  fc
    .record({
      ago: fc.integer({ min: 1, max: 90 * 24 * 60 }), // minutes before the instant
      channel: fc.constantFrom('phone' as const, 'phone' as const, 'sms' as const, 'email' as const),
      person: fc.boolean(),
      contactPoint: fc.boolean(),
      company: fc.boolean(),
      refused: fc.boolean(),
    })
    .map((a) => ({ ...a, at: new Date(instant - a.ago * 60_000) }));

const scenario = fc.integer({ min: FROM, max: TO }).chain((instant) =>
  fc.record({
    instant: fc.constant(instant),
    attempts: fc.array(attemptArb(instant), { maxLength: 12 }),
    basis: fc.constantFrom('consent' as const, 'contract_in_progress' as const),
    registryAgeDays: fc.integer({ min: 0, max: 29 }),
  }),
);

function frenchConsumer(s: {
  instant: number;
  attempts: DecisionFacts['attempts'];
  basis: 'consent' | 'contract_in_progress';
  registryAgeDays: number;
}): DecisionFacts {
  const asOf = new Date(s.instant - s.registryAgeDays * DAY).toISOString().slice(0, 10);
  return {
    channel: 'phone',
    contactPoint: { id: 'cp', value: '+33612345678', status: 'valid', country: 'FR', phoneType: 'mobile' },
    prospect: { id: 'p', kind: 'b2c', country: 'FR', region: null, postalCode: '69003', companyId: null },
    zones: ['Europe/Paris'],
    suppressions: [],
    consents: [
      {
        id: 'c',
        channel: 'phone',
        basis: s.basis,
        givenAt: new Date(FROM - DAY),
        expiresAt: null,
        withdrawnAt: null,
      },
    ],
    registries: { bloctel: { snapshotId: 'b', asOf, listed: false } },
    attempts: s.attempts,
  };
}

const policy: Policy = { ...DEFAULT_POLICY, consentMaxAgeDays: 3650 };

describe('decide: properties for French consumers', () => {
  it('never allows a fifth phone attempt within 30 days', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const facts = frenchConsumer(s);
        const decision = decide(facts, RULE_PACKS, policy, new Date(s.instant));
        const recent = s.attempts.filter(
          (a) => a.person && a.channel === 'phone' && a.at.getTime() > s.instant - 30 * DAY,
        ).length;
        if (recent >= 4) expect(decision.allowed).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('allows nothing outside 10:00–13:00 and 14:00–20:00 on working days, on a holiday, or within 60 days of a refusal', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const decision = decide(frenchConsumer(s), RULE_PACKS, policy, new Date(s.instant));
        if (!decision.allowed) return;
        const local = paris(s.instant);
        expect(['Sat', 'Sun']).not.toContain(local.weekday);
        expect(frenchHolidays.has(local.date)).toBe(false);
        expect(
          (local.minutes >= 600 && local.minutes < 780) || (local.minutes >= 840 && local.minutes < 1200),
        ).toBe(true);
        for (const a of s.attempts.filter((x) => x.refused && x.person && x.channel === 'phone')) {
          const days = (Date.parse(local.date) - Date.parse(paris(a.at.getTime()).date)) / DAY;
          expect(days).toBeGreaterThanOrEqual(61);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('gives a next allowed instant that is itself allowed, and not before the decision', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const facts = frenchConsumer(s);
        const decision = decide(facts, RULE_PACKS, policy, new Date(s.instant));
        if (!decision.nextAllowedAt) return;
        expect(decision.nextAllowedAt.getTime()).toBeGreaterThanOrEqual(s.instant);
        expect(decide(facts, RULE_PACKS, policy, decision.nextAllowedAt).allowed).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

const places = [
  { phone: '+33612345678', country: 'FR', registry: 'bloctel' as const },
  { phone: '+12135550123', country: 'US', registry: 'us-dnc' as const },
  { phone: '+13055550123', country: 'US', registry: 'us-dnc' as const },
  { phone: '+18005550123', country: 'US', registry: 'us-dnc' as const },
  { phone: '+16045550123', country: 'CA', registry: 'ca-dncl' as const },
  { phone: '+447700900123', country: 'GB', registry: 'tps' as const },
  { phone: '+4915112345678', country: 'DE', registry: undefined },
  { phone: '+393123456789', country: 'IT', registry: undefined },
];

const slotArb = fc
  .tuple(fc.integer({ min: 0, max: 46 }), fc.integer({ min: 1, max: 8 }))
  .map(([start, length]) => {
    const hhmm = (half: number) =>
      `${String(Math.floor(half / 2)).padStart(2, '0')}:${half % 2 ? '30' : '00'}`;
    return `${hhmm(start)}-${hhmm(Math.min(48, start + length))}`;
  });

const policyArb: fc.Arbitrary<Policy> = fc.record({
  caps: fc.array(
    fc.record({
      channel: fc.constantFrom('phone' as const, 'sms' as const, 'email' as const, 'any' as const),
      scope: fc.constantFrom('contact_point' as const, 'person' as const, 'company' as const),
      max: fc.integer({ min: 1, max: 5 }),
      windowHours: fc.integer({ min: 1, max: 24 * 30 }),
    }),
    { maxLength: 3 },
  ),
  pressureBudget: fc.option(
    fc.record({ max: fc.integer({ min: 1, max: 6 }), windowDays: fc.integer({ min: 1, max: 30 }) }),
    { nil: null },
  ),
  windows: fc
    .option(
      fc.dictionary(
        fc.constantFrom('1', '2', '3', '4', '5', '6'),
        fc.array(slotArb, { minLength: 1, maxLength: 2 }),
      ),
      { nil: undefined },
    )
    .map((w) => (w ? { phone: w } : {})),
  quietDays: fc.record({
    weekdays: fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 2 }),
    dates: fc.constant([]),
  }),
  consentMaxAgeDays: fc.constant(3650),
  existingCustomerMaxAgeDays: fc.constant(548),
  refusalCooldownDays: fc
    .option(fc.integer({ min: 1, max: 90 }), { nil: undefined })
    .map((d) => (d ? { phone: d } : {})),
  retentionDays: fc.constant(1095),
});

describe('decide: properties in every jurisdiction and under any policy', () => {
  it('gives a next allowed instant that is itself allowed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO }).chain((instant) =>
          fc.record({
            instant: fc.constant(instant),
            place: fc.constantFrom(...places),
            kind: fc.constantFrom('b2b' as const, 'b2c' as const),
            attempts: fc.array(attemptArb(instant), { maxLength: 10 }),
            policy: policyArb,
          }),
        ),
        ({ instant, place, kind, attempts, policy }) => {
          const facts: DecisionFacts = {
            channel: 'phone',
            contactPoint: {
              id: 'cp',
              value: place.phone,
              status: 'valid',
              country: place.country,
              phoneType: 'mobile',
            },
            prospect: {
              id: 'p',
              kind,
              country: place.country,
              region: null,
              postalCode: null,
              companyId: 'co',
            },
            zones: calleeTimeZones({ phone: place.phone, country: place.country }),
            suppressions: [],
            consents: [
              {
                id: 'c',
                channel: 'phone',
                basis: 'consent',
                givenAt: new Date(FROM - DAY),
                expiresAt: null,
                withdrawnAt: null,
              },
            ],
            registries: place.registry
              ? {
                  [place.registry]: {
                    snapshotId: 'r',
                    asOf: new Date(instant).toISOString().slice(0, 10),
                    listed: false,
                  },
                }
              : {},
            attempts,
          };
          const decision = decide(facts, RULE_PACKS, policy, new Date(instant));
          if (decision.allowed) expect(decision.nextAllowedAt?.getTime()).toBe(instant);
          if (!decision.nextAllowedAt) return;
          const later = decide(facts, RULE_PACKS, policy, decision.nextAllowedAt);
          expect(later.reasons).toEqual([]);
        },
      ),
      { numRuns: 1500 },
    );
    // About 9 s on an idle machine: CPU-bound, so a busy one may take several times that without hanging.
  }, 120_000);
});
