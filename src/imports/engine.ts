import { eq, sql } from 'drizzle-orm';
import { type JobProgress, jobs } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, type FieldError } from '../http/errors';
import { COUNTRY_MAIN_ZONE } from '../lib/dates';
import { lockOrganizationWrites } from '../prospects/batch-write';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import { type CsvStreamMeta, csvRecords } from './csv-stream';
import { type CsvRecord, CsvSyntaxError } from './csv-tokenizer';
import type { TextEncoding } from './encoding';
import type { ImportOptions } from './options';
import { type ColumnPlan, describePlan, planColumns } from './plan';
import { adapterFor, type Counts, type TargetAdapter, zeroCounts } from './targets';

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

export const LISTED = 100;

export interface ImportRun {
  ctx: Ctx;
  jobId: string;
  options: ImportOptions;
  encoding: TextEncoding;
  /** Opens the file from its start; called once per pass. */
  open: () => AsyncIterable<Uint8Array>;
  bytesTotal: number | null;
  batchSize: number;
  /** Records already committed by an earlier attempt (partial mode). */
  checkpoint: number;
  previous?: ImportResult;
  defaultCountry: string;
  now: Date;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
}

interface Pass {
  plan: ColumnPlan;
  meta: CsvStreamMeta;
  batches: AsyncGenerator<{ records: CsvRecord[]; bytesRead: number }>;
}

/**
 * Lets timers and other requests run between batches: PGlite answers as microtasks, so a long import
 * would otherwise hold the event loop until its last row.
 */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ImportStopped extends Error {
  constructor() {
    super('the import was asked to stop');
  }
}

export async function runImport(
  run: ImportRun,
): Promise<{ status: 'succeeded' | 'failed'; result: ImportResult }> {
  const { options } = run;
  const zone = options.timeZone ?? COUNTRY_MAIN_ZONE[options.defaultCountry ?? run.defaultCountry] ?? 'UTC';
  const adapter = adapterFor(options.target, {
    defaultCountry: options.defaultCountry ?? run.defaultCountry,
    invalidContactPoints: options.invalidContactPoints,
    dates: {
      timeZone: zone,
      dayFirst: (options.dateOrder ?? (run.defaultCountry === 'US' ? 'mdy' : 'dmy')) === 'dmy',
    },
    now: run.now,
  });
  const first = await openPass(run, adapter);
  const result: ImportResult = run.previous ?? {
    target: options.target,
    mode: options.mode,
    encoding: run.encoding,
    delimiter: first.meta.delimiter,
    header: first.plan.columns.map((c) => c.header),
    columns: describePlan(first.plan),
    counts: zeroCounts(),
    rejected: [],
    warnings: [],
    warningCount: 0,
  };
  if (options.mode === 'partial') return runPartial(run, adapter, first, result);
  return runAtomic(run, adapter, first, result);
}

async function openPass(run: ImportRun, adapter: TargetAdapter<{ line: number }>): Promise<Pass> {
  const meta: CsvStreamMeta = { delimiter: run.options.delimiter ?? ',', bytesRead: 0 };
  const stream = csvRecords(
    run.open(),
    { encoding: run.encoding, ...(run.options.delimiter ? { delimiter: run.options.delimiter } : {}) },
    meta,
  );
  const queue: CsvRecord[] = [];
  let header: CsvRecord | undefined;
  let ended = false;
  while (!header) {
    const next = await guard(() => stream.next());
    if (next.done) {
      ended = true;
      break;
    }
    queue.push(...next.value);
    header = queue.shift();
  }
  if (!header) throw new AppError('UNPROCESSABLE', 'the file is empty');
  const headers = header.fields.map((h) => h.trim());
  if (headers.every((h) => h === '')) {
    throw new AppError(
      'UNPROCESSABLE',
      `line ${header.line}: the first line is empty; it must name the columns`,
    );
  }
  const planned = planColumns(run.options.target, headers, {
    ...(run.options.mapping ? { mapping: run.options.mapping } : {}),
    autoMap: run.options.autoMap,
    keepUnmapped: run.options.keepUnmapped,
  });
  if ('errors' in planned)
    throw new AppError('VALIDATION', 'the mapping does not fit the file', { errors: planned.errors });
  checkRequired(planned.plan, adapter, headers, run.defaultCountry);
  const batchSize = run.batchSize;
  async function* batches() {
    let pending = queue.splice(0);
    let done = ended;
    while (!done || pending.length > 0) {
      while (pending.length >= batchSize || (done && pending.length > 0)) {
        yield { records: pending.slice(0, batchSize), bytesRead: meta.bytesRead };
        pending = pending.slice(batchSize);
      }
      if (done) break;
      const next = await guard(() => stream.next());
      if (next.done) done = true;
      else pending.push(...next.value);
    }
  }
  return { plan: planned.plan, meta, batches: batches() };
}

