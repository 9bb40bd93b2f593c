import { describe, expect, it } from 'vitest';
import { decide } from '../../src/compliance/decide';
import type { DecisionFacts } from '../../src/compliance/decision-facts';
import { DEFAULT_POLICY, type Policy } from '../../src/compliance/policy';
import { RULE_PACKS } from '../../src/compliance/rules/packs';
import { normalizeSector } from '../../src/compliance/schemas';
import { calleeTimeZones } from '../../src/compliance/zones';

type Overrides = Partial<Omit<DecisionFacts, 'prospect' | 'contactPoint'>> & {
  prospect?: Partial<DecisionFacts['prospect']>;
  contactPoint?: Partial<NonNullable<DecisionFacts['contactPoint']>> | null;
};

const FRESH_BLOCTEL = { bloctel: { snapshotId: 'snap-1', asOf: '2026-11-20', listed: false } };

/** A French consumer with a mobile, a fresh Bloctel copy and nothing else on record. */
function frenchConsumer(overrides: Overrides = {}): DecisionFacts {
  const contactPoint =
    overrides.contactPoint === null
      ? null
      : {
          id: 'cp-1',
          value: '+33612345678',
          status: 'valid' as const,
          country: 'FR',
          phoneType: 'mobile',
          ...overrides.contactPoint,
        };
  const prospect = {
    id: 'p-1',
    kind: 'b2c' as const,
    country: 'FR',
    region: null,
    postalCode: '75011',
    companyId: null,
    ...overrides.prospect,
  };
  return {
    channel: 'phone',
    sector: null,
    suppressions: [],
    consents: [],
    registries: FRESH_BLOCTEL,
    attempts: [],
    zones: calleeTimeZones({ phone: contactPoint?.value, country: prospect.country }),
    ...overrides,
    contactPoint,
    prospect,
  };
}

const at = (iso: string) => new Date(iso);
const codes = (facts: DecisionFacts, when: string, policy: Policy = DEFAULT_POLICY) =>
  decide(facts, RULE_PACKS, policy, at(when)).reasons.map((r) => r.code);
const consent = (basis: 'consent' | 'contract_in_progress', givenAt = '2026-09-01T10:00:00Z') => ({
  id: `consent-${basis}`,
  channel: 'phone',
  basis,
  givenAt: at(givenAt),
  expiresAt: null,
  withdrawnAt: null,
});

