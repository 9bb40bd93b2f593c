import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { type Job, type JobProgress, jobs } from '../../db/schema';
import { type Ctx, systemCtx } from '../context';
import type { Database, Db } from '../db';
import { AppError, type FieldError } from '../http/errors';
import { zodErrors } from '../http/openapi';
import { authorize } from '../http/permissions';
import { refuseUnknownParameters } from '../http/query-keys';
import type { JobHandler } from '../jobs/runner';
import { appendBlob, createJob, finishJob, REQUEST_OWNER, readBlobs } from '../jobs/service';
import { getOrganization } from '../orgs/service';
import { detectedEncoding, sniff, type TextEncoding } from './encoding';
import { type ImportResult, ImportStopped, runImport } from './engine';
import { type ImportOptions, importOptionsSchema } from './options';
import { receiveUpload, type UploadSink } from './upload';

export interface ImportSettings {
  maxUploadBytes: number;
  syncMaxBytes: number;
  batchSize: number;
}

/** What a queued import job keeps in jobs.params. */
export interface ImportJobParams {
  options: ImportOptions;
  encoding: TextEncoding;
  bytes: number;
  filename?: string;
}

/** How long an import run inside a request holds its job without news: renewed four times as often. */
const REQUEST_LEASE_MS = 2 * 60_000;
const BLOB_BYTES = 1024 * 1024;

/**
 * Keeps a small upload in memory; once it passes the synchronous limit (or when a job is asked for),
 * it becomes a job and its bytes go to job_blobs in 1 MiB pieces, so that any process can resume it.
 */
class ImportSink implements UploadSink {
  private memory: Uint8Array[] = [];
  private memoryBytes = 0;
  private seq = 0;
  jobId: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly ctx: Ctx,
    private readonly syncMaxBytes: number,
    private readonly forceJob: boolean,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.memory.push(chunk);
    this.memoryBytes += chunk.byteLength;
    if (!this.jobId && (this.forceJob || this.memoryBytes > this.syncMaxBytes)) await this.spill();
    if (this.jobId && this.memoryBytes >= BLOB_BYTES) await this.flush();
  }

  async spill(): Promise<string> {
    if (!this.jobId) {
      const job = await createJob(this.db, {
        orgId: this.ctx.orgId,
        kind: 'import',
        status: 'uploading',
        createdBy: this.ctx.actor.keyId,
      });
      this.jobId = job.id;
    }
    return this.jobId;
  }

  async flush(): Promise<void> {
    if (!this.jobId || this.memoryBytes === 0) return;
    const data = Buffer.concat(this.memory);
    this.memory = [];
    this.memoryBytes = 0;
    await appendBlob(this.db, this.jobId, this.seq++, data);
  }

  chunks(): Uint8Array[] {
    return this.memory;
  }

  async discard(): Promise<void> {
    if (this.jobId) await this.db.delete(jobs).where(eq(jobs.id, this.jobId));
  }
}

export interface StartedImport {
  /** 200: done here; 202: queued as a job; 422: an atomic import with rows rejected. */
  status: 200 | 202;
  job: Job;
}

/**
 * Receives an uploaded CSV and imports it: at once when it is small, as a job when it is large or when
 * asked. Options come from the query string and, for multipart uploads, from the form fields. `received`
 * is told the upload's digest once the body has been read, before anything is decided on it.
 */
