import type { JobProgress } from '../../db/schema';
import { type Ctx, planEachStatement, withTransaction } from '../context';
import { AppError } from '../http/errors';
import { saveCheckpoint } from '../jobs/service';
import { COUNTRY_MAIN_ZONE } from '../lib/dates';
import { lockOrganizationWrites } from '../prospects/batch-write';
import { type BatchConverter, openConverter } from './convert-pool';
import { type Converter, type ConvertOptions, createConverter } from './converter';
import type { CsvRecord } from './csv-tokenizer';
import type { TextEncoding } from './encoding';
import type { ImportOptions } from './options';
import { type ConvertedBatch, convertedBatches, openPass, type Pass } from './pass';
import { describePlan } from './plan';
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
