import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, CsvSyntaxError, CsvTokenizer } from '../../src/imports/csv-tokenizer';

function parse(text: string, delimiter = ',', chunkSizes: number[] = [text.length || 1]): CsvRecord[] {
  const tokenizer = new CsvTokenizer(delimiter);
  const out: CsvRecord[] = [];
  let at = 0;
  let i = 0;
  while (at < text.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    tokenizer.push(text.slice(at, at + size), out);
    at += size;
  }
  tokenizer.end(out);
  return out;
}

function quote(field: string, delimiter: string): string {
  return /["\r\n]/.test(field) || field.includes(delimiter) ? `"${field.replaceAll('"', '""')}"` : field;
}

describe('CsvTokenizer', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks, and the line each record starts on', () => {
    const text = 'name;note\r\n"Dupont; Jean";"dit ""Jeannot""\r\nà rappeler"\r\nMartin;ok\r\n';
    expect(parse(text, ';')).toEqual([
      { fields: ['name', 'note'], line: 1 },
      { fields: ['Dupont; Jean', 'dit "Jeannot"\r\nà rappeler'], line: 2 },
      { fields: ['Martin', 'ok'], line: 4 },
    ]);
  });

  it('accepts LF, CRLF and lone CR line ends, and a last line without one', () => {
    expect(parse('a,b\nc,d\re,f\r\ng,h')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 2 },
      { fields: ['e', 'f'], line: 3 },
      { fields: ['g', 'h'], line: 4 },
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(parse('a,b\n\n\nc,d\n')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 4 },
    ]);
  });

  it('keeps quotes inside unquoted fields and text after a closing quote, as spreadsheets do', () => {
    expect(parse('12" screen,"abc"def\n')).toEqual([{ fields: ['12" screen', 'abcdef'], line: 1 }]);
  });

  it('keeps empty fields, leading and trailing', () => {
    expect(parse(',a,,\n')).toEqual([{ fields: ['', 'a', '', ''], line: 1 }]);
  });

  it('reports a quote left open with the line where its record starts', () => {
    expect(() => parse('a,b\n1,"never closed\n2,3\n')).toThrowError(CsvSyntaxError);
    try {
      parse('a,b\n1,"never closed\n2,3\n');
    } catch (error) {
      expect((error as CsvSyntaxError).line).toBe(2);
      expect((error as Error).message).toContain('line 2');
    }
  });

  it('reads any table back, however the text is cut into chunks (property)', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'é', ' ', '"', ';', ',', '\t', '\n', '\r\n', 'x', '€'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '\t'),
        fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (delimiter, rows, chunks, eol) => {
          // A row whose every field is empty is a blank line and no record; keep one visible field.
          const table = rows.map((r) => (r.every((f) => f === '') ? ['x', ...r.slice(1)] : r));
          const lines = table.map((r) => r.map((f) => quote(f, delimiter)).join(delimiter));
          const text = lines.join(eol) + eol;
          const records = parse(text, delimiter, chunks);
          expect(records.map((r) => r.fields)).toEqual(table);
          let line = 1;
          records.forEach((record, i) => {
            expect(record.line).toBe(line);
            line += (lines[i]!.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
          });
        },
      ),
      { numRuns: 400 },
    );
  });
});
