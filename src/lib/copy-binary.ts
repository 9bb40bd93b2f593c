/**
 * Rows in COPY's binary format (the PostgreSQL documentation's "Binary Format" of COPY): a signature and
 * header, then each row as its field count and each field as its length and bytes, big-endian, then a
 * trailer. The server then parses no text: a uuid is its sixteen bytes, a timestamp a count of
 * microseconds, where text input had cost a million score rows seconds of the server's time (timestamps
 * and uuids about a second each). Written straight into one growing buffer, with no string per row.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** 2000-01-01, PostgreSQL's epoch, in microseconds since 1970. */
const PG_EPOCH_US = 946_684_800_000_000;
const TWO_32 = 2 ** 32;

/** Hex digit values by character code (-1: not a digit). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export class BinaryRows {
  private buffer: Buffer;
  private at = 0;

  constructor(expectedBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(Math.max(expectedBytes, 64));
    this.buffer.set(SIGNATURE, 0);
    this.at = SIGNATURE.length;
    this.put32(0); // flags: no OIDs
    this.put32(0); // no header extension
  }

  /** Makes room for `bytes` more. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** Writes a 16-bit integer at `at`, big-endian (plain stores: Buffer's writers check their arguments). */
  private put16(value: number): void {
    const { buffer, at } = this;
    buffer[at] = value >>> 8;
    buffer[at + 1] = value;
    this.at = at + 2;
  }

  private put32(value: number): void {
    const { buffer, at } = this;
    buffer[at] = value >>> 24;
    buffer[at + 1] = value >>> 16;
    buffer[at + 2] = value >>> 8;
    buffer[at + 3] = value;
    this.at = at + 4;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): this {
    this.room(2);
    this.put16(fields);
    return this;
  }

  null(): this {
    this.room(4);
    this.put32(-1);
    return this;
  }

  int2(value: number | null): this {
    if (value === null) return this.null();
    this.room(6);
    this.put32(2);
    this.put16(value);
    return this;
  }

  int4(value: number | null): this {
    if (value === null) return this.null();
    this.room(8);
    this.put32(4);
    this.put32(value);
    return this;
  }

  float8(value: number | null): this {
    if (value === null) return this.null();
    this.room(12);
    this.put32(8);
    this.at = this.buffer.writeDoubleBE(value, this.at);
    return this;
  }

  bool(value: boolean | null): this {
    if (value === null) return this.null();
    this.room(5);
    this.put32(1);
    this.buffer[this.at++] = value ? 1 : 0;
    return this;
  }

  /** Text (or json, whose binary form is its text) as UTF-8. */
  text(value: string | null): this {
    if (value === null) return this.null();
    this.room(4 + value.length * 3);
    const written = this.buffer.write(value, this.at + 4, 'utf8');
    this.put32(written);
    this.at += written;
    return this;
  }

  /** Text already encoded as UTF-8: bytes `from` to `to` of `source`. */
  bytes(source: Buffer, from: number, to: number): this {
    this.room(4 + to - from);
    this.put32(to - from);
    this.at += source.copy(this.buffer, this.at, from, to);
    return this;
  }

  /** A uuid from its usual text form (hyphens anywhere, either case). */
  uuid(value: string | null): this {
    if (value === null) return this.null();
    this.room(20);
    this.put32(16);
    putUuid(this.buffer, this.at, value);
    this.at += 16;
    return this;
  }

  /** A field already encoded (encodedUuid): the same uuid in every row costs a copy, not a parse. */
  encoded(field: Uint8Array): this {
    this.room(field.length);
    const { buffer } = this;
    let at = this.at;
    for (let i = 0; i < field.length; i++) buffer[at++] = field[i]!;
    this.at = at;
    return this;
  }

  /** A timestamp with time zone, given in microseconds since 1970 (a whole number). */
  timestampMicros(micros: number): this {
    this.room(12);
    const sincePg = micros - PG_EPOCH_US;
    const high = Math.floor(sincePg / TWO_32);
    this.put32(8);
    this.put32(high);
    this.put32(sincePg - high * TWO_32);
    return this;
  }

  /** The rows written, with the trailer: a view of the buffer, which this writer no longer touches. */
  end(): Uint8Array {
    this.room(2);
    this.put16(-1);
    return this.buffer.subarray(0, this.at);
  }
}

/** Writes a uuid's 16 bytes at `at`, from its usual text form (hyphens anywhere, either case). */
function putUuid(buffer: Uint8Array, at: number, value: string): void {
  const end = at + 16;
  let high = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 45) continue; // '-'
    const digit = c < 128 ? HEX[c]! : -1;
    if (digit < 0 || at === end) throw new Error(`not a uuid: ${value}`);
    if (high < 0) high = digit;
    else {
      buffer[at++] = (high << 4) | digit;
      high = -1;
    }
  }
  if (at !== end || high >= 0) throw new Error(`not a uuid: ${value}`);
}

/** A uuid encoded once as a field (its length, then its bytes), for BinaryRows.encoded. */
export function encodedUuid(value: string): Uint8Array {
  const field = new Uint8Array(20);
  field[3] = 16;
  putUuid(field, 4, value);
  return field;
}
