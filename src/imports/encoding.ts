export type TextEncoding =
  | 'utf-8'
  | 'windows-1252'
  | 'utf-16le'
  | 'utf-16be'
  /** Mostly UTF-8, with bytes that only Windows-1252 reads: two exports pasted into one file. */
  | 'utf-8+windows-1252'
  /** Mostly Windows-1252, with accents written in UTF-8 ("Ã©" for é): the same, the other way round. */
  | 'windows-1252+utf-8';

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
 * The length of the well-formed UTF-8 sequence starting at `i` (a byte from 0x80 up): 0 when it is not one,
 * -1 when the bytes end before it does. Strict as decoders are: no overlong forms, surrogates or code
 * points past U+10FFFF.
 */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
  if (need === 0) return 0;
  const [low, high] =
    b === 0xe0
      ? [0xa0, 0xbf]
      : b === 0xed
        ? [0x80, 0x9f]
        : b === 0xf0
          ? [0x90, 0xbf]
          : b === 0xf4
            ? [0x80, 0x8f]
            : [0x80, 0xbf];
  for (let k = 1; k <= need; k++) {
    if (i + k >= bytes.length) return -1;
    const c = bytes[i + k]!;
    if (k === 1 ? c < low || c > high : (c & 0xc0) !== 0x80) return 0;
  }
  return need + 1;
}

/**
 * Whether the UTF-8 sequence at `i` is one of those a Windows-1252 file shows when UTF-8 text was pasted
 * into it: "Ã©" for é, "Å“" for œ, "â€™" for ’, "â‚¬" for €. Two or three such characters in a row are
 * very rare in real Windows-1252 text, where "é" then a non-breaking space and "»" is a well-formed
 * sequence too, of a Chinese character.
 */
function pastedUtf8(bytes: Uint8Array, i: number, length: number): boolean {
  const [a, b, c] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]];
  if (length === 2) return a === 0xc3 || (a === 0xc2 && b >= 0xa0) || (a === 0xc5 && OE_S_Z.has(b));
  if (length !== 3 || a !== 0xe2) return false;
  return (b === 0x80 && PUNCTUATION.has(c!)) || (b === 0x82 && c === 0xac) || (b === 0x84 && c === 0xa2);
}
/** Œ œ Š š Ÿ Ž ž after 0xC5. */
const OE_S_Z = new Set([0x92, 0x93, 0xa0, 0xa1, 0xb8, 0xbd, 0xbe]);
/** – — ‘ ’ ‚ “ ” „ † ‡ • … ‰ ‹ › after 0xE2 0x80. */
const PUNCTUATION = new Set([
  0x93, 0x94, 0x98, 0x99, 0x9a, 0x9c, 0x9d, 0x9e, 0xa0, 0xa1, 0xa2, 0xa6, 0xb0, 0xb9, 0xba,
]);

/**
 * Counts, over a whole file fed in chunks, well-formed UTF-8 multi-byte sequences and bytes that cannot
 * be UTF-8. French Excel saves "CSV (séparateur: point-virgule)" in Windows-1252, where é is one byte
 * that is never valid UTF-8; a UTF-8 file has only well-formed sequences; a file of both is two exports
 * pasted together.
 */
export class Utf8Census {
  valid = 0;
  invalid = 0;
  /** Well-formed sequences of the kind UTF-8 text pasted into a Windows-1252 file has (pastedUtf8). */
  pasted = 0;
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
      if (bytes[i]! < 0x80) {
        i++;
        continue;
      }
      const length = sequenceAt(bytes, i);
      if (length === -1) {
        // A sequence cut by the end of the chunk: finish it with the next one.
        this.carry = Array.from(bytes.subarray(i));
        return;
      }
      if (length === 0) {
        this.invalid++;
        i++;
        continue;
      }
      this.valid++;
      if (pastedUtf8(bytes, i, length)) this.pasted++;
      i += length;
    }
  }

  finish(): void {
    this.invalid += this.carry.length;
    this.carry = [];
  }

  /**
   * UTF-8 unless bytes that cannot be UTF-8 outnumber those that are well-formed multi-byte sequences;
   * either one with the other's characters where it has some.
   */
  verdict(): TextEncoding {
    if (this.invalid === 0) return 'utf-8';
    if (this.invalid >= this.valid) return this.pasted > 0 ? 'windows-1252+utf-8' : 'windows-1252';
    return 'utf-8+windows-1252';
  }
}

