import { sql } from 'drizzle-orm';
import {
  char,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';

export const PROSPECT_KINDS = ['b2b', 'b2c'] as const;
export const CHANNELS = ['phone', 'email'] as const;
export type ContactChannel = (typeof CHANNELS)[number];
export const CONTACT_POINT_STATUSES = ['valid', 'invalid'] as const;

export type Attributes = Record<string, string | number | boolean | null>;

/**
 * The tables a million-row import fills are laid out for it, as measured on the PostgreSQL server:
 * - no foreign keys: each check costs about 10 µs a row. Every write is scoped by organization and
 *   deletes remove what hangs off a row in the same transaction (see prospects.ts, companies.ts);
 * - primary keys on (org_id, id), so that one index serves lookups and org-scoped pages;
 * - a prospect and its contact points point at each other with arrays instead of a link table, whose
 *   rows and two indexes cost more than the prospect itself.
 */
const orgId = () => uuid().notNull();
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const companies = pgTable(
  'companies',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    name: text().notNull(),
    registrationId: text(),
    registrationScheme: text(),
    industryCode: text(),
    industryScheme: text(),
    industryLabel: text(),
    employeeCount: integer(),
    employeeBand: text(),
    annualRevenue: doublePrecision(),
    revenueCurrency: char({ length: 3 }),
    country: char({ length: 2 }),
    region: text(),
    city: text(),
    postalCode: text(),
    domain: text(),
    attributes: jsonb().$type<Attributes>().notNull().default({}),
    /** registration id when known, else normalized name and country: what makes two rows one company. */
    dedupeKey: text().notNull(),
    /**
     * The name without its legal form, whatever the country or registration id ("blanc industrie"): how a
     * row that names the company differently than it was first written finds it (null before it was kept).
     */
    nameKey: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex().on(t.orgId, t.dedupeKey),
    index('companies_name_key_idx').on(t.orgId, t.nameKey),
    index('companies_industry_idx').on(t.orgId, sql`industry_code text_pattern_ops`),
    index('companies_domain_idx').on(t.orgId, t.domain).where(sql`domain IS NOT NULL`),
  ],
);

/** How a prospect holds one of its contact points: which one, and what the record calls it. */
export interface ContactPointLink {
  id: string;
  /** work, mobile, home, switchboard…, or the column it came from. */
  label: string | null;
}

export const prospects = pgTable(
  'prospects',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    companyId: uuid(),
    /** The id the prospect has in the CRM it came from, so re-imports update instead of duplicating. */
    externalId: text(),
    kind: text({ enum: PROSPECT_KINDS }).notNull(),
    firstName: text(),
    lastName: text(),
    jobTitle: text(),
    seniority: text(),
    department: text(),
    language: text(),
    country: char({ length: 2 }),
    region: text(),
    city: text(),
    postalCode: text(),
    timeZone: text(),
    attributes: jsonb().$type<Attributes>().notNull().default({}),
    /** The prospect's phones and e-mails, in order; each one lists the prospect back in prospect_ids. */
    contactPoints: jsonb().$type<ContactPointLink[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.companyId),
    uniqueIndex('prospects_external_id_idx').on(t.orgId, t.externalId).where(sql`external_id IS NOT NULL`),
  ],
);

/**
 * A phone number or e-mail address, once per organization however many records share it. Its id is
 * derived from (organization, channel, normalized value) (see contactPointId), so finding it by value is
 * a primary-key lookup and no index on the value is needed.
 */
export const contactPoints = pgTable(
  'contact_points',
  {
    orgId: orgId(),
    id: uuid().notNull(),
    channel: text({ enum: CHANNELS }).notNull(),
    /** E.164 for phones, trimmed lower-case address for e-mails. */
    value: text().notNull(),
    /** libphonenumber's type for phones (mobile, fixed_line, voip…); null for e-mails. */
    phoneType: text(),
    /** The number's country, or for e-mails null. */
    country: char({ length: 2 }),
    /** The e-mail's domain, for domain-wide rules. */
    domain: text(),
    status: text({ enum: CONTACT_POINT_STATUSES }).notNull().default('valid'),
    statusReason: text(),
    /** The prospects that have it, oldest first: usually one; a switchboard or a family phone, several. */
    prospectIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] })],
);

export type Company = typeof companies.$inferSelect;
export type Prospect = typeof prospects.$inferSelect;
export type ContactPoint = typeof contactPoints.$inferSelect;
