import type { FieldError } from '../http/errors';
import { contactPointId } from '../prospects/contact-point-id';
import type { CsvRecord } from './csv-tokenizer';
import { emptyFastRows, type FastRows, RowRouter } from './fast-rows';
import type { ImportTarget } from './fields';
import { toInteractionRecord } from './interaction-records';
import type { ColumnPlan } from './plan';
import { type ProspectRecord, toProspectRecord } from './prospect-records';
import type { RowResult } from './rows';

/** What conversion needs, all of it plain data so that it can be sent to a worker thread. */
export interface ConvertOptions {
  target: ImportTarget;
  orgId: string;
  defaultCountry: string;
  invalidContactPoints: 'reject' | 'drop';
  timeZone: string;
  dayFirst: boolean;
  /** ISO time the import started: dates later than it (plus a day) are refused. */
  now: string;
}

export interface Converted {
  /** The rows to write with care (all of them, but for the fast rows of a prospect import). */
  records: { line: number }[];
  /** Prospect rows that only create, already as COPY text (see RowRouter). */
  fast?: FastRows;
  rejected: { error: FieldError; raw: string[] }[];
  warnings: string[];
  blank: number;
}

/** What the import's thread tells the converter between batches (prospect imports only). */
export type RouterCommand = { know: string[] } | { enable: true } | { reset: true };

export interface Converter {
  convert(batch: CsvRecord[]): Converted;
  command(command: RouterCommand): void;
}

/** Turns CSV records into normalized import records, rejections and warnings; stateful only by caches and the router. */
export function createConverter(plan: ColumnPlan, options: ConvertOptions): Converter {
  const router = options.target === 'prospects' ? new RowRouter(options.orgId) : undefined;
  const interactionOptions = {
    defaultCountry: options.defaultCountry,
    dates: { timeZone: options.timeZone, dayFirst: options.dayFirst },
    now: new Date(options.now),
    contradictedOrder: { warned: false },
  };
  const row =
    options.target === 'prospects'
      ? prospectRow(plan, options)
      : (fields: string[], line: number): RowResult<{ line: number }> =>
          toInteractionRecord(fields, line, plan, interactionOptions);
  const convert = (batch: CsvRecord[]): Converted => {
    const out: Converted = { records: [], rejected: [], warnings: [], blank: 0 };
    if (router) out.fast = emptyFastRows();
    for (const record of batch) {
      // Bytes the file's encoding could not read became U+FFFD: two exports pasted together, say.
      if (record.fields.some((field) => field.includes('\uFFFD')))
        out.warnings.push(
          `line ${record.line}: some bytes could not be read in the file's encoding and show as "\uFFFD" (a file that mixes encodings?)`,
        );
      const result = row(record.fields, record.line);
      if (result.kind === 'record') {
        const warnings = (result.record as { warnings?: string[] }).warnings;
        if (warnings) for (const warning of warnings) out.warnings.push(warning);
        out.records.push(result.record);
      } else if (result.kind === 'rejected') out.rejected.push({ error: result.error, raw: record.fields });
      else out.blank++;
    }
    if (router) out.records = router.route(out.records as ProspectRecord[], out.fast!);
    return out;
  };
  const command = (c: RouterCommand) => {
    if (!router) return;
    if ('know' in c) router.know(c.know);
    else if ('enable' in c) router.enable();
    else router.reset();
  };
  return { convert, command };
}

function prospectRow(plan: ColumnPlan, options: ConvertOptions) {
  const rowOptions = {
    defaultCountry: options.defaultCountry,
    invalidContactPoints: options.invalidContactPoints,
    companyCache: new Map(),
  };
  return (fields: string[], line: number): RowResult<ProspectRecord> => {
    const result = toProspectRecord(fields, line, plan, rowOptions);
    // The contact point ids are hashes: computed here, where the work can run beside the writer.
    if (result.kind === 'record') {
      for (const cp of result.record.contactPoints)
        cp.id = contactPointId(options.orgId, cp.channel, cp.value);
    }
    return result;
  };
}
