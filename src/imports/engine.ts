import type { JobProgress } from '../../db/schema';
import { type Ctx, planEachStatement, withTransaction } from '../context';
import { AppError } from '../http/errors';
import { saveCheckpoint } from '../jobs/service';
import { COUNTRY_MAIN_ZONE } from '../lib/dates';
import { lockOrganizationWrites } from '../prospects/batch-write';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import { type BatchConverter, openConverter } from './convert-pool';
import { type Converted, type Converter, type ConvertOptions, createConverter } from './converter';
import { type CsvStreamMeta, csvRecords } from './csv-stream';
import { type CsvRecord, CsvSyntaxError } from './csv-tokenizer';
import { filledCells, headerIndex, type TextEncoding, TITLE_LINES } from './encoding';
import type { ImportOptions } from './options';
import { type ColumnPlan, describePlan, planColumns } from './plan';
import {
  addCounts,
  addRejected,
  addWarnings,
  type ImportResult,
  type RejectedRow,
  storeRejections,
} from './result';
import { adapterFor, type Counts, type TargetAdapter, zeroCounts } from './targets';

export type { ImportResult } from './result';

export interface ImportRun {
  ctx: Ctx;
  jobId: string;
  /** Who holds the job (its locked_by): a checkpoint is written only while they do. */
  owner?: string;
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
  /** Convert on a worker thread, beside the writes: worth it for background jobs and large files. */
  threaded?: boolean;
}

/** Batches converted ahead of the one being written. */
const AHEAD = 2;

interface Batch {
  records: CsvRecord[];
  bytesRead: number;
}

interface Pass {
  plan: ColumnPlan;
  meta: CsvStreamMeta;
  /** The header's line: past 1 when a title came above it. */
  headerLine: number;
  batches: AsyncGenerator<Batch>;
}

