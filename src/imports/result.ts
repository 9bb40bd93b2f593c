import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import type { FieldError } from '../http/errors';
import type { TextEncoding } from './encoding';
import type { ImportOptions } from './options';
import type { describePlan } from './plan';
import type { Counts } from './targets';

/** What a finished (or failed) import says; stored as the job's result. */
export interface ImportResult {
  target: ImportOptions['target'];
  mode: ImportOptions['mode'];
  encoding: TextEncoding;
  delimiter: string;
  /** The header line as it was, in file order. */
  header: string[];
  columns: ReturnType<typeof describePlan>;
  counts: Counts;
  /** The first rejected rows; all of them are at GET /v1/jobs/{id}/rejections. */
  rejected: FieldError[];
  warnings: string[];
  warningCount: number;
}

/** Rejected rows and warnings listed in the result itself; the rest are counted (and rejections stored). */
export const LISTED = 100;

/** Rejections kept for GET /v1/jobs/{id}/rejections; a job keeps at most this many. */
const STORED_REJECTIONS = 100_000;

export interface RejectedRow {
  error: FieldError;
  raw?: string[];
}

export function addRejected(result: ImportResult, rejected: FieldError[]) {
  result.counts.rejected += rejected.length;
  for (const error of rejected) if (result.rejected.length < LISTED) result.rejected.push(error);
}

export function addWarnings(result: ImportResult, warnings: string[]) {
  result.warningCount += warnings.length;
  for (const warning of warnings) if (result.warnings.length < LISTED) result.warnings.push(warning);
}

export function addCounts(counts: Counts, more: Partial<Counts>) {
  // A job begun before a count existed resumes with it at 0.
  for (const [key, value] of Object.entries(more) as [keyof Counts, number][])
    counts[key] = (counts[key] ?? 0) + value;
}

/** Keeps rejected rows, with their content, for the job's rejections page and CSV. */
export async function storeRejections(ctx: Ctx, jobId: string, rows: RejectedRow[], already: number) {
  const kept = rows.slice(0, Math.max(0, STORED_REJECTIONS - already));
  if (kept.length === 0) return;
  const p = sql.param;
  await ctx.db.execute(
    sql`INSERT INTO import_rejections (job_id, line, field, reason, raw)
        SELECT ${jobId}::uuid, u.line, u.field, u.reason, u.raw
        FROM unnest(${p(kept.map((r) => r.error.line ?? 0))}::int[], ${p(kept.map((r) => r.error.field ?? null))}::text[],
          ${p(kept.map((r) => r.error.message))}::text[], ${p(kept.map((r) => (r.raw ? JSON.stringify(r.raw) : null)))}::text[]::jsonb[])
          AS u(line, field, reason, raw)
        ON CONFLICT DO NOTHING`,
  );
}
