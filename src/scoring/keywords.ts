/**
 * Keywords in job titles and departments, in French and English: a keyword's words are looked for at the
 * start of the title's words, in the singular and the other gender too ("acheteur" finds "Acheteuses"),
 * linking words aside ("directeur achats" finds "Directrice des achats").
 */

/**
 * Rescoring folds the same few titles, regions and keywords for every prospect of an organization: what
 * was folded is remembered (a bounded map, emptied when full).
 */
export function remembered<T>(compute: (s: string) => T): (s: string) => T {
  const known = new Map<string, T>();
  return (s) => {
    let value = known.get(s);
    if (value === undefined) {
      value = compute(s);
      if (known.size >= 50_000) known.clear();
      known.set(s, value);
    }
    return value;
  };
}

export const fold = remembered((s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
export const codeKey = remembered((s) => s.replace(/[^0-9A-Za-z]/g, '').toUpperCase());
/** A text as words between spaces: " directeur des achats ". */
const wordsOf = remembered((s) => ` ${fold(s).replace(/[^a-z0-9]+/g, ' ')} `);

// French masculine and feminine endings: acheteur ↔ acheteuse, directeur ↔ directrice.
const GENDERED: [string, string][] = [
  ['teur', 'trice'],
  ['eur', 'euse'],
  ['ier', 'iere'],
  ['if', 'ive'],
  ['ien', 'ienne'],
  ['el', 'elle'],
];
/**
 * Words a keyword may leave out or a title put in, between the keyword's words: "directeur achats" finds
 * "Directrice des achats" (and "d'achats": d and l are elisions). A keyword's own one-letter words stay:
 * "R&D" is r and d.
 */
const LINKING = new Set([
  'de',
  'des',
  'du',
  'd',
  'la',
  'le',
  'les',
  'l',
  'of',
  'the',
  'and',
  'et',
  'en',
  'au',
  'aux',
  'for',
  'pour',
]);

/** A word in the singular: directeurs → directeur, bureaux → bureau; short words are left alone. */
export const singular = (word: string) =>
  word.length <= 3
    ? word
    : word.endsWith('s')
      ? word.slice(0, -1)
      : /[ae]ux$/.test(word)
        ? word.slice(0, -1)
        : word;

/** The forms a keyword's word matches the start of: itself, its singular, its other gender's. */
function wordForms(word: string): string[] {
  const one = singular(word);
  const forms = new Set([word, one]);
  for (const [masculine, feminine] of GENDERED) {
    if (one.endsWith(masculine)) forms.add(one.slice(0, -masculine.length) + feminine);
    if (one.endsWith(feminine)) forms.add(one.slice(0, -feminine.length) + masculine);
  }
  // -al words: commerciale and commerciaux are commercial, and commercial finds both.
  for (const form of [...forms]) {
    const stem =
      /(?:aux|ale|al)$/.exec(form) && form.length > 4 ? form.replace(/(?:aux|ale|al)$/, '') : undefined;
    if (stem) for (const end of ['al', 'aux']) forms.add(stem + end);
  }
  return [...forms];
}

/**
 * Each keyword as its words' forms, worked out once per profile; linking words are left out. The longest
 * keywords come first, so that the one a title is said to match is the most precise it holds ("acheteur
 * industriel" before "acheteur"), whatever the order the profile lists them in.
 */
const keywordForms = new WeakMap<string[], { keyword: string; words: string[][] }[]>();

function formsOf(keywords: string[]) {
  let forms = keywordForms.get(keywords);
  if (!forms) {
    forms = keywords.flatMap((keyword) => {
      const all = plainWords(keyword);
      if (all.length === 0) return [];
      const content = all.filter((w) => w.length === 1 || !LINKING.has(w));
      return [{ keyword, words: (content.length > 0 ? content : all).map(wordForms) }];
    });
    forms.sort((a, b) =>
      b.keyword.length !== a.keyword.length
        ? b.keyword.length - a.keyword.length
        : a.keyword < b.keyword
          ? -1
          : 1,
    );
    keywordForms.set(keywords, forms);
  }
  return forms;
}

/** A text's words, accents and case aside: "Directrice des Achats" → [directrice, des, achats]. */
export const plainWords = remembered((text) => wordsOf(text).trim().split(' ').filter(Boolean));

/** A word of the text is one of a keyword word's forms, or starts with it; one or two letters must be the word. */
const wordIs = (word: string, forms: string[]) =>
  forms.some((form) => (form.length <= 2 ? word === form : word.startsWith(form)));

/**
 * Whether the keyword's words follow each other in the text from `start`, with linking words and at most
 * one other word between two of them ("Head of Inside Sales" is a head of sales).
 */
function followsFrom(words: string[], start: number, wanted: string[][]): boolean {
  let at = start;
  for (let k = 1; k < wanted.length; k++) {
    let other = 0;
    at++;
    while (at < words.length && !wordIs(words[at]!, wanted[k]!)) {
      if (!LINKING.has(words[at]!) && ++other > 1) return false;
      at++;
    }
    if (at === words.length) return false;
  }
  return true;
}

/**
 * The longest keyword found in the text (formsOf): its words in their order, each starting a word of the text in the
 * singular or the other gender ("achat" finds "Achats", "directeurs" finds "Directrice"), close together
 * (followsFrom): "directeur achats" finds "Directrice des achats", "Head of IT" does not find "Head of
 * Sales, Italy".
 */
export function keywordIn(text: string | null, keywords: string[]): string | undefined {
  if (!text) return undefined;
  const words = plainWords(text);
  return formsOf(keywords).find(({ words: wanted }) => {
    for (let start = 0; start < words.length; start++)
      if (wordIs(words[start]!, wanted[0]!) && followsFrom(words, start, wanted)) return true;
    return false;
  })?.keyword;
}
