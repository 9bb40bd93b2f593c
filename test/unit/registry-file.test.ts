import { describe, expect, it } from 'vitest';
import {
  RegistryLineReader,
  type RegistryRejection,
  registryNumber,
} from '../../src/compliance/registry-file';

/** Reads a whole file in chunks of `size` bytes, as an upload arrives. */
function read(text: string, country: string, size = 7) {
  const numbers: string[] = [];
  const rejected: RegistryRejection[] = [];
  const reader = new RegistryLineReader(
    country,
    (n) => numbers.push(n),
    (r) => rejected.push(r),
  );
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
  reader.end();
  return { numbers, rejected };
}

describe('registry numbers', () => {
  it.each([
    ['0612345678', 'FR', '33612345678'],
    ['06 12 34 56 78', 'FR', '33612345678'],
    ['06.12.34.56.78', 'FR', '33612345678'],
    ['612345678', 'FR', '33612345678'],
    ['+33 6 12 34 56 78', 'FR', '33612345678'],
    ['0033612345678', 'FR', '33612345678'],
    ['33612345678', 'FR', '33612345678'],
    ['0590 27 12 34', 'FR', '590590271234'],
    ['0692 12 34 56', 'FR', '262692123456'],
    ['020 7946 0000', 'GB', '442079460000'],
    ['+44 7911 123456', 'GB', '447911123456'],
    ['447911123456', 'GB', '447911123456'],
    ['(213) 555-0147', 'US', '12135550147'],
    ['1-213-555-0147', 'US', '12135550147'],
    ['4165550147', 'CA', '14165550147'],
  ])('%s in a %s file is %s', (raw, country, expected) => {
    expect(registryNumber(raw, country)).toBe(expected);
  });

  it.each([
    ['n/a', 'FR'],
    ['12', 'FR'],
    ['0012', 'FR'],
    ['06 12 34', 'FR'],
    ['+0612345678', 'FR'],
    ['jean@exemple.fr', 'FR'],
    ['0123456789012345', 'GB'],
    ['1234567890', 'US'],
  ])('%s in a %s file is no number', (raw, country) => {
    expect(registryNumber(raw, country)).toBeUndefined();
  });
});

describe('registry files', () => {
  it('reads one number a line, whatever the line endings, a BOM and blank lines', () => {
    const { numbers, rejected } = read(
      '\uFEFF0612345678\r\n\r\n06 12 34 56 79\n\n+33612345680\r\n0612345681',
      'FR',
    );
    expect(numbers).toEqual(['33612345678', '33612345679', '33612345680', '33612345681']);
    expect(rejected).toEqual([]);
  });

  it('finds the number column from a header such as Telephone;Identifiant, and quotes', () => {
    const file = 'Identifiant;"Téléphone"\n1;"06 12 34 56 78"\n2;nope\n3;0612345679\n';
    const { numbers, rejected } = read(file, 'FR');
    expect(numbers).toEqual(['33612345678', '33612345679']);
    expect(rejected).toEqual([{ line: 3, message: '"nope" is not a phone number' }]);
  });

  it('joins the FTC’s area code and number columns, with or without a header', () => {
    expect(read('area_code,phone_number\n213,5550147\n415,5550100\n', 'US').numbers).toEqual([
      '12135550147',
      '14155550100',
    ]);
    expect(read('213,5550147\n415,5550100\n', 'US').numbers).toEqual(['12135550147', '14155550100']);
  });

  it('reports each garbage line by its number in the file and keeps the rest', () => {
    const file = ['0612345678', 'garbage', '', '06 12', '0612345679;x', ';', '0612345680'].join('\n');
    const { numbers, rejected } = read(file, 'FR', 3);
    expect(numbers).toEqual(['33612345678', '33612345679', '33612345680']);
    expect(rejected.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rejected[2]!.message).toBe('no number on this line');
  });

  it('reads a number split across chunks, down to one byte at a time', () => {
    const file = 'Telephone;Identifiant\n06 12 34 56 78;1\n+44 20 7946 0000;2\n';
    expect(read(file, 'FR', 1).numbers).toEqual(['33612345678', '442079460000']);
  });
});