describe('decide: French consumers under the Bloctel regime (until 2026-08-10)', () => {
  it('refuses a mobile on a Tuesday at 13:30 Paris time and gives 14:00 as the next allowed instant', () => {
    // 2026-03-10 is a Tuesday; Paris is UTC+1 in March.
    const decision = decide(
      frenchConsumer({ registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } } }),
      RULE_PACKS,
      DEFAULT_POLICY,
      at('2026-03-10T12:30:00Z'),
    );
    expect(decision.allowed).toBe(false);
    expect(decision.reasons.map((r) => r.code)).toEqual(['OUTSIDE_WINDOW']);
    expect(decision.reasons[0]!.source).toContain('D.223-9');
    expect(decision.reasons[0]!.message.fr).toMatch(/heures/);
    expect(decision.nextAllowedAt).toEqual(at('2026-03-10T13:00:00Z'));
    expect(decision.jurisdiction).toBe('FR');
    expect(decision.rules).toBe('FR bloctel-2023-03-01');
  });

  it('refuses on 25 December and points at the next working day', () => {
    const facts = frenchConsumer({
      registries: { bloctel: { snapshotId: 's', asOf: '2025-12-20', listed: false } },
    });
    const decision = decide(facts, RULE_PACKS, DEFAULT_POLICY, at('2025-12-25T10:00:00Z'));
    expect(decision.reasons.map((r) => r.code)).toEqual(['HOLIDAY']);
    expect(decision.nextAllowedAt).toEqual(at('2025-12-26T09:00:00Z'));
  });

  it('allows an unlisted number within hours and says which snapshot it checked', () => {
    const decision = decide(
      frenchConsumer({
        registries: { bloctel: { snapshotId: 'snap-7', asOf: '2026-03-01', listed: false } },
      }),
      RULE_PACKS,
      DEFAULT_POLICY,
      at('2026-03-10T10:00:00Z'),
    );
    expect(decision.allowed).toBe(true);
    expect(decision.checked).toContainEqual(
      expect.objectContaining({ check: 'registry', registry: 'bloctel', snapshotId: 'snap-7', ageDays: 9 }),
    );
    expect(decision.checked).toContainEqual(expect.objectContaining({ check: 'cap', used: 0, max: 4 }));
  });

  it('refuses a listed number unless a contract is in progress', () => {
    const listed = { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: true } };
    expect(codes(frenchConsumer({ registries: listed }), '2026-03-10T10:00:00Z')).toEqual([
      'REGISTRY_LISTED',
    ]);
    expect(
      codes(
        frenchConsumer({
          registries: listed,
          consents: [consent('contract_in_progress', '2026-01-01T00:00:00Z')],
        }),
        '2026-03-10T10:00:00Z',
      ),
    ).toEqual([]);
  });

  it('refuses every French consumer call when the newest Bloctel snapshot is 31 days old, and says so for good', () => {
    const facts = frenchConsumer({
      registries: { bloctel: { snapshotId: 's', asOf: '2026-02-07', listed: false } },
    });
    const decision = decide(facts, RULE_PACKS, DEFAULT_POLICY, at('2026-03-10T10:00:00Z'));
    expect(decision.reasons.map((r) => r.code)).toEqual(['REGISTRY_STALE']);
    expect(decision.nextAllowedAt).toBeNull();
    // 30 days old is still within the limit.
    expect(
      codes(
        frenchConsumer({ registries: { bloctel: { snapshotId: 's', asOf: '2026-02-08', listed: false } } }),
        '2026-03-10T10:00:00Z',
      ),
    ).toEqual([]);
    expect(codes(frenchConsumer({ registries: {} }), '2026-03-10T10:00:00Z')).toEqual(['REGISTRY_STALE']);
  });

  it('refuses a fifth attempt in 30 days, counted over all the person’s numbers, until the oldest leaves the window', () => {
    const attempts = [
      '2026-03-02T10:00:00Z',
      '2026-03-03T10:00:00Z',
      '2026-03-04T10:00:00Z',
      '2026-03-05T10:00:00Z',
    ].map((t, i) => ({
      at: at(t),
      channel: 'phone' as const,
      person: true,
      contactPoint: i % 2 === 0,
      company: false,
      refused: false,
    }));
    const facts = frenchConsumer({
      attempts,
      registries: { bloctel: { snapshotId: 's', asOf: '2026-03-09', listed: false } },
    });
    const decision = decide(facts, RULE_PACKS, DEFAULT_POLICY, at('2026-03-10T10:00:00Z'));
    expect(decision.reasons.map((r) => r.code)).toEqual(['CAP_REACHED']);
    // Waiting is not enough when the registry copy will be too old by then.
    const aging = decide(
      { ...facts, registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } } },
      RULE_PACKS,
      DEFAULT_POLICY,
      at('2026-03-10T10:00:00Z'),
    );
    expect(aging.nextAllowedAt).toBeNull();
    // The first attempt leaves the 30-day window on 1 April at 10:00 UTC (12:00 Paris, within hours).
    expect(decision.nextAllowedAt).toEqual(at('2026-04-01T10:01:00Z'));
  });

  it('after an in-call refusal, refuses for 60 full days and allows day 61 from local midnight', () => {
    const refusal = {
      at: at('2026-01-05T15:00:00Z'),
      channel: 'phone' as const,
      person: true,
      contactPoint: true,
      company: false,
      refused: true,
    };
    const facts = frenchConsumer({
      attempts: [refusal],
      registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } },
    });
    // Day 60 after 5 January is 6 March; day 61 is 7 March, a Saturday, so the next allowed instant is Monday 9 March 10:00.
    expect(codes(facts, '2026-03-06T10:00:00Z')).toEqual(['REFUSAL_COOLDOWN']);
    expect(decide(facts, RULE_PACKS, DEFAULT_POLICY, at('2026-03-06T10:00:00Z')).nextAllowedAt).toEqual(
      at('2026-03-09T09:00:00Z'),
    );
    const facts2 = frenchConsumer({
      attempts: [{ ...refusal, at: at('2026-01-07T15:00:00Z') }],
      registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } },
    });
    // Refused on Wednesday 7 January: day 60 is Sunday 8 March, day 61 Monday 9 March.
    expect(codes(facts2, '2026-03-06T10:00:00Z')).toEqual(['REFUSAL_COOLDOWN']);
    expect(codes(facts2, '2026-03-09T09:00:00Z')).toEqual([]);
  });

  it('bans canvassing for energy renovation but under a contract in progress', () => {
    const facts = frenchConsumer({
      sector: 'energy_renovation',
      registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } },
    });
    expect(codes(facts, '2026-03-10T10:00:00Z')).toEqual(['SECTOR_BANNED']);
    expect(
      codes(
        { ...facts, consents: [consent('contract_in_progress', '2026-01-01T00:00:00Z')] },
        '2026-03-10T10:00:00Z',
      ),
    ).toEqual([]);
  });

  it('uses the holidays of Alsace–Moselle and of the overseas departments', () => {
    const registries = { bloctel: { snapshotId: 's', asOf: '2026-03-20', listed: false } };
    // Good Friday 2026 is 3 April: a holiday in Moselle, not in Paris.
    expect(
      codes(frenchConsumer({ registries, prospect: { postalCode: '57000' } }), '2026-04-03T10:00:00Z'),
    ).toEqual(['HOLIDAY']);
    expect(codes(frenchConsumer({ registries }), '2026-04-03T10:00:00Z')).toEqual([]);
    // 22 May is the abolition of slavery in Martinique; French law, Martinique's clock (UTC−4).
    const martinique = frenchConsumer({
      registries: { bloctel: { snapshotId: 's', asOf: '2026-05-20', listed: false } },
      contactPoint: { value: '+596696123456', country: 'MQ' },
      prospect: { country: 'MQ', postalCode: '97200' },
    });
    expect(martinique.zones).toEqual(['America/Martinique']);
    expect(codes(martinique, '2026-05-22T15:00:00Z')).toEqual(['HOLIDAY']);
    expect(
      codes(
        { ...martinique, prospect: { ...martinique.prospect, country: 'GP', postalCode: '97110' } },
        '2026-05-22T15:00:00Z',
      ),
    ).toEqual([]);
    expect(codes(martinique, '2026-05-26T12:00:00Z')).toEqual(['OUTSIDE_WINDOW']); // 08:00 in Fort-de-France
    expect(codes(martinique, '2026-05-26T15:00:00Z')).toEqual([]);
  });
});

