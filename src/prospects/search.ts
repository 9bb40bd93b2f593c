import { type SQL, sql } from 'drizzle-orm';
import { escapeLike } from './companies';

/**
 * Searching by name with accents aside: "Leveque" finds Lévêque and "lévêque" finds Leveque. The same
 * letters are bared on both sides: in the service with a table, in SQL with translate() over that table
 * (which needs no extension and does not depend on the database's locale, which may lower-case only ASCII).
 */

/** The Latin letters with marks (U+00C0–U+017F) and the bare lower-case letter of each. */
const MARKED = (() => {
  let from = '';
  let to = '';
  for (let code = 0xc0; code <= 0x17f; code++) {
    const letter = String.fromCharCode(code);
    const base = letter
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    if (base.length === 1 && base >= 'a' && base <= 'z' && base !== letter) {
      from += letter;
      to += base;
    }
  }
  // Letters with a stroke do not decompose.
  from += 'ØøŁłĐđĦħı';
  to += 'oollddhhi';
  return { from, to, map: new Map([...from].map((letter, i) => [letter, to[i]!])) };
})();

/** Ligatures that no decomposition bares, spelt out as French and German write them without. */
const LIGATURES: [string, string][] = [
  ['œ', 'oe'],
  ['Œ', 'oe'],
  ['æ', 'ae'],
  ['Æ', 'ae'],
  ['ß', 'ss'],
];

/** A text's Latin letters bare and lower-case; other characters as they were. */
export function bare(text: string): string {
  let out = '';
  for (const c of text) out += MARKED.map.get(c) ?? (c >= 'A' && c <= 'Z' ? c.toLowerCase() : c);
  for (const [ligature, spelt] of LIGATURES) out = out.replaceAll(ligature, spelt);
  return out;
}

/** bare() in SQL. */
export function bareSql(column: SQL): SQL {
  let text = sql`lower(translate(${column}, ${MARKED.from}::text, ${MARKED.to}::text))`;
  for (const [ligature, spelt] of LIGATURES) text = sql`replace(${text}, ${ligature}::text, ${spelt}::text)`;
  return text;
}

/** Whether `column`, accents and case aside, contains the text searched for. */
export function containsBare(column: SQL, searched: string): SQL {
  return sql`${bareSql(column)} ILIKE ${`%${escapeLike(bare(searched.trim()))}%`}`;
}

/**
 * The digits of a searched text that looks like a phone number, without a national trunk prefix: the end
 * of the number's E.164 form, whichever way it was written ("06 12 34 56 78", "+33 6 12…", "(415) 555-0100").
 */
export function phoneDigits(searched: string): string | undefined {
  if (!/^[+\d\s().\-/]+$/.test(searched)) return undefined;
  const digits = searched.replace(/\D/g, '');
  if (digits.length < 6) return undefined;
  return searched.trim().startsWith('+') ? digits : digits.replace(/^0+/, '');
}