export async function startImport(
  deps: { database: Database; settings: ImportSettings; wake: () => void },
  ctx: Ctx,
  request: Request,
  query: Record<string, string>,
  received: (digest: string) => Promise<void> = async () => {},
): Promise<StartedImport> {
  refuseUnknownParameters(Object.keys(query), Object.keys(importOptionsSchema.shape));
  const early = importOptionsSchema.shape.target.safeParse(query.target);
  if (early.success && query.target)
    authorize(ctx.actor.role, early.data === 'prospects' ? 'imports:prospects' : 'imports:interactions');
  else if (ctx.actor.role === 'caller') authorize(ctx.actor.role, 'imports:interactions');

  const forceJob = ['true', '1', 'yes'].includes(query.async ?? '');
  const sink = new ImportSink(ctx.db, ctx, deps.settings.syncMaxBytes, forceJob);
  let options: ImportOptions;
  let encoding: TextEncoding;
  let upload: Awaited<ReturnType<typeof receiveUpload>>;
  try {
    upload = await receiveUpload(request, sink, { maxBytes: deps.settings.maxUploadBytes });
    await received(upload.digest);
    const parsed = importOptionsSchema.safeParse({ ...query, ...upload.fields });
    if (!parsed.success) throw optionErrors(parsed.error);
    options = parsed.data;
    if (options.target === 'prospects' && options.type)
      throw new AppError('VALIDATION', 'type is an option of interaction imports (target=interactions)', {
        errors: [{ field: 'type', message: 'only for target=interactions: a prospect import has no events' }],
      });
    authorize(ctx.actor.role, options.target === 'prospects' ? 'imports:prospects' : 'imports:interactions');
    if (upload.bytes === 0) throw new AppError('UNPROCESSABLE', 'the file is empty');
    const sniffed = sniff(upload.head);
    if (sniffed.kind === 'refused') throw new AppError('UNPROCESSABLE', sniffed.reason);
    encoding = options.encoding ?? detectedEncoding(sniffed.encoding, upload.census);
  } catch (error) {
    await sink.discard();
    throw error;
  }
  const params: ImportJobParams = {
    options,
    encoding,
    bytes: upload.bytes,
    ...(upload.filename ? { filename: upload.filename } : {}),
  };

  if (sink.jobId || options.async) {
    const jobId = await sink.spill();
    await sink.flush();
    const [job] = await ctx.db
      .update(jobs)
      .set({
        status: 'queued',
        // The upload's lease ends with it: the runner claims queued jobs whose lease is over.
        lockedUntil: null,
        params: params as unknown as Record<string, unknown>,
        progress: { rowsDone: 0, rowsTotal: null, bytesDone: 0, bytesTotal: upload.bytes },
      })
      .where(eq(jobs.id, jobId))
      .returning();
    deps.wake();
    return { status: 202, job: job! };
  }

  const job = await createJob(ctx.db, {
    orgId: ctx.orgId,
    kind: 'import',
    status: 'running',
    params: params as unknown as Record<string, unknown>,
    createdBy: ctx.actor.keyId,
    lockedBy: REQUEST_OWNER,
    lockedUntil: new Date(Date.now() + REQUEST_LEASE_MS),
    progress: { rowsDone: 0, rowsTotal: null, bytesDone: 0, bytesTotal: upload.bytes },
  });
  const chunks = sink.chunks();
  // The file lives in this request only: if the process dies, the lease lapses and the job is failed.
  const renew = setInterval(() => {
    ctx.db
      .update(jobs)
      .set({ lockedUntil: new Date(Date.now() + REQUEST_LEASE_MS) })
      .where(and(eq(jobs.id, job.id), eq(jobs.status, 'running')))
      .catch(() => {});
  }, REQUEST_LEASE_MS / 4);
  renew.unref();
  let outcome: ImportOutcome;
  try {
    outcome = await executeImport(deps.database, deps.settings, job, params, async function* () {
      yield* chunks;
    });
  } catch (error) {
    await finishJob(ctx.db, job.id, REQUEST_OWNER, {
      status: 'failed',
      error: { code: 'INTERNAL', message: 'the import stopped on an unexpected error' },
    });
    throw error;
  } finally {
    clearInterval(renew);
  }
  await finishJob(ctx.db, job.id, REQUEST_OWNER, jobEnd(outcome, params));
  const [done] = await ctx.db.select().from(jobs).where(eq(jobs.id, job.id));
  if (outcome.status === 'failed') throw importFailure(done!, outcome);
  return { status: 200, job: done! };
}

/** Reads a repeated upload only for its digest, keeping none of it: is it the upload its key was used for? */
export async function digestUpload(settings: ImportSettings, request: Request): Promise<string> {
  const upload = await receiveUpload(
    request,
    { write: async () => {} },
    { maxBytes: settings.maxUploadBytes },
  );
  return upload.digest;
}

function optionErrors(error: z.ZodError): AppError {
  return new AppError('VALIDATION', 'the import options are not valid', { errors: zodErrors(error) });
}

