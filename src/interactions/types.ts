import {
  INTERACTION_CHANNELS,
  INTERACTION_TYPES,
  type InteractionChannel,
  type InteractionType,
} from '../../db/schema';
import { fold } from '../prospects/fold';

/** The longest text an event's fields take: the API refuses longer, an import rejects the row. */
export const INTERACTION_TEXT_LIMITS = {
  outcome: 100,
  campaign: 200,
  note: 10_000,
  externalId: 200,
} as const;

/** Events more than a day ahead of the clock are typing mistakes, not history: imports and the API refuse them. */
export const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

/**
 * Whether an event on a channel can have come by a contact point of that kind: an e-mail by an address, a
 * call or a text by a number. An opt-out suppresses the contact point it came by, so a call linked to an
 * address would stop the wrong thing. Events on other channels (a visit, a meeting) may name either.
 */
export function pointFitsChannel(channel: InteractionChannel, point: 'phone' | 'email'): boolean {
  if (channel === 'email') return point === 'email';
  if (channel === 'phone' || channel === 'sms') return point === 'phone';
  return true;
}

/** The one channel an event type can happen on: an e-mail opened by phone is a mistake. */
function ownChannelOf(type: InteractionType): InteractionChannel | undefined {
  if (type.startsWith('email_')) return 'email';
  if (type.startsWith('sms_')) return 'sms';
  if (type.startsWith('call_') || type === 'voicemail_left') return 'phone';
  if (type === 'linkedin_message') return 'linkedin';
  return undefined;
}

/** The channel an event type happens on, when the caller does not say. */
export function channelOfType(type: InteractionType): InteractionChannel {
  const own = ownChannelOf(type);
  if (own) return own;
  if (type === 'web_visit' || type === 'form_submitted') return 'web';
  if (type === 'meeting_held' || type === 'meeting_booked') return 'in_person';
  return 'other';
}

/**
 * Why an event cannot be on that channel, or undefined when it can. Types that may come by several
 * channels (a meeting, a form, a visit, a purchase, a note, an opt-out) take any.
 */
export function channelConflict(type: InteractionType, channel: InteractionChannel): string | undefined {
  const own = ownChannelOf(type);
  return own && own !== channel ? `${type} happens on the ${own} channel, not ${channel}` : undefined;
}

// Words after a "do not call" that make it a schedule, not a stop: "do not call before 14h", "ne pas
// rappeler avant lundi", "don't call me on Friday mornings", "do not call 12h-14h", "ne pas appeler ce soir".
const TIME =
  '(?:morning|afternoon|evening|night|lunch|week|weekend|month|monday|tuesday|wednesday|thursday|friday|' +
  'saturday|sunday|matin|apres midi|soir|midi|semaine|week end|mois|lundi|mardi|mercredi|jeudi|vendredi|' +
  'samedi|dimanche)';
const SCHEDULE =
  '(?:before|after|until(?! further)|till(?! further)|between|during|today|tonight|tomorrow|avant|apres|' +
  'jusqu(?! a nouvel)|entre|pendant|' +
  `aujourd|demain|\\d|(?:on |in the |the |this |next |le |la |ce |cette |en )?${TIME})`;
const CALLED = '(?:me |us |him |her |them )?';
// The phrases, as whole words of fold()ed text: what dialers, CRMs and the API itself (do_not_contact) write.
const STOP_PHRASES = [
  '(?:do not|don t|never) (?:call|ring|phone|contact|recontact)',
  'ne (?:plus|pas|jamais) (?:me |m |nous |l |le |la |les |lui )?(?:r?appeler|(?:re)?contacter|solliciter|demarcher)',
  'ne (?:plus|jamais) etre (?:r?appele|(?:re)?contacte|sollicite|demarche)e?s?',
  'remove(?:d)? (?:me |us |him |her |them )?from (?:the |your |our |their )?(?:call |calling |phone |mailing |contact )?list',
];
/**
 * A disposition by which the person asks not to be called or contacted again, over fold()ed text, in the
 * syntax both JavaScript and PostgreSQL (ARE) read, so that scoring can find the same ones in SQL. A phrase
 * counts whole, unless a negation stands just before it ("not DNC") or a schedule just after it ("do not
 * call before 14h"; "until further notice" is no schedule). "No" and "non" negate the bare label ("no
 * DNC", "non DNC") but not a sentence: folding takes the comma of "Non, ne plus appeler" and the dash of
 * "No - do not call" away, and what is left is an interjection before the stop.
 */
