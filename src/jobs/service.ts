import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { type Job, type JobProgress, type JobStatus, jobBlobs, jobs } from '../../db/schema';
import type { Ctx } from '../context';
import { type Db, queryRows } from '../db';
import { type FieldError, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';

export interface NewJob {
  orgId: string;
  kind: string;
  status: JobStatus;
  params?: Record<string, unknown>;
  createdBy?: string | null;
  lockedBy?: string;
  lockedUntil?: Date;
  progress?: JobProgress;
}

export async function createJob(db: Db, input: NewJob): Promise<Job> {
  const [row] = await db
    .insert(jobs)
    .values({
      orgId: input.orgId,
      kind: input.kind,
      status: input.status,
      params: input.params ?? {},
      createdBy: input.createdBy ?? null,
      lockedBy: input.lockedBy ?? null,
      ...(input.lockedUntil ? { lockedUntil: input.lockedUntil } : {}),
      startedAt: input.status === 'running' ? new Date() : null,
      ...(input.progress ? { progress: input.progress } : {}),
    })
    .returning();
  return row!;
}

export async function getJob(ctx: Ctx, id: string): Promise<Job> {
  const [row] = await ctx.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, ctx.orgId), eq(jobs.id, id)));
  if (!row) throw notFound('Job');
  return row;
}

export async function listJobs(
  ctx: Ctx,
  f: { kind?: string; status?: JobStatus; limit: number; cursor?: string },
) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, ctx.orgId),
        f.kind ? eq(jobs.kind, f.kind) : undefined,
        f.status ? eq(jobs.status, f.status) : undefined,
        after ? lt(jobs.id, after) : undefined,
      ),
    )
    .orderBy(desc(jobs.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

/** How long an upload may go without a new piece before it counts as abandoned. */
const UPLOAD_LEASE_MINUTES = 10;
const UPLOAD_LEASE = sql.raw(`interval '${UPLOAD_LEASE_MINUTES} minutes'`);

/**
 * A piece of an upload, sent as base64 text that PostgreSQL decodes: PGlite writes a bytea parameter as
 * one two-letter string per byte, and a 2 MiB piece then took 110 MB of the service's heap, which ended it
 * when an upload came during an import.
 */
export async function appendBlob(db: Db, jobId: string, seq: number, data: Uint8Array): Promise<void> {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  // Each piece renews the upload's lease: an upload whose pieces stopped coming is failed when it runs out.
  await db.execute(
    sql`WITH renewed AS (
          UPDATE jobs SET locked_until = now() + ${UPLOAD_LEASE}
          WHERE id = ${jobId} AND status = 'uploading'
        )
        INSERT INTO job_blobs (job_id, seq, data) VALUES (${jobId}, ${seq}, decode(${text}, 'base64'))`,
  );
}

/** The uploaded file, chunk by chunk: never more than one chunk in memory (read as base64, as written). */
export async function* readBlobs(db: Db, jobId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const [row] = await queryRows<{ data: string }>(
      db,
      sql`SELECT encode(data, 'base64') AS data FROM job_blobs WHERE job_id = ${jobId} AND seq = ${seq}`,
    );
    if (!row) return;
    // PostgreSQL breaks base64 into lines, which Node's decoder skips.
    yield Buffer.from(row.data, 'base64');
  }
}

export async function deleteBlobs(db: Db, jobId: string): Promise<void> {
  await db.delete(jobBlobs).where(eq(jobBlobs.jobId, jobId));
}

/** The owner of an import run inside its request: no runner claims its job, nobody resumes it. */
export const REQUEST_OWNER = 'request';

/**
 * What the runner keeps in a job's params between attempts: the checkpoint the current attempt started
 * from, and how many attempts before it, in a row, lost their lease without moving the checkpoint on.
 */
export interface AttemptTrail {
  checkpoint: number;
  stalled: number;
}

export function attemptTrail(job: Job): AttemptTrail {
  const trail = job.params.attempt as Partial<AttemptTrail> | undefined;
  return { checkpoint: trail?.checkpoint ?? 0, stalled: trail?.stalled ?? 0 };
}

/**
 * Claims the oldest job that is waiting, or whose lease ran out because its process died, for this
 * worker. SKIP LOCKED lets several API processes poll the same table without taking the same job.
 * The attempt before counts as stalled only when it lost its lease (a job handed back has no owner)
 * without moving the checkpoint on: restarts, and attempts that got further, never use up a job's attempts.
 */
export async function claimJob(
  db: Db,
  workerId: string,
  leaseSeconds: number,
  kinds: string[],
  busy: string[],
): Promise<Job | undefined> {
  const stalled = sql`coalesce((params->'attempt'->>'stalled')::int, 0)`;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE jobs SET status = 'running', locked_by = ${workerId},
          locked_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1,
          started_at = coalesce(started_at, now()),
          params = params || jsonb_build_object('attempt', jsonb_build_object(
            'checkpoint', checkpoint,
            'stalled', CASE
              WHEN checkpoint > coalesce((params->'attempt'->>'checkpoint')::int, 0) THEN 0
              WHEN locked_by IS NULL THEN ${stalled}
              ELSE ${stalled} + 1 END))
        WHERE id = (
          SELECT id FROM jobs
          WHERE status IN ('queued', 'running') AND (locked_until IS NULL OR locked_until < now())
            AND locked_by IS DISTINCT FROM ${REQUEST_OWNER}
            AND kind = ANY(${sql.param(kinds)}::text[]) AND NOT (id = ANY(${sql.param(busy)}::uuid[]))
          ORDER BY created_at
          FOR UPDATE SKIP LOCKED
          LIMIT 1)
        RETURNING id`,
  );
  if (!rows[0]) return undefined;
  const [job] = await db.select().from(jobs).where(eq(jobs.id, rows[0].id));
  return job;
}

/** Extends the lease; false when another worker took the job over (this one must stop). */
export async function extendLease(
  db: Db,
  jobId: string,
  workerId: string,
  leaseSeconds: number,
): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`UPDATE jobs SET locked_until = now() + make_interval(secs => ${leaseSeconds})
        WHERE id = ${jobId} AND locked_by = ${workerId} AND status = 'running' RETURNING id`,
  );
  return rows.length > 0;
}

/**
 * Gives the job back without finishing it (shutdown): another process resumes it at once. Without an
 * owner, the next claim knows the attempt was handed back, not lost, and does not count it.
 */
export async function releaseJob(db: Db, jobId: string, workerId: string): Promise<void> {
  await db.execute(
    sql`UPDATE jobs SET locked_until = NULL, locked_by = NULL WHERE id = ${jobId} AND locked_by = ${workerId} AND status = 'running'`,
  );
}

export interface JobEnd {
  status: 'succeeded' | 'failed' | 'cancelled';
  result?: Record<string, unknown>;
  error?: { code: string; message: string; errors?: FieldError[] };
  progress?: JobProgress;
}

/** Thrown by a write of a job that its writer no longer holds: the transaction it is in must roll back. */
export class JobLost extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was taken over by another process`);
  }
}

