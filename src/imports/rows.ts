import type { FieldError } from '../http/errors';
import { INTERACTION_TEXT_LIMITS } from '../interactions/types';
import { isPlaceholder } from '../prospects/fold';
import { TEXT_LIMITS } from '../prospects/limits';
import type { ColumnPlan } from './plan';

export type RowResult<R> =
  | { kind: 'record'; record: R }
  | { kind: 'rejected'; error: FieldError }
  | { kind: 'blank' };

export interface Cell {
  value: string;
  header: string;
}

/** The values of one row, gathered by field; repeatable fields keep every non-empty value. */
export class RowValues {
  constructor(
    readonly line: number,
    private readonly cells: Map<string, Cell[]>,
  ) {}

  one(field: string): string | undefined {
    return this.cells.get(field)?.[0]?.value;
  }

  all(field: string): Cell[] {
    return this.cells.get(field) ?? [];
  }

  /** "attributes.x" style columns, by prefix, with their non-empty values. */
  prefixed(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    const start = `${prefix}.`;
    // forEach: iterating the entries would allocate a pair for each cell of each row.
    this.cells.forEach((list, field) => {
      if (field.startsWith(start)) out[field.slice(start.length)] = list[0]!.value;
    });
    return out;
  }
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
  if (text.length > 3 && text.charCodeAt(0) === 61 && text.charCodeAt(1) === 34 && text.endsWith('"')) {
    return text.slice(2, -1).trim();
  }
  return text;
}

/**
 * The longest value a field takes, as the API's schemas allow it (companies, prospects, interactions):
 * a longer cell is most often a column shifted or a note pasted into the wrong one, and is refused
 * rather than stored where the API would not have stored it.
 */
const FIELD_LIMITS = new Map<string, number>([
  ['companyName', TEXT_LIMITS.companyName],
  ['industryLabel', TEXT_LIMITS.industryLabel],
  ['website', TEXT_LIMITS.domain],
  ['region', TEXT_LIMITS.region],
  ['city', TEXT_LIMITS.city],
  ['postalCode', TEXT_LIMITS.postalCode],
  ['externalId', TEXT_LIMITS.externalId],
  ['firstName', TEXT_LIMITS.firstName],
  ['lastName', TEXT_LIMITS.lastName],
  ['fullName', TEXT_LIMITS.firstName + 1 + TEXT_LIMITS.lastName],
  ['jobTitle', TEXT_LIMITS.jobTitle],
  ['seniority', TEXT_LIMITS.seniority],
  ['department', TEXT_LIMITS.department],
  // Kept as a custom attribute.
  ['civility', TEXT_LIMITS.attributeValue],
  ['outcome', INTERACTION_TEXT_LIMITS.outcome],
  ['campaign', INTERACTION_TEXT_LIMITS.campaign],
  ['note', INTERACTION_TEXT_LIMITS.note],
  ['eventId', INTERACTION_TEXT_LIMITS.externalId],
]);

function limitOf(field: string | null): number | undefined {
  if (field === null) return undefined;
  const limit = FIELD_LIMITS.get(field);
  if (limit !== undefined) return limit;
  return field.startsWith('attributes.') || field.startsWith('companyAttributes.')
    ? TEXT_LIMITS.attributeValue
    : undefined;
}

const planLimits = new WeakMap<ColumnPlan, (number | undefined)[]>();

/** The limit of each of a plan's columns, in its order: found once per import, not once per cell. */
function limitsOf(plan: ColumnPlan): (number | undefined)[] {
  let limits = planLimits.get(plan);
  if (!limits) {
    limits = plan.columns.map((column) => limitOf(column.field));
    planLimits.set(plan, limits);
  }
  return limits;
}

/**
 * Reads a row through the plan. A row with only empty cells is blank; a row with more non-empty fields
 * than the header (an unquoted delimiter inside a value, usually) is an error.
 */
export function readRow(
  fields: string[],
  line: number,
  plan: ColumnPlan,
): { values: RowValues } | { blank: true } | { error: FieldError } {
  const width = plan.columns.length;
  if (fields.length > width) {
    for (let i = width; i < fields.length; i++) {
      if (fields[i]!.trim() !== '') {
        return {
          error: {
            line,
            message: `line ${line}: ${fields.length} fields where the header has ${width} (a delimiter inside an unquoted value?)`,
          },
        };
      }
    }
  }
  const cells = new Map<string, Cell[]>();
  const limits = limitsOf(plan);
  let empty = true;
  for (let k = 0; k < width; k++) {
    const column = plan.columns[k]!;
    const raw = fields[column.index];
    if (raw === undefined) continue;
    const value = cleanCell(raw);
    if (value === '') continue;
    empty = false;
    if (column.field === null) continue;
    const limit = limits[k];
    if (limit !== undefined && value.length > limit)
      return {
        error: {
          line,
          field: column.field,
          message: `line ${line}: ${column.field} ("${column.header}") is ${value.length.toLocaleString('en')} characters long, at most ${limit.toLocaleString('en')}`,
        },
      };
    const list = cells.get(column.field);
    if (list) list.push({ value, header: column.header });
    else cells.set(column.field, [{ value, header: column.header }]);
  }
  if (empty) return { blank: true };
  return { values: new RowValues(line, cells) };
}

/**
 * The cell of an e-mail or phone, unless it only says it is empty: "n/a" is no address to refuse, nor two
 * to split at the slash.
 */
export function filled(cell: string | undefined): string | undefined {
  return cell === undefined || isPlaceholder(cell) ? undefined : cell;
}

/** "01 23 45 67 89 / 06 12 34 56 78", "a@x.fr; b@y.fr": a cell may hold several values. */
export function splitMulti(value: string): string[] {
  if (!/[;,/|]|\s(?:ou|or|et|and)\s/i.test(value)) return [value];
  return value
    .split(/\s*[;,/|]\s*|\s+(?:ou|or|et|and)\s+/i)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * Like splitMulti but for phones: a slash parts two numbers only when each side is a number by itself,
 * since German writing puts one after the area code ("030/12345699", "+49 (0)40 / 123 456 97").
 * `isNumber` says whether a text is a valid number for the row.
 */
export function splitPhones(value: string, isNumber: (text: string) => boolean): string[] {
  if (!value.includes('/')) return splitMulti(value);
  return value
    .split(/\s*[;,|]\s*|\s+(?:ou|or|et|and)\s+/i)
    .flatMap((chunk) => joinSlashed(chunk.split('/'), isNumber))
    .filter((v) => v !== '');
}

/** Slash-separated pieces back to numbers: two pieces join unless one alone is a number and the two together are not. */
function joinSlashed(pieces: string[], isNumber: (text: string) => boolean): string[] {
  const out: string[] = [];
  let current = pieces[0]!.trim();
  for (const raw of pieces.slice(1)) {
    const next = raw.trim();
    const joined = `${current} ${next}`;
    const [alone, nextAlone] = [isNumber(current), isNumber(next)];
    // Two numbers, or a number beside a piece that does not complete it: a list. Else one number in two
    // pieces, whose error, if any, names it whole rather than its area code.
    if ((alone && nextAlone) || ((alone || nextAlone) && !isNumber(joined))) {
      out.push(current);
      current = next;
    } else current = joined;
  }
  out.push(current);
  return out;
}
