import { createHash } from 'node:crypto';
import type { Company, Prospect } from '../../db/schema';
import type { DraftChannel } from './content';
import { scrub } from './findings';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const TONES = ['advisor', 'formal', 'friendly'] as const;
export type Tone = (typeof TONES)[number];

/** Who writes or calls: told to the prospect at the start of every message. */
export interface Sender {
  name: string;
  company: string;
  role?: string;
}

/** What the campaign offers and may claim: nothing outside `facts` may be asserted about the product. */
export interface Pitch {
  offer: string;
  valuePropositions: string[];
  /** Approved claims, the only product facts a draft may state. */
  facts: string[];
  /** Where the prospect's details came from (GDPR art. 14 asks that it be told). */
  dataSource: string;
  /** How to stop receiving messages: a sentence for e-mails, and the SMS keyword line ("STOP au 36111"). */
  emailOptOut?: string;
  smsOptOut?: string;
  /** The sender's postal address: e-mails to the United States must carry it (CAN-SPAM). */
  postalAddress?: string;
  /**
   * The same texts in other languages: a draft in English uses the English offer, value propositions and
   * approved claims, so that it neither mixes languages nor states a claim the fact sheet does not hold.
   */
  translations?: Partial<Record<Language, PitchText>>;
}

/** The texts of a pitch that depend on the language. */
export type PitchText = Pick<Pitch, 'offer' | 'dataSource'> &
  Partial<Pick<Pitch, 'valuePropositions' | 'facts' | 'emailOptOut' | 'smsOptOut'>>;

/**
 * The pitch in a language: a translation replaces every text of the pitch, so that a draft never mixes
 * languages nor states a claim of another language's fact sheet; what it leaves out is empty, and the
 * opt-out lines fall back to that language's defaults.
 */
export function pitchIn(pitch: Pitch, language: Language): Pitch {
  const { translations, ...base } = pitch;
  const text = translations?.[language];
  if (!text) return base;
  return {
    ...base,
    offer: text.offer,
    dataSource: text.dataSource,
    valuePropositions: text.valuePropositions ?? [],
    facts: text.facts ?? [],
    emailOptOut: text.emailOptOut,
    smsOptOut: text.smsOptOut,
  };
}

/** A campaign's pitch as stored: the pitch and, optionally, who signs its messages by default. */
export type CampaignPitch = Pitch & { sender?: Sender };

/**
 * Everything a draft may use, and nothing more: no phone number, no e-mail address. Free text written by
 * the prospect or about them (notes, a website snippet) is kept apart as `notes`: data, never instructions.
 */
export interface DraftFacts {
  channel: DraftChannel;
  language: Language;
  tone: Tone;
  country: string | null;
  kind: 'b2b' | 'b2c';
  prospect: {
    firstName: string | null;
    lastName: string | null;
    jobTitle: string | null;
    seniority: string | null;
    department: string | null;
    city: string | null;
  };
  company: {
    name: string | null;
    industryCode: string | null;
    industryScheme: string | null;
    industryLabel: string | null;
    employeeCount: number | null;
    employeeBand: string | null;
    city: string | null;
  } | null;
  /** The scoring's reasons in the draft's language ("3 clics ces 14 derniers jours"). */
  reasons: string[];
  /** Recent interactions, newest first, as short sentences ("e-mail opened 3 days ago"). */
  recent: string[];
  pitch: Pitch;
  sender: Sender;
  notes: string[];
  /** We and the prospect have already talked or written to each other (a reply, an answered call, a meeting). */
  hadConversation: boolean;
  /** Longest e-mail body in words. */
  maxWords: number;
}

