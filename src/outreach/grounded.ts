import type { DraftPart } from './content';
import { at, type Finding, fold, plain } from './findings';

/**
 * Groundedness: a draft may state only what its inputs say. Every figure must be a figure of the inputs,
 * every proper name a name of the inputs, and every product claim one of the campaign's approved facts.
 */

export interface Grounds {
  /** Every fact given to the draft but the notes (see groundTexts). */
  texts: string[];
  /** The prospect's or a third party's own words: they may supply a name, never a figure or a claim. */
  notes: string[];
  /** The campaign's offer, value propositions and approved claims. */
  claims: string[];
  /** Capitalized words any message may use (greetings, days, the country's name). */
  commonWords: Set<string>;
}

const NUMBER = /(?<![\p{L}\p{N}])\d+(?:[  .,]\d{3})*(?:[.,]\d+)?(?:\s?%)?(?![\p{L}\p{N}])/gu;

/** A figure as a comparable value: "1 000" and "1000" alike, "12,5 %" and "12.5%" alike. */
export function figure(raw: string): string {
  const percent = raw.includes('%');
  let digits = raw.replace(/[%\s  ]/g, '');
  // "1.000" or "1,000" (thousands) versus "12,5" or "12.5" (decimals): three digits after a lone separator are thousands.
  if (/^\d{1,3}([.,]\d{3})+$/.test(digits)) digits = digits.replace(/[.,]/g, '');
  digits = digits.replace(',', '.');
  return `${Number(digits)}${percent ? '%' : ''}`;
}

function figuresOf(texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts) {
    for (const m of plain(t).matchAll(NUMBER)) {
      const f = figure(m[0]);
      out.add(f);
      out.add(f.replace('%', ''));
    }
  }
  return out;
}

const NAME = /\p{Lu}[\p{L}'’-]*\p{L}/gu;

function wordsOf(texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (const w of fold(t).split(/[^\p{L}\p{N}]+/u)) if (w) out.add(w);
  return out;
}

/** Whether a capitalized word at `index` begins a sentence, a line, a list item or a quotation. */
function startsSentence(text: string, index: number): boolean {
  // Only the few characters before the word are looked at: the check stays linear in the text's length.
  let i = index - 1;
  let newline = false;
  while (i >= 0 && /[\s"«»“”(\-–—•*]/u.test(text[i]!)) {
    if (text[i] === '\n') newline = true;
    i--;
  }
  return i < 0 || newline || /[.!?:;]/.test(text[i]!);
}

/** A small figure of time ("15 minutes", "14 h", "2 days"): how a message proposes a call, not a fact to ground. */
const TIME_UNIT =
  /^\s?(?:min(?:utes?)?|h(?:eures?)?\b|hours?|jours?|days?|semaines?|weeks?|mois|months?|secondes?|seconds?)/iu;
const TIME_OF_DAY = /^\d{1,2}\s?[h:]\s?\d{0,2}$/;

/** Figures and proper names the inputs do not contain. */
export function checkGroundedness(parts: DraftPart[], grounds: Grounds): Finding[] {
  const figures = figuresOf(grounds.texts);
  const known = wordsOf([...grounds.texts, ...grounds.notes]);
  const findings: Finding[] = [];
  for (const part of parts) {
    const text = plain(part.text);
    for (const m of text.matchAll(NUMBER)) {
      if (figures.has(figure(m[0]))) continue;
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 10);
      if (
        Number(figure(m[0])) <= 60 &&
        (TIME_UNIT.test(after) || TIME_OF_DAY.test(`${m[0]}${after.slice(0, 4)}`.trim()))
      )
        continue;
      findings.push({
        check: 'groundedness',
        code: 'UNGROUNDED_FIGURE',
        severity: 'error',
        penalty: 20,
        fr: `Chiffre absent des données et de la fiche produit : « ${m[0]} »`,
        en: `Figure found neither in the data nor in the fact sheet: “${m[0]}”`,
        ...at(part, m.index, m.index + m[0].length),
      });
    }
    for (const m of text.matchAll(NAME)) {
      const parts = fold(m[0])
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean);
      const isKnown = (w: string) => known.has(w) || grounds.commonWords.has(w);
      if (parts.every(isKnown) || grounds.commonWords.has(fold(m[0])) || startsSentence(text, m.index))
        continue;
      findings.push({
        check: 'groundedness',
        code: 'UNGROUNDED_NAME',
        severity: 'error',
        penalty: 15,
        fr: `Nom absent des données : « ${m[0]} »`,
        en: `Name not found in the data: “${m[0]}”`,
        ...at(part, m.index, m.index + m[0].length),
      });
    }
  }
  findings.push(...checkClaims(parts, grounds, known));
  return findings;
}

