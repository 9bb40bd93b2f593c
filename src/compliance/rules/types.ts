import type { ReasonCode } from '../reasons';

/** [C] official text retrieved, [S] concordant secondary sources, [U] unconfirmed (an organization setting, not law). */
export type Confidence = 'C' | 'S' | 'U';

/** A legal value and where it comes from, as ../shared/reference/regulation.md gives it. */
export interface Sourced<T> {
  value: T;
  source: string;
  confidence: Confidence;
}

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6; // 0 = Sunday, as Date#getUTCDay

/** Local time slots by weekday, "HH:MM-HH:MM", in the called person's time zone. */
export type Slots = Partial<Record<Weekday, string[]>>;

export type ContactChannel = 'phone' | 'sms' | 'email';
export type Audience = 'b2c' | 'b2b';
export type RegistryName = 'bloctel' | 'tps' | 'ctps' | 'us-dnc' | 'ca-dncl';
export type LegalBasis = 'consent' | 'contract_in_progress' | 'legitimate_interest' | 'existing_customer';

export interface Cap {
  max: number;
  /** Rolling window. */
  windowMinutes: number;
  /** What is counted: every attempt of the person (all their numbers and addresses) on the channel. */
  per: 'person' | 'contact_point';
  /** Calls and texts counted together, not only the channel being decided. */
  callsAndTexts?: boolean;
}

/** What the law says for one channel and audience in one jurisdiction. */
export interface ChannelRule {
  /** National list to scrub against, and how old the copy may be. */
  registries?: Sourced<{ name: RegistryName; maxAgeDays: number }>[];
  /** Bases under which a listed number may still be called (e.g. a contract in progress). */
  registryExemptions?: Sourced<LegalBasis[]>;
  /** Calls need one of these bases on record (opt-in); absent: opt-out regime. */
  requiresBasis?: Sourced<LegalBasis[]>;
  window?: Sourced<Slots>;
  /** Public holidays of the callee's country (and region) are excluded. */
  holidays?: Sourced<boolean>;
  caps?: Sourced<Cap>[];
  /** Days after an in-call refusal before a new attempt; counted in full calendar days. */
  refusalCooldownDays?: Sourced<number>;
  /** Campaign sectors that may not be canvassed at all, but under a contract in progress. */
  bannedSectors?: Sourced<string[]>;
}

export interface RulePack {
  id: string;
  /** The jurisdiction: a country, or a country and region for an overlay (US-FL). */
  country: string;
  region?: string;
  version: string;
  /** Inclusive local dates (YYYY-MM-DD) the pack is in force. */
  effectiveFrom: string;
  effectiveTo?: string;
  rules: Partial<Record<ContactChannel, Partial<Record<Audience, ChannelRule>>>>;
}

export interface RuleCheck {
  code: ReasonCode;
  rule: string;
  source: string;
  confidence: Confidence;
}
