import { type CallScript, type DraftChannel, type DraftContent, type DraftPart, fullText } from './content';
import type { DraftFacts } from './facts';
import { at, type Finding, fold, plain } from './findings';

/**
 * What every message must carry (who writes, how to stop), and what none may carry: special categories
 * of personal data (GDPR art. 9), links, addresses and numbers that no input gave (how an instruction
 * hidden in a prospect's notes shows), and text that talks about prompts and instructions.
 */

const OPT_OUT: Record<DraftChannel, RegExp | null> = {
  // CNIL and PECR: every e-mail offers a free way to object; a commercial SMS says STOP.
  email:
    /d[ée]sinscri|plus recevoir|ne plus [êe]tre (contact|sollicit)|opposition|unsubscribe|opt[- ]out|no longer (receive|hear)|not to be contacted|stop receiving|reply stop|r[ée]pondez stop/i,
  sms: /\bSTOP\b/,
  call_script:
    /ne plus (vous )?(appeler|contacter|[êe]tre appel)|liste d'opposition|ne plus vous d[ée]ranger|not (to )?(call|contact) you again|remove (you|your number)|do-not-call|stop calling/i,
  voicemail:
    /ne plus (vous )?(appeler|contacter|[êe]tre appel)|ne plus vous d[ée]ranger|not (to )?(call|contact) you again|remove (you|your number)|stop calling|rather not be called|pr[ée]f[ée]rez ne pas [êe]tre rappel/i,
  linkedin: null,
};

const finding = (f: Omit<Finding, 'severity' | 'penalty'> & Partial<Finding>): Finding => ({
  severity: 'error',
  penalty: 20,
  ...f,
});

/** Identification and opt-out per channel; the four objections and the data's source in a call script. */
export function checkMandatory(channel: DraftChannel, content: DraftContent, facts: DraftFacts): Finding[] {
  const text = fold(fullText(channel, content));
  const has = (value: string) => text.includes(fold(value));
  const out: Finding[] = [];
  const needsName = channel !== 'sms' && channel !== 'linkedin';
  if (!has(facts.sender.company) || (needsName && !has(facts.sender.name)))
    out.push(
      finding({
        check: 'mandatory',
        code: 'MISSING_IDENTIFICATION',
        fr: `Le message doit dire qui écrit ou appelle : ${needsName ? `${facts.sender.name}, ` : ''}${facts.sender.company}`,
        en: `The message must say who writes or calls: ${needsName ? `${facts.sender.name}, ` : ''}${facts.sender.company}`,
      }),
    );
  const optOut = OPT_OUT[channel];
  const customOptOut =
    channel === 'sms' ? facts.pitch.smsOptOut : channel === 'email' ? facts.pitch.emailOptOut : undefined;
  if (optOut && !optOut.test(plain(fullText(channel, content))) && !(customOptOut && has(customOptOut)))
    out.push(
      finding({
        check: 'mandatory',
        code: 'MISSING_OPT_OUT',
        fr:
          channel === 'sms'
            ? 'Le SMS doit mentionner STOP'
            : 'Le message doit offrir de ne plus être contacté',
        en:
          channel === 'sms'
            ? 'The SMS must mention STOP'
            : 'The message must offer not to be contacted again',
        path: channel === 'call_script' ? '/exit' : undefined,
      }),
    );
  if (channel === 'call_script') out.push(...checkScript(content as CallScript, facts));
  return out;
}

function checkScript(script: CallScript, facts: DraftFacts): Finding[] {
  const out: Finding[] = [];
  const seen = new Set(script.objections.map((o) => o.objection));
  for (const objection of ['not_interested', 'send_email', 'has_provider', 'data_source'] as const)
    if (!seen.has(objection))
      out.push(
        finding({
          check: 'mandatory',
          code: 'MISSING_OBJECTION',
          fr: `Pas de réponse à l'objection « ${objection} »`,
          en: `No answer to the objection “${objection}”`,
          path: '/objections',
        }),
      );
  const i = script.objections.findIndex((o) => o.objection === 'data_source');
  // GDPR art. 14: a person whose data was not collected from them is told where it came from.
  if (i >= 0 && !fold(script.objections[i]!.answer).includes(fold(facts.pitch.dataSource)))
    out.push(
      finding({
        check: 'mandatory',
        code: 'MISSING_DATA_SOURCE',
        fr: `La réponse à « comment avez-vous eu mon numéro ? » doit citer la source : ${facts.pitch.dataSource}`,
        en: `The answer to “how did you get my number?” must give the source: ${facts.pitch.dataSource}`,
        path: `/objections/${i}/answer`,
      }),
    );
  return out;
}

