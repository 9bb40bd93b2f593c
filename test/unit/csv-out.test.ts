import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv-out';
import { EXPORT_HEADER, type ExportRow, exportFields } from '../../src/scoring/export';

describe('CSV lines for spreadsheets', () => {
  it('quotes what needs it and defuses formulas, but leaves phones and signed numbers alone', () => {
    const guard = { delimiter: ';' as const, guardFormulas: true };
    expect(csvLine(['a;b', 'say "hi"', 'two\nlines', 'plain', null, 12], guard)).toBe(
      '"a;b";"say ""hi""";"two\nlines";plain;;12',
    );
    expect(csvLine(['=HYPERLINK("http://x")', '@SUM(A1)', '-2+3', '+cmd|x'], guard)).toBe(
      `"'=HYPERLINK(""http://x"")";'@SUM(A1);'-2+3;'+cmd|x`,
    );
    expect(csvLine(['+33612345678', '-12.5', '+44 20 7946 0958'], guard)).toBe(
      '+33612345678;-12.5;+44 20 7946 0958',
    );
    // Without the guard (rejected rows sent back to be fixed), values go out as they came.
    expect(csvLine(['=1+1'], { delimiter: ';' })).toBe('=1+1');
  });
});

describe('the ranking export', () => {
  it('writes a probability with a decimal comma for Excel, with a point otherwise', () => {
    const row = {
      prospect: { id: 'p1', firstName: 'Anne', lastName: 'Morel', jobTitle: null, country: 'FR' },
      score: {
        score: 70,
        rank: 65,
        probability: 0.7515,
        fit: 80,
        engagement: 40,
        reasons: { positive: [], negative: [] },
      },
      company: null,
      contactPoints: [],
      doNotContact: ['email', 'sms'],
    } as unknown as ExportRow;
    const probability = EXPORT_HEADER.indexOf('probability');
    expect(exportFields(row, 'fr', true)[probability]).toBe('0,7515');
    expect(exportFields(row, 'en')[probability]).toBe(0.7515);
    expect(exportFields(row, 'en')[EXPORT_HEADER.indexOf('do_not_contact')]).toBe('email sms');
  });

  it('writes a company’s headcount, or its band as written when it has only a band', () => {
    const row = (company: object) =>
      ({
        prospect: { id: 'p1', firstName: null, lastName: 'Morel', jobTitle: null, country: 'FR' },
        score: {
          score: 1,
          rank: 1,
          probability: null,
          fit: 0,
          engagement: 0,
          reasons: { positive: [], negative: [] },
        },
        company: { name: 'X', industryCode: null, ...company },
        contactPoints: [],
        doNotContact: [],
      }) as unknown as ExportRow;
    const employees = EXPORT_HEADER.indexOf('employees');
    expect(exportFields(row({ employeeCount: 45, employeeBand: null }), 'fr')[employees]).toBe(45);
    expect(exportFields(row({ employeeCount: null, employeeBand: '50 à 99' }), 'fr')[employees]).toBe(
      '50 à 99',
    );
    expect(exportFields(row({ employeeCount: null, employeeBand: null }), 'fr')[employees]).toBeNull();
  });
});
