import { FNV_PRIME, FNV_START } from './fnv';

/**
 * JSON written as UTF-8 straight into one growing buffer, byte for byte as JSON.stringify writes the same
 * values, while FNV-1a (fnv.ts) hashes the text as COPY's text format would carry it (copyJson: each
 * backslash doubled), over its UTF-16 units. A rescoring writes a million reasons: built as strings piece by
 * piece, escaped, hashed and encoded, they had cost half of its scoring. The hash is the one the string
 * would have had, so fingerprints stored before stay equal.
 */

const QUOTE = 34;
const BACKSLASH = 92;
/** JSON.stringify's short escapes of control characters, by code (0: written as \u00XX). */
const SHORT_ESCAPES = new Uint8Array(32);
SHORT_ESCAPES[8] = 98; // b
SHORT_ESCAPES[9] = 116; // t
SHORT_ESCAPES[10] = 110; // n
SHORT_ESCAPES[12] = 102; // f
SHORT_ESCAPES[13] = 114; // r
const HEX_DIGITS = '0123456789abcdef';
/** Past this, integers are written by String(): the digits below are exact well within it. */
const PLAIN_INTEGER = 1e15;

export class JsonBytes {
  buffer: Buffer;
  /** Bytes written so far. */
  at = 0;
  /** FNV-1a of the text written since it was last set (see the module's comment). */
  hash = FNV_START;

  constructor(expectedBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(Math.max(expectedBytes, 256));
  }

  /** Makes room for `bytes` more. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** ASCII text that JSON writes as it is: punctuation, a key known to need no escape. */
  raw(text: string): void {
    this.room(text.length);
    const { buffer } = this;
    let { at, hash } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      buffer[at++] = c;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      if (c === BACKSLASH) hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    this.at = at;
    this.hash = hash;
  }

  /** A string, quoted and escaped as JSON.stringify does (lone surrogates as \uXXXX). */
  string(value: string): void {
    // At most six bytes a unit (\u00XX, or three of UTF-8), and the quotes.
    this.room(value.length * 6 + 2);
    const { buffer } = this;
    let { at, hash } = this;
    buffer[at++] = QUOTE;
    hash = Math.imul(hash ^ QUOTE, FNV_PRIME);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH) {
        buffer[at++] = c;
        hash = Math.imul(hash ^ c, FNV_PRIME);
        continue;
      }
      this.at = at;
      this.hash = hash;
      if (c < 0x80) this.escaped(c);
      else if (c < 0x800) this.utf8(c, c, 2);
      else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          // A pair: one code point, four bytes; hashed as its two units.
          this.utf8(0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00), c, 4);
          this.hash = Math.imul(this.hash ^ next, FNV_PRIME);
          i++;
        } else this.unicodeEscape(c);
      } else this.utf8(c, c, 3);
      at = this.at;
      hash = this.hash;
    }
    buffer[at++] = QUOTE;
    this.hash = Math.imul(hash ^ QUOTE, FNV_PRIME);
    this.at = at;
  }

  /** A quote, a backslash or a control character, escaped. */
  private escaped(c: number): void {
    if (c === QUOTE || c === BACKSLASH) this.raw(c === QUOTE ? '\\"' : '\\\\');
    else if (SHORT_ESCAPES[c]) this.raw(`\\${String.fromCharCode(SHORT_ESCAPES[c])}`);
    else this.unicodeEscape(c);
  }

  private unicodeEscape(c: number): void {
    this.raw(
      `\\u${HEX_DIGITS[c >> 12]}${HEX_DIGITS[(c >> 8) & 15]}${HEX_DIGITS[(c >> 4) & 15]}${HEX_DIGITS[c & 15]}`,
    );
  }

  /** A code point as `bytes` bytes of UTF-8, hashed as the unit `unit`. */
  private utf8(point: number, unit: number, bytes: 2 | 3 | 4): void {
    const { buffer } = this;
    let { at } = this;
    if (bytes === 2) buffer[at++] = 0xc0 | (point >> 6);
    else if (bytes === 3) {
      buffer[at++] = 0xe0 | (point >> 12);
      buffer[at++] = 0x80 | ((point >> 6) & 63);
    } else {
      buffer[at++] = 0xf0 | (point >> 18);
      buffer[at++] = 0x80 | ((point >> 12) & 63);
      buffer[at++] = 0x80 | ((point >> 6) & 63);
    }
    buffer[at++] = 0x80 | (point & 63);
    this.at = at;
    this.hash = Math.imul(this.hash ^ unit, FNV_PRIME);
  }

  /** A number as JSON.stringify writes it: as String() does, `null` when not finite. */
  number(value: number): void {
    if (Number.isInteger(value) && value > -PLAIN_INTEGER && value < PLAIN_INTEGER) this.integer(value);
    else this.raw(Number.isFinite(value) ? String(value) : 'null');
  }

  /**
   * A number rounded to the tenth, as JSON.stringify writes Math.round(value * 10) / 10: its tenths
   * written as digits, a point and one digit (the shortest text of the double nearest k/10 is k/10).
   */
  tenths(value: number): void {
    const k = Math.round(value * 10);
    const digit = k % 10;
    if (!(k > -PLAIN_INTEGER && k < PLAIN_INTEGER)) this.number(k / 10);
    else if (digit === 0) this.integer(k / 10);
    else {
      if (k < 0) this.raw('-');
      this.integer(Math.abs((k - digit) / 10));
      this.raw('.');
      this.digit(Math.abs(digit));
    }
  }

  /**
   * A whole number within ±1e15, in digits (-0 as 0). Cut in two below 1e8 each, so that each part is
   * divided as a 32-bit integer: the remainder of a double costs a call into the runtime a digit.
   */
  private integer(value: number): void {
    this.room(17);
    if (value < 0) this.digitByte(45); // '-'
    const whole = Math.abs(value);
    if (whole < 1e8) this.digits(whole, 0);
    else {
      const high = Math.floor(whole / 1e8);
      this.digits(high, 0);
      this.digits(whole - high * 1e8, 8);
    }
  }

  /** `value` (below 1e8) in digits, zeros before it up to `width`. */
  private digits(value: number, width: number): void {
    let rest = value | 0;
    let count = 1;
    for (let p = 10; p <= rest; p *= 10) count++;
    if (count < width) count = width;
    const { buffer } = this;
    const end = this.at + count;
    for (let at = end - 1; at >= this.at; at--) {
      const next = (rest / 10) | 0;
      buffer[at] = 48 + rest - next * 10;
      rest = next;
    }
    let { hash } = this;
    for (let at = this.at; at < end; at++) hash = Math.imul(hash ^ buffer[at]!, FNV_PRIME);
    this.hash = hash;
    this.at = end;
  }

  private digit(d: number): void {
    this.room(1);
    this.digitByte(48 + d);
  }

  private digitByte(c: number): void {
    this.buffer[this.at++] = c;
    this.hash = Math.imul(this.hash ^ c, FNV_PRIME);
  }

  /** The text of bytes `from` to `to`. */
  text(from: number, to: number): string {
    return this.buffer.toString('utf8', from, to);
  }
}
