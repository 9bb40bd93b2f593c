import { describe, expect, it } from 'vitest';
import { summaryLabel } from '../../src/imports/converter';
import { toInteractionRecord } from '../../src/imports/interaction-records';
import { type ColumnPlan, planColumns } from '../../src/imports/plan';
import { toProspectRecord } from '../../src/imports/prospect-records';

function plan(target: 'prospects' | 'interactions', headers: string[]): ColumnPlan {
  const result = planColumns(target, headers);
  if ('errors' in result) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const options = { defaultCountry: 'FR', invalidContactPoints: 'reject' as const };

describe('toProspectRecord', () => {
  const p = plan('prospects', [
    'Raison sociale',
    'SIRET',
    'Code NAF',
    'Effectif',
    'Prénom',
    'Nom',
    'Téléphone',
    'E-mail',
    'Pays',
    'Site web',
  ]);

  it('normalizes a French row into a company, a person and contact points', () => {
    const result = toProspectRecord(
      [
        'ACME SAS',
        '552 081 317 00026',
        '4669Z',
        '10 à 49',
        'Anne',
        'Martin',
        '01 23 45 67 89 / 06 12 34 56 78',
        'Anne.Martin@ACME.fr',
        'France',
        'https://www.acme.fr',
      ],
      7,
      p,
      options,
    );
    expect(result.kind).toBe('record');
    if (result.kind !== 'record') return;
    expect(result.record.company).toMatchObject({
      name: 'ACME SAS',
      registrationId: '55208131700026',
      registrationScheme: 'SIRET',
      industryCode: '46.69Z',
      industryScheme: 'NAF',
      employeeBand: '10-49',
      country: 'FR',
      domain: 'acme.fr',
      dedupeKey: 'reg:SIRET:55208131700026',
    });
    expect(result.record.prospect).toMatchObject({ firstName: 'Anne', lastName: 'Martin', country: 'FR' });
    expect(result.record.contactPoints.map((c) => [c.channel, c.value, c.phoneType])).toEqual([
      ['email', 'anne.martin@acme.fr', undefined],
      ['phone', '+33123456789', 'fixed_line'],
      ['phone', '+33612345678', 'mobile'],
    ]);
  });

  it('rejects a row with an invalid phone, naming the line and the value', () => {
    const result = toProspectRecord(
      ['ACME', '', '', '', 'Anne', 'Martin', '+33 1 23', '', '', ''],
      17,
      p,
      options,
    );
    expect(result).toEqual({
      kind: 'rejected',
      error: { line: 17, field: 'phone', message: 'line 17: phone "+33 1 23" is not a valid number for FR' },
    });
  });

  it('drops an invalid phone with a warning when asked to', () => {
    const result = toProspectRecord(
      ['ACME', '', '', '', 'Anne', 'Martin', '+33 1 23', 'anne@acme.fr', '', ''],
      17,
      p,
      {
        ...options,
        invalidContactPoints: 'drop',
      },
    );
    expect(result.kind).toBe('record');
    if (result.kind === 'record')
      expect(result.record.warnings).toEqual([
        'line 17: phone "+33 1 23" is not a valid number for FR; left out',
      ]);
  });

  it("reads national numbers with the row's country", () => {
    const result = toProspectRecord(
      ['', '', '', '', 'John', 'Smith', '020 7946 0958', '', 'Royaume-Uni', ''],
      3,
      p,
      options,
    );
    expect(result.kind === 'record' && result.record.contactPoints[0]?.value).toBe('+442079460958');
  });

  it('reads a German number with a slash after the area code as one number, and keeps splitting lists', () => {
    const phones = (cell: string, country: string) => {
      const result = toProspectRecord(['', '', '', '', 'Jan', 'Weber', cell, '', country, ''], 6, p, options);
      if (result.kind !== 'record') throw new Error(JSON.stringify(result));
      return result.record.contactPoints.map((c) => c.value);
    };
    expect(phones('030/12345699', 'Allemagne')).toEqual(['+493012345699']);
    expect(phones('089 / 1234 5698', 'DE')).toEqual(['+498912345698']);
    expect(phones('+49 (0)40 / 123 456 97', 'DE')).toEqual(['+494012345697']);
    expect(phones('+49 (0)40 / 123 456 97', 'FR')).toEqual(['+494012345697']);
    expect(phones('06 12 34 56 78 / 01 23 45 67 89', 'FR')).toEqual(['+33612345678', '+33123456789']);
    expect(phones('030/12345699 ; 089 / 1234 5698', 'DE')).toEqual(['+493012345699', '+498912345698']);
  });

  it('names a slashed number whole when it is not valid, and a stray piece beside a number alone', () => {
    const rejection = (cell: string) =>
      toProspectRecord(['', '', '', '', 'Jan', 'Weber', cell, '', 'FR', ''], 6, p, options);
    expect(rejection('030/12345699')).toMatchObject({
      kind: 'rejected',
      error: { message: 'line 6: phone "030 12345699" is not a valid number for FR' },
    });
    expect(rejection('06 12 34 56 78 / 12')).toMatchObject({
      kind: 'rejected',
      error: { message: 'line 6: phone "12" is too short to be a phone number' },
    });
  });

  it('treats a row of empty cells as blank, and a row naming nobody as rejected', () => {
    expect(toProspectRecord(['', ' ', '', '', '', '', '', '', '', ''], 4, p, options)).toEqual({
      kind: 'blank',
    });
    expect(toProspectRecord(['', '', '46.69Z', '12', '', '', '', '', 'FR', ''], 5, p, options)).toMatchObject(
      {
        kind: 'rejected',
        error: { line: 5, message: expect.stringContaining('nothing identifies') },
      },
    );
  });

  it('reports a row with more fields than the header', () => {
    const fields = ['ACME', '', '', '', 'Anne', 'Martin', '', '', '', '', 'extra', 'more'];
    expect(toProspectRecord(fields, 9, p, options)).toMatchObject({
      kind: 'rejected',
      error: { message: expect.stringContaining('12 fields where the header has 10') },
    });
  });

  it('keeps Excel\'s ="…" text cells as their content', () => {
    const result = toProspectRecord(
      ['ACME', '', '', '', 'Anne', 'Martin', '="0123456789"', '', '', ''],
      2,
      p,
      options,
    );
    expect(result.kind === 'record' && result.record.contactPoints[0]?.value).toBe('+33123456789');
  });
});

describe('placeholders in an e-mail or phone cell', () => {
  it('read as empty, and "n/a" is not split at its slash', () => {
    const mapped = planColumns('prospects', ['Nom', 'Société', 'E-mail', 'Téléphone'], {});
    if ('errors' in mapped) throw new Error('unexpected');
    for (const [email, phone] of [
      ['n/a', '-'],
      ['N/A', 'néant'],
      ['--', '#N/A'],
    ]) {
      const result = toProspectRecord(['Klein', 'Beta', email!, phone!], 2, mapped.plan, options);
      if (result.kind !== 'record') throw new Error(JSON.stringify(result));
      expect(result.record.contactPoints).toEqual([]);
    }
  });
});

describe('a header written twice', () => {
  it('reads the second column on the rows where the first is empty', () => {
    const mapped = planColumns('prospects', ['Nom', 'E-mail', 'Title', 'Company', 'Title', 'Company'], {});
    if ('errors' in mapped) throw new Error('unexpected');
    const read = (cells: string[]) => {
      const result = toProspectRecord(cells, 2, mapped.plan, options);
      if (result.kind !== 'record') throw new Error(JSON.stringify(result));
      return [result.record.prospect?.jobTitle, result.record.company?.name];
    };
    expect(read(['Klein', 'k@beta.de', '', '', 'Head of IT', 'Beta GmbH'])).toEqual([
      'Head of IT',
      'Beta GmbH',
    ]);
    expect(read(['Klein', 'k@beta.de', 'CTO', 'Alpha AG', 'Head of IT', 'Beta GmbH'])).toEqual([
      'CTO',
      'Alpha AG',
    ]);
  });
});

describe('company attributes without a company', () => {
  it('warns that they were left out instead of dropping them silently', () => {
    const mapped = planColumns('prospects', ['Nom', 'E-mail', 'Budget'], {
      mapping: { Budget: 'companyAttributes.budget' },
    });
    if ('errors' in mapped) throw new Error('unexpected');
    const result = toProspectRecord(['Martin', 'anne@gmail.com', '20 k€'], 2, mapped.plan, options);
    if (result.kind !== 'record') throw new Error(JSON.stringify(result));
    expect(result.record.company).toBeUndefined();
    expect(result.record.warnings).toEqual([
      'line 2: "budget" left out: the row names no company (no company name, registration id or web site)',
    ]);
  });

  it('warns of industry, headcount and revenue left out the same way, by their columns', () => {
    const mapped = planColumns(
      'prospects',
      ['First Name', 'Last Name', 'Email', 'Industry', 'Number of Employees'],
      {},
    );
    if ('errors' in mapped) throw new Error('unexpected');
    const result = toProspectRecord(['Co', 'Less', 'coless@x.fr', 'Retail', '42'], 2, mapped.plan, options);
    if (result.kind !== 'record') throw new Error(JSON.stringify(result));
    expect(result.record.warnings).toEqual([
      'line 2: "Industry", "Number of Employees" left out: the row names no company (no company name, registration id or web site)',
    ]);
  });
});

describe('toInteractionRecord', () => {
  const p = plan('interactions', ['E-mail', 'Type', 'Date', 'Résultat', 'Campagne', 'Durée']);
  const opts = {
    defaultCountry: 'FR',
    dates: { timeZone: 'Europe/Paris', dayFirst: true },
    now: new Date('2026-11-29T12:00:00Z'),
  };

  it("reads French dates in the organization's zone, usual type names and durations", () => {
    const result = toInteractionRecord(
      ['anne@acme.fr', 'Appel', '28/11/2026 14:30', 'pas de réponse', 'Automne', '1:35'],
      2,
      p,
      opts,
    );
    expect(result).toEqual({
      kind: 'record',
      record: {
        line: 2,
        ref: { by: 'contactPoint', value: 'anne@acme.fr', label: 'e-mail anne@acme.fr' },
        type: 'call_attempted',
        channel: 'phone',
        occurredAt: new Date('2026-11-28T13:30:00Z'),
        outcome: 'pas de réponse',
        campaign: 'Automne',
        metadata: { durationSeconds: 95 },
      },
    });
  });

  it('warns once, at the first date that only reads the other way round, that the file may use the other order', () => {
    const state = { ...opts, contradictedOrder: { warned: false } };
    const row = (date: string, line: number) =>
      toInteractionRecord(['anne@acme.fr', 'email_sent', date, '', '', ''], line, p, state);
    const first = row('03/04/2026', 2);
    const contradicting = row('12/31/2025', 3);
    const later = row('11/30/2025', 4);
    expect(first).toMatchObject({ kind: 'record', record: { occurredAt: new Date('2026-04-02T22:00:00Z') } });
    expect(first.kind === 'record' && first.record.warnings).toBeFalsy();
    expect(contradictedWarnings(contradicting)).toEqual([
      expect.stringMatching(/^line 3: date "12\/31\/2025" .*reads dates day first.*dateOrder "mdy"/),
    ]);
    expect(contradictedWarnings(later)).toBeUndefined();
    const us = {
      ...opts,
      dates: { timeZone: 'America/New_York', dayFirst: false },
      contradictedOrder: { warned: false },
    };
    const european = toInteractionRecord(['anne@acme.fr', 'email_sent', '31/12/2025', '', '', ''], 5, p, us);
    expect(contradictedWarnings(european)).toEqual([expect.stringContaining('dateOrder "dmy"')]);
  });

  it.each([
    [
      ['anne@acme.fr', 'Pigeon voyageur', '28/11/2026', '', '', ''],
      'event type "Pigeon voyageur" is not known',
    ],
    [['anne@acme.fr', 'email_sent', '31/02/2026', '', '', ''], 'date "31/02/2026" is not a date'],
    [['anne@acme.fr', 'email_sent', '2027-06-01', '', '', ''], 'is in the future'],
    [['', 'email_sent', '2026-06-01', '', '', ''], 'no prospect id, CRM id, e-mail or phone'],
  ])('rejects %j', (fields, message) => {
    expect(toInteractionRecord(fields, 3, p, opts)).toMatchObject({
      kind: 'rejected',
      error: { line: 3, message: expect.stringContaining(message) },
    });
  });
});

function contradictedWarnings(result: ReturnType<typeof toInteractionRecord>) {
  return result.kind === 'record' ? result.record.warnings : ['not a record'];
}

describe('a LinkedIn export', () => {
  it("does not take the person's profile URL for the company's web site", () => {
    const p = plan('prospects', ['First Name', 'Last Name', 'URL', 'Company', 'Position']);
    const result = toProspectRecord(
      ['Nadia', 'Haddad', 'https://www.linkedin.com/in/nadia-haddad', 'Acme SAS', 'Acheteuse'],
      2,
      p,
      options,
    );
    if (result.kind !== 'record') throw new Error(JSON.stringify(result));
    expect(result.record.company?.domain).toBeUndefined();
    expect(result.record.warnings).toEqual([
      'line 2: "https://www.linkedin.com/in/nadia-haddad" is a profile on linkedin.com, not the company\'s web site; left out',
    ]);
  });
});

describe('summaryLabel', () => {
  const p = plan('prospects', ['Nom complet', 'Compte', 'Téléphone', 'SIRET', 'Chiffre d’affaires']);

  it("finds a report's summary lines, in any case and accents, with numbers or nothing beside them", () => {
    expect(summaryLabel(['Total', '2'], p)).toBe('Total');
    expect(summaryLabel(['', 'Sous-total', '', '', '1 234,50 €'], p)).toBe('Sous-total');
    expect(summaryLabel(['TOTAL GÉNÉRAL', '12', '', '', '3.5'], p)).toBe('TOTAL GÉNÉRAL');
    expect(summaryLabel(['Grand Total', '7'], p)).toBe('Grand Total');
    expect(summaryLabel(['Subtotal'], p)).toBe('Subtotal');
    expect(summaryLabel(['Record Count', '42'], p)).toBe('Record Count');
    expect(summaryLabel(['Somme', '42'], p)).toBe('Somme');
    expect(summaryLabel(['Gesamtsumme', '42'], p)).toBe('Gesamtsumme');
    expect(summaryLabel(['Summe:', '42'], p)).toBe('Summe:');
  });

  it('keeps a line whose other cells are words or identifiers: Total is also a company', () => {
    expect(summaryLabel(['Jean Total', '2'], p)).toBeUndefined();
    expect(summaryLabel(['Anne Roy', 'Total'], p)).toBeUndefined();
    expect(summaryLabel(['', 'Total', '', '552 081 317 00026'], p)).toBeUndefined();
    expect(summaryLabel(['', 'Total', '', '552081317'], p)).toBeUndefined();
    expect(summaryLabel(['', 'Total', '01 23 45 67 89'], p)).toBeUndefined();
    expect(summaryLabel(['Total', 'TotalEnergies SE'], p)).toBeUndefined();
  });
});