export const DO_NOT_CONTACT_PATTERN =
  `(?:(?<!(?:^| )(?:not|no|non|pas|isn t|never))(?:^| )dnc|` +
  `(?<!(?:^| )(?:not|pas|isn t|never))(?:^| )(?:${STOP_PHRASES.join('|')}))` +
  `(?= |$)(?! ${CALLED}${SCHEDULE}[a-z0-9]*(?: |$))`;
const DO_NOT_CONTACT = new RegExp(DO_NOT_CONTACT_PATTERN);

/** Whether an outcome asks not to be called or contacted again: "Ne pas rappeler", "do_not_contact", "DNC". */
export function asksNoContact(outcome: string | null | undefined): boolean {
  return !!outcome && DO_NOT_CONTACT.test(fold(outcome));
}

/**
 * The channel an event's outcome asks to stop, when it is a do-not-call disposition: the phone, but for
 * "remove from list" or "do not contact" on an e-mail or a text, which asks to stop that. Undefined for
 * any other outcome.
 */
export function stopAskedBy(event: {
  type: InteractionType;
  channel: InteractionChannel;
  outcome?: string | null;
}): 'phone' | 'sms' | 'email' | undefined {
  if (event.type === 'opt_out' || event.type === 'complaint' || !asksNoContact(event.outcome))
    return undefined;
  const words = fold(event.outcome!);
  if (/remove|contact/.test(words) && (event.channel === 'email' || event.channel === 'sms'))
    return event.channel;
  return 'phone';
}

