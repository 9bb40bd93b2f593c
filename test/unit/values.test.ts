import { describe, expect, it } from 'vitest';
import { normalizeDomain, parseIndustry, parseRegistration } from '../../src/prospects/company-values';
import { companyDedupeKey, companyNameKey } from '../../src/prospects/drafts';
import { normalizeCountry, normalizeLanguage } from '../../src/prospects/locale';
import { parseEmployees, parseLooseNumber, parseMoney } from '../../src/prospects/numbers';
import { parseProspectKind, splitFullName } from '../../src/prospects/person-values';

describe('normalizeCountry', () => {
  it.each([
    ['FR', 'FR'],
    ['fra', 'FR'],
    ['France', 'FR'],
    ['Royaume-Uni', 'GB'],
    ['United Kingdom', 'GB'],
    ['UK', 'GB'],
    ['Allemagne', 'DE'],
    ['Deutschland', 'DE'],
    ['États-Unis', 'US'],
    ['USA', 'US'],
    ['Belgique', 'BE'],
  ])('%s → %s', (raw, code) => expect(normalizeCountry(raw)).toBe(code));
  it('does not guess', () => expect(normalizeCountry('Atlantis')).toBeUndefined());
});

describe('parseLooseNumber', () => {
  it.each([
    ['1 234,56', 1234.56],
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ['12,5', 12.5],
    ['1\u202f200', 1200],
    ['-3', -3],
  ])('%j → %d', (raw, value) => expect(parseLooseNumber(raw)).toBe(value));
  it('reads a lone group of three as thousands when the value is whole', () => {
    expect(parseLooseNumber('1.200', true)).toBe(1200);
    expect(parseLooseNumber('1,5', true)).toBe(1.5);
  });
});

describe('parseEmployees', () => {
  it.each([
    ['250', { count: 250 }],
    ['1 200', { count: 1200 }],
    ['10-49', { band: '10-49' }],
    ['10 à 49 salariés', { band: '10-49' }],
    ['de 50 à 99 salariés', { band: '50-99' }],
    ['5000+', { band: '5000+' }],
    ['plus de 500', { band: '500+' }],
    ['1,001-5,000', { band: '1001-5000' }],
  ])('%j', (raw, expected) => expect(parseEmployees(raw)).toEqual(expected));
  it('reads INSEE band codes only as bands', () => {
    expect(parseEmployees('12', true)).toEqual({ band: '20-49' });
    expect(parseEmployees('12')).toEqual({ count: 12 });
  });
  it('refuses words', () => expect(parseEmployees('beaucoup')).toBeUndefined());
});

describe('parseMoney', () => {
  it.each([
    ['1 234 567 €', { amount: 1234567, currency: 'EUR' }],
    ['1,2 M€', { amount: 1200000, currency: 'EUR' }],
    ['$1.5M', { amount: 1500000, currency: 'USD' }],
    ['12k', { amount: 12000 }],
    ['2,5 Mds €', { amount: 2500000000, currency: 'EUR' }],
    ['£350,000', { amount: 350000, currency: 'GBP' }],
  ])('%j', (raw, expected) => expect(parseMoney(raw)).toEqual(expected));
});

describe('parseIndustry', () => {
  it.each([
    ['46.69Z', undefined, { code: '46.69Z', scheme: 'NAF' }],
    ['4669Z', undefined, { code: '46.69Z', scheme: 'NAF' }],
    [
      '62.02A - Conseil en systèmes et logiciels informatiques',
      undefined,
      { code: '62.02A', scheme: 'NAF', label: 'Conseil en systèmes et logiciels informatiques' },
    ],
    ['541512', undefined, { code: '541512', scheme: 'NAICS' }],
    ['62020', 'SIC', { code: '62020', scheme: 'SIC' }],
    ['7372', undefined, { code: '7372', scheme: 'SIC' }],
    ['62 01Z', undefined, { code: '62.01Z', scheme: 'NAF' }],
    ['62-02A', undefined, { code: '62.02A', scheme: 'NAF' }],
    ['62.01', undefined, { code: '62.01', scheme: 'NACE' }],
    ['46.6', undefined, { code: '46.6', scheme: 'NACE' }],
    ['62.01', 'NAF', { code: '62.01', scheme: 'NAF' }],
    ['6201', 'NAF', { code: '62.01', scheme: 'NAF' }],
    ['62.01.1', undefined, { code: '62.01.1' }],
  ] as const)('%j', (raw, hint, expected) => expect(parseIndustry(raw, hint)).toEqual(expected));
  it('takes four digits of a French company as a NAF class', () =>
    expect(parseIndustry('4211', undefined, 'FR')).toEqual({ code: '42.11', scheme: 'NAF' }));
  it('takes a five-digit code in the UK as SIC 2007', () =>
    expect(parseIndustry('62020', undefined, 'GB')).toEqual({ code: '62020', scheme: 'SIC' }));
});

