import type { FieldError } from '../http/errors';
import { contactPointId } from '../prospects/contact-point-id';
import type { CsvRecord } from './csv-tokenizer';
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
  records: { line: number }[];
  rejected: { error: FieldError; raw: string[] }[];
  warnings: string[];
  blank: number;
}

/** Turns CSV records into normalized import records, rejections and warnings; pure, and stateful only by caches. */
export function createConverter(
  plan: ColumnPlan,
  options: ConvertOptions,
): (batch: CsvRecord[]) => Converted {
  const row =
    options.target === 'prospects'
      ? prospectRow(plan, options)
      : (fields: string[], line: number): RowResult<{ line: number }> =>
          toInteractionRecord(fields, line, plan, {
            defaultCountry: options.defaultCountry,
            dates: { timeZone: options.timeZone, dayFirst: options.dayFirst },
            now: new Date(options.now),
          });
  return (batch) => {
    const out: Converted = { records: [], rejected: [], warnings: [], blank: 0 };
    for (const record of batch) {
      const result = row(record.fields, record.line);
      if (result.kind === 'record') {
        out.records.push(result.record);
        const warnings = (result.record as Partial<ProspectRecord>).warnings;
        if (warnings) for (const warning of warnings) out.warnings.push(warning);
      } else if (result.kind === 'rejected') out.rejected.push({ error: result.error, raw: record.fields });
      else out.blank++;
    }
    return out;
  };
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
