import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answered, type EngagementEvent, engagementScore } from '../../src/scoring/engagement';
import { type FitSubject, fitScore, type IdealProfile } from '../../src/scoring/fit';
import { contactPressure, rankFor } from '../../src/scoring/pressure';
import { reasonText, strongest, topReasons } from '../../src/scoring/reasons';
import { scoreInput } from '../../src/scoring/score';

const profile: IdealProfile = {
  industries: { codes: ['46.6', '4651'], points: 12 },
  employees: { min: 10, max: 250, points: 8 },
  countries: { values: ['FR', 'BE'], points: 5 },
  titles: { keywords: ['achat', 'acheteur', 'buyer', 'procurement'], points: 10 },
  seniority: { values: ['manager', 'director'], points: 4 },
  attributes: [{ key: 'erp', op: 'in', value: ['SAP', 'Sage'], points: 6 }],
};

const subject = (overrides: Partial<FitSubject> = {}): FitSubject => ({
  industryCode: '46.69Z',
  employeeCount: 45,
  annualRevenue: null,
  country: 'FR',
  region: null,
  jobTitle: 'Responsable des Achats',
  seniority: 'Manager',
  department: null,
  attributes: { erp: 'sage' },
  ...overrides,
});

describe('fit to an ideal customer profile', () => {
  it('reads a department from the title when the record has none, and holds an unnamed one against nobody', () => {
    const byDepartment: IdealProfile = { departments: { keywords: ['procurement', 'achats'], points: 4 } };
    const named = fitScore(byDepartment, subject({ jobTitle: 'VP of Procurement' }));
    expect(reasonText(named.contributions[0]!)).toEqual({
      fr: 'Service procurement dans la cible, d’après l’intitulé du poste',
      en: 'Department procurement in the target, from the job title',
    });
    const unnamed = fitScore(byDepartment, subject({ jobTitle: 'Assistante de direction' }));
    expect(unnamed.missed).toEqual([{ code: 'fit.department', missing: true }]);
    const recorded = fitScore(byDepartment, subject({ jobTitle: 'Assistante', department: 'Finance' }));
    expect(recorded.missed).toEqual([{ code: 'fit.department', missing: false }]);
  });
  it('adds the points of each matching criterion and shows them', () => {
    const fit = fitScore(profile, subject());
    expect(fit.max).toBe(45);
    expect(fit.points).toBe(45);
    expect(fit.score).toBe(100);
    expect(fit.contributions.find((c) => c.code === 'fit.industry')).toEqual({
      code: 'fit.industry',
      points: 12,
      facts: { code: '46.69Z' },
    });
  });

  it('matches industry codes by prefix whatever the dots, titles by word start, in French and English', () => {
    expect(fitScore(profile, subject({ industryCode: '4669Z' })).contributions.map((c) => c.code)).toContain(
      'fit.industry',
    );
    expect(fitScore(profile, subject({ industryCode: '47.11F' })).missed).toContainEqual({
      code: 'fit.industry',
      missing: false,
    });
    expect(
      fitScore(profile, subject({ jobTitle: 'Senior Buyer EMEA' })).contributions.map((c) => c.code),
    ).toContain('fit.title');
    // "achat" must start a word: "rachat" (buy-back) is another job.
    expect(fitScore(profile, subject({ jobTitle: 'Chargé de rachat de crédits' })).missed).toContainEqual({
      code: 'fit.title',
      missing: false,
    });
    expect(fitScore(profile, subject({ jobTitle: 'Acheteuse' })).contributions.map((c) => c.code)).toContain(
      'fit.title',
    );
  });

  it('says a title matches its most precise keyword, whatever their order in the profile', () => {
    const matched = (keywords: string[]) =>
      fitScore({ titles: { keywords, points: 10 } }, subject({ jobTitle: 'Acheteur industriel senior' }))
        .contributions[0]?.facts;
    expect(matched(['acheteur', 'acheteur industriel'])).toMatchObject({ keyword: 'acheteur industriel' });
    expect(matched(['acheteur industriel', 'acheteur'])).toMatchObject({ keyword: 'acheteur industriel' });
  });

  it.each([
    ['Responsables', 'Responsable commercial'],
    ['directeurs', 'Directrice des achats'],
    ['directrices des achats', 'Directeur des Achats'],
    ['directeur achats', 'Directrice des achats'],
    ['head of sales', 'Head of Inside Sales'],
    ['acheteurs', 'Acheteuse'],
    ['commerciaux', 'Commercial sédentaire'],
    ['directrice commerciale', 'Directeur commercial'],
    ['directrice générale', 'Directeur général'],
    ['directeur commercial', 'Directeurs commerciaux'],
    ['commerciales', 'Commercial'],
    ['régional', 'Directeurs régionaux'],
    ['internationale', 'Responsable international'],
    ['R&D', 'Directeur R&D'],
    ['directeur achat', "Directeur d'achat"],
  ])(
    'finds the keyword %j in the title %j: plurals, either gender, linking words aside',
    (keyword, title) => {
      const fit = fitScore({ titles: { keywords: [keyword], points: 5 } }, subject({ jobTitle: title }));
      expect(fit.points).toBe(5);
    },
  );

  it.each([
    ['directeur achats', 'Achats, assistante de direction'],
    ['achat', 'Chargé de rachat de crédits'],
    ['head of sales', 'Sales assistant'],
    ['R&D', 'Responsable commercial'],
    ['R&D', 'Ressources humaines'],
    ['Head of IT', 'Head of Sales, Italy'],
    ['directeur achats', 'Directeur commercial et marketing, achats'],
  ])('does not find %j in %j', (keyword, title) => {
    expect(
      fitScore({ titles: { keywords: [keyword], points: 5 } }, subject({ jobTitle: title })).points,
    ).toBe(0);
  });

  it('keeps industry codes to their scheme when the profile names one (NAF with NACE)', () => {
    const civil = (scheme?: 'NAF' | 'NAICS') => ({
      industries: { codes: ['42'], points: 10, ...(scheme ? { scheme } : {}) },
    });
    const score = (p: IdealProfile, industryCode: string, industryScheme: string | null) =>
      fitScore(p, subject({ industryCode, industryScheme })).points;
    expect(score(civil('NAF'), '42.11Z', 'NAF')).toBe(10);
    expect(score(civil('NAF'), '42.11', 'NACE')).toBe(10);
    expect(score(civil('NAF'), '42.11Z', null)).toBe(10);
    expect(score(civil('NAF'), '423830', 'NAICS')).toBe(0);
    expect(score(civil('NAICS'), '42.11Z', null)).toBe(0);
    expect(score(civil('NAICS'), '423830', 'NAICS')).toBe(10);
    // Digits alone, scheme unknown: the code decides, as without a scheme.
    expect(score(civil('NAF'), '4230', null)).toBe(10);
    expect(score(civil(), '423830', 'NAICS')).toBe(10);
  });

  it('reads regions whatever their hyphens and accents, and seniority in French or English', () => {
    const region = (wanted: string) =>
      fitScore({ regions: { values: [wanted], points: 3 } }, subject({ region: 'Île-de-France' })).points;
    expect([region('Ile de France'), region('ILE-DE-FRANCE'), region('Bretagne')]).toEqual([3, 3, 0]);
    const level = (wanted: string, seniority: string) =>
      fitScore({ seniority: { values: [wanted], points: 4 } }, subject({ seniority })).points;
    expect(level('directeur', 'director')).toBe(4);
    expect(level('directors', 'Directrice')).toBe(4);
    expect(level('C-level', 'c_level')).toBe(4);
    expect(level('dirigeant', 'CEO')).toBe(4);
    expect(level('manager', 'Responsable')).toBe(4);
    expect(level('director', 'manager')).toBe(0);
    const reason = fitScore(
      { seniority: { values: ['dirigeant'], points: 4 } },
      subject({ seniority: 'c_level' }),
    );
    expect(reasonText(reason.contributions[0]!)).toEqual({
      fr: 'Niveau dirigeant dans la cible',
      en: 'Seniority C-level in the target',
    });
  });

  it('reads the level from the job title when the record says none, as most CRM exports do', () => {
    const profile = { seniority: { values: ['director', 'c_level'], points: 7 } };
    const of = (jobTitle: string | null, seniority: string | null = null) =>
      fitScore(profile, subject({ jobTitle, seniority }));
    expect(of('Directrice des achats').contributions).toEqual([
      { code: 'fit.seniority', points: 7, facts: { seniority: 'director' } },
    ]);
    expect(of('Head of Procurement').points).toBe(7);
    expect(of('CEO').points).toBe(7);
    // Its first word names it: an assistant of the management is not management.
    expect(of('Assistante de direction').missed).toEqual([{ code: 'fit.seniority', missing: false }]);
    expect(of('Acheteuse').missed).toEqual([{ code: 'fit.seniority', missing: true }]);
    // The record's own level comes first.
    expect(of('Directeur commercial', 'manager').points).toBe(0);
  });

  it('tells a criterion that failed from one that could not be checked, and scores out of the maximum', () => {
    const fit = fitScore(profile, subject({ employeeCount: null, country: 'DE', attributes: {} }));
    expect(fit.missed).toEqual(
      expect.arrayContaining([
        { code: 'fit.employees', missing: true },
        { code: 'fit.country', missing: false },
        { code: 'fit.attribute.erp', missing: true },
      ]),
    );
    expect(fit.points).toBe(26);
    expect(fit.score).toBe(Math.round((100 * 26) / 45));
  });
});

