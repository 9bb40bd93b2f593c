import { describe, expect, it } from 'vitest';
import { decoderFor, detectDelimiter, detectedEncoding, sniff, Utf8Census } from '../../src/imports/encoding';

const census = (...chunks: Uint8Array[]) => {
  const c = new Utf8Census();
  for (const chunk of chunks) c.feed(chunk);
  c.finish();
  return c;
};

const cp1252 = (text: string) =>
  Uint8Array.from(
    [...text].map((ch) => ({ é: 0xe9, è: 0xe8, à: 0xe0, ç: 0xe7, '€': 0x80 })[ch] ?? ch.charCodeAt(0)),
  );

describe('sniff', () => {
  it('recognises byte-order marks', () => {
    expect(sniff(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({
      kind: 'text',
      encoding: 'utf-8',
      bom: true,
    });
    expect(sniff(Uint8Array.from([0xff, 0xfe, 0x61, 0]))).toEqual({
      kind: 'text',
      encoding: 'utf-16le',
      bom: true,
    });
  });
  it('recognises UTF-16 without a mark by its zero bytes', () => {
    expect(sniff(new Uint8Array(Buffer.from('Nom\tPrénom\r\n', 'utf16le')))).toMatchObject({
      kind: 'text',
      encoding: 'utf-16le',
    });
  });
  it('refuses workbooks, PDFs, archives and binaries with what to do', () => {
    expect(sniff(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('save it as CSV'),
    });
    expect(sniff(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0]))).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('.xls'),
    });
    expect(sniff(new Uint8Array(Buffer.from('%PDF-1.7')))).toMatchObject({ kind: 'refused' });
    expect(
      sniff(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48])),
    ).toMatchObject({ kind: 'refused', reason: expect.stringContaining('binary') });
  });
  it('lets plain text through', () => {
    expect(sniff(new Uint8Array(Buffer.from('a;b\n1;2\n')))).toEqual({ kind: 'text', bom: false });
  });
});

describe('Utf8Census', () => {
  it('calls a French Excel file Windows-1252', () => {
    expect(census(cp1252('Société;Prénom\nÉmile;à côté')).verdict()).toBe('windows-1252');
  });
  it('calls UTF-8 UTF-8, even when a character is cut between two chunks', () => {
    const bytes = new Uint8Array(Buffer.from('Société;Prénom;€'));
    expect(census(bytes.subarray(0, 5), bytes.subarray(5)).verdict()).toBe('utf-8');
    expect(census(bytes.subarray(0, 15), bytes.subarray(15)).verdict()).toBe('utf-8');
  });
  it('calls a UTF-8 file with a few Windows-1252 bytes a mixed one, and a pure one pure', () => {
    const good = Buffer.from('é'.repeat(50));
    expect(census(new Uint8Array(Buffer.concat([good, Buffer.from([0xe9, 0x20])]))).verdict()).toBe(
      'utf-8+windows-1252',
    );
    expect(census(new Uint8Array(good)).verdict()).toBe('utf-8');
  });
  it('tells UTF-8 pasted into a Windows-1252 file from sequences that only look like it', () => {
    const pasted = Buffer.concat([Buffer.from(cp1252('Société;Prénom\nÉmile;')), Buffer.from('Hélène')]);
    expect(census(new Uint8Array(pasted)).verdict()).toBe('windows-1252+utf-8');
    // "journée »" with a non-breaking space: é, NBSP, » are a well-formed UTF-8 sequence, not a pasted one.
    const french = Uint8Array.from([...cp1252('« bonne journée'), 0xa0, 0xbb, 0x3b, 0xe9]);
    expect(census(french).verdict()).toBe('windows-1252');
  });
  it('counts a BOM file with Windows-1252 bytes as mixed', () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('\uFEFFNom;Prénom\n'), Buffer.from([0xe9])]));
    expect(detectedEncoding('utf-8', census(bytes))).toBe('utf-8+windows-1252');
    expect(detectedEncoding('utf-8', census(new Uint8Array(Buffer.from('\uFEFFé'))))).toBe('utf-8');
  });
});

describe('decoderFor', () => {
  const decode = (encoding: Parameters<typeof decoderFor>[0], ...chunks: Uint8Array[]) => {
    const decoder = decoderFor(encoding);
    return chunks.map((c, i) => decoder.decode(c, { stream: i < chunks.length - 1 })).join('');
  };
  it('reads each character of a mixed file in its own encoding, across chunks', () => {
    const bytes = new Uint8Array(
      Buffer.concat([
        Buffer.from('\uFEFFNom;Société\nRené;'),
        Buffer.from(cp1252('Hélène à ')),
        Buffer.from('Zoë — 12 €\n'),
      ]),
    );
    const text = 'Nom;Société\nRené;Hélène à Zoë — 12 €\n';
    expect(decode('utf-8+windows-1252', bytes)).toBe(text);
    for (let cut = 1; cut < bytes.length; cut++)
      expect(decode('utf-8+windows-1252', bytes.subarray(0, cut), bytes.subarray(cut))).toBe(text);
  });
  it('reads the UTF-8 pasted into a Windows-1252 file, and leaves the rest as Windows-1252', () => {
    const bytes = new Uint8Array(
      Buffer.concat([
        Buffer.from(cp1252('Société;journée')),
        Buffer.from([0xa0, 0xbb, 0x3b]),
        Buffer.from('Hélène l’aînée; Œuvre'),
      ]),
    );
    expect(decode('windows-1252+utf-8', bytes)).toBe('Société;journée\u00a0»;Hélène l’aînée; Œuvre');
  });
  it('reads a cut sequence at the very end as Windows-1252', () => {
    expect(decode('utf-8+windows-1252', Uint8Array.from([0x61, 0xc3]))).toBe('aÃ');
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['Nom;Prénom;Ville\nDurand;Émile;"Paris, 75"\n', ';'],
    ['name,first,city\nDurand,Emile,"Paris; 75"\n', ','],
    ['name\tfirst\tcity\nDurand\tEmile\tParis\n', '\t'],
    ['name|first\nDurand|Emile\n', '|'],
    ['sep=;\nNom,x;Prénom\n', ';'],
    ['email\nanne@acme.fr\n', ','],
  ])('%j → %j', (sample, delimiter) => expect(detectDelimiter(sample)).toBe(delimiter));
  it('counts a quoted note over several lines as one record', () => {
    const row = (i: number) =>
      `"Appel du lundi,\n""rappeler"" plus tard; ok\r\nligne 3; encore; ${i}",0.${i},A,yes`;
    const sample = `note,score,segment,converted\n${Array.from({ length: 12 }, (_, i) => row(i)).join('\n')}\n`;
    expect(detectDelimiter(sample)).toBe(',');
    // A stray quote does not swallow the file.
    const stray = `a;b;c\n${Array.from({ length: 40 }, (_, i) => `écran 5";${i};x`).join('\n')}\n`;
    expect(detectDelimiter(stray)).toBe(';');
  });
});