describe('parseRegistration', () => {
  it('recognises SIRET and SIREN and checks their Luhn digit', () => {
    expect(parseRegistration('552 081 317 00026')).toEqual({ id: '55208131700026', scheme: 'SIRET' });
    expect(parseRegistration('552081317')).toEqual({ id: '552081317', scheme: 'SIREN' });
    expect(parseRegistration('55208131700056')).toMatchObject({
      scheme: 'SIRET',
      warning: expect.stringContaining('check digit'),
    });
  });
  it('accepts La Poste establishments, which follow another rule', () => {
    expect(parseRegistration('35600000000010')).toEqual({ id: '35600000000010', scheme: 'SIRET' });
  });
  it('says when a spreadsheet turned the number into scientific notation', () => {
    expect(parseRegistration('5,52081E+13')).toEqual({
      error: expect.stringContaining('scientific notation'),
    });
  });
  it('refuses a SIRET column value of the wrong length', () => {
    expect(parseRegistration('123', 'SIRET')).toEqual({ error: expect.stringContaining('14 digits') });
  });
  it('reads Companies House numbers and EINs by country', () => {
    expect(parseRegistration('SC123456', undefined, 'GB')).toEqual({
      id: 'SC123456',
      scheme: 'COMPANIES_HOUSE',
    });
    expect(parseRegistration('12-3456789', undefined, 'US')).toEqual({ id: '12-3456789', scheme: 'EIN' });
  });
});

describe('names, domains, kinds, languages', () => {
  it.each([
    ['Jean Dupont', { firstName: 'Jean', lastName: 'Dupont' }],
    ['DUPONT Jean', { firstName: 'Jean', lastName: 'DUPONT' }],
    ['Dupont, Jean', { firstName: 'Jean', lastName: 'Dupont' }],
    ['M. Jean-Pierre de La Tour', { firstName: 'Jean-Pierre', lastName: 'de La Tour' }],
    ['Mme Anne-Sophie LEFÈVRE', { firstName: 'Anne-Sophie', lastName: 'LEFÈVRE' }],
    ['Cher', { lastName: 'Cher' }],
  ])('splits %j', (raw, expected) => expect(splitFullName(raw)).toEqual(expected));

  it.each([
    ['https://www.acme.fr/contact', 'acme.fr'],
    ['WWW.ACME.CO.UK', 'acme.co.uk'],
    ['acme.de', 'acme.de'],
    ['not a site', undefined],
  ])('domain %j', (raw, domain) => expect(normalizeDomain(raw)).toBe(domain));

  it('reads B2B and B2C in French and English', () => {
    expect(parseProspectKind('Professionnel')).toBe('b2b');
    expect(parseProspectKind('particulier')).toBe('b2c');
    expect(parseProspectKind('B2C')).toBe('b2c');
    expect(parseProspectKind('martian')).toBeUndefined();
  });

  it('reads languages by code or name', () => {
    expect(normalizeLanguage('fr-FR')).toBe('fr');
    expect(normalizeLanguage('Français')).toBe('fr');
    expect(normalizeLanguage('German')).toBe('de');
    expect(normalizeLanguage('Klingon')).toBeUndefined();
  });

  it('keys companies by registration id, else by name without legal form and country', () => {
    expect(companyDedupeKey({ name: 'ACME SAS', country: 'FR' })).toBe(
      companyDedupeKey({ name: 'Acme', country: 'FR' }),
    );
    expect(companyDedupeKey({ name: 'Acme', country: 'FR' })).not.toBe(
      companyDedupeKey({ name: 'Acme', country: 'DE' }),
    );
    // Legal forms written with dots are still legal forms.
    for (const name of ['Dedup S.A.S.', 'Dedup S.A.S', 'DEDUP SAS'])
      expect(companyDedupeKey({ name, country: 'FR' })).toBe('name:dedup|FR');
    // A name in camel case is one word: the "Co" of SirenCo is no legal form.
    expect(companyDedupeKey({ name: 'SirenCo SAS' })).toBe('name:sirenco|');
    expect(['BlaBlaCar', 'Bla Bla Car SE', 'BLABLACAR'].map(companyNameKey)).toEqual([
      'blablacar',
      'blablacar',
      'blablacar',
    ]);
    expect(
      companyDedupeKey({ name: 'Other name', registrationId: '552081317', registrationScheme: 'SIREN' }),
    ).toBe('reg:SIREN:552081317');
  });
});