/** A stable hash of the facts, stored with a draft: two drafts from the same facts have the same hash. */
export function factsHash(facts: DraftFacts): string {
  return createHash('sha256').update(stableJson(facts)).digest('hex').slice(0, 32);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const FRENCH_SPEAKING = new Set([
  'FR',
  'BE',
  'LU',
  'MC',
  'CH',
  'RE',
  'GP',
  'MQ',
  'GF',
  'YT',
  'PM',
  'NC',
  'PF',
]);

/** The prospect's language when we write it, else the country's, else English. */
export function draftLanguage(
  language: string | null | undefined,
  country: string | null | undefined,
): Language {
  const l = language?.slice(0, 2).toLowerCase();
  if (l === 'fr' || l === 'en') return l;
  if (!l && country && FRENCH_SPEAKING.has(country.toUpperCase())) return 'fr';
  return 'en';
}

/**
 * The texts a draft may repeat: every fact given to it but the notes, flattened. The notes are the
 * prospect's or a third party's words: a figure, a link or an address found only there is not a fact.
 */
export function groundTexts(facts: DraftFacts): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (v == null) return;
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk({ ...facts, notes: [] });
  return out;
}

/** What the organization itself wrote (pitch and sender): the only source of links, addresses and numbers to give. */
export function trustedTexts(facts: DraftFacts): string[] {
  return groundTexts({ ...facts, prospect: EMPTY_PERSON, company: null, reasons: [], recent: [] });
}

const EMPTY_PERSON: DraftFacts['prospect'] = {
  firstName: null,
  lastName: null,
  jobTitle: null,
  seniority: null,
  department: null,
  city: null,
};

/** A prospect and company as the database holds them: the fields a draft may use. */
export type ProspectRecord = Pick<Prospect, 'kind'> &
  Partial<
    Pick<
      Prospect,
      | 'firstName'
      | 'lastName'
      | 'jobTitle'
      | 'seniority'
      | 'department'
      | 'language'
      | 'country'
      | 'city'
      | 'attributes'
    >
  >;

export type CompanyRecord = Pick<Company, 'name'> &
  Partial<
    Pick<
      Company,
      | 'industryCode'
      | 'industryScheme'
      | 'industryLabel'
      | 'employeeCount'
      | 'employeeBand'
      | 'country'
      | 'city'
    >
  >;

/** Attributes whose values are free text about the person: they go to the prompt as fenced notes. */
const NOTE_KEYS = /^(notes?|commentaires?|comments?|remarques?|about|bio|website|site|snippet|description)$/i;

export interface FactsOptions {
  channel: DraftChannel;
  language?: Language;
  tone?: Tone;
  pitch: Pitch;
  sender: Sender;
  reasons?: string[];
  recent?: string[];
  hadConversation?: boolean;
  notes?: string[];
  maxWords?: number;
}

/**
 * The facts of a draft from a prospect's record: names, role and firmographics, never a phone number or
 * an e-mail address; free-text attributes become notes.
 */
export function buildFacts(
  prospect: ProspectRecord,
  company: CompanyRecord | null,
  o: FactsOptions,
): DraftFacts {
  const country = prospect.country ?? company?.country ?? null;
  const notes = [
    ...Object.entries(prospect.attributes ?? {})
      .filter(([k, v]) => NOTE_KEYS.test(k) && typeof v === 'string' && v.trim())
      .map(([, v]) => String(v).trim()),
    ...(o.notes ?? []),
  ].map((n) => scrub(n, 2000));
  // Fields imported from files are the prospect's data too: no contact detail or link goes through them.
  const field = (v: string | null | undefined) => (v ? scrub(v, 200, 'explicit') : null);
  const language = o.language ?? draftLanguage(prospect.language, country);
  return {
    channel: o.channel,
    language,
    tone: o.tone ?? 'advisor',
    country,
    kind: prospect.kind,
    prospect: {
      firstName: field(prospect.firstName),
      lastName: field(prospect.lastName),
      jobTitle: field(prospect.jobTitle),
      seniority: field(prospect.seniority),
      department: field(prospect.department),
      city: field(prospect.city),
    },
    company: company
      ? {
          name: field(company.name) ?? '',
          industryCode: field(company.industryCode),
          industryScheme: field(company.industryScheme),
          industryLabel: field(company.industryLabel),
          employeeCount: company.employeeCount ?? null,
          employeeBand: field(company.employeeBand),
          city: field(company.city),
        }
      : null,
    reasons: o.reasons ?? [],
    recent: o.recent ?? [],
    pitch: pitchIn(o.pitch, language),
    sender: o.sender,
    notes,
    hadConversation: o.hadConversation ?? false,
    maxWords: o.maxWords ?? 150,
  };
}