describe('decide: French consumers from 11 August 2026 (consent only)', () => {
  it('refuses without consent, allows with a contract in progress or a recorded consent', () => {
    const when = '2026-12-01T10:00:00Z';
    expect(codes(frenchConsumer(), when)).toEqual(['NO_CONSENT']);
    expect(decide(frenchConsumer(), RULE_PACKS, DEFAULT_POLICY, at(when)).nextAllowedAt).toBeNull();
    const contract = decide(
      frenchConsumer({ consents: [consent('contract_in_progress')] }),
      RULE_PACKS,
      DEFAULT_POLICY,
      at(when),
    );
    expect(contract.allowed).toBe(true);
    expect(contract.rules).toBe('FR consent-2026-08-11');
    expect(contract.checked).toContainEqual(
      expect.objectContaining({
        check: 'legal basis',
        basis: 'contract_in_progress',
        consentId: 'consent-contract_in_progress',
      }),
    );
    expect(codes(frenchConsumer({ consents: [consent('consent')] }), when)).toEqual([]);
  });

  it('bans energy-renovation canvassing by e-mail and SMS too, however the campaign names its sector', () => {
    const when = '2026-12-01T10:00:00Z';
    const sector = normalizeSector('Rénovation énergétique');
    expect(sector).toBe('energy_renovation');
    const mail = { ...consent('consent'), channel: 'email' };
    const byMail = frenchConsumer({
      channel: 'email',
      sector,
      consents: [mail],
      contactPoint: { value: 'jean@exemple.fr', country: null, phoneType: null },
    });
    expect(codes(byMail, when)).toEqual(['SECTOR_BANNED']);
    expect(codes({ ...byMail, sector: 'insurance' }, when)).toEqual([]);
    const contract = { ...consent('contract_in_progress'), channel: 'email' };
    expect(codes({ ...byMail, consents: [mail, contract] }, when)).toEqual([]);
  });

  it('does not count a legitimate interest, a withdrawn consent, or one older than the policy allows', () => {
    const when = '2026-12-01T10:00:00Z';
    const legitimate = { ...consent('consent'), basis: 'legitimate_interest' as const };
    expect(codes(frenchConsumer({ consents: [legitimate] }), when)).toEqual(['NO_CONSENT']);
    const withdrawn = { ...consent('consent'), withdrawnAt: at('2026-11-01T00:00:00Z') };
    expect(codes(frenchConsumer({ consents: [withdrawn] }), when)).toEqual(['CONSENT_WITHDRAWN']);
    const old = consent('consent', '2025-11-01T00:00:00Z');
    expect(codes(frenchConsumer({ consents: [old] }), when)).toEqual(['NO_CONSENT']);
    expect(
      codes(frenchConsumer({ consents: [old] }), when, { ...DEFAULT_POLICY, consentMaxAgeDays: 730 }),
    ).toEqual([]);
  });

  it('keeps the hours, the cap and the cooldown under the new regime', () => {
    const facts = frenchConsumer({ consents: [consent('consent')] });
    expect(codes(facts, '2026-12-01T12:30:00Z')).toEqual(['OUTSIDE_WINDOW']); // 13:30 Paris
    expect(codes(facts, '2026-12-05T10:00:00Z')).toEqual(['OUTSIDE_WINDOW']); // Saturday
  });
});

