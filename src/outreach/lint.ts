import { type DraftChannel, type DraftContent, type DraftPart, partsOf } from './content';
import { at, type Finding, type FindingText, spans } from './findings';

/**
 * The tolerability lint, French and English: what makes a message feel like a push rather than advice.
 * Each rule has a code, a cost on the 0–100 score and a severity; an error fails the draft.
 */

interface PhraseRule {
  code: string;
  severity: 'error' | 'warning';
  penalty: number;
  text: FindingText;
  /** Matched on plain text (straight apostrophes), case-insensitively, on word boundaries. */
  phrases: string[];
  /** "We have talked before": true once the history shows a conversation. */
  waivedAfterConversation?: boolean;
}

const W = "[\\p{L}\\p{N}'-]";

const PHRASE_RULES: PhraseRule[] = [
  {
    code: 'FALSE_URGENCY',
    severity: 'error',
    penalty: 25,
    text: { fr: 'Urgence artificielle', en: 'False urgency' },
    phrases: [
      'dernière chance',
      'offre limitée',
      'offre exceptionnelle',
      'durée limitée',
      'places limitées',
      'stock limité',
      'plus que \\d+ (places?|jours?|heures?)',
      "expire (ce soir|aujourd'hui|demain|bientôt)",
      "aujourd'hui seulement",
      "jusqu'à ce soir",
      'ne tardez pas',
      'profitez(-en)? (dès maintenant|maintenant|vite|sans attendre)',
      '(répondez|rappelez|réservez|commandez|inscrivez-vous|contactez-nous|décidez) (immédiatement|vite|sans tarder|sans attendre|dès maintenant)',
      "(?<!(pas|rien d'|non|rien de) )urgent(e|es|s)?",
      "avant qu'il ne soit trop tard",
      'ne (ratez|manquez) pas',
      'dépêchez-vous',
      'derniers jours',
      'plus que quelques (jours|heures|places)',
      'dernier rappel',
      'rappel important',
      'offre (réservée|exclusive) (à|pour) vous',
      'vous avez été sélectionnée?s?',
      'félicitations',
      'last chance',
      'limited[- ]time',
      'act now',
      'only \\d+ (left|spots?|days?|hours?)',
      'expires? (today|tonight|tomorrow|soon)',
      'today only',
      'hurry',
      '(?<!(not|nothing|no) )urgent(ly)?',
      '(reply|respond|call|book|sign up|order|act|decide) (immediately|right away|now|today)',
      "don't miss (out|this)",
      "before it's too late",
      'final notice',
      'final reminder',
      'time is running out',
      'act fast',
      "don't wait",
      'only a few (days|hours|spots) left',
      'exclusive offer (just )?for you',
      "you've been (selected|chosen)",
      'you have been (selected|chosen)',
      'congratulations',
      'once in a lifetime',
    ],
  },
  {
    code: 'PRESSURE',
    severity: 'error',
    penalty: 25,
    text: { fr: 'Pression', en: 'Pressure' },
    phrases: [
      'vous devez absolument',
      'il faut absolument',
      'vous ne pouvez pas (vous permettre|passer à côté)',
      'je me permets de (vous )?relancer',
      'je vous relance',
      'je (vous )?rappellerai (demain|sans faute|jusqu)',
      'je reviendrai vers vous (demain|sans faute)',
      'sans faute',
      "c'est maintenant ou jamais",
      'you must',
      "you can't afford",
      'you cannot afford',
      'just following up',
      'circling back',
      'bumping this',
      "i'll (keep )?call(ing)? (you )?(again|back) (tomorrow|until)",
      'now or never',
      'no excuses?',
      'keep trying',
      'until i reach you',
      "jusqu'à ce que je vous (joigne|parle|aie)",
      'je ne lâcherai pas',
      'sans engagement de votre part, signez',
      'signez (dès )?aujourd',
      'risk[- ]free',
      '100 ?% (gratuit|free)',
      'what are you waiting for',
      "qu'attendez-vous",
    ],
  },
  {
    code: 'GUILT',
    severity: 'error',
    penalty: 30,
    text: { fr: 'Culpabilisation', en: 'Guilt' },
    phrases: [
      "vous (ne )?(m'avez|nous avez) (pas|jamais|toujours pas) répondu",
      'sans (nouvelles|réponse) de votre part',
      'je suppose que (ça|cela) ne vous intéresse pas',
      'vous passez à côté',
      "vos concurrents (l'ont|ont déjà|le font)",
      'dommage pour vous',
      "you (haven't|have not|never) (replied|responded|answered)",
      "(haven't|have not) heard (back )?from you",
      "i guess you're not interested",
      "you're missing out",
      'you are missing out',
      'your competitors (are|already|have)',
      "don't you want",
      'i was (surprised|disappointed)',
    ],
  },
  {
    code: 'INVENTED_FAMILIARITY',
    severity: 'error',
    waivedAfterConversation: true,
    penalty: 20,
    text: { fr: 'Familiarité inventée', en: 'Invented familiarity' },
    phrases: [
      'comme convenu',
      'comme promis',
      'suite à notre (échange|conversation|appel|rencontre|discussion)',
      'ravie? de (vous )?(avoir|revoir|retrouver)',
      'cher ami',
      'mon ami',
      'as discussed',
      'as promised',
      'per our (call|conversation|chat)',
      'following (up on )?our (call|conversation|chat|meeting)',
      'great (talking|chatting|speaking) (to|with) you',
      'my friend',
      'hope you remember me',
      'good to reconnect',
    ],
  },
];

