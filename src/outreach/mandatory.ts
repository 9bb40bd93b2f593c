import {
  type CallScript,
  type DraftChannel,
  type DraftContent,
  type DraftPart,
  fullText,
  OBJECTIONS,
} from './content';
import type { DraftFacts } from './facts';
import { at, EMAIL, type Finding, fold, PHONE, plain, URL } from './findings';
import { toGsm7 } from './message-length';
import { rulesFor } from './message-rules';

/**
 * What every message must carry (who writes, how to stop), and what none may carry: special categories
 * of personal data (GDPR art. 9), links, addresses and numbers that no input gave (how an instruction
 * hidden in a prospect's notes shows), and text that talks about prompts and instructions.
 */

/** An offer not to be called again, as a call or a voicemail words it. */
const NOT_AGAIN = [
  'ne (vous )?(appelle|rappelle|contacte|recontacte|sollicite|d[ée]range)(rai|rions|ra)? plus',
  'ne plus (vous )?(appeler|rappeler|contacter|solliciter|d[ée]ranger)',
  'ne plus [êe]tre (appel|rappel|contact|sollicit)',
  "liste d'opposition",
  "(not|never|n't) (to )?(call|contact|phone|ring) (you )?again",
  'stop (calling|contacting)',
  'remove (you|your number|your details)',
  'do-not-call',
  'opt[- ]out',
].join('|');