describe('decide: French businesses', () => {
  const b2b = (overrides: Overrides = {}) =>
    frenchConsumer({
      registries: { bloctel: { snapshotId: 's', asOf: '2026-01-01', listed: true } },
      ...overrides,
      prospect: { kind: 'b2b', companyId: 'co-1', ...overrides.prospect },
    });

  it('does not check a business number against Bloctel, even stale and listed, nor ask for consent', () => {
    const decision = decide(b2b(), RULE_PACKS, DEFAULT_POLICY, at('2026-12-01T12:30:00Z'));
    expect(decision.allowed).toBe(true);
    expect(decision.checked.some((c) => c.check === 'registry')).toBe(false);
  });

  it('still applies the organization’s caps, per company and across channels', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      caps: [{ channel: 'phone', scope: 'company', max: 2, windowHours: 7 * 24 }],
      pressureBudget: { max: 3, windowDays: 14 },
    };
    const call = (day: string, who: { person: boolean; company: boolean }) => ({
      at: at(`2026-11-${day}T10:00:00Z`),
      channel: 'phone' as const,
      contactPoint: false,
      refused: false,
      ...who,
    });
    const intoCompany = b2b({
      attempts: [call('25', { person: false, company: true }), call('27', { person: false, company: true })],
    });
    const decision = decide(intoCompany, RULE_PACKS, policy, at('2026-12-01T10:00:00Z'));
    expect(decision.reasons.map((r) => [r.code, r.confidence])).toEqual([['CAP_REACHED', 'policy']]);
    expect(decision.nextAllowedAt).toEqual(at('2026-12-02T10:01:00Z'));
    const emails = ['20', '24', '28'].map((d) => ({
      ...call(d, { person: true, company: true }),
      channel: 'email' as const,
    }));
    expect(codes(b2b({ attempts: emails }), '2026-12-01T10:00:00Z', policy)).toEqual(['PRESSURE_BUDGET']);
  });

  it('applies the organization’s narrower windows and quiet days', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      windows: { phone: { 1: ['10:00-12:00'], 2: ['10:00-12:00'] } },
      quietDays: { weekdays: [], dates: ['2026-12-01'] },
    };
    expect(codes(b2b(), '2026-11-30T12:00:00Z', policy)).toEqual(['OUTSIDE_WINDOW']); // Monday 13:00 Paris
    expect(codes(b2b(), '2026-12-01T10:00:00Z', policy)).toEqual(['HOLIDAY']);
    expect(decide(b2b(), RULE_PACKS, policy, at('2026-11-30T12:00:00Z')).nextAllowedAt).toEqual(
      at('2026-12-07T09:00:00Z'),
    );
  });
});

