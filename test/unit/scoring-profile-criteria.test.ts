import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { IdealProfileSchema } from '../../src/scoring/campaigns';
import { type FitSubject, fitScore, type IdealProfile } from '../../src/scoring/fit';
import { criteriaOf, RankedCriteria } from '../../src/scoring/ranked';
import { reasonText } from '../../src/scoring/reasons';
import { regionKey } from '../../src/scoring/regions';
import { scoreInput } from '../../src/scoring/score';
import { levelOfTitle } from '../../src/scoring/seniority';

const subject = (overrides: Partial<FitSubject> = {}): FitSubject => ({
  industryCode: null,
  employeeCount: null,
  annualRevenue: null,
  country: null,
  region: null,
  jobTitle: null,
  seniority: null,
  department: null,
  attributes: {},
  ...overrides,
});

/** The issues a profile is refused with, each as its path and message. */
function refused(profile: unknown): { path: string; message: string }[] {
  const parsed = IdealProfileSchema.safeParse(profile);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('revenue in its currency', () => {
  const revenue: IdealProfile = { revenue: { min: 1_000_000, max: 50_000_000, points: 6 } };
  it('does not compare a revenue in another currency: neither in the target nor outside it', () => {
    const pounds = fitScore(revenue, subject({ annualRevenue: 12_900_000, revenueCurrency: 'GBP' }));
    expect(pounds.contributions).toEqual([]);
    expect(pounds.missed).toEqual([{ code: 'fit.revenue', missing: true }]);
    expect(pounds.outside).toEqual([]);
    const tooBig = fitScore(revenue, subject({ annualRevenue: 90_000_000, revenueCurrency: 'USD' }));
    expect(tooBig.missed).toEqual([{ code: 'fit.revenue', missing: true }]);
    // In euros, or of a currency nobody said, the amount is compared.
    for (const revenueCurrency of ['EUR', 'eur', null, undefined])
      expect(fitScore(revenue, subject({ annualRevenue: 12_900_000, revenueCurrency })).points).toBe(6);
    // Written without its currency, an amount is in its country's: a US company's bare figure is dollars.
    expect(
      fitScore(revenue, subject({ annualRevenue: 12_900_000, revenueCurrency: null, country: 'US' })).missed,
    ).toEqual([{ code: 'fit.revenue', missing: true }]);
    // A French company's bare figure is euros: compared, and in the range.
    expect(
      fitScore(revenue, subject({ annualRevenue: 12_900_000, revenueCurrency: null, country: 'FR' })).points,
    ).toBe(6);
    const dollars: IdealProfile = { revenue: { min: 1_000_000, points: 6, currency: 'USD' } };
    expect(
      fitScore(dollars, subject({ annualRevenue: 12_900_000, revenueCurrency: null, country: 'FR' })).missed,
    ).toEqual([{ code: 'fit.revenue', missing: true }]);
    const inPounds: IdealProfile = { revenue: { min: 1_000_000, points: 6, currency: 'GBP' } };
    expect(fitScore(inPounds, subject({ annualRevenue: 12_900_000, revenueCurrency: 'GBP' })).points).toBe(6);
    expect(fitScore(inPounds, subject({ annualRevenue: 12_900_000, revenueCurrency: 'EUR' })).missed).toEqual(
      [{ code: 'fit.revenue', missing: true }],
    );
  });

  it('takes a three-letter currency code in a profile, and nothing else', () => {
    const parsed = IdealProfileSchema.parse({ revenue: { min: 1, points: 5, currency: 'gbp' } });
    expect(parsed.revenue?.currency).toBe('GBP');
    for (const currency of ['EURO', '€', '12', '', 'XYZ'])
      expect(refused({ revenue: { min: 1, points: 5, currency } }).map((i) => i.path)).toEqual([
        'revenue.currency',
      ]);
    expect(refused({ revenue: { min: 5, max: 1, points: 5 } }).map((i) => i.path)).toEqual(['revenue.min']);
  });
});

describe('criteria that would match nobody', () => {
  it('refuses industry codes without a digit or with other signs, naming the code', () => {
    expect(refused({ industries: { codes: ['46.6', 'abc!!'], points: 5 } })).toEqual([
      { path: 'industries.codes.1', message: expect.stringContaining('"abc!!" is not an industry code') },
    ]);
    expect(refused({ industries: { codes: ['abc'], points: 5 } }).map((i) => i.path)).toEqual([
      'industries.codes.0',
    ]);
    expect(
      refused({ industries: { codes: ['46.6', '4651', '46.69Z', '62 01', '5415'], points: 5 } }),
    ).toEqual([]);
  });

  it('refuses negative headcounts and revenues, naming the bound', () => {
    expect(refused({ employees: { min: -10, max: -5, points: 8 } })).toEqual([
      { path: 'employees.min', message: 'a headcount or a revenue is never negative' },
      { path: 'employees.max', message: 'a headcount or a revenue is never negative' },
    ]);
    expect(refused({ revenue: { min: -1000, points: 4 } }).map((i) => i.path)).toEqual(['revenue.min']);
    expect(refused({ employees: { min: 0, max: 9, points: 8 } })).toEqual([]);
  });

  it('refuses keywords with no letter or digit, in titles and departments', () => {
    expect(refused({ titles: { keywords: ['achat', '!!!'], points: 5 } })).toEqual([
      { path: 'titles.keywords.1', message: '"!!!" has no letter or digit to look for' },
    ]);
    expect(refused({ departments: { keywords: ['--'], points: 5 } }).map((i) => i.path)).toEqual([
      'departments.keywords.0',
    ]);
    expect(refused({ titles: { keywords: ['R&D', 'Head of IT', 'DAF'], points: 5 } })).toEqual([]);
  });

  it('refuses seniority levels the fit does not know, listing those it does', () => {
    const [issue] = refused({ seniority: { values: ['director', 'boss'], points: 5 } });
    expect(issue?.path).toBe('seniority.values.1');
    expect(issue?.message).toContain('"boss" is not a seniority level');
    expect(issue?.message).toContain('c_level, vp, director, manager, senior, entry');
    expect(
      refused({
        seniority: {
          values: ['c_level', 'C-level', 'CEO', 'Directrice', 'head of', 'Managing Director'],
          points: 5,
        },
      }),
    ).toEqual([]);
  });

  it('compares attribute keys case aside', () => {
    const note: IdealProfile = { attributes: [{ key: 'Note', op: 'gte', value: 50, points: 5 }] };
    expect(fitScore(note, subject({ attributes: { note: '75' } })).points).toBe(5);
    expect(fitScore(note, subject({ attributes: { NOTE: 80 } })).points).toBe(5);
    expect(fitScore(note, subject({ attributes: { note: '30' } })).missed).toEqual([
      { code: 'fit.attribute.Note', missing: false },
    ]);
    // Written as the profile writes it, the key comes first.
    expect(fitScore(note, subject({ attributes: { note: '10', Note: '90' } })).points).toBe(5);
    expect(fitScore(note, subject({ attributes: { constructor: '90' } })).points).toBe(0);
  });
});

describe('regions by name or code', () => {
  const region = (values: string[], stored: string, country: string | null = null) =>
    fitScore({ regions: { values, points: 3 } }, subject({ region: stored, country })).points;

  it.each([
    [['California', 'New York'], 'CA', 'US'],
    [['California', 'New York'], 'NY', null],
    [['CA'], 'Californie', 'US'],
    [['new-york'], 'US-NY', 'US'],
    [['Québec'], 'QC', 'CA'],
    [['Ontario'], 'ON', 'CA'],
    [['British Columbia'], 'BC', null],
    [['PACA'], "Provence-Alpes-Côte d'Azur", 'FR'],
    [['Provence-Alpes-Côte-d’Azur'], 'PACA', 'FR'],
    [['IDF'], 'Île-de-France', 'FR'],
    [['Ile de France'], 'IdF', 'FR'],
    [['AURA'], 'Auvergne-Rhône-Alpes', 'FR'],
    [['HDF'], 'Hauts-de-France', 'FR'],
    [['BFC'], 'Bourgogne-Franche-Comté', 'FR'],
    [['CVL'], 'Centre-Val de Loire', 'FR'],
    [['NA'], 'Nouvelle-Aquitaine', 'FR'],
    [['Bretagne'], 'BRETAGNE', 'FR'],
    [['Lombardia'], 'lombardia', 'IT'],
  ])('matches %j with a stored %j (country %s)', (values, stored, country) => {
    expect(region(values, stored, country)).toBe(3);
  });

  it('matches no other region, and reads a code as a region of the stored country only', () => {
    expect(region(['California', 'New York'], 'TX', 'US')).toBe(0);
    expect(region(['PACA'], 'Occitanie', 'FR')).toBe(0);
    // The "CA" of an Italian company is Cagliari: not California, though "CA" is still "CA".
    expect(region(['California'], 'CA', 'IT')).toBe(0);
    expect(region(['CA'], 'CA', 'IT')).toBe(3);
    expect(regionKey('California')).toBe('US:CA');
    expect(regionKey('ca', 'it')).toBe('ca');
  });
});

describe('seniority from a job title', () => {
  it.each([
    'Chief Procurement Officer',
    'Chief Financial Officer',
    'Chief Human Resources Officer',
    'Managing Director',
    'Directeur général',
    'Directrice générale adjointe',
    'Geschäftsführer',
    'Geschäftsführerin',
    'Président',
    'Présidente du directoire',
    'PDG',
    'DG',
  ])('reads %j as C-level', (title) => {
    expect(levelOfTitle(title)).toBe('c_level');
  });

  it('keeps other chiefs to their level, and scores a chief officer as C-level', () => {
    expect(levelOfTitle('Chef de projet')).toBe('manager');
    expect(levelOfTitle('Chief of Staff')).toBeUndefined();
    expect(levelOfTitle('Assistant to the Chief Financial Officer')).toBe('entry');
    expect(levelOfTitle('Executive Assistant to the CEO')).toBe('entry');
    expect(levelOfTitle('CEO Office Manager')).toBe('manager');
    expect(levelOfTitle('Secrétaire générale')).not.toBe('entry');
    expect(levelOfTitle('Company Secretary')).not.toBe('entry');
    const fit = fitScore(
      { seniority: { values: ['c_level'], points: 7 } },
      subject({ jobTitle: 'Chief Procurement Officer' }),
    );
    expect(fit.points).toBe(7);
  });

  it.each(['DAF', 'DRH Groupe', 'DSI'])('reads the French directors’ acronym %j as a director', (title) => {
    expect(levelOfTitle(title)).toBe('director');
  });
});

describe('departments across languages', () => {
  const department = (keywords: string[], jobTitle: string | null, department: string | null = null) =>
    fitScore({ departments: { keywords, points: 6 } }, subject({ jobTitle, department }));

  it('meets a keyword and a title or a department that name one area, in French or English', () => {
    expect(department(['procurement'], 'Directrice des achats').points).toBe(6);
    expect(department(['procurement'], 'Acheteur').points).toBe(6);
    expect(department(['achats'], 'Head of Procurement').points).toBe(6);
    expect(department(['achats'], null, 'Purchasing').points).toBe(6);
    expect(department(['achats'], 'Head of Procurement').contributions[0]?.facts).toEqual({
      department: 'procurement',
      fromTitle: 1,
    });
  });

  it('knows a title that names another area as outside, and one that names none as unknown', () => {
    expect(department(['achats'], 'Directeur commercial').missed).toEqual([
      { code: 'fit.department', missing: false },
    ]);
    expect(department(['achats'], 'Assistante de direction').missed).toEqual([
      { code: 'fit.department', missing: true },
    ]);
  });
});

describe('reasons against a poor fit', () => {
  it('name every criterion the person is outside of, revenue and attributes included', () => {
    const profile: IdealProfile = {
      revenue: { min: 1_000_000, points: 6 },
      seniority: { values: ['director'], points: 4 },
      attributes: [{ key: 'note', op: 'gte', value: 50, points: 5 }],
    };
    const julie = subject({ annualRevenue: 450_000, seniority: 'Manager', attributes: { note: '30' } });
    const scored = scoreInput(
      { id: 'c', idealProfile: profile, successTypes: ['meeting_booked'], halfLifeDays: 30 },
      undefined,
      { ...julie, prospectId: 'p', kind: 'b2b', language: null, events: [] },
      new Date('2026-11-30T10:00:00Z'),
    );
    expect(scored.score).toBe(0);
    expect(scored.contributions.negative.map((c) => [c.code, c.points])).toEqual([
      ['fit.revenue', -6],
      ['fit.attribute.note', -5],
      ['fit.seniority', -4],
    ]);
    expect(scored.contributions.negative.map((c) => reasonText(c))).toEqual([
      { fr: "Chiffre d'affaires de 450 k € hors cible", en: 'Revenue of €450k, outside the target range' },
      { fr: 'note = 30 (≥ 50) hors cible', en: 'note = 30 (≥ 50), outside the target' },
      { fr: 'Niveau manager hors cible', en: 'Seniority manager outside the target' },
    ]);
  });

  it('say a revenue in the target with its amount and currency', () => {
    const fit = fitScore(
      { revenue: { min: 1_000_000, points: 6, currency: 'GBP' } },
      subject({ annualRevenue: 12_900_000, revenueCurrency: 'GBP' }),
    );
    expect(fit.contributions.map((c) => reasonText(c))).toEqual([
      { fr: "Chiffre d'affaires de 12,9 M £ dans la cible", en: 'Revenue of £12.9m, in the target range' },
    ]);
    // A reason stored without its amount still reads.
    expect(reasonText({ code: 'fit.revenue', points: 6, facts: {} }).fr).toBe(
      "Chiffre d'affaires dans la cible",
    );
  });
});

describe('the country of a ranked list', () => {
  it('is refused when no prospect can carry it, with the code meant', () => {
    const criteria = z.object(RankedCriteria);
    const uk = criteria.safeParse({ country: 'UK' });
    expect(uk.success).toBe(false);
    expect(uk.error?.issues).toEqual([
      expect.objectContaining({ path: ['country'], message: expect.stringContaining('did you mean GB?') }),
    ]);
    expect(criteria.safeParse({ country: 'XX' }).success).toBe(false);
    expect(criteriaOf({ country: 'gb', other: 'x' })).toEqual({ country: 'GB' });
  });
});
