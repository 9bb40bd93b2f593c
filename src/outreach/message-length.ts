import type { DraftPart } from './content';
import type { Finding } from './findings';
import type { LintContext } from './lint';

/**
 * How long a message may be on each channel and how its length is counted: GSM-7 units for an SMS, words
 * for a voicemail or an e-mail body, characters for a LinkedIn note or a subject; and the lint's check of
 * a draft against these limits.
 */

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

export function overLength(parts: DraftPart[], context: LintContext): Finding[] {
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