const compiled = PHRASE_RULES.map((r) => ({
  ...r,
  pattern: new RegExp(`(?<!${W})(?:${r.phrases.join('|')})(?!${W})`, 'giu'),
}));

/** Words that are written in capitals by convention, not to shout. */
export const ACRONYMS = new Set(
  'STOP RGPD GDPR CNIL SIRET SIREN NAF NACE NAICS SIC APE PME TPE ETI SAS SARL SASU EURL SCI SNC SA LTD INC LLC PLC GMBH AG CRM ERP SaaS B2B B2C TVA HT TTC VAT USA UK EU UE HTTP SMS API PDG CEO CFO CTO COO CMO DSI DRH DAF RH IT TPS CTPS DNCL PECR UWG TCPA BTP HVAC ESN PDF CSV IBAN OK FAQ INSEE URSSAF'.split(
    ' ',
  ),
);

export interface LintContext {
  channel: DraftChannel;
  /** The prospect and we have already spoken or written to each other (a reply, an answered call, a meeting). */
  hadConversation: boolean;
  /** Words that may be in capitals because an input writes them so (a company called "ACME"). */
  knownWords?: Set<string>;
  /** Longest e-mail body, in words. */
  maxWords?: number;
}

export interface LintResult {
  score: number;
  findings: Finding[];
}

/** Lints a draft's parts; the score is 100 minus the findings' penalties, never below 0. */
export function lintDraft(channel: DraftChannel, content: DraftContent, context: LintContext): LintResult {
  return lintParts(partsOf(channel, content), context);
}

export function lintParts(parts: DraftPart[], context: LintContext): LintResult {
  const findings: Finding[] = [];
  for (const part of parts) {
    for (const rule of compiled) {
      if (context.hadConversation && rule.waivedAfterConversation) continue;
      for (const s of spans(part, rule.pattern)) {
        findings.push({
          check: 'tolerability',
          code: rule.code,
          severity: rule.severity,
          penalty: rule.penalty,
          fr: `${rule.text.fr} : « ${part.text.slice(s.start, s.end)} »`,
          en: `${rule.text.en}: “${part.text.slice(s.start, s.end)}”`,
          ...at(part, s.start, s.end),
        });
      }
    }
    findings.push(...shouting(part, context), ...exclamations(part));
    if (part.role === 'subject') findings.push(...fakeReply(part, context));
  }
  findings.push(...severalAsks(parts, context), ...overLength(parts, context));
  const score = Math.max(0, 100 - findings.reduce((sum, f) => sum + f.penalty, 0));
  return { score, findings };
}

