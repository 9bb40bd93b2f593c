export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export const ENCODING_ALIASES: Record<string, TextEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-8859-15': 'windows-1252',
  ansi: 'windows-1252',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
  'utf-16be': 'utf-16be',
};

/** What the first bytes of a file say about it, before any decoding. */
export type Sniff =
  | { kind: 'text'; encoding?: TextEncoding; bom: boolean }
  | { kind: 'refused'; reason: string };

/**
 * Recognises byte-order marks and files that are not text at all (workbooks, PDFs, archives, images),
 * so that someone who uploads an .xlsx hears what to do instead of seeing garbage rows.
 */
export function sniff(head: Uint8Array): Sniff {
  const b = head;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
    return { kind: 'text', encoding: 'utf-8', bom: true };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe)
    return { kind: 'text', encoding: 'utf-16le', bom: true };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff)
    return { kind: 'text', encoding: 'utf-16be', bom: true };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) {
    return {
      kind: 'refused',
      reason: 'this is a ZIP archive or an Excel workbook (.xlsx/.ods): save it as CSV first',
    };
  }
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0])) {
    return { kind: 'refused', reason: 'this is an old Excel workbook (.xls): save it as CSV first' };
  }
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46]))
    return { kind: 'refused', reason: 'this is a PDF file, not CSV' };
  if (startsWith(b, [0x1f, 0x8b]))
    return { kind: 'refused', reason: 'this file is gzip-compressed: upload it uncompressed' };
  const sample = b.subarray(0, 8192);
  let zerosEven = 0;
  let zerosOdd = 0;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const byte = sample[i]!;
    if (byte === 0) {
      if (i % 2 === 0) zerosEven++;
      else zerosOdd++;
    } else if (byte < 9 || (byte > 13 && byte < 32 && byte !== 26 && byte !== 27)) {
      control++;
    }
  }
  const half = sample.length / 2;
  // UTF-16 without a mark: ASCII text leaves a zero in every other byte.
  if (zerosOdd > half * 0.6 && zerosEven === 0) return { kind: 'text', encoding: 'utf-16le', bom: false };
  if (zerosEven > half * 0.6 && zerosOdd === 0) return { kind: 'text', encoding: 'utf-16be', bom: false };
  if (zerosEven + zerosOdd > 0 || control > sample.length * 0.01) {
    return { kind: 'refused', reason: 'this is a binary file, not CSV text' };
  }
  return { kind: 'text', bom: false };
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((value, i) => bytes[i] === value);
}

/**
 * Counts, over a whole file fed in chunks, well-formed UTF-8 multi-byte sequences and bytes that cannot
 * be UTF-8. French Excel saves "CSV (séparateur: point-virgule)" in Windows-1252, where é is one byte
 * that is never valid UTF-8; a UTF-8 file has only well-formed sequences.
 */
export class Utf8Census {
  valid = 0;
  invalid = 0;
  private carry: number[] = [];

  feed(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.carry.length > 0) {
      const joined = new Uint8Array(this.carry.length + chunk.length);
      joined.set(this.carry);
      joined.set(chunk, this.carry.length);
      bytes = joined;
      this.carry = [];
    }
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      const b = bytes[i]!;
      if (b < 0x80) {
        i++;
        continue;
      }
      const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      if (need < 0) {
        this.invalid++;
        i++;
        continue;
      }
      if (i + need >= n) {
        // A sequence cut by the end of the chunk: finish it with the next one.
        this.carry = Array.from(bytes.subarray(i));
        return;
      }
      let ok = true;
      for (let k = 1; k <= need; k++) {
        if ((bytes[i + k]! & 0xc0) !== 0x80) ok = false;
      }
      if (ok) {
        this.valid++;
        i += need + 1;
      } else {
        this.invalid++;
        i++;
      }
    }
  }

  finish(): void {
    this.invalid += this.carry.length;
    this.carry = [];
  }

  /** UTF-8 unless bytes that cannot be UTF-8 outnumber those that are well-formed multi-byte sequences. */
  verdict(): TextEncoding {
    return this.invalid > 0 && this.invalid >= this.valid ? 'windows-1252' : 'utf-8';
  }
}

/** Lines a file may have above its header: a title, a date, a blank line. */
export const TITLE_LINES = 3;

/** Detects the delimiter from the first lines: the candidate that splits them into the most, most regular, columns. */
export function detectDelimiter(sample: string): string {
  const explicit = /^sep=(.)\r?\n/i.exec(sample);
  if (explicit) return explicit[1]!;
  const lines = sample.split(/\r\n|\n|\r/).slice(0, 30);
  if (lines.length > 1 && sample.length >= 65536) lines.pop(); // the last line may be cut
  let best = { delimiter: ',', score: 0 };
  for (const delimiter of [';', ',', '\t', '|']) {
    const all = lines.filter((l) => l.trim() !== '').map((l) => countOutsideQuotes(l, delimiter));
    // A title line or two may come before the header ("Export des contacts du 30/11/2026").
    const start = all.findIndex((c) => c > 0);
    if (start === -1 || start > TITLE_LINES) continue;
    const counts = all.slice(start);
    const header = counts[0]!;
    const same = counts.filter((c) => c === header).length / counts.length;
    const score = same * 100 + Math.min(header, 50);
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}