describe('decide: other jurisdictions', () => {
  const american = (phone: string, overrides: Overrides = {}) =>
    frenchConsumer({
      registries: { 'us-dnc': { snapshotId: 'dnc', asOf: '2026-11-15', listed: false } },
      ...overrides,
      contactPoint: { value: phone, country: 'US', ...overrides.contactPoint },
      prospect: { country: 'US', postalCode: null, ...overrides.prospect },
    });

  it('allows a Los Angeles number at 08:30 Pacific and refuses it at 21:00 Pacific', () => {
    const la = american('+12135550123');
    expect(la.zones).toEqual(['America/Los_Angeles']);
    expect(codes(la, '2026-12-01T16:30:00Z')).toEqual([]); // 08:30 PST
    const late = decide(la, RULE_PACKS, DEFAULT_POLICY, at('2026-12-02T05:00:00Z')); // 21:00 PST
    expect(late.reasons.map((r) => r.code)).toEqual(['OUTSIDE_WINDOW']);
    expect(late.nextAllowedAt).toEqual(at('2026-12-02T16:00:00Z'));
  });

  it('applies the Florida overlay from the area code: 8 p.m. and three calls a day', () => {
    const miami = american('+13055550123');
    const decision = decide(miami, RULE_PACKS, DEFAULT_POLICY, at('2026-12-02T01:30:00Z')); // 20:30 EST
    expect(decision.jurisdiction).toBe('US-FL');
    expect(decision.reasons.map((r) => r.code)).toEqual(['OUTSIDE_WINDOW']);
    const calls = [1, 2, 3].map((h) => ({
      at: at(`2026-12-01T1${h}:00:00Z`),
      channel: 'phone' as const,
      person: true,
      contactPoint: true,
      company: false,
      refused: false,
    }));
    expect(codes({ ...miami, attempts: calls }, '2026-12-01T20:00:00Z')).toEqual(['CAP_REACHED']);
    // Two calls and a text are three solicitations; e-mails are not counted.
    const mixed = [calls[0]!, calls[1]!, { ...calls[2]!, channel: 'sms' as const }];
    expect(codes({ ...miami, attempts: mixed }, '2026-12-01T20:00:00Z')).toEqual(['CAP_REACHED']);
    const mailed = [calls[0]!, calls[1]!, { ...calls[2]!, channel: 'email' as const }];
    expect(codes({ ...miami, attempts: mailed }, '2026-12-01T20:00:00Z')).toEqual([]);
  });

  it('takes the zone of the address too: a Réunion consumer with a Paris mobile, a Californian with a New York number', () => {
    const zones = calleeTimeZones({ phone: '+33612345678', country: 'FR', postalCode: '97400' });
    expect([...zones].sort()).toEqual(['Europe/Paris', 'Indian/Reunion']);
    const reunion = frenchConsumer({
      prospect: { postalCode: '97400' },
      zones,
      registries: { bloctel: { snapshotId: 's', asOf: '2026-03-01', listed: false } },
    });
    // Tuesday 10 March 2026, 19:30 in Paris is 22:30 in Saint-Denis de La Réunion.
    expect(codes(reunion, '2026-03-10T18:30:00Z')).toEqual(['OUTSIDE_WINDOW']);
    expect(codes(reunion, '2026-03-10T10:30:00Z')).toEqual([]); // 11:30 Paris, 14:30 Réunion
    expect(
      [...calleeTimeZones({ phone: '+12125550123', country: 'US', region: 'California' })].sort(),
    ).toEqual(['America/Los_Angeles', 'America/New_York']);
    expect(calleeTimeZones({ phone: '+12125550123', country: 'US', region: 'NY' })).toEqual([
      'America/New_York',
    ]);
    expect(calleeTimeZones({ phone: '+12125550123', country: 'US', timeZone: 'America/Chicago' })).toEqual([
      'America/Chicago',
    ]);
  });

  it('allows only the hours every candidate zone allows when the number does not say where', () => {
    // A toll-free number may ring in any NANP zone; with no state on record the overlap is narrow.
    const anywhere = american('+18005550123');
    expect(anywhere.zones.length).toBeGreaterThan(3);
    expect(codes(anywhere, '2026-12-01T14:00:00Z')).toEqual(['OUTSIDE_WINDOW']); // 06:00 in Los Angeles
    const decision = decide(anywhere, RULE_PACKS, DEFAULT_POLICY, at('2026-12-01T14:00:00Z'));
    expect(decision.nextAllowedAt).not.toBeNull();
    expect(decide(anywhere, RULE_PACKS, DEFAULT_POLICY, decision.nextAllowedAt!).allowed).toBe(true);
  });

  it('refuses a UK consumer on the TPS and a stale copy; a German consumer without consent', () => {
    const uk = frenchConsumer({
      contactPoint: { value: '+447700900123', country: 'GB' },
      prospect: { country: 'GB', postalCode: null },
      registries: { tps: { snapshotId: 't', asOf: '2026-11-20', listed: true } },
    });
    expect(codes(uk, '2026-12-01T10:00:00Z')).toEqual(['REGISTRY_LISTED']);
    expect(
      codes(
        { ...uk, registries: { tps: { snapshotId: 't', asOf: '2026-11-02', listed: false } } },
        '2026-12-01T10:00:00Z',
      ),
    ).toEqual(['REGISTRY_STALE']);
    const de = frenchConsumer({
      contactPoint: { value: '+4915112345678', country: 'DE' },
      prospect: { country: 'DE', postalCode: null },
      registries: {},
    });
    expect(codes(de, '2026-12-01T10:00:00Z')).toEqual(['NO_CONSENT']);
  });

  it('uses the conservative default for a country without a pack, and refuses when no country is known', () => {
    const italian = frenchConsumer({
      contactPoint: { value: '+393123456789', country: 'IT' },
      prospect: { country: 'IT', postalCode: null },
      registries: {},
    });
    const decision = decide(italian, RULE_PACKS, DEFAULT_POLICY, at('2026-12-01T10:00:00Z'));
    expect(decision.rules).toBe('DEFAULT conservative-1');
    expect(decision.reasons.map((r) => [r.code, r.confidence])).toEqual([['NO_CONSENT', 'U']]);
    const nowhere = frenchConsumer({ contactPoint: null, prospect: { country: null } });
    expect(codes(nowhere, '2026-12-01T10:00:00Z')).toEqual(['INVALID_CONTACT_POINT']);
    const unknown = {
      ...frenchConsumer({ contactPoint: { country: null }, prospect: { country: null } }),
      zones: [],
    };
    expect(codes(unknown, '2026-12-01T10:00:00Z')).toEqual(['UNKNOWN_JURISDICTION']);
  });

  it('applies both laws when the number and the residence differ', () => {
    // A French resident with a UK mobile: French consent rules and the TPS both apply.
    const facts = frenchConsumer({
      contactPoint: { value: '+447700900123', country: 'GB' },
      registries: { tps: { snapshotId: 't', asOf: '2026-11-20', listed: true } },
      consents: [consent('contract_in_progress')],
    });
    const decision = decide(facts, RULE_PACKS, DEFAULT_POLICY, at('2026-12-01T10:00:00Z'));
    expect(decision.jurisdiction).toBe('FR + GB');
    expect(decision.reasons.map((r) => r.code)).toEqual(['REGISTRY_LISTED']);
  });
});

