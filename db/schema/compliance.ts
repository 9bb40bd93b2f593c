import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Policy } from '../../src/compliance/policy';
import { newId } from '../../src/lib/ids';

// node-postgres reads bytea as a Buffer, PGlite as a plain Uint8Array: both become Buffers.
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});
const orgId = () => uuid().notNull();
const at = () => timestamp({ withTimezone: true });

export const SUPPRESSION_SCOPES = [
  'contact_point',
  'person',
  'company',
  'email_domain',
  'external_id',
] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];
export const COMPLIANCE_CHANNELS = ['phone', 'sms', 'email'] as const;
export const SUPPRESSION_CHANNELS = [...COMPLIANCE_CHANNELS, 'all'] as const;
export const LEGAL_BASES = [
  'consent',
  'contract_in_progress',
  'legitimate_interest',
  'existing_customer',
] as const;
export const REGISTRIES = ['bloctel', 'tps', 'ctps', 'us-dnc', 'ca-dncl'] as const;
export const ATTEMPT_OUTCOMES = [
  'no_answer',
  'busy',
  'voicemail',
  'wrong_number',
  'answered',
  'refused',
  'do_not_contact',
  'consent_given',
  'consent_withdrawn',
  /** A text or e-mail handed to the sending system. */
  'sent',
  /** Reserved but not made: the attempt no longer counts. */
  'cancelled',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** The organization's policy, one current version; every change is in the audit log. */
export const policies = pgTable('policies', {
  orgId: uuid().primaryKey(),
  policy: jsonb().$type<Policy>().notNull(),
  version: integer().notNull().default(1),
  updatedAt: at().notNull().defaultNow(),
  updatedBy: uuid(),
});

/**
 * Do-not-contact entries. The value is kept only as a keyed hash (HMAC-SHA-256 with the server's secret)
 * of its normalized form, so that an entry outlives the erasure of the person it names and a later import
 * of the same number or address is still refused.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    scope: text({ enum: SUPPRESSION_SCOPES }).notNull(),
    channel: text({ enum: SUPPRESSION_CHANNELS }).notNull(),
    valueHash: bytea().notNull(),
    /** What a person can read without the value: "+33 6 •• •• •• 78", "•••@example.fr", the record's id. */
    hint: text(),
    reason: text().notNull(),
    source: text().notNull(),
    createdAt: at().notNull().defaultNow(),
    createdBy: uuid(),
    removedAt: at(),
    removedBy: uuid(),
    removalReason: text(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index('suppressions_active_idx').on(t.orgId, t.valueHash).where(sql`removed_at IS NULL`),
  ],
);

/** One imported copy of a national do-not-call registry; its numbers are in registry_numbers (see the migration). */
export const registrySnapshots = pgTable(
  'registry_snapshots',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    /** Small key of the copy's numbers partition. */
    serial: serial().notNull().unique(),
    registry: text({ enum: REGISTRIES }).notNull(),
    asOf: date({ mode: 'string' }).notNull(),
    status: text({ enum: ['loading', 'ready', 'failed', 'superseded'] })
      .notNull()
      .default('loading'),
    fileName: text(),
    numbers: bigint({ mode: 'number' }).notNull().default(0),
    rejectedLines: bigint({ mode: 'number' }).notNull().default(0),
    /** The first rejected lines, with their line numbers and why. */
    rejections: jsonb().$type<{ line: number; message: string }[]>().notNull().default([]),
    error: text(),
    createdAt: at().notNull().defaultNow(),
    createdBy: uuid(),
    readyAt: at(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index().on(t.orgId, t.registry, t.asOf)],
);

/** The legal basis for contacting a person or a contact point on a channel, with its proof. */
export const consents = pgTable(
  'consents',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    prospectId: uuid(),
    contactPointId: uuid(),
    channel: text({ enum: SUPPRESSION_CHANNELS }).notNull(),
    purpose: text().notNull(),
    basis: text({ enum: LEGAL_BASES }).notNull(),
    source: text().notNull(),
    /** Who, when, how: a recording id, a form URL and IP, a signed contract reference. */
    proof: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    givenAt: at().notNull(),
    expiresAt: at(),
    withdrawnAt: at(),
    withdrawalProof: jsonb().$type<Record<string, unknown>>(),
    createdAt: at().notNull().defaultNow(),
    createdBy: uuid(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.prospectId),
    index().on(t.orgId, t.contactPointId),
  ],
);

/**
 * Every contact attempt, reserved before it is made: what the caps count. Rows stay when a person is
 * erased (the law counts attempts), with the person's ids cleared.
 */
export const contactAttempts = pgTable(
  'contact_attempts',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    prospectId: uuid(),
    contactPointId: uuid(),
    companyId: uuid(),
    channel: text({ enum: COMPLIANCE_CHANNELS }).notNull(),
    at: at().notNull(),
    campaign: text(),
    sector: text(),
    reservedBy: uuid(),
    outcome: text({ enum: ATTEMPT_OUTCOMES }),
    outcomeAt: at(),
    /** A refusal starts the cooldown. */
    refused: boolean().notNull().default(false),
    /** What the decision checked: registry copy, consent, counts. */
    checked: jsonb().$type<Record<string, unknown>[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.contactPointId, t.at),
    index().on(t.orgId, t.prospectId, t.at),
    index().on(t.orgId, t.companyId, t.at).where(sql`company_id IS NOT NULL`),
  ],
);

/**
 * Append-only record of every reservation, outcome, suppression, consent, policy change and erasure.
 * The database refuses to update or delete its rows (see the migration's trigger). Details hold ids and
 * hashes, never a name, number or address.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    orgId: orgId(),
    id: uuid().notNull().$defaultFn(newId),
    at: at().notNull().defaultNow(),
    actorKeyId: uuid(),
    actorRole: text(),
    action: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.at),
    index().on(t.orgId, t.subjectId),
  ],
);

/** Settings of the installation rather than of an organization (the secret's fingerprint). */
export const instanceSettings = pgTable('instance_settings', {
  key: text().primaryKey(),
  value: text().notNull(),
  createdAt: at().notNull().defaultNow(),
});

export type Suppression = typeof suppressions.$inferSelect;
export type RegistrySnapshot = typeof registrySnapshots.$inferSelect;
export type Consent = typeof consents.$inferSelect;
export type ContactAttempt = typeof contactAttempts.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