// Names that CRMs, dialers and mailers give to the same events, folded (lower-case, no accents).
const TYPE_SYNONYMS: Record<string, InteractionType> = {
  'email envoye': 'email_sent',
  'mail envoye': 'email_sent',
  envoi: 'email_sent',
  'envoi email': 'email_sent',
  email: 'email_sent',
  sent: 'email_sent',
  'email sent': 'email_sent',
  delivered: 'email_delivered',
  'email delivered': 'email_delivered',
  delivre: 'email_delivered',
  ouverture: 'email_opened',
  ouvert: 'email_opened',
  open: 'email_opened',
  opened: 'email_opened',
  'email open': 'email_opened',
  'email opened': 'email_opened',
  clic: 'email_clicked',
  click: 'email_clicked',
  clicked: 'email_clicked',
  'email click': 'email_clicked',
  reponse: 'email_replied',
  repondu: 'email_replied',
  reply: 'email_replied',
  replied: 'email_replied',
  'email reply': 'email_replied',
  bounce: 'email_bounced',
  bounced: 'email_bounced',
  'hard bounce': 'email_bounced',
  // A soft bounce is a delivery put off (a full mailbox, a server down), not an address that fails.
  'soft bounce': 'email_deferred',
  'soft bounced': 'email_deferred',
  deferred: 'email_deferred',
  'email deferred': 'email_deferred',
  'emails soft bounced': 'email_deferred',
  rebond: 'email_bounced',
  npai: 'email_bounced',
  sms: 'sms_sent',
  'sms envoye': 'sms_sent',
  'sms reply': 'sms_replied',
  'reponse sms': 'sms_replied',
  appel: 'call_attempted',
  call: 'call_attempted',
  'appel sortant': 'call_attempted',
  'outbound call': 'call_attempted',
  tentative: 'call_attempted',
  'call attempt': 'call_attempted',
  dial: 'call_attempted',
  'appel abouti': 'call_answered',
  decroche: 'call_answered',
  answered: 'call_answered',
  connected: 'call_answered',
  'call connected': 'call_answered',
  conversation: 'call_answered',
  messagerie: 'voicemail_left',
  'message vocal': 'voicemail_left',
  voicemail: 'voicemail_left',
  rdv: 'meeting_booked',
  'rendez vous': 'meeting_booked',
  'rdv pris': 'meeting_booked',
  'meeting booked': 'meeting_booked',
  meeting: 'meeting_held',
  reunion: 'meeting_held',
  'rdv honore': 'meeting_held',
  demo: 'meeting_held',
  visite: 'web_visit',
  'visite site': 'web_visit',
  'page view': 'web_visit',
  visit: 'web_visit',
  'web visit': 'web_visit',
  formulaire: 'form_submitted',
  form: 'form_submitted',
  'form submission': 'form_submitted',
  inscription: 'form_submitted',
  linkedin: 'linkedin_message',
  inmail: 'linkedin_message',
  achat: 'purchase',
  commande: 'purchase',
  vente: 'purchase',
  order: 'purchase',
  sale: 'purchase',
  won: 'purchase',
  desinscription: 'opt_out',
  desabonnement: 'opt_out',
  unsubscribe: 'opt_out',
  unsubscribed: 'opt_out',
  'opt out': 'opt_out',
  stop: 'opt_out',
  plainte: 'complaint',
  spam: 'complaint',
  'spam complaint': 'complaint',
  // Brevo's word for a complaint.
  'marked as spam': 'complaint',
  'spam report': 'complaint',
  // lemlist's activity types, "emailsOpened", fold to "emails opened".
  'emails sent': 'email_sent',
  'emails opened': 'email_opened',
  'emails clicked': 'email_clicked',
  'emails replied': 'email_replied',
  'emails bounced': 'email_bounced',
  'emails interested': 'email_replied',
  'emails not interested': 'email_replied',
  'emails unsubscribed': 'opt_out',
  'email unsubscribed': 'opt_out',
  'linkedin sent': 'linkedin_message',
  'linkedin invite done': 'linkedin_message',
  // Brevo's event names. A proxy load (a mail client fetching images for privacy) says the message
  // arrived, not that anyone opened it.
  'first opening': 'email_opened',
  'unique opened': 'email_opened',
  'loaded by proxy': 'email_delivered',
  blocked: 'email_bounced',
  commentaire: 'note',
};

/**
 * Names that tell how an event went as well as what it was (lemlist marks a reply interested or not): the
 * outcome an import gives the event when its row states none.
 */
const NAMED_OUTCOMES: Record<string, string> = {
  'emails interested': 'interested',
  'emails not interested': 'not_interested',
};

/** The outcome an event type's name implies ("emailsNotInterested": not_interested), if any. */
export function outcomeNamedBy(raw: string): string | undefined {
  return NAMED_OUTCOMES[fold(raw)];
}

const TYPES = new Set<string>(INTERACTION_TYPES);
const CHANNELS = new Set<string>(INTERACTION_CHANNELS);

export function parseInteractionType(raw: string): InteractionType | undefined {
  const text = raw.trim().toLowerCase();
  if (TYPES.has(text)) return text as InteractionType;
  const key = fold(raw);
  return (
    TYPE_SYNONYMS[key] ??
    (TYPES.has(key.replaceAll(' ', '_')) ? (key.replaceAll(' ', '_') as InteractionType) : undefined)
  );
}

const CHANNEL_SYNONYMS: Record<string, InteractionChannel> = {
  'e mail': 'email',
  mail: 'email',
  courriel: 'email',
  telephone: 'phone',
  tel: 'phone',
  call: 'phone',
  appel: 'phone',
  texto: 'sms',
  text: 'sms',
  site: 'web',
  website: 'web',
  'en personne': 'in_person',
  'face a face': 'in_person',
  visio: 'in_person',
  courrier: 'mail',
  postal: 'mail',
  autre: 'other',
};

export function parseChannel(raw: string): InteractionChannel | undefined {
  const key = fold(raw);
  if (CHANNELS.has(key.replaceAll(' ', '_'))) return key.replaceAll(' ', '_') as InteractionChannel;
  return CHANNEL_SYNONYMS[key];
}
