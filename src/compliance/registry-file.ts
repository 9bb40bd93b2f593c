import { normalizePhone } from '../prospects/phone';
import type { RegistryName } from './rules/types';

/** The country whose national numbering a registry's files use for numbers written without a prefix. */
export const REGISTRY_COUNTRY: Record<RegistryName, string> = {
  bloctel: 'FR',
  tps: 'GB',
  ctps: 'GB',
  'us-dnc': 'US',
  'ca-dncl': 'CA',
};

// French overseas numbers are dialled nationally as 0590…, 0690… but live under their own country codes.
const FRENCH_OVERSEAS_PREFIXES: [string, string][] = [
  ['590', '590'],
  ['690', '590'],
  ['691', '590'],
  ['594', '594'],
  ['694', '594'],
  ['596', '596'],
  ['696', '596'],
  ['697', '596'],
  ['262', '262'],
  ['263', '262'],
  ['269', '262'],
  ['639', '262'],
  ['692', '262'],
  ['693', '262'],
];

/**
 * A registry number as E.164 digits without the "+" ("33612345678"), or undefined when it is none. The
 * common national forms are read directly (a 5-million-line file allows no full parse per line); anything
 * else goes through libphonenumber.
 */
export function registryNumber(raw: string, country: string): string | undefined {
  // Most lines of a registry file are bare digits: no trimming, no regular expression.
  if (allDigits(raw)) {
    const fast = nationalForm(raw, country);
    if (fast) return fast;
  }
  const trimmed = raw.trim();
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  const digits = trimmed.replace(/[\s.\-()/]/g, '');
  if (!/^\+?\d+$/.test(digits)) return undefined;
  const bare = digits.replace(/^(\+|00)/, '');
  const fast = nationalForm(bare, country);
  // "+44 7700 900124" is read like "447700900124"; "+07700…" is no number, and libphonenumber says so.
  if (fast && (!international || fast === bare)) return fast;
  const parsed = normalizePhone(trimmed, country);
  return parsed.ok ? parsed.e164.slice(1) : undefined;
}

function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function nationalForm(d: string, country: string): string | undefined {
  switch (country) {
    case 'FR': {
      // Spreadsheets drop the leading 0: 612345678 is 0612345678.
      const ten = d.length === 9 && d[0] !== '0' ? `0${d}` : d;
      if (ten.length === 10 && ten[0] === '0' && ten[1] !== '0') {
        const rest = ten.slice(1);
        const overseas = FRENCH_OVERSEAS_PREFIXES.find(([prefix]) => rest.startsWith(prefix));
        return overseas ? `${overseas[1]}${rest}` : `33${rest}`;
      }
      if (d.length === 11 && d.startsWith('33') && d[2] !== '0') return d;
      return undefined;
    }
    case 'GB':
      if (d[0] === '0' && d[1] !== '0' && (d.length === 11 || d.length === 10)) return `44${d.slice(1)}`;
      if (d.startsWith('44') && (d.length === 12 || d.length === 11)) return d;
      return undefined;
    case 'US':
    case 'CA':
      if (d.length === 10 && d[0]! >= '2' && d[3]! >= '2') return `1${d}`;
      if (d.length === 11 && d[0] === '1' && d[1]! >= '2' && d[4]! >= '2') return d;
      return undefined;
    default:
      return undefined;
  }
}

const HEADER_PHONE =
  /^(t[ée]l[ée]?(phone)?|phone(_?number)?|number|num[ée]ro|msisdn|e\.?164|mobile|portable|ph|telephone_number|phonenumber)$/i;
const HEADER_AREA = /^(area_?code|areacode|area|indicatif)$/i;
const DELIMITERS = [';', ',', '\t', '|'];

export interface RegistryRejection {
  line: number;
  message: string;
}

/**
 * Reads a registry file line by line: one number a line, or CSV (";", ",", tab or "|") with a header
 * naming the phone column (Telephone;Identifiant), or the FTC's "area code, number" pairs. Numbers go to
 * `accept`, bad lines to `reject` with their line number; blank lines are skipped.
 */
export class RegistryLineReader {
  private line = 0;
  private delimiter: string | undefined;
  private column = 0;
  private areaColumn: number | undefined;
  private started = false;
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly country: string,
    private readonly accept: (digits: string) => void,
    private readonly reject: (rejection: RegistryRejection) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.readLine(text.slice(start, end));
      start = end + 1;
    }
    this.rest = text.slice(start);
  }

  end(): void {
    const text = this.rest + this.decoder.decode();
    this.rest = '';
    if (text !== '') this.readLine(text);
  }

  private readLine(raw: string): void {
    this.line++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.line === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') return;
    if (!this.started) {
      this.started = true;
      this.delimiter = DELIMITERS.find((d) => line.includes(d));
      if (this.readHeader(line)) return;
    }
    // Without a header, a later line may still carry a second column: the number is its first field.
    const delimiter = this.delimiter ?? DELIMITERS.find((d) => line.includes(d));
    let raw_: string;
    const cut =
      delimiter && this.column === 0 && this.areaColumn === undefined ? line.indexOf(delimiter) : -1;
    if (cut > 3 && allDigits(line.slice(0, cut))) {
      // The usual line, "0612345678;42": the first field, without splitting the rest.
      raw_ = line.slice(0, cut);
    } else {
      const fields = delimiter ? line.split(delimiter) : [line];
      raw_ = unquote(fields[this.column] ?? '');
      if (this.areaColumn !== undefined) raw_ = unquote(fields[this.areaColumn] ?? '') + raw_;
      else if (
        delimiter &&
        this.column === 0 &&
        fields.length >= 2 &&
        /^\d{3}$/.test(unquote(fields[0]!)) &&
        /^\d{7}$/.test(unquote(fields[1]!))
      ) {
        raw_ = unquote(fields[0]!) + unquote(fields[1]!);
      }
    }
    if (raw_ === '') {
      this.reject({ line: this.line, message: 'no number on this line' });
      return;
    }
    const digits = registryNumber(raw_, this.country);
    if (digits) this.accept(digits);
    else this.reject({ line: this.line, message: `"${raw_.slice(0, 40)}" is not a phone number` });
  }

  /** A first line that names its columns (Telephone;Identifiant) says where the number is. */
  private readHeader(line: string): boolean {
    const names = (this.delimiter ? line.split(this.delimiter) : [line]).map((n) =>
      unquote(n).replace(/\s+/g, '_'),
    );
    const phone = names.findIndex((n) => HEADER_PHONE.test(n));
    const area = names.findIndex((n) => HEADER_AREA.test(n));
    if (phone === -1 && area === -1) return false;
    this.column = phone === -1 ? (area === 0 ? 1 : 0) : phone;
    if (area !== -1 && phone !== -1) this.areaColumn = area;
    return true;
  }
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}
