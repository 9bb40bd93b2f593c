import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';
import type { IdealProfile } from '../../src/scoring/fit';

/** A campaign: whom it targets (the ideal customer profile) and which outcomes count as its success. */
export const campaigns = pgTable(
  'campaigns',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    name: text().notNull(),
    description: text(),
    idealProfile: jsonb().$type<IdealProfile>().notNull().default({}),
    /** Interaction types that count as the campaign's goal (a reply, a meeting, a sale). */
    successTypes: text().array().notNull().default(['meeting_booked']),
    /** Days for an engagement signal to lose half its weight. */
    halfLifeDays: integer().notNull().default(30),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] })],
);

export type Campaign = typeof campaigns.$inferSelect;