describe('decide: suppression, erasure and invalid contact points come first and are final', () => {
  it('says SUPPRESSED, ERASED or INVALID_CONTACT_POINT with no next instant', () => {
    const suppressed = frenchConsumer({
      suppressions: [{ id: 'sup-1', scope: 'contact_point', channel: 'all', reason: 'asked' }],
    });
    const decision = decide(suppressed, RULE_PACKS, DEFAULT_POLICY, at('2026-12-01T10:00:00Z'));
    expect(decision.reasons.map((r) => r.code)).toEqual(['SUPPRESSED']);
    expect(decision.nextAllowedAt).toBeNull();
    const emailOnly = frenchConsumer({
      suppressions: [{ id: 'sup-2', scope: 'person', channel: 'email', reason: null }],
      consents: [consent('consent')],
    });
    expect(codes(emailOnly, '2026-12-01T10:00:00Z')).toEqual([]);
    const erased = frenchConsumer({
      suppressions: [{ id: 'sup-3', scope: 'contact_point', channel: 'all', reason: 'erasure' }],
    });
    expect(codes(erased, '2026-12-01T10:00:00Z')).toEqual(['ERASED']);
    expect(codes(frenchConsumer({ contactPoint: { status: 'invalid' } }), '2026-12-01T10:00:00Z')).toEqual([
      'INVALID_CONTACT_POINT',
    ]);
    expect(
      codes(
        frenchConsumer({ channel: 'sms', contactPoint: { phoneType: 'fixed_line', value: '+33123456789' } }),
        '2026-12-01T10:00:00Z',
      ),
    ).toEqual(['INVALID_CONTACT_POINT']);
  });
});

