import { describe, expect, it } from 'vitest';
import { fieldsOf, guessField } from '../../src/imports/fields';
import { importOptionsSchema } from '../../src/imports/options';
import { describePlan, planColumns } from '../../src/imports/plan';
import { fold } from '../../src/prospects/fold';

describe('guessField', () => {
  it.each([
    ['Raison sociale', 'companyName'],
    ['SIRET', 'registrationId'],
    ['N° SIRET', 'registrationId'],
    ['Code NAF', 'industryCode'],
    ['Code APE', 'industryCode'],
    ['Effectif', 'employees'],
    ["Tranche d'effectif", 'employeeBand'],
    ['Téléphone', 'phone'],
    ['Tél. portable pro', 'mobile'],
    ['Portable', 'mobile'],
    ['E-mail', 'email'],
    ['Adresse e-mail', 'email'],
    ['Courriel', 'email'],
    ['Prénom', 'firstName'],
    ['Nom', 'lastName'],
    ['Fonction', 'jobTitle'],
    ['Company', 'companyName'],
    ['Phone', 'phone'],
    ['Title', 'jobTitle'],
    ['First Name', 'firstName'],
    ['Mobile Phone Number', 'mobile'],
    ['Number of Employees', 'employees'],
    ['# Employees', 'employees'],
    ['Country/Region', 'country'],
    ['Record ID', 'externalId'],
    ['Organization - Name', 'companyName'],
    ['Person - Email', 'email'],
    ['Person - Name', 'fullName'],
    ['denominationUniteLegale', 'companyName'],
    ['activitePrincipaleEtablissement', 'industryCode'],
    ['trancheEffectifsEtablissement', 'employeeBand'],
    ['codePostalEtablissement', 'postalCode'],
    ['Email 2', 'email'],
    ['Chiffre d’affaires', 'revenue'],
    ['Mailing State/Province', 'region'],
    ['Mobil', 'mobile'],
    ['Customer', 'companyName'],
    ['Job Position', 'jobTitle'],
    ['Nom du compte', 'companyName'],
  ])('%j → %s', (header, field) => expect(guessField('prospects', header)).toBe(field));

  // Pipedrive writes one column per kind of e-mail or phone, with or without the record's prefix.
  it.each([
    ['Person - Email - Work', 'email'],
    ['Person - Email - Home', 'email'],
    ['Person - Email - Other', 'email'],
    ['Person - Phone - Work', 'phone'],
    ['Person - Phone - Mobile', 'mobile'],
    ['Person - Phone - Home', 'phone'],
    ['Person - Phone - Other', 'phone'],
    ['Email - Work', 'email'],
    ['Email - Home', 'email'],
    ['Phone - Mobile', 'mobile'],
    ['Phone - Work', 'phone'],
    ['Company / Account', 'companyName'],
    ['Related Company', 'companyName'],
    ['Société liée', 'companyName'],
    ['Poste occupé', 'jobTitle'],
    ['ID externe', 'externalId'],
    ['Company Headcount', 'employees'],
  ])('CRM exports: %j → %s', (header, field) => expect(guessField('prospects', header)).toBe(field));

  it('keeps every typed Pipedrive contact column as a contact point', () => {
    const result = planColumns('prospects', [
      'Person - Name',
      'Person - Email - Work',
      'Person - Email - Home',
      'Person - Phone - Work',
      'Person - Phone - Mobile',
    ]);
    if ('errors' in result) throw new Error('unexpected');
    expect(result.plan.columns.map((c) => c.field)).toEqual([
      'fullName',
      'email',
      'email',
      'phone',
      'mobile',
    ]);
  });

  it.each(['prospects', 'interactions'] as const)('gives no %s header to two fields', (target) => {
    const owners = new Map<string, string[]>();
    for (const [field, spec] of Object.entries(fieldsOf(target)))
      for (const header of spec.headers) {
        const key = fold(header);
        owners.set(key, [...new Set([...(owners.get(key) ?? []), field])]);
      }
    expect([...owners].filter(([, fields]) => fields.length > 1)).toEqual([]);
  });

  it('leaves unknown headers alone', () => {
    expect(guessField('prospects', 'Notes internes')).toBeUndefined();
    expect(guessField('prospects', '')).toBeUndefined();
  });

  it.each([
    ['Date', 'occurredAt'],
    ["Date de l'appel", 'occurredAt'],
    ['Résultat', 'outcome'],
    ['Campagne', 'campaign'],
    ['E-mail', 'email'],
    ['Type', 'type'],
    ['Heure', 'time'],
    ['Time', 'time'],
    ['Call Date', 'occurredAt'],
    ['Call Time', 'time'],
    ["Heure de l'appel", 'time'],
    ['Start Time', 'time'],
    ['Date/Time', 'occurredAt'],
    ['Timestamp', 'occurredAt'],
    ['Person - Email - Work', 'email'],
    ['Phone - Mobile', 'phone'],
    ['ID externe', 'externalId'],
  ])('interactions: %j → %s', (header, field) => expect(guessField('interactions', header)).toBe(field));
});

