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
import { organizations } from './organizations';

export const PROSPECT_KINDS = ['b2b', 'b2c'] as const;
export const CHANNELS = ['phone', 'email'] as const;
export type ContactChannel = (typeof CHANNELS)[number];
export const CONTACT_POINT_STATUSES = ['valid', 'invalid'] as const;

export type Attributes = Record<string, string | number | boolean | null>;

const orgRef = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const companies = pgTable(
  'companies',
  {
    id: uuid().primaryKey().$defaultFn(newId),
    orgId: orgRef(),
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex().on(t.orgId, t.dedupeKey),
    index().on(t.orgId, t.id),
    index('companies_industry_idx').on(t.orgId, sql`industry_code text_pattern_ops`),
    index().on(t.orgId, t.country),
    index().on(t.orgId, t.domain),
  ],
);

export const prospects = pgTable(
  'prospects',
  {
    id: uuid().primaryKey().$defaultFn(newId),
    orgId: orgRef(),
    companyId: uuid().references(() => companies.id, { onDelete: 'set null' }),
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index().on(t.orgId, t.id),
    index().on(t.orgId, t.companyId),
    index().on(t.orgId, t.country),
    uniqueIndex('prospects_external_id_idx').on(t.orgId, t.externalId).where(sql`external_id IS NOT NULL`),
  ],
);

/** A phone number or e-mail address, once per organization however many records share it. */
export const contactPoints = pgTable(
  'contact_points',
  {
    id: uuid().primaryKey().$defaultFn(newId),
    orgId: orgRef(),
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex().on(t.orgId, t.channel, t.value), index().on(t.orgId, t.domain)],
);

export const prospectContactPoints = pgTable(
  'prospect_contact_points',
  {
    orgId: orgRef(),
    prospectId: uuid()
      .notNull()
      .references(() => prospects.id, { onDelete: 'cascade' }),
    contactPointId: uuid()
      .notNull()
      .references(() => contactPoints.id, { onDelete: 'cascade' }),
    /** How the record calls it: work, mobile, home, personal, switchboard… */
    label: text(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.prospectId, t.contactPointId] }), index().on(t.contactPointId)],
);

export type Company = typeof companies.$inferSelect;
export type Prospect = typeof prospects.$inferSelect;
export type ContactPoint = typeof contactPoints.$inferSelect;
