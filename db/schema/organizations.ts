import { sql } from 'drizzle-orm';
import { char, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';

export const ROLES = ['admin', 'manager', 'marketer', 'caller'] as const;
export type Role = (typeof ROLES)[number];

export const organizations = pgTable('organizations', {
  id: uuid().primaryKey().$defaultFn(newId),
  name: text().notNull(),
  /** Country assumed for national phone numbers and addresses when a row says none. */
  defaultCountry: char({ length: 2 }).notNull().default('FR'),
  defaultLanguage: text().notNull().default('fr'),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().$defaultFn(newId),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    /** The first characters of the key, enough to recognise it in a list; never enough to use it. */
    prefix: text().notNull(),
    /** SHA-256 of the whole key: keys carry 192 random bits, so a fast hash is the right tool. */
    keyHash: text().notNull().unique(),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.orgId, t.createdAt),
    index('api_keys_active_idx').on(t.orgId).where(sql`revoked_at IS NULL`),
  ],
);

export type Organization = typeof organizations.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
