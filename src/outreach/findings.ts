import type { DraftPart } from './content';

export const CHECKS = ['tolerability', 'groundedness', 'mandatory', 'forbidden'] as const;
export type Check = (typeof CHECKS)[number];

/**
 * What a check found, where (the part's JSON pointer and the span in its text), and how much it costs the
 * tolerability score. An `error` fails the draft; a `warning` only lowers the score.
 */
export interface Finding {
  check: Check;
  code: string;
  severity: 'error' | 'warning';
  penalty: number;
  fr: string;
  en: string;
  path?: string;
  start?: number;
  end?: number;
  excerpt?: string;
  /** The law or guidance that asks for it, for the mandatory elements. */
  rule?: string;
}

export type FindingText = { fr: string; en: string };

export function at(part: DraftPart, start: number, end: number) {
  return { path: part.path, start, end, excerpt: part.text.slice(start, end) };
}

/** Every match of a pattern in a part, as spans. The pattern must carry the `g` flag. */
export function spans(part: DraftPart, pattern: RegExp): { start: number; end: number }[] {
  const text = plain(part.text);
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(pattern)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * Text as the patterns read it: typographic apostrophes and quotes as plain ones, non-breaking spaces as
 * spaces. Each replacement keeps the length, so spans found in it point into the original.
 */
export function plain(text: string): string {
  return text.replace(/[\u2019\u2018\u02bc]/g, "'").replace(/[\u00a0\u202f]/g, ' ');
}

/** Lower-case, without accents: how words are compared across inputs and drafts. */
export function fold(text: string): string {
  return plain(text).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Links: a scheme, www., or a domain whose last label is a top-level domain (file names are not links). */
export const URL =
  /\b(?:https?:\/\/|www\.)[^\s<>"')]+|(?<![@\w.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?!(?:pdf|docx?|xlsx?|csv|png|jpe?g|gif|txt|pptx?|zip)\b)[a-z]{2,24}\b(?:\/[^\s<>"')]*)?/gi;
export const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** International numbers, and national ones that start with 0 and a digit other than 0 (FR, UK, DE). */
export const PHONE = /\+\d{1,3}(?:[ .-]?\d){7,12}(?![\d])|(?<![\d.,])0[1-9](?:[ .-]?\d){7,9}(?![\d])/g;

/**
 * Free text from a prospect's record or notes, made safe to hand to an LLM: addresses, phone numbers and
 * links replaced (a note may carry them; the prompt never does), and cut to `max` characters.
 */
export function scrub(text: string, max: number, links: 'all' | 'explicit' = 'all'): string {
  // A company may be called "Exemple.com": in a record's fields only explicit links go.
  const link = links === 'all' ? URL : /\b(?:https?:\/\/|www\.)[^\s<>"')]+/gi;
  const cleaned = text.replace(EMAIL, '[…]').replace(PHONE, '[…]').replace(link, '[…]');
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
