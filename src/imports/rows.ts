import type { FieldError } from '../http/errors';
import type { ColumnPlan } from './plan';

export type RowResult<R> =
  | { kind: 'record'; record: R }
  | { kind: 'rejected'; error: FieldError }
  | { kind: 'blank' };

/** The values of one row, gathered by field; repeatable fields keep every non-empty value. */
export interface RowValues {
  line: number;
  one(field: string): string | undefined;
  all(field: string): { value: string; header: string }[];
  /** "attributes.x" style columns, by prefix, with their non-empty values. */
  prefixed(prefix: string): Record<string, string>;
}

export function rejected(line: number, message: string, field?: string): RowResult<never> {
  return {
    kind: 'rejected',
    error: { line, message: `line ${line}: ${message}`, ...(field ? { field } : {}) },
  };
}

/** Excel keeps leading zeros when a cell is written ="0123": the wrapper is not part of the value. */
function cleanCell(raw: string): string {
  const text = raw.trim();
  const formula = /^="(.*)"$/s.exec(text);
  return formula ? formula[1]!.trim() : text;
}

/**
 * Reads a row through the plan. Returns undefined for a blank row, or a rejection when the row has
 * more non-empty fields than the header (an unquoted delimiter inside a value, usually).
 */
export function readRow(
  fields: string[],
  line: number,
  plan: ColumnPlan,
): { values: RowValues } | { blank: true } | { error: FieldError } {
  const width = plan.columns.length;
  if (fields.length > width && fields.slice(width).some((f) => f.trim() !== '')) {
    return {
      error: {
        line,
        message: `line ${line}: ${fields.length} fields where the header has ${width} (a delimiter inside an unquoted value?)`,
      },
    };
  }
  const byField = new Map<string, { value: string; header: string }[]>();
  let empty = true;
  for (const column of plan.columns) {
    const raw = fields[column.index];
    if (raw === undefined) continue;
    const value = cleanCell(raw);
    if (value === '') continue;
    empty = false;
    if (column.field === null) continue;
    const list = byField.get(column.field);
    if (list) list.push({ value, header: column.header });
    else byField.set(column.field, [{ value, header: column.header }]);
  }
  if (empty) return { blank: true };
  return {
    values: {
      line,
      one: (field) => byField.get(field)?.[0]?.value,
      all: (field) => byField.get(field) ?? [],
      prefixed: (prefix) => {
        const out: Record<string, string> = {};
        for (const [field, list] of byField) {
          if (field.startsWith(`${prefix}.`)) out[field.slice(prefix.length + 1)] = list[0]!.value;
        }
        return out;
      },
    },
  };
}

/** "01 23 45 67 89 / 06 12 34 56 78", "a@x.fr; b@y.fr": a cell may hold several values. */
export function splitMulti(value: string): string[] {
  return value
    .split(/\s*[;,/|]\s*|\s+(?:ou|or|et|and)\s+/i)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