/** A CSV syntax error stops the import with its line; anything else goes up as it is. */
async function guard<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new AppError('UNPROCESSABLE', error.message, {
        errors: [{ line: error.line, message: error.message }],
      });
    }
    throw error;
  }
}

function checkRequired(
  plan: ColumnPlan,
  adapter: TargetAdapter<{ line: number }>,
  headers: string[],
  country: string,
) {
  const mapped = new Set(plan.columns.flatMap((c) => (c.field ? [c.field] : [])));
  const missing = adapter.required.filter((group) => !group.fields.some((f) => mapped.has(f)));
  if (missing.length === 0) return;
  const looksLikeData = headers.some((h) => normalizeEmail(h).ok || normalizePhone(h, country).ok);
  const detail = looksLikeData
    ? 'the first line looks like data, not column names: add a header line'
    : `no column gives ${missing.map((m) => m.what).join(', nor ')}; the columns are ${headers.map((h) => `"${h}"`).join(', ')}; name the fields with a mapping`;
  throw new AppError('UNPROCESSABLE', detail, {
    errors: missing.map((m) => ({
      field: 'mapping',
      message: `map a column to one of ${m.fields.join(', ')}`,
    })),
  });
}

interface Converted {
  records: { line: number }[];
  rejected: { error: FieldError; raw: string[] }[];
  warnings: string[];
  blank: number;
}

function convert(batch: CsvRecord[], plan: ColumnPlan, adapter: TargetAdapter<{ line: number }>): Converted {
  const out: Converted = { records: [], rejected: [], warnings: [], blank: 0 };
  for (const record of batch) {
    const result = adapter.convert(record.fields, record.line, plan);
    if (result.kind === 'record') {
      out.records.push(result.record);
      out.warnings.push(...adapter.warnings(result.record));
    } else if (result.kind === 'rejected') out.rejected.push({ error: result.error, raw: record.fields });
    else out.blank++;
  }
  return out;
}

function addRejected(result: ImportResult, rejected: FieldError[]) {
  result.counts.rejected += rejected.length;
  for (const error of rejected) if (result.rejected.length < LISTED) result.rejected.push(error);
}

function addWarnings(result: ImportResult, warnings: string[]) {
  result.warningCount += warnings.length;
  for (const warning of warnings) if (result.warnings.length < LISTED) result.warnings.push(warning);
}

function addCounts(counts: Counts, more: Partial<Counts>) {
  for (const [key, value] of Object.entries(more) as [keyof Counts, number][]) counts[key] += value;
}

/** Rejections kept for GET /v1/jobs/{id}/rejections; a job keeps at most this many. */
const STORED_REJECTIONS = 100_000;

async function storeRejections(
  ctx: Ctx,
  jobId: string,
  rows: { error: FieldError; raw?: string[] }[],
  already: number,
) {
  const room = Math.max(0, STORED_REJECTIONS - already);
  const kept = rows.slice(0, room);
  if (kept.length === 0) return;
  await ctx.db.execute(
    sql`INSERT INTO import_rejections (job_id, line, field, reason, raw)
        SELECT ${jobId}::uuid, u.line, u.field, u.reason, u.raw
        FROM unnest(${sql.param(kept.map((r) => r.error.line ?? 0))}::int[], ${sql.param(kept.map((r) => r.error.field ?? null))}::text[],
          ${sql.param(kept.map((r) => r.error.message))}::text[], ${sql.param(kept.map((r) => (r.raw ? JSON.stringify(r.raw) : null)))}::text[]::jsonb[])
          AS u(line, field, reason, raw)
        ON CONFLICT DO NOTHING`,
  );
}

function progress(
  run: ImportRun,
  rowsDone: number,
  bytesDone: number,
  extra: Partial<JobProgress> = {},
): JobProgress {
  return { rowsDone, rowsTotal: null, bytesDone, bytesTotal: run.bytesTotal, ...extra };
}

