import { sql } from 'drizzle-orm';
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
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';
import type { DraftContent } from '../../src/outreach/content';
import type { Pitch, Sender } from '../../src/outreach/facts';
import type { Finding } from '../../src/outreach/findings';

export interface DraftBrief {
  pitch: Pitch;
  sender: Sender;
  maxWords: number;
  notes?: string[];
}

export const DRAFT_STATUSES = ['draft', 'approved', 'rejected', 'used'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/**
 * A message or call script written for one prospect and channel, by the LLM or the template drafter, with
 * what made it (model, prompt file and version, a hash of the facts), what it cost, what the checks
 * found, and its review: a manager's edit is kept beside the original.
 */
export const drafts = pgTable(
  'drafts',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    prospectId: uuid().notNull(),
    campaignId: uuid(),
    channel: text().notNull(),
    language: text().notNull(),
    tone: text().notNull(),
    status: text({ enum: DRAFT_STATUSES }).notNull(),
    /** "llm:<model>" or "template". */
    generator: text().notNull(),
    model: text(),
    promptFile: text(),
    promptVersion: text(),
    factsHash: text().notNull(),
    /** The pitch, sender and length it was written with: an edit is checked against the same. */
    brief: jsonb().$type<DraftBrief>().notNull(),
    /** Null when the LLM's answers could not be read at all. */
    content: jsonb().$type<DraftContent>(),
    editedContent: jsonb().$type<DraftContent>(),
    findings: jsonb().$type<Finding[]>().notNull(),
    tolerability: integer().notNull(),
    repaired: boolean().notNull().default(false),
    /** Why the template answered although an LLM is configured (circuit open, timeout, server error). */
    fallback: text(),
    inputTokens: integer().notNull().default(0),
    outputTokens: integer().notNull().default(0),
    latencyMs: integer().notNull().default(0),
    costUsd: doublePrecision().notNull().default(0),
    batchId: uuid(),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    reviewedBy: uuid(),
    reviewedAt: timestamp({ withTimezone: true }),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.prospectId),
    index().on(t.orgId, t.status, t.id),
    // A batch drafts each prospect once, even when a job taken over re-drafts one that was in flight.
    uniqueIndex().on(t.orgId, t.batchId, t.prospectId).where(sql`batch_id IS NOT NULL`),
  ],
);

export type DraftRow = typeof drafts.$inferSelect;

/** Each call to the LLM for a draft: the prompt sent, the answer, the tokens and the time, or the error. */
export const llmCalls = pgTable(
  'llm_calls',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    draftId: uuid().notNull(),
    prospectId: uuid().notNull(),
    purpose: text({ enum: ['draft', 'repair'] }).notNull(),
    model: text().notNull(),
    ok: boolean().notNull(),
    error: text(),
    status: integer(),
    calls: integer().notNull(),
    request: jsonb().$type<{ system: string; user: string }>().notNull(),
    response: text(),
    inputTokens: integer().notNull().default(0),
    outputTokens: integer().notNull().default(0),
    latencyMs: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index().on(t.orgId, t.draftId),
    index().on(t.orgId, t.prospectId),
  ],
);
