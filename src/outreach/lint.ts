import { type DraftChannel, type DraftContent, type DraftPart, partsOf } from './content';
import { at, type Finding, spans } from './findings';
import { compiled } from './lint-phrases';
import { overLength } from './message-length';

/**
 * The tolerability lint, French and English: what makes a message feel like a push rather than advice.
 * Each rule has a code, a cost on the 0–100 score and a severity; an error fails the draft.
 */

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
