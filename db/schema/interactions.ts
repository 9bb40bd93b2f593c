import { sql } from 'drizzle-orm';
import { boolean, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';

export const INTERACTION_TYPES = [
  'email_sent',
  'email_delivered',
  'email_opened',
  'email_clicked',
  'email_replied',
  'email_bounced',
  'email_deferred',
  'sms_sent',
  'sms_delivered',
  'sms_replied',
  'call_attempted',
  'call_answered',
  'voicemail_left',
  'meeting_booked',
  'meeting_held',
  'web_visit',
  'form_submitted',
  'linkedin_message',
  'purchase',
  'opt_out',
  'complaint',
  'note',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

export const INTERACTION_CHANNELS = [
  'email',
  'phone',
  'sms',
  'web',
  'linkedin',
  'in_person',
  'mail',
  'other',
] as const;
export type InteractionChannel = (typeof INTERACTION_CHANNELS)[number];

/** Append-only: the API offers no update or delete; erasure (GDPR) is the one exception. */
export const interactions = pgTable(
  'interactions',
  {
    // No foreign keys, as on the prospect tables (see prospects.ts): deleting a prospect deletes its events.
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    prospectId: uuid().notNull(),
    contactPointId: uuid(),
    type: text({ enum: INTERACTION_TYPES }).notNull(),
    channel: text({ enum: INTERACTION_CHANNELS }).notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    /**
     * False when the source gave no time and occurredAt is the service's clock at receipt. Such an event
     * stands for its type, person and externalId at any time: sent again with its time, it is a duplicate.
     * Rows written before this column say true.
     */
    timeGiven: boolean().notNull().default(true),
    outcome: text(),
    campaign: text(),
    /** Free text written about the person (call notes): personal data, erased with them. */
    note: text(),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The event's id in the system it came from, so a replayed feed or re-imported file adds nothing. */
    externalId: text(),
    source: text().notNull().default('api'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // interactions_by_prospect (org_id, prospect_id, occurred_at DESC) INCLUDE (type, outcome) is created by
    // hand in migration 0006, since drizzle cannot declare INCLUDE: rescoring reads a person's events from
    // the index alone, without visiting the table (see README, Performance).
    // An event's id in its source, with its type, person and time: what makes a replayed event the same
    // one. Ids are not unique across sources or kinds: two dialers both count calls 1, 2, 3…, and a mailer
    // gives the sent, opened and every click of one message the message's id.
    uniqueIndex('interactions_external_id_idx')
      .on(t.orgId, t.type, t.externalId, t.prospectId, t.occurredAt)
      .where(sql`external_id IS NOT NULL`),
  ],
);

export type Interaction = typeof interactions.$inferSelect;