function shouting(part: DraftPart, context: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const m of part.text.matchAll(/(?<![\p{L}\p{N}])\p{Lu}{3,}(?![\p{L}\p{N}])/gu)) {
    if (ACRONYMS.has(m[0]) || context.knownWords?.has(m[0])) continue;
    out.push({
      check: 'tolerability',
      code: 'ALL_CAPS',
      severity: 'warning',
      penalty: 10,
      fr: `Mot en capitales : « ${m[0]} »`,
      en: `Word in capitals: “${m[0]}”`,
      ...at(part, m.index, m.index + m[0].length),
    });
  }
  return out;
}

function exclamations(part: DraftPart): Finding[] {
  const marks = [...part.text.matchAll(/!/g)];
  const repeated = [...part.text.matchAll(/[!?]*![!?]+|![!?]*!/g)];
  const out: Finding[] = repeated.map((m) => ({
    check: 'tolerability' as const,
    code: 'REPEATED_EXCLAMATION',
    severity: 'warning' as const,
    penalty: 10,
    fr: 'Points d’exclamation répétés',
    en: 'Repeated exclamation marks',
    ...at(part, m.index, m.index + m[0].length),
  }));
  if (!repeated.length && marks.length > 1) {
    const m = marks[1]!;
    out.push({
      check: 'tolerability',
      code: 'REPEATED_EXCLAMATION',
      severity: 'warning',
      penalty: 5,
      fr: `${marks.length} points d’exclamation`,
      en: `${marks.length} exclamation marks`,
      ...at(part, m.index, m.index + 1),
    });
  }
  return out;
}

function fakeReply(part: DraftPart, context: LintContext): Finding[] {
  const m = /^\s*((re|tr|fwd?|aw|wg)\s*:)/i.exec(part.text);
  if (!m || context.hadConversation) return [];
  return [
    {
      check: 'tolerability',
      code: 'FAKE_REPLY_SUBJECT',
      severity: 'error',
      penalty: 30,
      fr: `Objet qui fait croire à une réponse : « ${m[1]} »`,
      en: `Subject pretending to be a reply: “${m[1]}”`,
      ...at(part, m.index + m[0].indexOf(m[1]!), m.index + m[0].length),
    },
  ];
}

/** A question: from the end of the sentence before it (spaces skipped) to its question mark. */
const ASK = /(?<=^|[.!?\n]\s*)[^.!?\n\s][^.!?\n]*\?/g;

/** A sentence that asks by command ("Appelez-moi.", "Book a slot."): one of these verbs first, then a word. */
const IMPERATIVE_ASK = new RegExp(
  `(?<=^|[.!?\\n]\\s*)(?:${[
    'appelez',
    'rappelez',
    'répondez',
    'réservez',
    'cliquez',
    'contactez',
    'envoyez',
    'inscrivez',
    'prenez rendez-vous',
    'transférez',
    'call',
    'reply',
    'book',
    'click',
    'contact',
    'send',
    'sign up',
    'schedule',
    'forward',
  ].join('|')})(?=[\\s-]+[\\p{L}'’])[^.!?\\n]*[.!]?`,
  'giu',
);

/** The opt-out line tells how to stop ("Répondez STOP"): it is not an ask. */
const OPT_OUT_LINE =
  /\bSTOP\b|d[ée]sinscri|unsubscribe|opt[- ]out|plus recevoir|no longer receive|not to be contacted/i;

/** Messages carry one ask, by question or by command. A call script asks by design and is exempt. */
function severalAsks(parts: DraftPart[], context: LintContext): Finding[] {
  if (context.channel === 'call_script') return [];
  const asks = parts
    .filter((p) => p.role === 'body')
    .flatMap((p) =>
      [...p.text.matchAll(ASK), ...p.text.matchAll(IMPERATIVE_ASK)]
        .filter((m) => !OPT_OUT_LINE.test(m[0]))
        .map((m) => ({ part: p, start: m.index, end: m.index + m[0].length })),
    )
    .sort((a, b) => a.start - b.start);
  if (asks.length <= 1) return [];
  const second = asks[1]!;
  return [
    {
      check: 'tolerability',
      code: 'SEVERAL_ASKS',
      severity: 'warning',
      penalty: 15,
      fr: `${asks.length} demandes : une seule demande claire suffit`,
      en: `${asks.length} asks: one clear ask is enough`,
      ...at(second.part, second.start, second.end),
    },
  ];
}

