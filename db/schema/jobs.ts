import { sql } from 'drizzle-orm';
import {
  customType,
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
import { organizations } from './organizations';

/** uploading: the file is still arriving, not yet claimable. */
export const JOB_STATUSES = ['uploading', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

export interface JobProgress {
  /** What the job is doing now: an atomic import first validates every row, then writes. */
  phase?: 'validating' | 'writing';
  rowsDone: number;
  rowsTotal: number | null;
  bytesDone: number;
  bytesTotal: number | null;
}

export const jobs = pgTable(
  'jobs',
  {
    id: uuid().primaryKey().$defaultFn(newId),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    status: text({ enum: JOB_STATUSES }).notNull().default('queued'),
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    progress: jsonb()
      .$type<JobProgress>()
      .notNull()
      .default({ rowsDone: 0, rowsTotal: null, bytesDone: 0, bytesTotal: null }),
    /** Running totals and what the caller needs to read when the job ends. */
    result: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    error: jsonb().$type<{
      code: string;
      message: string;
      errors?: { field?: string; line?: number; message: string }[];
    }>(),
    /** Records committed so far: where a resumed job starts again. */
    checkpoint: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    lockedBy: text(),
    lockedUntil: timestamp({ withTimezone: true }),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.orgId, t.createdAt),
    index('jobs_claimable_idx').on(t.createdAt).where(sql`status IN ('queued', 'running')`),
  ],
);

/** The uploaded file of a job, in chunks, so that any API process can resume it after a restart. */
export const jobBlobs = pgTable(
  'job_blobs',
  {
    jobId: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    data: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);

export const importRejections = pgTable(
  'import_rejections',
  {
    jobId: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    line: integer().notNull(),
    field: text(),
    reason: text().notNull(),
    /** The row as it was in the file, so that it can be fixed and sent again. */
    raw: jsonb().$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.line] })],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    requestHash: text(),
    responseStatus: integer(),
    responseBody: jsonb(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** While the first request runs, it renews this; a claim past it was left by a stopped server. */
    heldUntil: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);

export type Job = typeof jobs.$inferSelect;