/** Special categories of personal data (GDPR art. 9), French and English. */
const SENSITIVE: { code: string; words: RegExp }[] = [
  {
    code: 'health',
    words:
      /sant[ée]|maladie|malade|m[ée]dical\p{L}*|handicap\p{L}*|enceinte|grossesse|diab[èe]t\p{L}*|cancer|d[ée]pression|health|illness|sick|disabilit\p{L}*|disabled|pregnan\p{L}*|diabet\p{L}*|medical condition/iu,
  },
  {
    code: 'religion',
    words:
      /religi\p{L}*|[ée]glise|mosqu[ée]e|synagogue|chr[ée]tien\p{L}*|musulman\p{L}*|juif|juive|church|mosque|christian|muslim|jewish|faith/iu,
  },
  {
    code: 'politics',
    words: /opinions? politiques?|parti politique|political (views|party|opinion)|your vote/iu,
  },
  {
    code: 'sexual_orientation',
    words: /orientation sexuelle|homosexuel\p{L}*|lesbienne|gay|sexual orientation|lesbian/iu,
  },
  { code: 'ethnicity', words: /origine ethnique|ethnie|ethnic\p{L}*|racial/iu },
  { code: 'union', words: /syndiqu[ée]|appartenance syndicale|trade union|union member/iu },
];

const URL =
  /\b(?:https?:\/\/|www\.)[^\s<>"')]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|fr|io|net|org|de|co\.uk|uk|eu|info|biz|xyz|ly|me|app|ru|cn)\b(?:\/[^\s<>"')]*)?/gi;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const PHONE = /(?:\+|\b0)\d[\d .-]{7,}\d/g;
const INSTRUCTION_TALK =
  /ignore[sz]? (all |the )?(previous|prior|above|pr[ée]c[ée]dentes?) (instructions?|consignes?)|system prompt|prompt syst[èe]me|as an ai|en tant qu'(ia|intelligence artificielle)|language model|mod[èe]le de langage|cliquez ici|click here/iu;

/** Sensitive categories, and links, addresses, numbers and instructions that no input gave. */
export function checkForbidden(parts: DraftPart[], groundTexts: string[]): Finding[] {
  const ground = fold(groundTexts.join('\n'));
  const groundDigits = groundTexts.join('\n').replace(/\D+/g, ' ');
  const out: Finding[] = [];
  for (const part of parts) {
    const text = plain(part.text);
    for (const { code, words } of SENSITIVE) {
      const m = words.exec(text);
      // A hospital's sector is "santé": a word the inputs use is a fact of the business, not of the person.
      if (m && !ground.includes(fold(m[0])))
        out.push(
          finding({
            check: 'forbidden',
            code: 'SENSITIVE_CATEGORY',
            fr: `Donnée sensible (${code}) : « ${m[0]} »`,
            en: `Sensitive category (${code}): “${m[0]}”`,
            ...at(part, m.index, m.index + m[0].length),
          }),
        );
    }
    const emails = [...text.matchAll(EMAIL)];
    for (const m of emails)
      if (!ground.includes(fold(m[0])))
        out.push(
          finding({
            check: 'forbidden',
            code: 'UNKNOWN_ADDRESS',
            fr: `Adresse absente des données : « ${m[0]} »`,
            en: `Address not in the data: “${m[0]}”`,
            ...at(part, m.index, m.index + m[0].length),
          }),
        );
    for (const m of text.matchAll(URL)) {
      if (emails.some((e) => m.index >= e.index && m.index < e.index + e[0].length)) continue;
      if (
        ground.includes(
          fold(m[0])
            .replace(/^https?:\/\//, '')
            .replace(/\/$/, ''),
        )
      )
        continue;
      out.push(
        finding({
          check: 'forbidden',
          code: 'UNKNOWN_LINK',
          fr: `Lien absent des données : « ${m[0]} »`,
          en: `Link not in the data: “${m[0]}”`,
          ...at(part, m.index, m.index + m[0].length),
        }),
      );
    }
    for (const m of text.matchAll(PHONE)) {
      const digits = m[0].replace(/\D/g, '');
      if (groundDigits.includes(digits.slice(-9))) continue;
      out.push(
        finding({
          check: 'forbidden',
          code: 'UNKNOWN_NUMBER',
          fr: `Numéro absent des données : « ${m[0]} »`,
          en: `Phone number not in the data: “${m[0]}”`,
          ...at(part, m.index, m.index + m[0].length),
        }),
      );
    }
    const talk = INSTRUCTION_TALK.exec(text);
    if (talk)
      out.push(
        finding({
          check: 'forbidden',
          code: 'INSTRUCTION_TEXT',
          fr: `Texte d'instructions dans le message : « ${talk[0]} »`,
          en: `Instruction text in the message: “${talk[0]}”`,
          ...at(part, talk.index, talk.index + talk[0].length),
        }),
      );
  }
  return out;
}
