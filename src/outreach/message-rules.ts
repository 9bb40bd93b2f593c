import type { DraftChannel } from './content';

/**
 * What a message must carry, per channel and per the recipient's country, as data with its source. The
 * checks in mandatory.ts read this table; a country not named gets the rules marked for every country.
 */

export type Requirement =
  /** Who writes or calls: the sender's company, and their name where a person speaks or signs. */
  | 'identification'
  /** A free way to stop receiving messages, in the message itself. */
  | 'opt_out'
  /** The STOP keyword of an SMS. */
  | 'stop_keyword'
  /** The answer to "how did you get my number?" names the data's source. */
  | 'data_source'
  /** The sender's postal address. */
  | 'postal_address';

export interface MessageRule {
  requires: Requirement;
  channels: DraftChannel[];
  /** ISO country codes of the recipient, or every country. */
  countries: string[] | 'all';
  source: string;
}

export const MESSAGE_RULES: MessageRule[] = [
  {
    requires: 'identification',
    channels: ['call_script', 'email', 'sms', 'voicemail'],
    countries: 'all',
    source:
      'Directive 2002/58/EC art. 13(4): disguising or concealing the sender is prohibited; CNIL, prospection par SMS: every message gives the sender’s identity (regulation.md §EU, §FR)',
  },
  {
    requires: 'opt_out',
    channels: ['email', 'call_script', 'voicemail'],
    countries: 'all',
    source:
      'GDPR art. 21(2)–(3): an absolute right to object to direct marketing, to be offered at the first communication (21(4)); Directive 2002/58/EC art. 13(2), (4): a valid opt-out in every e-mail (regulation.md §EU)',
  },
  {
    requires: 'stop_keyword',
    channels: ['sms'],
    countries: 'all',
    source:
      'CNIL, prospection par SMS: a simple, free opt-out in every message; honour STOP replies (regulation.md §FR)',
  },
  {
    requires: 'data_source',
    channels: ['call_script'],
    countries: 'all',
    source:
      'GDPR art. 14(2)(f): a person whose data were not collected from them is told their source (applied everywhere: the question is asked everywhere)',
  },
  {
    requires: 'postal_address',
    channels: ['email'],
    countries: ['US'],
    source: 'CAN-SPAM Act, 15 U.S.C. § 7704(a)(5)(A)(iii): a valid physical postal address of the sender',
  },
];

/** The rules a draft for this channel and recipient country must follow. */
export function rulesFor(channel: DraftChannel, country: string | null): MessageRule[] {
  return MESSAGE_RULES.filter(
    (r) =>
      r.channels.includes(channel) &&
      (r.countries === 'all' || (country !== null && r.countries.includes(country))),
  );
}