describe('decide: British business calls', () => {
  it('screens TPS as well as CTPS, since sole traders and partnerships register on TPS', () => {
    const trader = frenchConsumer({
      contactPoint: { value: '+447911123456', country: 'GB' },
      prospect: { country: 'GB', kind: 'b2b', postalCode: null },
      zones: ['Europe/London'],
      registries: {
        tps: { snapshotId: 't', asOf: '2026-11-25', listed: true },
        ctps: { snapshotId: 'c', asOf: '2026-11-25', listed: false },
      },
    });
    expect(codes(trader, '2026-12-01T10:00:00Z')).toEqual(['REGISTRY_LISTED']);
    const clear = {
      ...trader,
      registries: { ...trader.registries, tps: { snapshotId: 't', asOf: '2026-11-25', listed: false } },
    };
    expect(codes(clear, '2026-12-01T10:00:00Z')).toEqual([]);
    const noTps = { ...trader, registries: { ctps: trader.registries.ctps } };
    expect(codes(noTps, '2026-12-01T10:00:00Z')).toEqual(['REGISTRY_STALE']);
  });
});

describe('decide: an existing-customer basis without an end lasts 18 months', () => {
  it('exempts a US number on the DNC list for 18 months after it was recorded, not after', () => {
    const listed = frenchConsumer({
      registries: { 'us-dnc': { snapshotId: 'dnc', asOf: '2026-11-25', listed: true } },
      contactPoint: { value: '+12135550123', country: 'US' },
      prospect: { country: 'US', postalCode: null },
      zones: ['America/Los_Angeles'],
      consents: [{ ...consent('consent', '2025-08-01T17:00:00Z'), basis: 'existing_customer' as const }],
    });
    expect(codes(listed, '2026-12-01T18:00:00Z')).toEqual([]); // 16 months on, 10:00 in Los Angeles
    const later = {
      ...listed,
      registries: { 'us-dnc': { snapshotId: 'dnc2', asOf: '2027-01-25', listed: true } },
    };
    expect(codes(later, '2027-02-02T18:00:00Z')).toEqual(['REGISTRY_LISTED']); // 18 months on
  });
});

describe('decide: a refusal ends a consent', () => {
  it('treats a consent given before an in-call refusal as withdrawn', () => {
    const refusal = {
      at: at('2026-10-01T10:00:00Z'),
      channel: 'phone' as const,
      person: true,
      contactPoint: true,
      company: false,
      refused: true,
    };
    const facts = frenchConsumer({ consents: [consent('consent')], attempts: [refusal] });
    expect(codes(facts, '2027-01-05T10:00:00Z')).toEqual(['CONSENT_WITHDRAWN']);
    const renewed = frenchConsumer({
      consents: [consent('consent'), { ...consent('consent', '2026-12-01T10:00:00Z'), id: 'again' }],
      attempts: [refusal],
    });
    expect(codes(renewed, '2027-01-05T10:00:00Z')).toEqual([]);
  });

  it('ends every consent given before a withdrawal, whichever record the withdrawal was filed against', () => {
    const web = { ...consent('consent', '2026-09-01T10:00:00Z'), id: 'web-form' };
    const call = {
      ...consent('consent', '2026-10-01T10:00:00Z'),
      id: 'in-call',
      withdrawnAt: at('2026-11-02T10:00:00Z'),
    };
    expect(codes(frenchConsumer({ consents: [web, call] }), '2026-12-01T10:00:00Z')).toEqual([
      'CONSENT_WITHDRAWN',
    ]);
    const later = { ...consent('consent', '2026-11-20T10:00:00Z'), id: 'given-again' };
    expect(codes(frenchConsumer({ consents: [web, call, later] }), '2026-12-01T10:00:00Z')).toEqual([]);
  });
});