/** Words that make a sentence a claim about the product or its results. */
const CLAIM_MARKERS = new RegExp(
  `(?<![\\p{L}])(${[
    'garanti\\p{L}*',
    'leaders?',
    'n°\\s?1',
    'numéro un',
    '(le|la|les) meilleur(e|s|es)? (solution|prestataire|fournisseur|produit|offre|prix|service|outil|logiciel)',
    'prouvé\\p{L}*',
    'certifié\\p{L}*',
    'économis\\p{L}*',
    'réduis\\p{L}*',
    'réduction',
    "jusqu'à \\d",
    'augment\\p{L}*',
    'deux fois',
    'moitié',
    'nos clients',
    'des centaines',
    'des milliers',
    'guarantee\\p{L}*',
    '#1',
    'number one',
    'the best (solution|provider|supplier|product|offer|price|service|tool|software)',
    'best-in-class',
    'market leader',
    'proven',
    'certified',
    'sav(e|es|ing)',
    'reduc\\p{L}*',
    'cuts?',
    'up to \\d',
    'boost\\p{L}*',
    'increas\\p{L}*',
    'trusted by',
    'our (customers|clients)',
    'hundreds of',
    'thousands of',
    'half',
    'twice',
  ].join('|')})(?![\\p{L}])`,
  'iu',
);

const SENTENCE = /[^.!?\n]+[.!?]?/g;

/** The conditional of a hypothesis, French and English. */
const HEDGE =
  /(?<![\p{L}])(pourrai[st]|pourrait|pourraient|pourriez|pourrions|peut-être|éventuellement|il se peut|could|might|may|perhaps|possibly)(?![\p{L}])/iu;

/**
 * A sentence that makes a claim must restate an approved one: most of the significant words of some
 * approved claim, value proposition or the offer appear in it.
 */
function checkClaims(parts: DraftPart[], grounds: Grounds, known: Set<string>): Finding[] {
  const approved = grounds.claims.map((c) => significant(c)).filter((w) => w.size > 0);
  const findings: Finding[] = [];
  for (const part of parts) {
    const text = plain(part.text);
    for (const m of text.matchAll(SENTENCE)) {
      // A question asks about the prospect's situation, and a hypothesis ("vous pourriez économiser du
      // temps") supposes: neither states a fact about the product. Their figures are still checked above.
      if (m[0].trimEnd().endsWith('?') || HEDGE.test(m[0]) || !CLAIM_MARKERS.test(m[0])) continue;
      const said = significant(m[0]);
      // It restates an approved claim, and adds little of its own: most of its words are the inputs'.
      const restates = approved.some((claim) => {
        let shared = 0;
        for (const w of claim) if (said.has(w)) shared++;
        return shared / claim.size >= 0.6;
      });
      let own = 0;
      for (const w of said) if (known.has(w)) own++;
      if (restates && own / Math.max(1, said.size) >= 0.7) continue;
      const start = m.index + (m[0].length - m[0].trimStart().length);
      findings.push({
        check: 'groundedness',
        code: 'UNGROUNDED_CLAIM',
        severity: 'error',
        penalty: 20,
        fr: `Affirmation absente de la fiche produit : « ${m[0].trim()} »`,
        en: `Claim not in the fact sheet: “${m[0].trim()}”`,
        ...at(part, start, m.index + m[0].length),
      });
    }
  }
  return findings;
}

/** Words that carry no claim of their own, French and English (folded). */
const STOPWORDS = new Set(
  [
    'vous votre vos nous notre nos leur leurs pour avec dans sans plus moins cette cela ceci etre avoir fait',
    'faire peut pourrait pourraient serait seraient comme aussi tres tout tous toute toutes mais donc alors',
    'entre chez vers depuis encore meme quel quelle quels quelles elle elles sont sera ainsi celle celui ceux',
    'your you with that this these those from have been will would could might also more less very their they',
    'them what which about into than then some such just only over like make made when where there here',
    'interesser interesse interest interested concerner concerne',
  ]
    .join(' ')
    .split(' '),
);

/** Words of four letters or more, folded, but the common ones, and figures: what two statements of one claim share. */
function significant(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of fold(text).split(/[^\p{L}\p{N}%]+/u))
    if ((w.length >= 4 && !STOPWORDS.has(w)) || /\d/.test(w)) out.add(w);
  return out;
}
