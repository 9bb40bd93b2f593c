import type { FieldError } from '../http/errors';
import { attributeKey, fold } from '../prospects/fold';
import { fieldsOf, guessField, type ImportTarget } from './fields';

export interface PlannedColumn {
  index: number;
  header: string;
  /** A field of the target, "attributes.<key>" / "companyAttributes.<key>", or null when ignored. */
  field: string | null;
  source: 'mapping' | 'auto' | 'none';
  note?: string;
}

export interface ColumnPlan {
  target: ImportTarget;
  columns: PlannedColumn[];
}

export interface PlanOptions {
  /** Header → field, "attributes.<key>", "companyAttributes.<key>", or null to ignore the column. */
  mapping?: Record<string, string | null>;
  /** Guess the fields of columns the mapping does not name (default true). */
  autoMap?: boolean;
  /** Keep columns that map to nothing as custom attributes instead of ignoring them. */
  keepUnmapped?: boolean;
}

const ATTRIBUTE = /^(attributes|companyAttributes|metadata)\.(.+)$/;

/** What each column of the file becomes, or why the mapping cannot work. */
export function planColumns(
  target: ImportTarget,
  headers: string[],
  options: PlanOptions = {},
): { plan: ColumnPlan } | { errors: FieldError[] } {
  const fields = fieldsOf(target);
  const errors: FieldError[] = [];
  const byHeader = new Map<string, number>();
  headers.forEach((header, index) => {
    if (!byHeader.has(header)) byHeader.set(header, index);
    const folded = fold(header);
    if (!byHeader.has(folded)) byHeader.set(folded, index);
  });

  const explicit = new Map<number, string | null>();
  for (const [column, field] of Object.entries(options.mapping ?? {})) {
    const index = byHeader.get(column) ?? byHeader.get(fold(column));
    if (index === undefined) {
      errors.push({
        field: `mapping.${column}`,
        message: `column "${column}" is not in the file (its columns are ${headers.map((h) => `"${h}"`).join(', ')})`,
      });
      continue;
    }
    if (field !== null && field !== 'ignore' && !(field in fields) && !isAttributeTarget(target, field)) {
      errors.push({
        field: `mapping.${column}`,
        message: `"${field}" is not a field of a ${target} import; use one of ${Object.keys(fields).join(', ')}, ${attributeHint(target)}, or null`,
      });
      continue;
    }
    explicit.set(index, field === 'ignore' ? null : field);
  }
  if (errors.length > 0) return { errors };

  const taken = new Map<string, string>();
  for (const field of explicit.values()) if (field) taken.set(field, 'mapping');
  const columns: PlannedColumn[] = headers.map((header, index) => {
    if (explicit.has(index)) {
      const field = explicit.get(index) ?? null;
      return {
        index,
        header,
        field,
        source: 'mapping',
        ...(field ? {} : { note: 'ignored by the mapping' }),
      };
    }
    if (header.trim() === '') return { index, header, field: null, source: 'none', note: 'no header' };
    const guess = options.autoMap === false ? undefined : guessField(target, header);
    if (guess) {
      const repeatable = (fields[guess] as { repeatable?: boolean }).repeatable === true;
      const owner = taken.get(guess);
      if (!owner || repeatable) {
        taken.set(guess, header);
        return { index, header, field: guess, source: 'auto' };
      }
      // The same header twice (two "Title" columns, as exports joined from two objects write them): the
      // second is read on the rows where the first is empty (readRow keeps a field's cells in column order).
      if (owner !== 'mapping' && fold(owner) === fold(header))
        return {
          index,
          header,
          field: guess,
          source: 'auto',
          note: `read where the first "${owner}" is empty`,
        };
      const note = `also looks like ${guess}, already read from ${owner === 'mapping' ? 'the mapping' : `"${owner}"`}`;
      return keepOrIgnore(target, index, header, options, note);
    }
    const kept = keepOrIgnore(target, index, header, options);
    if (kept.field !== null) return kept;
    return {
      ...kept,
      note:
        options.autoMap === false
          ? 'not in the mapping, and autoMap is off'
          : 'no field recognises this header: map it, or keep it as a custom attribute with keepUnmapped',
    };
  });
  return { plan: { target, columns } };
}

function keepOrIgnore(
  target: ImportTarget,
  index: number,
  header: string,
  options: PlanOptions,
  note?: string,
): PlannedColumn {
  if (options.keepUnmapped) {
    const key = attributeKey(header) || `column_${index + 1}`;
    const field = target === 'prospects' ? `attributes.${key}` : `metadata.${key}`;
    return { index, header, field, source: 'auto', ...(note ? { note } : {}) };
  }
  return { index, header, field: null, source: 'none', ...(note ? { note } : {}) };
}

function isAttributeTarget(target: ImportTarget, field: string): boolean {
  const match = ATTRIBUTE.exec(field);
  if (!match) return false;
  return target === 'prospects' ? match[1] !== 'metadata' : match[1] === 'metadata';
}

function attributeHint(target: ImportTarget): string {
  return target === 'prospects' ? '"attributes.<name>", "companyAttributes.<name>"' : '"metadata.<name>"';
}

/** How the plan reads for the caller: which columns became what, which were left out. */
export function describePlan(plan: ColumnPlan) {
  return {
    mapped: plan.columns
      .filter((c) => c.field !== null)
      .map((c) => ({ column: c.header, field: c.field!, source: c.source })),
    ignored: plan.columns
      .filter((c) => c.field === null)
      .map((c) => ({ column: c.header, ...(c.note ? { reason: c.note } : {}) })),
  };
}
