import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { newId } from '../../src/lib/ids';
import type { CampaignPitch } from '../../src/outreach/facts';
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
    /** What the campaign offers and may claim, its data's source and its default sender: what drafts are written from. */
    pitch: jsonb().$type<CampaignPitch>(),
    /** Interaction types that count as the campaign's goal (a reply, a meeting, a sale). */
    successTypes: text().array().notNull().default(['meeting_booked']),
    /** Days for an engagement signal to lose half its weight. */
    halfLifeDays: integer().notNull().default(30),
    /** When the last full rescoring finished: the daily one refreshes what time alone changes (decay, pressure). */
    rescoredAt: timestamp({ withTimezone: true }),
    /**
     * The goal, half-life and model (partsVersion) its last full rescoring scored under: a new profile is
     * scored from the parts stored with each score only while they still hold.
     */
    rescoredParts: text(),
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
    /** The outcomes it learnt to predict: the campaign's success types when it was trained (null before they were kept). */
    successTypes: text().array(),
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

/** A reason kept with a stored score: its code, points and facts; the sentences are written when read. */
export interface StoredReason {
  code: string;
  points: number;
  facts: Record<string, string | number>;
}

/**
 * JSON kept as text, written a million at a time and only ever read whole: text, not json, as the server
 * then checks nothing on the way in (checking it cost a first scoring of a million people almost two
 * seconds of the server's time), nor jsonb's conversion. Read back as the values it holds.
 */
const jsonText = <T>() =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value) as T,
  });

/**
 * Each prospect's current score for each campaign, kept by rescoring. A row is rewritten only when one of
 * its values changes; `since` says from when they hold.
 */
export const prospectScores = pgTable(
  'prospect_scores',
  {
    orgId: uuid().notNull(),
    campaignId: uuid().notNull(),
    prospectId: uuid().notNull(),
    score: smallint().notNull(),
    /** The score less the recent contact pressure: the order offered for contact. */
    rank: smallint().notNull(),
    fit: smallint().notNull(),
    engagement: smallint().notNull(),
    pressure: smallint().notNull(),
    touches: smallint().notNull(),
    probability: doublePrecision(),
    modelId: uuid(),
    reasons: jsonText<{ positive: StoredReason[]; negative: StoredReason[] }>()().notNull(),
    /**
     * The rest of what the score was made of besides the fit (HistoryParts), so that a new profile is
     * scored without reading everyone's events again: what engagement and a standing opt-out take off,
     * whether the person is held back from contact, the model's percentile, and engagement's and the
     * model's strongest reasons with the goal reached (`otherReasons`; `reasons` then holds the fit's, and
     * the three shown are the strongest of both, see shownReasons). Null on rows written before they were
     * kept, whose `reasons` are the ones shown.
     */
    adjustment: smallint(),
    held: boolean(),
    percentile: smallint(),
    otherReasons: jsonText<{
      positive: StoredReason[];
      negative: StoredReason[];
      reached?: StoredReason;
    }>()(),
    /** A hash of the fit's values (fit, its reasons, whether the profile has criteria); `fingerprint` hashes the other parts'. */
    fitFingerprint: integer(),
    /** A hash of the values above but the fit's: rescoring compares it to tell an unchanged row without reading it back. */
    fingerprint: integer().notNull(),
    since: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** From when the score and the model behind it hold (a new rank or reason alone leaves it). */
    scoreSince: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.campaignId, t.prospectId] }),
    index().on(t.orgId, t.campaignId, t.score.desc(), t.prospectId.desc()),
    index().on(t.orgId, t.campaignId, t.rank.desc(), t.prospectId.desc()),
  ],
);

export type ProspectScoreRow = typeof prospectScores.$inferSelect;

/**
 * The scores a prospect had before its current one: when its score or model changes, the version it
 * replaces moves here, with the time it took effect. The current version stays in prospect_scores.
 */
export const scoreHistory = pgTable(
  'score_history',
  {
    orgId: uuid().notNull(),
    campaignId: uuid().notNull(),
    prospectId: uuid().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
    score: smallint().notNull(),
    probability: doublePrecision(),
    modelId: uuid(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.campaignId, t.prospectId, t.at] })],
);

/**
 * Prospects whose facts changed (a new interaction, an edited record) and whose scores wait for the
 * rescoring job. Filled in the transaction that changed them, so nothing is forgotten across a crash.
 */
export const scoreQueue = pgTable(
  'score_queue',
  {
    orgId: uuid().notNull(),
    prospectId: uuid().notNull(),
    queuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * When the queue's job scored it; kept a while, so that a full rescoring that read the prospect before
     * does not write over fresher values (see saveScores).
     */
    scoredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.prospectId] }),
    index('score_queue_waiting_idx').on(t.orgId, t.queuedAt).where(sql`scored_at IS NULL`),
  ],
);

export const LIST_STATUSES = ['draft', 'approved'] as const;

/** A saved list: prospects picked by a filter on a campaign's scores, frozen when made, approved for calling. */
export const prospectLists = pgTable(
  'prospect_lists',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull().$defaultFn(newId),
    campaignId: uuid().notNull(),
    name: text().notNull(),
    /** The filter and order it was made with, as given. */
    criteria: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: LIST_STATUSES }).notNull().default('draft'),
    size: integer().notNull(),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    approvedBy: uuid(),
    approvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index().on(t.orgId, t.campaignId)],
);

export type ProspectList = typeof prospectLists.$inferSelect;

/** The members of a saved list in their order, with the score they had when it was made. */
export const prospectListMembers = pgTable(
  'prospect_list_members',
  {
    orgId: uuid().notNull(),
    listId: uuid().notNull(),
    prospectId: uuid().notNull(),
    position: integer().notNull(),
    score: smallint().notNull(),
    rank: smallint().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.listId, t.prospectId] }),
    index().on(t.orgId, t.listId, t.position),
  ],
);
