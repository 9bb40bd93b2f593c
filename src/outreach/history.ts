import type { InteractionType } from '../../db/schema';
import { DAY } from '../lib/durations';
import type { Language } from './facts';

/** Recent interactions as the short sentences a draft may build on ("e-mail ouvert il y a 3 jours"). */

/** What each kind of event is called, in French and English. */
export const EVENT_NAMES: Partial<Record<InteractionType, { fr: string; en: string }>> = {
  email_sent: { fr: 'e-mail envoyé', en: 'e-mail sent' },
  email_opened: { fr: 'e-mail ouvert', en: 'e-mail opened' },
  email_clicked: { fr: 'lien cliqué dans un e-mail', en: 'link clicked in an e-mail' },
  email_replied: { fr: 'réponse à un e-mail', en: 'replied to an e-mail' },
  email_bounced: { fr: 'e-mail non distribué', en: 'e-mail bounced' },
  email_deferred: { fr: 'e-mail différé (soft bounce)', en: 'e-mail deferred (soft bounce)' },
  sms_replied: { fr: 'réponse à un SMS', en: 'replied to an SMS' },
  call_attempted: { fr: 'appel sans réponse', en: 'call not answered' },
  call_answered: { fr: 'appel abouti', en: 'call answered' },
  voicemail_left: { fr: 'message vocal laissé', en: 'voicemail left' },
  meeting_booked: { fr: 'rendez-vous pris', en: 'meeting booked' },
  meeting_held: { fr: 'rendez-vous tenu', en: 'meeting held' },
  web_visit: { fr: 'visite du site', en: 'website visit' },
  form_submitted: { fr: 'formulaire envoyé', en: 'form submitted' },
  linkedin_message: { fr: 'message LinkedIn', en: 'LinkedIn message' },
  purchase: { fr: 'achat', en: 'purchase' },
};

/** Types that mean we and the person have talked or written to each other. */
const CONVERSATIONS = new Set<InteractionType>([
  'email_replied',
  'sms_replied',
  'call_answered',
  'meeting_booked',
  'meeting_held',
]);

export interface PastInteraction {
  type: InteractionType;
  occurredAt: Date;
  outcome: string | null;
  note?: string | null;
}

function ago(days: number, language: Language): string {
  if (language === 'fr') return days === 0 ? "aujourd'hui" : days === 1 ? 'hier' : `il y a ${days} jours`;
  return days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
}

/** The newest interactions worth mentioning, newest first, at most `limit`. */
export function recentLines(events: PastInteraction[], language: Language, now: Date, limit = 5): string[] {
  return [...events]
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime())
    .filter((e) => EVENT_NAMES[e.type])
    .slice(0, limit)
    .map(
      (e) =>
        `${EVENT_NAMES[e.type]![language]} ${ago(Math.max(0, Math.floor((now.getTime() - e.occurredAt.getTime()) / DAY)), language)}`,
    );
}

export function hadConversation(events: PastInteraction[]): boolean {
  return events.some((e) => CONVERSATIONS.has(e.type));
}

/** Outcomes that mean the person said no: after one, no new pitch is drafted for a while. */
export const REFUSAL_OUTCOMES = ['refused', 'do_not_contact', 'not_interested', 'consent_withdrawn'];
export const REFUSAL_TYPES: InteractionType[] = ['opt_out', 'complaint'];
const REFUSALS = new Set(REFUSAL_OUTCOMES);

/** Days after a no during which nothing is drafted: France's 60 full days after an in-call refusal (C. conso D.223-9). */
export const DECLINED_DAYS = 60;

/** When the person last said no (an opt-out, a complaint, a refusal), if within DECLINED_DAYS of `now`. */
export function declinedAt(events: PastInteraction[], now: Date): Date | null {
  const since = now.getTime() - DECLINED_DAYS * DAY;
  let last: Date | null = null;
  for (const e of events) {
    const no =
      e.type === 'opt_out' || e.type === 'complaint' || (e.outcome !== null && REFUSALS.has(e.outcome));
    if (no && e.occurredAt.getTime() >= since && (!last || e.occurredAt > last)) last = e.occurredAt;
  }
  return last;
}