interface ConvertedBatch extends Batch {
  /** The records of the batch this pass writes (partial mode skips what an earlier attempt wrote). */
  fresh: CsvRecord[];
  converted: Converted;
  /** What an earlier attempt wrote of the batch, converted again where the adapter replays it. */
  replayed?: Converted;
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

/** What an import says of a file that mixes encodings, which it reads character by character. */
const MIXED: Partial<Record<TextEncoding, string>> = {
  'utf-8+windows-1252':
    'the file is UTF-8 with some characters in Windows-1252 (two exports pasted together?): each was read in its own encoding; check the accents of the rows imported',
  'windows-1252+utf-8':
    'the file is Windows-1252 with some characters in UTF-8 ("Ã©" for é: two exports pasted together?): each was read in its own encoding; check the accents of the rows imported',
};

export async function runImport(
  run: ImportRun,
): Promise<{ status: 'succeeded' | 'failed'; result: ImportResult }> {
  const { options } = run;
  const adapter = adapterFor(options.target, run.jobId);
  const first = await openPass(run, adapter);
  const country = options.defaultCountry ?? run.defaultCountry;
  const convertOptions: ConvertOptions = {
    target: options.target,
    orgId: run.ctx.orgId,
    defaultCountry: country,
    invalidContactPoints: options.invalidContactPoints,
    timeZone: options.timeZone ?? COUNTRY_MAIN_ZONE[country] ?? 'UTC',
    dayFirst: (options.dateOrder ?? (run.defaultCountry === 'US' ? 'mdy' : 'dmy')) === 'dmy',
    now: run.now.toISOString(),
    ...(options.type ? { defaultType: options.type } : {}),
  };
  const converter = await openConverter(first.plan, convertOptions, run.threaded === true);
  let inline: Converter | undefined;
  const writer: BatchWriter = {
    adapter,
    careful: (records) => {
      inline ??= createConverter(first.plan, convertOptions);
      return inline.convert(records).records;
    },
  };
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
  if (!run.previous && MIXED[run.encoding]) addWarnings(result, [MIXED[run.encoding]!]);
  if (!run.previous && first.headerLine > 1)
    addWarnings(result, [
      `line ${first.headerLine} is the header: the ${first.headerLine === 2 ? 'line' : `${first.headerLine - 1} lines`} above it (a title?) left out`,
    ]);
  try {
    if (options.mode === 'partial') {
      await enableFastRows(run.ctx, adapter, converter);
      return await runPartial(run, writer, converter, first, result);
    }
    // The first pass only looks for mistakes: its fast rows are thrown away, and nothing is known yet.
    converter.command({ enable: true });
    return await runAtomic(run, writer, converter, first, result);
  } finally {
    await converter.close();
  }
}

/** Lets the converter write new rows as COPY text once it knows what the organization has. */
async function enableFastRows(
  ctx: Ctx,
  adapter: TargetAdapter<{ line: number }>,
  converter: BatchConverter,
): Promise<void> {
  if (!adapter.loadKnownKeys) return;
  const known = await adapter.loadKnownKeys(ctx, (keys) => converter.command({ know: keys }));
  if (known) converter.command({ enable: true });
}

interface BatchWriter {
  adapter: TargetAdapter<{ line: number }>;
  /** The records of a batch converted again, every row careful. */
  careful: (records: CsvRecord[]) => { line: number }[];
}

/**
 * Writes a batch's checked records and its fast rows. When a fast row was written meanwhile by another
 * request, nothing of them is kept and the whole batch is converted again and written with care.
 */
async function writeBatch(
  tx: Ctx,
  writer: BatchWriter,
  batch: ConvertedBatch,
  records: { line: number }[],
): Promise<Partial<Counts>> {
  const fast = batch.converted.fast?.count ? batch.converted.fast : undefined;
  if (records.length === 0 && !fast) return {};
  const written = await writer.adapter.write(tx, records, fast);
  if (!('conflict' in written)) return written;
  const again = await writer.adapter.prepare(tx, writer.careful(batch.fresh));
  const redone = await writer.adapter.write(tx, again.ok);
  if ('conflict' in redone) throw new Error('a careful write answered conflict');
  const counts = zeroCounts();
  addCounts(counts, redone);
  addCounts(counts, written.conflict);
  return counts;
}

async function openPass(run: ImportRun, adapter: TargetAdapter<{ line: number }>): Promise<Pass> {
  const meta: CsvStreamMeta = { delimiter: run.options.delimiter ?? ',', bytesRead: 0 };
  const options = {
    encoding: run.encoding,
    ...(run.options.delimiter ? { delimiter: run.options.delimiter } : {}),
  };
  const stream = csvRecords(run.open(), options, meta);
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
  // A title above the header ("Export des contacts", a date) holds a cell at most, where a header holds
  // several: the first line of a few below that holds two or more is the header.
  if (filledCells(header.fields) <= 1) {
    while (queue.length < TITLE_LINES && !ended) {
      const next = await guard(() => stream.next());
      if (next.done) ended = true;
      else queue.push(...next.value);
    }
    const at = headerIndex([header.fields, ...queue.slice(0, TITLE_LINES).map((r) => r.fields)]);
    if (at > 0) header = queue.splice(0, at)[at - 1]!;
  }
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
  checkRequired(planned.plan, adapter, headers, run.defaultCountry, run.options);
  const batchSize = run.batchSize;
  async function* batches(): AsyncGenerator<Batch> {
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
  return { plan: planned.plan, meta, headerLine: header.line, batches: batches() };
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
  options: ImportOptions,
) {
  const mapped = new Set(plan.columns.flatMap((c) => (c.field ? [c.field] : [])));
  // The import's type option stands for a type column.
  if (options.type) mapped.add('type');
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

/**
 * The batches of a pass, converted: conversion of the next batches is under way (on the worker) while
 * the caller writes the current one. `skip` says how many leading records of the file to leave out.
 */
async function* convertedBatches(
  pass: Pass,
  converter: BatchConverter,
  skip = 0,
  replay = false,
): AsyncGenerator<ConvertedBatch> {
  const inflight: {
    batch: Batch;
    fresh: CsvRecord[];
    converting: Promise<Converted>;
    replaying?: Promise<Converted>;
  }[] = [];
  const done = async (next: (typeof inflight)[number]): Promise<ConvertedBatch> => ({
    ...next.batch,
    fresh: next.fresh,
    converted: await next.converting,
    ...(next.replaying ? { replayed: await next.replaying } : {}),
  });
  let seen = 0;
  try {
    for await (const batch of pass.batches) {
      const written = Math.min(batch.records.length, Math.max(0, skip - seen));
      const fresh = batch.records.slice(written);
      seen += batch.records.length;
      const converting = fresh.length > 0 ? converter.convert(fresh) : Promise.resolve(EMPTY);
      converting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      const replaying =
        replay && written > 0 ? converter.convert(batch.records.slice(0, written)) : undefined;
      replaying?.catch(() => {});
      inflight.push({ batch, fresh, converting, ...(replaying ? { replaying } : {}) });
      if (inflight.length > AHEAD) yield await done(inflight.shift()!);
    }
    while (inflight.length > 0) yield await done(inflight.shift()!);
  } finally {
    inflight.length = 0;
  }
}

const EMPTY: Converted = { records: [], rejected: [], warnings: [], blank: 0 };

function progress(
  run: ImportRun,
  rowsDone: number,
  bytesDone: number,
  extra: Partial<JobProgress> = {},
): JobProgress {
  return { rowsDone, rowsTotal: null, bytesDone, bytesTotal: run.bytesTotal, ...extra };
}

function rejections(
  batch: ConvertedBatch,
  prepared: { rejected: { line?: number; message: string; field?: string }[] },
): RejectedRow[] {
  const rows: RejectedRow[] = [
    ...batch.converted.rejected,
    ...prepared.rejected.map((error) => ({
      error,
      raw: batch.fresh.find((r) => r.line === error.line)?.fields ?? [],
    })),
  ];
  return rows.sort((a, b) => (a.error.line ?? 0) - (b.error.line ?? 0));
}

/** Each batch commits on its own, with the job's checkpoint: a resumed job starts after the last one. */
async function runPartial(
  run: ImportRun,
  writer: BatchWriter,
  converter: BatchConverter,
  pass: Pass,
  result: ImportResult,
) {
  let seen = 0;
  const { adapter } = writer;
  const replay = adapter.replay !== undefined;
  for await (const batch of convertedBatches(pass, converter, run.checkpoint, replay)) {
    if (run.signal?.aborted) throw new ImportStopped();
    seen += batch.records.length;
    if (batch.replayed && adapter.replay) {
      const replayed = batch.replayed.records;
      const prepared = await withTransaction(run.ctx, (tx) => adapter.prepare(tx, replayed));
      adapter.replay(prepared.ok);
    }
    if (batch.fresh.length === 0) continue;
    const { converted } = batch;
    await withTransaction(run.ctx, async (tx) => {
      await lockOrganizationWrites(tx);
      await planEachStatement(tx);
      const prepared = await writer.adapter.prepare(tx, converted.records);
      const rejected = rejections(batch, prepared);
      const written = await writeBatch(tx, writer, batch, prepared.ok);
      await storeRejections(tx, run.jobId, rejected, result.counts.rejected);
      addCounts(result.counts, { ...written, rows: batch.fresh.length, skipped: converted.blank });
      addRejected(
        result,
        rejected.map((r) => r.error),
      );
      addWarnings(result, converted.warnings);
      await saveCheckpoint(tx.db, run.jobId, run.owner, {
        checkpoint: seen,
        result: result as unknown as Record<string, unknown>,
        progress: progress(run, seen, batch.bytesRead),
      });
    });
    run.onProgress?.(progress(run, seen, batch.bytesRead));
    await breathe();
  }
  return { status: 'succeeded' as const, result };
}

/** Checks every row first and reports all mistakes at once; writes only if there are none, in one transaction. */
async function runAtomic(
  run: ImportRun,
  writer: BatchWriter,
  converter: BatchConverter,
  pass: Pass,
  result: ImportResult,
) {
  let rows = 0;
  const rejected: RejectedRow[] = [];
  for await (const batch of convertedBatches(pass, converter)) {
    if (run.signal?.aborted) throw new ImportStopped();
    const prepared = await withTransaction(run.ctx, async (tx) => {
      await planEachStatement(tx);
      return writer.adapter.prepare(tx, batch.converted.records);
    });
    rejected.push(...rejections(batch, prepared));
    rows += batch.records.length;
    addCounts(result.counts, { rows: batch.records.length, skipped: batch.converted.blank });
    addWarnings(result, batch.converted.warnings);
    run.onProgress?.(progress(run, rows, batch.bytesRead, { phase: 'validating' }));
    await breathe();
  }
  if (rejected.length > 0) {
    rejected.sort((a, b) => (a.error.line ?? 0) - (b.error.line ?? 0));
    addRejected(
      result,
      rejected.map((r) => r.error),
    );
    await storeRejections(run.ctx, run.jobId, rejected, 0);
    return { status: 'failed' as const, result };
  }
  const second = await openPass(run, writer.adapter);
  let done = 0;
  await withTransaction(run.ctx, async (tx) => {
    await lockOrganizationWrites(tx);
    await planEachStatement(tx);
    // Read under the lock, the keys stay true for every writer that takes it; a CRM id set by an update
    // (which does not) still meets the unique index, and the batch is then written with care.
    converter.command({ reset: true });
    await enableFastRows(tx, writer.adapter, converter);
    for await (const batch of convertedBatches(second, converter)) {
      if (run.signal?.aborted) throw new ImportStopped();
      const prepared = await writer.adapter.prepare(tx, batch.converted.records);
      const first = prepared.rejected[0] ?? batch.converted.rejected[0]?.error;
      if (first)
        throw new AppError(
          'CONFLICT',
          `the data changed while importing: ${first.message}; nothing was imported`,
        );
      addCounts(result.counts, await writeBatch(tx, writer, batch, prepared.ok));
      done += batch.records.length;
      run.onProgress?.(progress(run, done, batch.bytesRead, { phase: 'writing', rowsTotal: rows }));
    }
    await saveCheckpoint(tx.db, run.jobId, run.owner, {
      checkpoint: done,
      result: result as unknown as Record<string, unknown>,
    });
  });
  return { status: 'succeeded' as const, result };
}
