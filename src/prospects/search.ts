import { type SQL, sql } from 'drizzle-orm';

/**
 * Searching by name with accents aside: "Leveque" finds Lévêque and "lévêque" finds Leveque. The same
 * letters are bared on both sides: in the service with a table, in SQL with translate() over that table
 * (which needs no extension and does not depend on the database's locale, which may lower-case only ASCII).
 */

/** The Latin letters with marks (U+00C0–U+017F) and the bare letter of each, in its case. */
const LETTERS = (() => {
  let from = '';
  let to = '';
  for (let code = 0xc0; code <= 0x17f; code++) {
    const letter = String.fromCharCode(code);
    const base = letter.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    if (base.length === 1 && /[A-Za-z]/.test(base) && base !== letter) {
      from += letter;
      to += base;
    }
  }
  // Letters with a stroke do not decompose.
  return { from: `${from}ØøŁłĐđĦħı`, to: `${to}OoLlDdHhi` };
})();

/**
 * bare()'s table: those letters lower-case; hyphens, dots and commas part words ("Jean-Pierre" is Jean
 * Pierre); apostrophes join them ("O’Brien" is obrien), being left without a counterpart, which
 * translate() deletes.
 */
const MARKED = (() => {
  const from = `${LETTERS.from}-‐–.,/_'’\``;
  const to = `${LETTERS.to.toLowerCase()}      `;
  return { from, to, map: new Map([...from].map((letter, i) => [letter, to[i] ?? ''])) };
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

/** A text as LIKE reads it literally: its backslashes, % and _ escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A text's Latin letters without their marks, in their case, in SQL: "ÉTÉ" is "ETE". */
export function unmarkedSql(column: SQL): SQL {
  return sql`translate(${column}, ${LETTERS.from}::text, ${LETTERS.to}::text)`;
}

/** bare() in SQL. */
export function bareSql(column: SQL): SQL {
  let text = sql`lower(translate(${column}, ${MARKED.from}::text, ${MARKED.to}::text))`;
  for (const [ligature, spelt] of LIGATURES) text = sql`replace(${text}, ${ligature}::text, ${spelt}::text)`;
  return text;
}

/**
 * Whether `column` holds every word searched for, accents, case and punctuation aside, in any order:
 * "Leveque Helene" finds Hélène Lévêque, "Jean Pierre" Jean-Pierre, "Laurent Equipements" Équipements
 * Laurent SASU.
 */
export function containsBare(column: SQL, searched: string): SQL {
  const words = bare(searched).split(/\s+/).filter(Boolean);
  if (words.length === 0) return sql`true`;
  const text = bareSql(column);
  return sql.join(
    words.map((word) => sql`${text} ILIKE ${`%${escapeLike(word)}%`}`),
    sql` AND `,
  );
}

/**
 * The digits of a searched text that looks like a phone number, without a national trunk prefix: the end
 * of the number's E.164 form, whichever way it was written ("06 12 34 56 78", "+33 6 12…", "(415) 555-0100").
 */
export function phoneDigits(searched: string): string | undefined {
  // "tel:+33…" as links write it; "+44 (0)20…", whose (0) is dialled only at home.
  const text = searched.trim().replace(/^tel:/i, '').replace(/\(0\)/g, '');
  if (!/^[+\d\s().\-/]+$/.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length < 6) return undefined;
  return text.trim().startsWith('+') ? digits : digits.replace(/^0+/, '');
}