const DAY = 86_400_000;
const now = new Date('2026-11-29T12:00:00Z');
const ago = (days: number, type: EngagementEvent['type'], outcome?: string): EngagementEvent => ({
  type,
  at: now.getTime() - days * DAY,
  outcome: outcome ?? null,
});

describe('conditions on custom attributes as imports store them', () => {
  const scored = (op: 'gte' | 'lte' | 'eq', value: number, attribute: unknown) =>
    fitScore(
      { attributes: [{ key: 'note', op, value, points: 5 }] },
      subject({ attributes: { note: attribute } }),
    ).points;
  it('compares French decimals and grouped thousands as numbers, and never an empty value', () => {
    expect(scored('gte', 50, '75,5')).toBe(5);
    expect(scored('gte', 1000, '1 200,5')).toBe(5);
    expect(scored('lte', 1000, '1 200,5')).toBe(0);
    expect(scored('eq', 75.5, '75,5')).toBe(5);
    expect(scored('gte', 0, '')).toBe(0);
    expect(scored('gte', 0, 'beaucoup')).toBe(0);
    expect(scored('lte', 10, 7)).toBe(5);
  });
});

describe('reasons read as sentences', () => {
  it('count opens, not e-mails: one message opened four times is four opens', () => {
    expect(reasonText({ code: 'engagement.email_opened', points: 4, facts: { count: 4, days: 3 } })).toEqual({
      fr: '4 ouvertures d’e-mail ces 3 derniers jours',
      en: '4 e-mail opens in the last 3 days',
    });
  });
  it('count refusals, and never put anyone above all the people a model was measured on', () => {
    expect(reasonText({ code: 'engagement.refused', points: -17, facts: { count: 2, days: 5 } })).toEqual({
      fr: 'A refusé 2 fois au téléphone ces 5 derniers jours',
      en: 'Declined 2 times on the phone in the last 5 days',
    });
    expect(reasonText({ code: 'engagement.refused', points: -9, facts: { count: 1, days: 1 } }).fr).toBe(
      'A refusé lors d’un appel ces dernières 24 h',
    );
    const top = reasonText({
      code: 'model.percentile',
      points: 12,
      facts: { probability: 98, percentile: 100 },
    });
    expect(top.en).toBe('The model puts the odds at 98% (better than 99% of prospects)');
    expect(top.fr).toBe('Le modèle estime ses chances à 98 % (mieux que 99 % des prospects)');
    const odds = (probability: number) =>
      reasonText({ code: 'model.percentile', points: 0, facts: { probability, percentile: 50 } }).en;
    expect([odds(0.9), odds(1), odds(99), odds(99.6)]).toEqual([
      'The model puts the odds at < 1% (better than 50% of prospects)',
      'The model puts the odds at 1% (better than 50% of prospects)',
      'The model puts the odds at 99% (better than 50% of prospects)',
      'The model puts the odds at > 99% (better than 50% of prospects)',
    ]);
  });
});