type ImportOutcome =
  | { status: 'succeeded'; result: ImportResult }
  | {
      status: 'failed';
      result?: ImportResult;
      error: { code: string; message: string; errors?: FieldError[]; status: number };
    };

/**
 * Runs the import of a job row; the caller records how it ended (and so deletes its stored file), if it
 * still holds the job: each batch commits only while the job's owner (the row's locked_by) does.
 */
async function executeImport(
  database: Database,
  settings: ImportSettings,
  job: Job,
  params: ImportJobParams,
  open: () => AsyncIterable<Uint8Array>,
  control: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
): Promise<ImportOutcome> {
  const ctx = systemCtx(database.db, job.orgId, job.createdBy);
  const org = await getOrganization(database.db, job.orgId);
  let outcome: ImportOutcome;
  try {
    const ran = await runImport({
      ctx,
      jobId: job.id,
      ...(job.lockedBy ? { owner: job.lockedBy } : {}),
      options: params.options,
      encoding: params.encoding,
      open,
      bytesTotal: params.bytes,
      batchSize: settings.batchSize,
      checkpoint: job.checkpoint,
      ...(job.checkpoint > 0 ? { previous: job.result as unknown as ImportResult } : {}),
      defaultCountry: org.defaultCountry,
      now: new Date(),
      ...(control.signal ? { signal: control.signal } : {}),
      ...(control.onProgress ? { onProgress: control.onProgress } : {}),
      // In the background a worker thread converts while this one writes; a request's small file does not pay for one.
      threaded: control.signal !== undefined,
    });
    if (ran.status === 'succeeded') outcome = { status: 'succeeded', result: ran.result };
    else {
      const n = ran.result.counts.rejected;
      outcome = {
        status: 'failed',
        result: ran.result,
        error: {
          code: 'ROWS_REJECTED',
          message: `${n} row${n === 1 ? ' is' : 's are'} not valid; nothing was imported (atomic mode)`,
          errors: ran.result.rejected,
          status: 422,
        },
      };
    }
  } catch (error) {
    if (error instanceof ImportStopped || !(error instanceof AppError)) throw error;
    outcome = {
      status: 'failed',
      error: {
        code: error.code,
        message: error.message,
        status: error.status,
        ...(error.options.errors ? { errors: error.options.errors } : {}),
      },
    };
  }
  return outcome;
}

/** How an import's job row ends: status, result, error and full progress. */
function jobEnd(outcome: ImportOutcome, params: ImportJobParams) {
  const rows = outcome.result?.counts.rows ?? 0;
  return {
    status: outcome.status,
    result: (outcome.result ?? {}) as unknown as Record<string, unknown>,
    ...(outcome.status === 'failed'
      ? {
          error: {
            code: outcome.error.code,
            message: outcome.error.message,
            ...(outcome.error.errors && outcome.error.code !== 'ROWS_REJECTED'
              ? { errors: outcome.error.errors }
              : {}),
          },
        }
      : {}),
    progress: { rowsDone: rows, rowsTotal: rows, bytesDone: params.bytes, bytesTotal: params.bytes },
  };
}

function importFailure(job: Job, outcome: Extract<ImportOutcome, { status: 'failed' }>): AppError {
  const code =
    outcome.error.code === 'ROWS_REJECTED' ? 'UNPROCESSABLE' : (outcome.error.code as AppError['code']);
  return new AppError(code, outcome.error.message, {
    ...(outcome.error.errors ? { errors: outcome.error.errors } : {}),
    extra: {
      jobId: job.id,
      ...(outcome.result ? { counts: outcome.result.counts, columns: outcome.result.columns } : {}),
    },
  });
}

/** The runner's handler for queued imports: reads the stored upload and resumes from the job's checkpoint. */
export function importJobHandler(settings: ImportSettings): JobHandler {
  return async ({ job, database, signal, progress }) => {
    const params = job.params as unknown as ImportJobParams;
    const outcome = await executeImport(
      database,
      settings,
      job,
      params,
      () => readBlobs(database.db, job.id),
      {
        signal,
        onProgress: progress,
      },
    );
    return jobEnd(outcome, params);
  };
}
