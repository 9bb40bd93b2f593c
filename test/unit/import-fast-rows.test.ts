import { describe, expect, it } from 'vitest';
import { createConverter } from '../../src/imports/converter';
import type { CsvRecord } from '../../src/imports/csv-tokenizer';
import { planColumns } from '../../src/imports/plan';
import { KeyDigests } from '../../src/lib/key-digests';
import { contactPointId } from '../../src/prospects/contact-point-id';
import { PROSPECT_COPY_COLUMNS } from '../../src/prospects/copy-columns';

const ORG = '01a22709-4079-7007-93dc-3ad69c4667f8';
const HEADER = ['Société', 'Prénom', 'Nom', 'Fonction', 'Téléphone', 'E-mail', 'ID CRM', 'Ville'];

function converter() {
  const planned = planColumns('prospects', HEADER);
  if ('errors' in planned) throw new Error('no plan');
  return createConverter(planned.plan, {
    target: 'prospects',
    orgId: ORG,
    defaultCountry: 'FR',
    invalidContactPoints: 'reject',
    timeZone: 'Europe/Paris',
    dayFirst: true,
    now: '2026-11-29T12:00:00Z',
  });
}

let line = 1;
const row = (...fields: string[]): CsvRecord => ({ line: ++line, fields });

describe('KeyDigests', () => {
  it('never loses a key it was given, through its growth, and rarely claims one it was not', () => {
    const set = new KeyDigests();
    for (let i = 0; i < 300_000; i++) set.add(`+3361${String(i).padStart(7, '0')}`);
    expect(set.size).toBeGreaterThan(299_900);
    for (let i = 0; i < 300_000; i++) expect(set.has(`+3361${String(i).padStart(7, '0')}`)).toBe(true);
    let claimed = 0;
    for (let i = 0; i < 300_000; i++) if (set.has(`+3362${String(i).padStart(7, '0')}`)) claimed++;
    expect(claimed).toBeLessThan(300);
    set.clear();
    expect(set.has('+33610000000')).toBe(false);
  });
});

describe('the fast rows of a prospect import', () => {
  it('sends every row down the careful path until the router is enabled', () => {
    const out = converter().convert([row('ACME', 'Anne', 'Martin', '', '06 12 34 56 78', '', '', '')]);
    expect(out.fast?.count).toBe(0);
    expect(out.records).toHaveLength(1);
  });

  it('writes new people as COPY text, and keeps for care the rows that meet a known or earlier key', () => {
    const c = converter();
    c.command({ know: [contactPointId(ORG, 'phone', '+33600000001')] });
    c.command({ enable: true });
    const first = c.convert([
      row('ACME', 'Anne', 'Martin', 'DAF\tadjointe', '06 12 34 56 78', 'anne@acme.fr', 'CRM-1', 'Paris'),
      row('Globex', 'Bruno', 'Petit', '', '06 00 00 00 01', '', '', 'Lyon'),
      row('Globex', 'Chloé', 'Roux', '', '', 'chloe@globex.fr', 'CRM-3', 'Lyon'),
      row('Globex', 'Chloé', 'Roux', '', '', 'CHLOE@globex.fr', '', 'Lyon'),
      row('Initech', '', '', '', '', '', '', 'Nantes'),
    ]);
    // Bruno's phone was known; Chloé's second row repeats her e-mail, so both of hers go to the careful
    // writer, which matches the rows of a batch with each other; the last row has no person.
    expect(first.fast?.count).toBe(1);
    expect(first.records.map((r) => r.line)).toEqual([line - 3, line - 2, line - 1, line]);
    const tail = first.fast!.tails[0]!.split('\t');
    expect(tail).toHaveLength(PROSPECT_COPY_COLUMNS.length - 3);
    expect(tail.slice(1, 5)).toEqual(['CRM-1', 'Anne', 'Martin', 'DAF\\tadjointe']);
    expect(JSON.parse(tail.at(-1)!)).toEqual([
      { id: contactPointId(ORG, 'email', 'anne@acme.fr'), label: 'E-mail' },
      { id: contactPointId(ORG, 'phone', '+33612345678'), label: 'Téléphone' },
    ]);
    expect(first.fast!.contactPoints).toEqual([
      `${ORG}\t${contactPointId(ORG, 'email', 'anne@acme.fr')}\temail\tanne@acme.fr\t\\N\t\\N\tacme.fr\t{${first.fast!.ids[0]}}`,
      `${ORG}\t${contactPointId(ORG, 'phone', '+33612345678')}\tphone\t+33612345678\tmobile\tFR\t\\N\t{${first.fast!.ids[0]}}`,
    ]);
    expect(first.fast!.companies.map((c) => c.company.name)).toEqual(['ACME']);

    // A later batch. Anne's phone and CRM id are earlier rows'. ACME comes again with the same values and
    // is not sent again, until a row gives it other values, or a careful row of ACME may have.
    const second = c.convert([
      row('Umbrella', 'Anne', 'Martin', '', '+33 6 12 34 56 78', '', '', 'Paris'),
      row('ACME', 'Denis', 'Blanc', '', '07 81 22 33 44', 'denis@acme.fr', '', 'Paris'),
      row('ACME', 'Emma', 'Noir', '', '07 81 22 33 45', '', '', 'Lille'),
      row('ACME', 'Farid', 'Kaci', '', '', '', 'CRM-1', 'Paris'),
      row('ACME', 'Gil', 'Roy', '', '07 81 22 33 46', 'gil@acme.fr', '', 'Paris'),
    ]);
    expect(second.fast?.count).toBe(3);
    expect(second.records.map((r) => r.line)).toEqual([line - 4, line - 1]);
    expect(second.fast!.companies.map((c) => [c.line, c.company.city])).toEqual([
      [line - 2, 'Lille'],
      [line, 'Paris'],
    ]);
    expect(new Set(second.fast!.companyKeys)).toEqual(new Set([first.fast!.companyKeys[0]]));

    c.command({ reset: true });
    expect(c.convert([row('ACME', 'Anne', 'Martin', '', '06 12 34 56 78', '', '', '')]).fast?.count).toBe(0);
  });
});
