import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv-out';

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