describe('tiers on one attribute', () => {
  it('give each condition a code of its own, so both show among the reasons', () => {
    const fit = fitScore(
      {
        attributes: [
          { key: 'note', op: 'gte', value: 50, points: 5 },
          { key: 'note', op: 'gte', value: 80, points: 5 },
          { key: 'note', op: 'lte', value: 20, points: -5 },
        ],
      },
      subject({ attributes: { note: '85' } }),
    );
    expect(fit.contributions.map((c) => c.code)).toEqual(['fit.attribute.note', 'fit.attribute.note#2']);
    expect(fit.missed).toEqual([{ code: 'fit.attribute.note#3', missing: false }]);
    expect(fit.contributions.map((c) => reasonText(c).en)).toEqual([
      'note = 85 (≥ 50), in the target',
      'note = 85 (≥ 80), in the target',
    ]);
  });
});

describe('engagement with time decay', () => {
  it('halves a signal every half-life', () => {
    const fresh = engagementScore([ago(0, 'email_replied')], now).points;
    const month = engagementScore([ago(30, 'email_replied')], now).points;
    const twoMonths = engagementScore([ago(60, 'email_replied')], now).points;
    expect(fresh).toBe(8);
    expect(month).toBeCloseTo(4, 1);
    expect(twoMonths).toBeCloseTo(2, 1);
    expect(engagementScore([ago(30, 'email_replied')], now, { halfLifeDays: 60 }).points).toBeCloseTo(5.7, 1);
  });

  it('counts negative signals: bounces, opt-outs, and unanswered calls from the third on', () => {
    const two = engagementScore([ago(1, 'call_attempted'), ago(2, 'call_attempted')], now);
    expect(two.points).toBe(0);
    const five = engagementScore(
      [1, 2, 3, 4, 5].map((d) => ago(d, 'call_attempted')),
      now,
    );
    expect(five.points).toBeLessThan(-8);
    expect(five.contributions[0]).toMatchObject({ code: 'engagement.unanswered_calls', facts: { count: 5 } });
    expect(engagementScore([ago(1, 'opt_out')], now).standing).toMatchObject({
      code: 'engagement.opt_out',
      points: -40,
    });
    // An attempt someone picked up is an answered call, as a dialer logging call_answered says.
    const picked = engagementScore([ago(1, 'call_attempted', 'answered')], now);
    expect(picked.contributions).toEqual([
      expect.objectContaining({ code: 'engagement.call_answered', points: 4.9 }),
    ]);
    expect(picked.points).toBe(engagementScore([ago(1, 'call_answered')], now).points);
    // Calls that went unanswered before a conversation no longer pile up; those after it do.
    const before = [5, 4, 3].map((d) => ago(d, 'call_attempted'));
    expect(engagementScore([...before, ago(2, 'call_attempted', 'Répondu')], now).contributions).toEqual([
      expect.objectContaining({ code: 'engagement.call_answered' }),
    ]);
    const after = [1.5, 1, 0.5].map((d) => ago(d, 'call_attempted'));
    expect(
      engagementScore([...before, ago(2, 'email_replied'), ...after], now).contributions.map((c) => c.code),
    ).toEqual(['engagement.email_replied', 'engagement.unanswered_calls']);
    // An event dated a little ahead (a dialer's local time written as UTC) counts as happening now.
    expect(engagementScore([ago(-1, 'email_clicked')], now).points).toBe(3);
    expect(engagementScore([ago(-0.01, 'opt_out')], now).standing).toMatchObject({ points: -40 });
    // A voicemail is a call nobody answered; a call back asked for, a meeting set or a hang-up are answers.
    const calls = (outcome: string | null, type: 'call_attempted' | 'voicemail_left' = 'call_attempted') =>
      engagementScore(
        [1, 2, 3].map((d) => ago(d, type, outcome ?? undefined)),
        now,
      ).contributions.map((c) => c.code);
    expect(calls(null, 'voicemail_left')).toEqual(['engagement.unanswered_calls']);
    expect(calls('voicemail')).toEqual(['engagement.unanswered_calls']);
    expect(calls('Pas de réponse, rappeler demain')).toEqual(['engagement.unanswered_calls']);
    for (const outcome of [
      'RDV pris',
      'Rappeler plus tard',
      'callback requested',
      'Hung up',
      'Raccroché',
      'consent_given',
    ])
      expect(calls(outcome), outcome).toEqual(['engagement.call_answered']);
  });

  it('keeps an opt-out or a complaint at full weight until the person comes back, then lets it decay', () => {
    const old = engagementScore(
      [ago(800, 'email_opened'), ago(400, 'opt_out'), ago(3, 'email_opened')],
      now,
      {
        since: now.getTime() - 365 * DAY,
      },
    );
    expect(old.standing).toEqual({
      code: 'engagement.opt_out',
      points: -40,
      facts: { days: 400, ago: 400, standing: 1 },
      at: now.getTime() - 400 * DAY,
    });
    expect(old.points).toBe(0.9); // the opening of three days ago, the old one out of the window
    expect(old.contributions.map((c) => c.code)).toEqual(['engagement.email_opened', 'engagement.opt_out']);
    expect(reasonText(old.standing!).fr).toBe('S’est désinscrit il y a 400 jours, sans revenir depuis');
    // Seven days and six hours ago is seven days ago ("the last 8 days" counts it in, "8 days ago" did not).
    const week = engagementScore([{ type: 'opt_out', at: now.getTime() - 7.25 * DAY }], now);
    expect(reasonText(week.standing!).en).toBe('Opted out 7 days ago and has not come back since');
    const lifted = engagementScore([ago(60, 'complaint'), ago(20, 'form_submitted')], now);
    expect(lifted.standing).toBeUndefined();
    const complaint = lifted.contributions.find((c) => c.code === 'engagement.complaint')!;
    expect(complaint.points).toBeCloseTo(-12.5, 0);
    expect(reasonText(complaint).en).toBe('Complained 60 days ago, came back since');
    // A newer opt-out after coming back stands again.
    expect(engagementScore([ago(30, 'email_replied'), ago(2, 'opt_out')], now).standing?.points).toBe(-40);
  });

  it('reads an outcome that says nobody answered as an unanswered call, in French and English', () => {
    for (const outcome of [
      'no_answer',
      'No answer',
      'unanswered',
      'pas répondu',
      'Non repondu',
      'busy',
      null,
    ])
      expect([outcome, answered(outcome)]).toEqual([outcome, false]);
    for (const outcome of ['answered', 'ANSWERED', 'a répondu', 'repondu, rappeler'])
      expect([outcome, answered(outcome)]).toEqual([outcome, true]);
    const calls = (outcome: string) =>
      engagementScore(
        [1, 2, 3].map((d) => ago(d, 'call_attempted', outcome)),
        now,
      ).contributions.map((c) => c.code);
    expect(calls('no_answer')).toEqual(['engagement.unanswered_calls']);
    expect(calls('answered')).toEqual(['engagement.call_answered']);
  });

  it('gives a score from 0 to 100 that grows with engagement', () => {
    const low = engagementScore([ago(3, 'email_opened')], now).score;
    const high = engagementScore(
      [ago(3, 'email_replied'), ago(2, 'meeting_booked'), ago(1, 'email_clicked')],
      now,
    ).score;
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    expect(high).toBeLessThanOrEqual(100);
    expect(engagementScore([ago(1, 'complaint')], now).score).toBe(0);
  });
});