async function runPartial(
  run: ImportRun,
  adapter: TargetAdapter<{ line: number }>,
  pass: Pass,
  result: ImportResult,
) {
  let seen = 0;
  let checkpoint = run.checkpoint;
  for await (const batch of pass.batches) {
    if (run.signal?.aborted) throw new ImportStopped();
    // Records committed by an earlier attempt are read again but not written twice.
    const fresh = batch.records.slice(Math.max(0, checkpoint - seen));
    seen += batch.records.length;
    if (fresh.length === 0) continue;
    const converted = convert(fresh, pass.plan, adapter);
    await withTransaction(run.ctx, async (tx) => {
      await lockOrganizationWrites(tx);
      const prepared = await adapter.prepare(tx, converted.records);
      const rejected = [
        ...converted.rejected,
        ...prepared.rejected.map((error) => ({ error, raw: rawOf(fresh, error.line) })),
      ];
      rejected.sort((a, b) => (a.error.line ?? 0) - (b.error.line ?? 0));
      const written = prepared.ok.length > 0 ? await adapter.write(tx, prepared.ok) : {};
      await storeRejections(tx, run.jobId, rejected, result.counts.rejected);
      addCounts(result.counts, { ...written, rows: fresh.length, skipped: converted.blank });
      addRejected(
        result,
        rejected.map((r) => r.error),
      );
      addWarnings(result, converted.warnings);
      checkpoint = seen;
      await tx.db
        .update(jobs)
        .set({
          checkpoint,
          result: result as unknown as Record<string, unknown>,
          progress: progress(run, seen, batch.bytesRead),
        })
        .where(eq(jobs.id, run.jobId));
    });
    run.onProgress?.(progress(run, seen, batch.bytesRead));
    await breathe();
  }
  return { status: 'succeeded' as const, result };
}

function rawOf(records: CsvRecord[], line: number | undefined): string[] | undefined {
  return records.find((r) => r.line === line)?.fields;
}

async function runAtomic(
  run: ImportRun,
  adapter: TargetAdapter<{ line: number }>,
  pass: Pass,
  result: ImportResult,
) {
  // First pass: every row is checked and nothing is written, so that all mistakes are reported at once.
  let rows = 0;
  const rejectedRows: { error: FieldError; raw?: string[] }[] = [];
  for await (const batch of pass.batches) {
    if (run.signal?.aborted) throw new ImportStopped();
    const converted = convert(batch.records, pass.plan, adapter);
    const prepared = await adapter.prepare(run.ctx, converted.records);
    rejectedRows.push(
      ...converted.rejected,
      ...prepared.rejected.map((error) => ({ error, raw: rawOf(batch.records, error.line) })),
    );
    rows += batch.records.length;
    addCounts(result.counts, { rows: batch.records.length, skipped: converted.blank });
    addWarnings(result, converted.warnings);
    run.onProgress?.(progress(run, rows, batch.bytesRead, { phase: 'validating' }));
    await breathe();
  }
  if (rejectedRows.length > 0) {
    rejectedRows.sort((a, b) => (a.error.line ?? 0) - (b.error.line ?? 0));
    addRejected(
      result,
      rejectedRows.map((r) => r.error),
    );
    await storeRejections(run.ctx, run.jobId, rejectedRows, 0);
    return { status: 'failed' as const, result };
  }
  // Second pass: the same rows, written in one transaction.
  const second = await openPass(run, adapter);
  let done = 0;
  await withTransaction(run.ctx, async (tx) => {
    await lockOrganizationWrites(tx);
    for await (const batch of second.batches) {
      if (run.signal?.aborted) throw new ImportStopped();
      const converted = convert(batch.records, second.plan, adapter);
      const prepared = await adapter.prepare(tx, converted.records);
      if (prepared.rejected.length > 0 || converted.rejected.length > 0) {
        const first = prepared.rejected[0] ?? converted.rejected[0]!.error;
        throw new AppError(
          'CONFLICT',
          `the data changed while importing: ${first.message}; nothing was imported`,
        );
      }
      if (prepared.ok.length > 0) addCounts(result.counts, await adapter.write(tx, prepared.ok));
      done += batch.records.length;
      run.onProgress?.(progress(run, done, batch.bytesRead, { phase: 'writing', rowsTotal: rows }));
    }
    await tx.db
      .update(jobs)
      .set({ checkpoint: done, result: result as unknown as Record<string, unknown> })
      .where(eq(jobs.id, run.jobId));
  });
  return { status: 'succeeded' as const, result };
}