/**
 * A file's encoding from its byte-order mark, if any, and its census: a UTF-8 mark over bytes that cannot
 * be UTF-8 is a file that mixes encodings all the same.
 */
export function detectedEncoding(marked: TextEncoding | undefined, census: Utf8Census): TextEncoding {
  if (marked === 'utf-8') return census.invalid > 0 ? 'utf-8+windows-1252' : 'utf-8';
  return marked ?? census.verdict();
}

/** What Windows-1252 makes of the bytes 0x80–0xFF, as the WHATWG decoder reads them. */
const WINDOWS_1252 = new TextDecoder('windows-1252').decode(
  Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i),
);

/** What decodes a file's bytes, chunk by chunk (`stream: true` while more are to come), as TextDecoder does. */
export interface Decoder {
  decode(bytes?: Uint8Array, options?: { stream?: boolean }): string;
}

/**
 * Reads a file that mixes UTF-8 and Windows-1252 character by character: every well-formed UTF-8 sequence
 * as UTF-8 (in a mostly Windows-1252 file, only those pasted UTF-8 text has), every other byte as
 * Windows-1252. A decoder of either alone would have turned half the accents into "\uFFFD" or "Ã©".
 */
class MixedDecoder implements Decoder {
  private carry: Uint8Array | null = null;
  private readonly utf8 = new TextDecoder('utf-8');
  private first = true;

  constructor(private readonly mostlyUtf8: boolean) {}

  decode(chunk: Uint8Array = new Uint8Array(0), options: { stream?: boolean } = {}): string {
    let bytes = chunk;
    if (this.carry) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
      this.carry = null;
    }
    let start = 0;
    // A byte-order mark is not text.
    if (this.first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      start = 3;
    if (bytes.length > 0) this.first = false;
    let text = '';
    let run = start;
    let i = start;
    for (const n = bytes.length; i < n; ) {
      if (bytes[i]! < 0x80) {
        i++;
        continue;
      }
      const length = sequenceAt(bytes, i);
      if (length === -1 && options.stream) {
        this.carry = bytes.slice(i);
        break;
      }
      if (length > 0 && (this.mostlyUtf8 || pastedUtf8(bytes, i, length))) {
        i += length;
        continue;
      }
      text += this.utf8.decode(bytes.subarray(run, i)) + WINDOWS_1252[bytes[i]! - 0x80];
      run = ++i;
    }
    return text + this.utf8.decode(bytes.subarray(run, i));
  }
}

/** The decoder of an encoding, mixed ones included. */
export function decoderFor(encoding: TextEncoding): Decoder {
  if (encoding === 'utf-8+windows-1252') return new MixedDecoder(true);
  if (encoding === 'windows-1252+utf-8') return new MixedDecoder(false);
  return new TextDecoder(encoding);
}

/** Lines a file may have above its header: a title, a date, a blank line. */
export const TITLE_LINES = 3;

/** How many cells of a line hold something. */
export const filledCells = (fields: string[]) => fields.filter((f) => f.trim() !== '').length;

/**
 * Which of a file's first lines is its header: the first, unless it holds a cell at most (a title such as
 * "Export des contacts", a date), where a header holds several; then the first of the TITLE_LINES after
 * it that holds two or more.
 */
export function headerIndex(lines: string[][]): number {
  if (lines.length === 0 || filledCells(lines[0]!) >= 2) return 0;
  const at = lines.slice(1, 1 + TITLE_LINES).findIndex((fields) => filledCells(fields) >= 2);
  return at + 1;
}

/** Detects the delimiter from the first lines: the candidate that splits them into the most, most regular, columns. */
export function detectDelimiter(sample: string): string {
  const explicit = /^sep=(.)\r?\n/i.exec(sample);
  if (explicit) return explicit[1]!;
  const lines = logicalLines(sample).slice(0, 30);
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

/**
 * The sample's records: its lines, those of a quoted field with line breaks (a note over three lines)
 * joined into one, as each counts delimiters once. A quote left open for twenty lines is a stray one (`5"
 * screen`): its lines are taken one by one again.
 */
function logicalLines(sample: string): string[] {
  const out: string[] = [];
  let held: string[] = [];
  let open = false;
  for (const line of sample.split(/\r\n|\n|\r/)) {
    held.push(line);
    if (quotesIn(line) % 2 === 1) open = !open;
    if (!open) out.push(held.join('\n'));
    else if (held.length < 20) continue;
    else out.push(...held);
    held = [];
    open = false;
  }
  out.push(...held);
  return out;
}

function quotesIn(line: string): number {
  let count = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) count++;
  return count;
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