/** Phrases that offer to stop, per channel (the STOP keyword of an SMS is its own rule). */
const OPT_OUT: Record<DraftChannel, RegExp | null> = {
  email:
    /d[ée]sinscri|plus recevoir|\bSTOP\b|ne plus [êe]tre (contact|sollicit)|opposition|unsubscribe|opt[- ]out|no longer (receive|hear)|not to be contacted|stop receiving|rather not receive|reply stop|r[ée]pondez stop/i,
  sms: null,
  call_script: new RegExp(NOT_AGAIN, 'i'),
  voicemail: new RegExp(`${NOT_AGAIN}|pr[ée]f[ée]rez ne pas [êe]tre rappel|rather not be called`, 'i'),
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
        const company = has(facts.sender.company) || (channel === 'sms' && has(toGsm7(facts.sender.company)));
        if (!company || (needsName && !has(facts.sender.name))) {
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

/** Whether a text names a source: most of the source's significant words are in it, in any order. */
function mentions(text: string, source: string): boolean {
  const said = new Set(fold(text).split(/[^\p{L}\p{N}]+/u));
  const words = fold(source)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 4 || /\d/.test(w));
  if (!words.length) return fold(text).includes(fold(source));
  return words.filter((w) => said.has(w)).length / words.length >= 0.6;
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
  if (i >= 0 && !mentions(script.objections[i]!.answer, facts.pitch.dataSource))
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

/** A word list as a pattern matching whole words only, case-insensitively. */
const wholeWords = (alternatives: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'iu');

/** Special categories of personal data (GDPR art. 9), French and English, as whole words. */
const SENSITIVE: { code: string; words: RegExp }[] = [
  {
    code: 'health',
    words: wholeWords(
      'sant[ée]|maladies?|malades?|m[ée]dica(l|le|les|ux)|handicap(é|ée|és|ées)?|grossesses?|enceinte de|diab[èe]t(e|es|ique|iques)|cancers?|d[ée]pression|health|illness(es)?|sick|sickness|disabilit(y|ies)|disabled|pregnan(t|cy)|diabet(es|ic)|medical condition',
    ),
  },
  {
    code: 'religion',
    words: wholeWords(
      'religions?|religieu(x|se|ses)|croyances?|[ée]glises?|mosqu[ée]es?|synagogues?|chr[ée]tien(s|ne|nes)?|catholiques?|protestant(e|s|es)?|musulman(e|s|es)?|juif|juive|juifs|juives|bouddhistes?|hindou(e|s|es)?|religious|beliefs?|church(es)?|mosques?|christians?|catholics?|protestants?|muslims?|jewish|buddhists?|hindus?|faith',
    ),
  },
  {
    code: 'politics',
    words: wholeWords(
      'opinions? politiques?|partis? politiques?|political (views|party|parties|opinions?)|your vote|votre vote',
    ),
  },
  {
    code: 'sexual_orientation',
    words: wholeWords(
      'orientation sexuelle|homosexuel(le|s|les)?|homo|lesbiennes?|gays?|sexual orientation|lesbians?|homosexual',
    ),
  },
  { code: 'ethnicity', words: wholeWords('origine ethnique|ethnies?|ethniques?|ethnic(ity)?|racial|race') },
  {
    code: 'union',
    words: wholeWords('syndiqu[ée]s?|syndicats?|appartenance syndicale|trade unions?|union members?'),
  },
];

const INSTRUCTION_TALK =
  /ignore[sz]? (all |the )?(previous|prior|above|pr[ée]c[ée]dentes?) (instructions?|consignes?)|system prompt|prompt syst[èe]me|as an ai|en tant qu'(ia|intelligence artificielle)|language model|mod[èe]le de langage|cliquez ici|click here/iu;
/** Asking for secrets or payment details: never the business of a first contact. */
const CREDENTIALS = wholeWords(
  'mot de passe|identifiants? de connexion|coordonn[ée]es bancaires|RIB|IBAN|num[ée]ro de carte|code de carte|password|login details|bank details|card number|credit card|account number|PIN',
);

/** Trailing punctuation is the sentence's, not the link's. */
const trimLink = (link: string) => link.replace(/[.,;:!?]+$/, '');

/**
 * Sensitive categories, credentials, and links, addresses, numbers and instructions that no trusted input
 * gave. `wordsGround` is every fact (a hospital's sector may say "santé"); `contactGround` only what the
 * organization wrote (pitch and sender): a link in a prospect's record is not a link to send them to.
 */
export function checkForbidden(
  parts: DraftPart[],
  wordsGround: string[],
  contactGround: string[] = wordsGround,
): Finding[] {
  const ground = fold(wordsGround.join('\n'));
  const trusted = fold(contactGround.join('\n'));
  const trustedDigits = contactGround.join('\n').replace(/\D+/g, ' ');
  const out: Finding[] = [];
  for (const part of parts) {
    const text = plain(part.text);
    const flag = (code: string, label: { fr: string; en: string }, start: number, excerpt: string) =>
      out.push(
        finding({
          check: 'forbidden',
          code,
          fr: `${label.fr} : « ${excerpt} »`,
          en: `${label.en}: “${excerpt}”`,
          ...at(part, start, start + excerpt.length),
        }),
      );
    for (const { code, words } of SENSITIVE) {
      const m = words.exec(text);
      // A hospital's sector is "santé": a word the inputs use is a fact of the business, not of the person.
      if (m && !ground.includes(fold(m[0])))
        flag(
          'SENSITIVE_CATEGORY',
          { fr: `Donnée sensible (${code})`, en: `Sensitive category (${code})` },
          m.index,
          m[0],
        );
    }
    const secret = CREDENTIALS.exec(text);
    if (secret)
      flag(
        'ASKS_FOR_CREDENTIALS',
        { fr: "Demande d'informations secrètes ou bancaires", en: 'Asks for secret or payment details' },
        secret.index,
        secret[0],
      );
    const emails = [...text.matchAll(EMAIL)];
    for (const m of emails)
      if (!trusted.includes(fold(m[0])))
        flag(
          'UNKNOWN_ADDRESS',
          { fr: 'Adresse absente des données', en: 'Address not in the data' },
          m.index,
          m[0],
        );
    for (const m of text.matchAll(URL)) {
      if (emails.some((e) => m.index >= e.index && m.index < e.index + e[0].length)) continue;
      const link = trimLink(m[0]);
      const bare = fold(link)
        .replace(/^https?:\/\//, '')
        .replace(/\/$/, '');
      if (!trusted.includes(bare))
        flag('UNKNOWN_LINK', { fr: 'Lien absent des données', en: 'Link not in the data' }, m.index, link);
    }
    for (const m of text.matchAll(PHONE))
      if (!trustedDigits.includes(m[0].replace(/\D/g, '').slice(-9)))
        flag(
          'UNKNOWN_NUMBER',
          { fr: 'Numéro absent des données', en: 'Phone number not in the data' },
          m.index,
          m[0],
        );
    const talk = INSTRUCTION_TALK.exec(text);
    if (talk)
      flag(
        'INSTRUCTION_TEXT',
        { fr: "Texte d'instructions dans le message", en: 'Instruction text in the message' },
        talk.index,
        talk[0],
      );
  }
  return out;
}