describe('reason codes', () => {
  it('picks the strongest for and against as a stable sort of the meaningful ones would, ties in their order', () => {
    const points = fc.oneof(
      fc.integer({ min: -12, max: 12 }),
      fc.double({ min: -50, max: 50 }),
      fc.constant(0.4),
    );
    fc.assert(
      fc.property(fc.array(points, { maxLength: 12 }), fc.integer({ min: 0, max: 5 }), (values, count) => {
        const contributions = values.map((p, i) => ({ points: p, i }));
        const meaningful = contributions.filter((c) => Math.round(c.points) !== 0);
        expect(strongest(contributions, count)).toEqual({
          positive: meaningful
            .filter((c) => c.points > 0)
            .sort((a, b) => b.points - a.points)
            .slice(0, count),
          negative: meaningful
            .filter((c) => c.points < 0)
            .sort((a, b) => a.points - b.points)
            .slice(0, count),
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('lists the top three raising and lowering contributions in French and English with their points', () => {
    const fit = fitScore(profile, subject({ seniority: 'Assistant' }));
    const engagement = engagementScore(
      [
        ago(2, 'email_clicked'),
        ago(5, 'email_clicked'),
        ago(13, 'email_clicked'),
        ...[1, 8, 15].map((d) => ago(d, 'call_attempted')),
      ],
      now,
    );
    const reasons = topReasons([...fit.contributions, ...engagement.contributions]);
    expect(reasons.positive.map((r) => r.fr)).toEqual([
      'Secteur 46.69Z dans la cible (+12)',
      'Fonction « Responsable des Achats » dans la cible (+10)',
      'Effectif de 45 dans la cible (+8)',
    ]);
    expect(reasons.negative).toHaveLength(1);
    expect(reasons.negative[0]!.en).toBe('Called 3 times without an answer in the last 15 days (−3)');
    const clicks = topReasons(engagement.contributions).positive[0]!;
    expect(clicks.en).toBe('3 clicks in the last 13 days (+8)');
    // Events are read to the minute, floored, and a request takes time: 12 days and a few minutes is still 12.
    const late = new Date(now.getTime() + 59_999 + 120_000);
    const counted = engagementScore(
      [1, 6, 12].map((d) => ago(d, 'call_attempted')),
      late,
    );
    expect(topReasons(counted.contributions).negative[0]!.en).toMatch(/in the last 12 days/);
    const dayAfter = new Date(now.getTime() + 2 * 3_600_000);
    expect(
      topReasons(engagementScore([ago(12, 'email_clicked')], dayAfter).contributions).positive[0]!.en,
    ).toMatch(/in the last 13 days/);
  });
});

describe('reasons against a poor fit', () => {
  it('say which criteria a person is outside of, when nothing else explains the score', () => {
    const profile: IdealProfile = {
      industries: { codes: ['46.6'], points: 12 },
      employees: { min: 10, max: 1000, points: 8 },
      countries: { values: ['FR'], points: 5 },
      seniority: { values: ['director'], points: 4 },
    };
    const person = subject({ industryCode: '10.71C', employeeCount: 4, country: 'DE', seniority: null });
    const scored = scoreInput(
      { id: 'c', idealProfile: profile, successTypes: ['meeting_booked'], halfLifeDays: 30 },
      undefined,
      { ...person, prospectId: 'p', kind: 'b2b', language: null, events: [] },
      new Date('2026-11-30T10:00:00Z'),
    );
    expect(scored.score).toBe(0);
    expect(scored.contributions.positive).toEqual([]);
    expect(scored.contributions.negative.map((c) => reasonText(c))).toEqual([
      { fr: 'Secteur 10.71C hors cible', en: 'Industry 10.71C outside the target' },
      { fr: 'Effectif de 4 hors cible', en: '4 employees, outside the target range' },
      { fr: 'Pays DE hors cible', en: 'Country DE outside the target' },
    ]);
    expect(scored.contributions.negative.map((c) => c.points)).toEqual([-12, -8, -5]);
    // What could not be checked (no seniority, no title) is not held against anyone.
    expect(scored.contributions.negative.map((c) => c.code)).not.toContain('fit.seniority');
    // Someone a signal explains keeps the reasons it gives, and only those.
    const clicked = scoreInput(
      { id: 'c', idealProfile: profile, successTypes: ['meeting_booked'], halfLifeDays: 30 },
      undefined,
      {
        ...person,
        prospectId: 'p',
        kind: 'b2b',
        language: null,
        events: [{ type: 'email_bounced', at: Date.parse('2026-11-29T10:00:00Z'), outcome: null }],
      },
      new Date('2026-11-30T10:00:00Z'),
    );
    expect(clicked.contributions.negative.map((c) => c.code)).toEqual(['engagement.email_bounced']);
  });
});

describe('criteria to avoid and the words of a reason', () => {
  it('ranks people a negative criterion matches below the others, and says it is to avoid', () => {
    const avoid: IdealProfile = { industries: { codes: ['46.6'], points: -10 } };
    const matched = fitScore(avoid, subject());
    const spared = fitScore(avoid, subject({ industryCode: '62.01Z' }));
    expect([matched.score, spared.score]).toEqual([0, 100]);
    const mixed: IdealProfile = { ...avoid, titles: { keywords: ['achat'], points: 10 } };
    expect(fitScore(mixed, subject({ jobTitle: 'Comptable', industryCode: '62.01Z' })).score).toBe(50);
    expect(fitScore(mixed, subject({ jobTitle: 'Comptable' })).score).toBe(0);
    const [reason] = topReasons(matched.contributions).negative;
    expect([reason!.fr, reason!.en]).toEqual([
      'Secteur 46.69Z, à éviter (−10)',
      'Industry 46.69Z, to avoid (−10)',
    ]);
    // Also where the reason says what the fact was read from.
    const finance = fitScore(
      { departments: { keywords: ['finance'], points: -10 } },
      subject({ jobTitle: 'Finance Controller', department: null }),
    );
    const [department] = topReasons(finance.contributions).negative;
    expect([department!.fr, department!.en]).toEqual([
      'Service finance, à éviter, d’après l’intitulé du poste (−10)',
      'Department finance, to avoid, from the job title (−10)',
    ]);
  });

  it('says a bound it compared with, and one day as a day', () => {
    const fit = fitScore(
      { attributes: [{ key: 'note', op: 'gte', value: 50, points: 5 }] },
      subject({ attributes: { note: '75,5' } }),
    );
    expect(topReasons(fit.contributions).positive[0]!.fr).toBe('note = 75,5 (≥ 50), dans la cible (+5)');
    const clicked = engagementScore([ago(0.5, 'email_clicked')], now);
    const [clicks] = topReasons(clicked.contributions).positive;
    expect([clicks!.fr, clicks!.en]).toEqual([
      expect.stringMatching(/1 clic ces dernières 24 h/),
      expect.stringMatching(/1 click in the last day/),
    ]);
  });
});

describe('pressure-aware ranking', () => {
  it('puts the warm and rested before the warm and tired, without changing their scores', () => {
    const rested = contactPressure([ago(20, 'email_sent'), ago(3, 'email_clicked')], now);
    const tired = contactPressure(
      [1, 3, 5, 8].map((d) => ago(d, 'call_attempted')),
      now,
    );
    expect(rested).toEqual({ touches: 0, penalty: 0 });
    expect(tired.touches).toBe(4);
    expect(tired.penalty).toBeGreaterThan(15);
    expect(rankFor(70, rested)).toBeGreaterThan(rankFor(75, tired));
    const yesterday = contactPressure([ago(1, 'email_sent')], now).penalty;
    const lastWeek = contactPressure([ago(12, 'email_sent')], now).penalty;
    expect(yesterday).toBeGreaterThan(lastWeek);
    // Every call made tires, answered or not, and one dated a little ahead counts now.
    expect(
      contactPressure([ago(1, 'call_answered'), ago(2, 'voicemail_left'), ago(-0.01, 'call_attempted')], now)
        .touches,
    ).toBe(3);
    expect(
      contactPressure(
        Array.from({ length: 30 }, () => ago(1, 'sms_sent')),
        now,
      ).penalty,
    ).toBe(40);
    expect(rankFor(10, { touches: 5, penalty: 30 })).toBe(0);
  });
});
