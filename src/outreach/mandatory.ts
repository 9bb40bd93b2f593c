import {
  type CallScript,
  type DraftChannel,
  type DraftContent,
  type DraftPart,
  fullText,
  OBJECTIONS,
} from './content';
import type { DraftFacts } from './facts';
import { at, type Finding, fold, plain } from './findings';
import { rulesFor } from './message-rules';

/**
 * What every message must carry (who writes, how to stop), and what none may carry: special categories
 * of personal data (GDPR art. 9), links, addresses and numbers that no input gave (how an instruction
 * hidden in a prospect's notes shows), and text that talks about prompts and instructions.
 */

/** Phrases that offer to stop, per channel (the STOP keyword of an SMS is its own rule). */
const OPT_OUT: Record<DraftChannel, RegExp | null> = {
  email:
    /d[ée]sinscri|plus recevoir|\bSTOP\b|ne plus [êe]tre (contact|sollicit)|opposition|unsubscribe|opt[- ]out|no longer (receive|hear)|not to be contacted|stop receiving|reply stop|r[ée]pondez stop/i,
  sms: null,
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

/** The elements the message rules require for this channel and the recipient's country (message-rules.ts). */
export function checkMandatory(channel: DraftChannel, content: DraftContent, facts: DraftFacts): Finding[] {
  const raw = plain(fullText(channel, content));
  const text = fold(raw);
  const has = (value: string) => text.includes(fold(value));
  const out: Finding[] = [];
  for (const rule of rulesFor(channel, facts.country)) {
    const missing = (code: string, fr: string, en: string, path?: string) =>
      out.push(finding({ check: 'mandatory', code, fr, en, path, rule: rule.source }));
    switch (rule.requires) {
      case 'identification': {
        // An SMS names the company; a call, a voicemail or an e-mail also the person speaking or signing.
        const needsName = channel !== 'sms';
        if (!has(facts.sender.company) || (needsName && !has(facts.sender.name))) {
          const who = needsName ? `${facts.sender.name}, ${facts.sender.company}` : facts.sender.company;
          missing(
            'MISSING_IDENTIFICATION',
            `Le message doit dire qui écrit ou appelle : ${who}`,
            `The message must say who writes or calls: ${who}`,
          );
        }
        break;
      }
      case 'opt_out': {
        const own = channel === 'email' ? facts.pitch.emailOptOut : undefined;
        if (!OPT_OUT[channel]?.test(raw) && !(own && has(own)))
          missing(
            'MISSING_OPT_OUT',
            'Le message doit offrir de ne plus être contacté',
            'The message must offer not to be contacted again',
            channel === 'call_script' ? '/exit' : undefined,
          );
        break;
      }
      case 'stop_keyword':
        if (!/\bSTOP\b/.test(raw) && !(facts.pitch.smsOptOut && has(facts.pitch.smsOptOut)))
          missing('MISSING_OPT_OUT', 'Le SMS doit mentionner STOP', 'The SMS must mention STOP');
        break;
      case 'data_source':
        out.push(...checkDataSource(content as CallScript, facts, rule.source));
        break;
      case 'postal_address': {
        const address = facts.pitch.postalAddress;
        if (!address || !has(address))
          missing(
            'MISSING_POSTAL_ADDRESS',
            address
              ? `L’adresse postale de l’expéditeur doit figurer : ${address}`
              : 'Un e-mail vers les États-Unis doit donner l’adresse postale de l’expéditeur : ajoutez-la au pitch (postalAddress)',
            address
              ? `The sender’s postal address must appear: ${address}`
              : 'An e-mail to the United States must give the sender’s postal address: add it to the pitch (postalAddress)',
            '/body',
          );
        break;
      }
    }
  }
  return out;
}

function checkDataSource(script: CallScript, facts: DraftFacts, source: string): Finding[] {
  const out: Finding[] = [];
  const seen = new Set(script.objections.map((o) => o.objection));
  for (const objection of OBJECTIONS)
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
  if (i >= 0 && !fold(script.objections[i]!.answer).includes(fold(facts.pitch.dataSource)))
    out.push(
      finding({
        check: 'mandatory',
        code: 'MISSING_DATA_SOURCE',
        fr: `La réponse à « comment avez-vous eu mon numéro ? » doit citer la source : ${facts.pitch.dataSource}`,
        en: `The answer to “how did you get my number?” must give the source: ${facts.pitch.dataSource}`,
        path: `/objections/${i}/answer`,
        rule: source,
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