/** GSM 03.38 basic set and its extension table: anything else makes an SMS Unicode, 70 characters a part. */
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

/** The length of an SMS in GSM-7 units (extended characters count two), or null if it needs Unicode. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (GSM7.includes(ch)) n += 1;
    else if (GSM7_EXTENDED.includes(ch)) n += 2;
    else return null;
  }
  return n;
}

/**
 * Text in the GSM-7 alphabet, accents that it lacks dropped ("ê" as "e"): one character outside it would
 * send the SMS as Unicode, in parts of 70.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text
    .replace(/[’‘]/g, "'")
    .replace(/[“”«»]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')) {
    if (gsm7Length(ch) !== null) out += ch;
    else if (ch === 'œ' || ch === 'Œ') out += ch === 'œ' ? 'oe' : 'OE';
    else if (/\s/.test(ch)) out += ' ';
    else {
      const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
      if (gsm7Length(bare) !== null) out += bare;
    }
  }
  return out;
}

export const LIMITS = {
  smsUnits: 160,
  /** About 30 seconds spoken, at 150 words a minute. */
  voicemailWords: 80,
  /** LinkedIn's limit on a connection request's note. */
  linkedinChars: 300,
  subjectChars: 70,
  emailWords: 150,
} as const;

export const words = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

function overLength(parts: DraftPart[], context: LintContext): Finding[] {
  const long = (part: DraftPart, severity: 'error' | 'warning', fr: string, en: string): Finding => ({
    check: 'tolerability',
    code: 'OVER_LENGTH',
    severity,
    penalty: 15,
    fr,
    en,
    path: part.path,
  });
  const out: Finding[] = [];
  for (const part of parts) {
    if (context.channel === 'sms') {
      const units = gsm7Length(part.text);
      if (units === null)
        out.push({
          check: 'tolerability',
          code: 'SMS_NOT_GSM7',
          severity: 'error',
          penalty: 15,
          fr: 'Caractères hors de l’alphabet GSM-7 : le SMS passerait en Unicode (70 caractères)',
          en: 'Characters outside the GSM-7 alphabet: the SMS would go as Unicode (70 characters)',
          path: part.path,
        });
      else if (units > LIMITS.smsUnits)
        out.push(
          long(
            part,
            'error',
            `SMS de ${units} caractères (160 au plus)`,
            `SMS of ${units} characters (160 at most)`,
          ),
        );
    }
    if (context.channel === 'voicemail' && words(part.text) > LIMITS.voicemailWords)
      out.push(
        long(
          part,
          'warning',
          `Message de ${words(part.text)} mots (30 s, soit 80 mots au plus)`,
          `Message of ${words(part.text)} words (30 s is 80 words at most)`,
        ),
      );
    if (context.channel === 'linkedin' && part.text.length > LIMITS.linkedinChars)
      out.push(
        long(
          part,
          'error',
          `Note de ${part.text.length} caractères (300 au plus)`,
          `Note of ${part.text.length} characters (300 at most)`,
        ),
      );
    if (part.role === 'subject' && part.text.length > LIMITS.subjectChars)
      out.push(
        long(
          part,
          'warning',
          `Objet de ${part.text.length} caractères`,
          `Subject of ${part.text.length} characters`,
        ),
      );
    const max = context.maxWords ?? LIMITS.emailWords;
    if (context.channel === 'email' && part.role === 'body' && words(part.text) > max)
      out.push(
        long(
          part,
          'warning',
          `Corps de ${words(part.text)} mots (${max} au plus)`,
          `Body of ${words(part.text)} words (${max} at most)`,
        ),
      );
  }
  return out;
}
