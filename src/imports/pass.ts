import { AppError } from '../http/errors';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import type { BatchConverter } from './convert-pool';
import type { Converted } from './converter';
import { type CsvStreamMeta, csvRecords } from './csv-stream';
import { type CsvRecord, CsvSyntaxError } from './csv-tokenizer';
import { filledCells, headerIndex, TITLE_LINES } from './encoding';
import type { ImportRun } from './engine';
import type { ImportOptions } from './options';
import { type ColumnPlan, planColumns } from './plan';
import type { TargetAdapter } from './targets';

/**
 * A pass of an import over its file: the header found (below a title, if any), the columns planned and
 * checked against what the target needs, the records cut into batches, and the batches converted ahead
 * of the one the engine writes.
 */

/** Batches converted ahead of the one being written. */
const AHEAD = 2;

interface Batch {
  records: CsvRecord[];
  bytesRead: number;
}

export interface Pass {
  plan: ColumnPlan;
  meta: CsvStreamMeta;
  /** The header's line: past 1 when a title came above it. */
  headerLine: number;
  batches: AsyncGenerator<Batch>;
}

export interface ConvertedBatch extends Batch {
  /** The records of the batch this pass writes (partial mode skips what an earlier attempt wrote). */
  fresh: CsvRecord[];
  converted: Converted;
  /** What an earlier attempt wrote of the batch, converted again where the adapter replays it. */
  replayed?: Converted;
}

export async function openPass(run: ImportRun, adapter: TargetAdapter<{ line: number }>): Promise<Pass> {
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
export async function* convertedBatches(
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