describe('planColumns', () => {
  const headers = ['Société', 'Tel', 'Tel 2', 'Fonction', 'Poste', 'Segment', 'Notes'];

  it('maps what it recognises, keeps several phone columns, and says why it left the others out', () => {
    const result = planColumns('prospects', headers);
    if ('errors' in result) throw new Error('unexpected');
    const described = describePlan(result.plan);
    expect(described.mapped.map((m) => [m.column, m.field])).toEqual([
      ['Société', 'companyName'],
      ['Tel', 'phone'],
      ['Tel 2', 'phone'],
      ['Fonction', 'jobTitle'],
    ]);
    expect(described.ignored).toEqual([
      { column: 'Poste', reason: 'also looks like jobTitle, already read from "Fonction"' },
      {
        column: 'Segment',
        reason: 'no field recognises this header: map it, or keep it as a custom attribute with keepUnmapped',
      },
      {
        column: 'Notes',
        reason: 'no field recognises this header: map it, or keep it as a custom attribute with keepUnmapped',
      },
    ]);
  });

  it('says a column was left out because automatic mapping is off', () => {
    const result = planColumns('prospects', ['Société', 'Tel'], {
      mapping: { Tel: 'phone' },
      autoMap: false,
    });
    if ('errors' in result) throw new Error('unexpected');
    expect(describePlan(result.plan).ignored).toEqual([
      { column: 'Société', reason: 'not in the mapping, and autoMap is off' },
    ]);
  });

  it('follows an explicit mapping, by header or folded header, including custom attributes and null', () => {
    const result = planColumns('prospects', headers, {
      mapping: { segment: 'attributes.segment', Société: null, Notes: 'companyAttributes.notes' },
    });
    if ('errors' in result) throw new Error('unexpected');
    const fields = Object.fromEntries(result.plan.columns.map((c) => [c.header, c.field]));
    expect(fields).toMatchObject({
      Société: null,
      Segment: 'attributes.segment',
      Notes: 'companyAttributes.notes',
      Tel: 'phone',
    });
  });

  it('keeps unmapped columns as attributes when asked', () => {
    const result = planColumns('prospects', headers, { keepUnmapped: true });
    if ('errors' in result) throw new Error('unexpected');
    expect(result.plan.columns.find((c) => c.header === 'Notes')?.field).toBe('attributes.notes');
  });

  it('names the mapping entries that do not fit the file', () => {
    const result = planColumns('prospects', headers, { mapping: { Fax: 'phone', Segment: 'shoeSize' } });
    expect(result).toEqual({
      errors: [
        { field: 'mapping.Fax', message: expect.stringContaining('column "Fax" is not in the file') },
        { field: 'mapping.Segment', message: expect.stringContaining('"shoeSize" is not a field') },
      ],
    });
  });
});

describe('the type option', () => {
  it('takes a known event type only', () => {
    expect(importOptionsSchema.parse({ type: 'call_attempted' }).type).toBe('call_attempted');
    const wrong = importOptionsSchema.safeParse({ type: 'Appel' });
    expect(wrong.success ? undefined : wrong.error.issues[0]).toMatchObject({
      path: ['type'],
      message: expect.stringMatching(/^one of email_sent, .*call_attempted/),
    });
  });
});

describe('the mapping option', () => {
  it('says when its text is not JSON, and when it is JSON but not an object of fields', () => {
    const problem = (mapping: unknown) => {
      const parsed = importOptionsSchema.safeParse({ mapping });
      return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problem('{not json')).toEqual([expect.stringMatching(/^mapping: is not valid JSON/)]);
    expect(problem('[1]')).toEqual([expect.stringMatching(/^mapping: must be a JSON object/)]);
    expect(problem('{"Tel": "phone", "Notes": null}')).toBeUndefined();
    expect(importOptionsSchema.parse({}).mapping).toBeUndefined();
  });
});
