import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
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

export const MODEL_STATUSES = ['ready', 'insufficient_history'] as const;

/** A model learnt from the organization's own outcomes for a campaign, with how well it ranked held-out people. */
export const models = pgTable(
  'models',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    campaignId: uuid().notNull(),
    status: text({ enum: MODEL_STATUSES }).notNull(),
    active: boolean().notNull().default(false),
    rows: integer().notNull(),
    successes: integer().notNull(),
    /** AUC, lift by decile, calibration, strongest features; null when there was too little history. */
    metrics: jsonb().$type<Record<string, unknown>>(),
    /** What it takes to score someone: the encoder and the weights. */
    encoder: jsonb().$type<unknown>(),
    weights: jsonb().$type<number[]>(),
    intercept: doublePrecision(),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index().on(t.orgId, t.campaignId)],
);

export type Model = typeof models.$inferSelect;