/** The job still runs under this owner: a process that stalled past its lease has been replaced. */
export function heldBy(owner: string) {
  return and(eq(jobs.lockedBy, owner), eq(jobs.status, 'running'));
}

/**
 * Ends the job and deletes its uploaded file in one transaction, if `owner` still holds it: nobody sees
 * the job ended with its file still stored. False when another process took it over, whose ending stands.
 */
export async function finishJob(db: Db, jobId: string, owner: string, outcome: JobEnd): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(jobs)
      .set({
        status: outcome.status,
        ...(outcome.result ? { result: outcome.result } : {}),
        ...(outcome.progress ? { progress: outcome.progress } : {}),
        error: outcome.error ?? null,
        finishedAt: new Date(),
        lockedUntil: null,
      })
      .where(and(eq(jobs.id, jobId), heldBy(owner)))
      .returning({ id: jobs.id });
    if (ended.length === 0) return false;
    await deleteBlobs(tx as unknown as Db, jobId);
    return true;
  });
}

export async function saveProgress(
  db: Db,
  jobId: string,
  owner: string,
  progress: JobProgress,
): Promise<void> {
  await db
    .update(jobs)
    .set({ progress })
    .where(and(eq(jobs.id, jobId), heldBy(owner)));
}

/**
 * Records how far the job got, in the transaction that wrote that far, and throws JobLost when `owner`
 * no longer holds the job: a writer that stalled past its lease while another resumed the job must not
 * commit its batch nor put its counts over the new owner's. Without an owner, whoever runs it writes.
 */
export async function saveCheckpoint(
  db: Db,
  jobId: string,
  owner: string | undefined,
  values: { checkpoint: number; result: Record<string, unknown>; progress?: JobProgress },
): Promise<void> {
  const saved = await db
    .update(jobs)
    .set(values)
    .where(and(eq(jobs.id, jobId), owner === undefined ? undefined : heldBy(owner)))
    .returning({ id: jobs.id });
  if (saved.length === 0) throw new JobLost(jobId);
}

/**
 * Uploads that never finished (the client went away, or the process died mid-upload) are failed once no
 * piece came for UPLOAD_LEASE_MINUTES.
 */
export async function failAbandonedUploads(db: Db): Promise<void> {
  await db.execute(
    sql`UPDATE jobs SET status = 'failed', finished_at = now(),
          error = '{"code":"UPLOAD_INCOMPLETE","message":"the upload never finished"}'::jsonb
        WHERE status = 'uploading'
          AND coalesce(locked_until, created_at + ${UPLOAD_LEASE}) < now()`,
  );
  // An import run inside a request whose process died: nobody renews its lease, nobody will finish it.
  await db.execute(
    sql`UPDATE jobs SET status = 'failed', finished_at = now(),
          error = '{"code":"INTERRUPTED","message":"the server stopped during the import; the rows written before stay: send the file again, they are updated, not duplicated"}'::jsonb
        WHERE status = 'running' AND locked_by = ${REQUEST_OWNER}
          AND coalesce(locked_until, started_at + interval '1 hour') < now()`,
  );
  await db.execute(
    sql`DELETE FROM job_blobs WHERE job_id IN (SELECT id FROM jobs WHERE status IN ('failed', 'succeeded', 'cancelled'))`,
  );
}

export async function listRejections(ctx: Ctx, jobId: string, f: { limit: number; afterLine?: number }) {
  await getJob(ctx, jobId);
  const rows = await queryRows<{ line: number; field: string | null; reason: string; raw: string[] | null }>(
    ctx.db,
    sql`SELECT line, field, reason, raw FROM import_rejections
        WHERE job_id = ${jobId} AND line > ${f.afterLine ?? 0} ORDER BY line LIMIT ${f.limit + 1}`,
  );
  const data = rows
    .slice(0, f.limit)
    .map((r) => ({ line: r.line, field: r.field, message: r.reason, raw: r.raw }));
  return { data, nextCursor: rows.length > f.limit ? String(data.at(-1)!.line) : null };
}
