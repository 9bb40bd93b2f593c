import { type SQL, sql } from 'drizzle-orm';
import { INTERACTION_TYPES, type InteractionType } from '../../db/schema';
import { type Db, queryRowBytes } from '../db';
import { employeesOf } from '../prospects/employees-sql';
import type { EngagementEvent } from './engagement';
import type { FitSubject } from './fit';

/**
 * What scoring reads of a prospect: its record and its company's (the fit's subject and the model's
 * columns), and every interaction it had. The score on demand, the rescoring and the training all read
 * through here, so that a prospect is scored from the same facts whichever way it is asked.
 */
export interface ScoringInput extends FitSubject {
  prospectId: string;
  kind: string;
  language: string | null;
  /** Oldest first, to the minute. */
  events: EngagementEvent[];
  /**
   * After a profile change, the campaign's stored score has parts that still hold: only the fit is
   * computed, and combined with them in the database (saveScores); the events are not read.
   */
  refit?: true;
}

/** Prospects in id order after a given id (and up to another), or those of a list of ids. */
export type Selection = { after: string | null; until?: string | null; limit: number } | { ids: string[] };

/**
 * A rescoring after a profile change reads, instead of each person's events, whether their stored score
 * for the campaign has parts that still hold (written with them, under the model now active); the
 * others' events as ever.
 */
export interface Refitting {
  campaignId: string;
  modelId: string | null;
}

/**
 * A prospect's events travel as one text, "type:minute[:outcome],…" (the minute since the epoch; the outcome
 * as logged, its commas written as the unit separator U+001F), which the driver hands over without parsing
 * arrays. The parser below allocates no strings for the types it knows: a type is found by a hash of its
 * characters, then checked. Outcomes are read by engagement (readEvent), which keeps the reading of each
 * distinct outcome: in SQL, reading every call's outcome with its word lists had cost a rescoring's read
 * a sixth of its time, where a call log holds a handful of dispositions.
 */
const COMMA = 44;
const COLON = 58;
const ZERO = 48;
const MINUS = 45;
const SEPARATOR = '\u001f';

function hashOf(text: string, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}
const TYPE_BY_HASH = new Map<number, InteractionType>(
  INTERACTION_TYPES.map((type) => [hashOf(type, 0, type.length), type]),
);
if (TYPE_BY_HASH.size !== INTERACTION_TYPES.length) throw new Error('two interaction types share a hash');

/** Events oldest first; times to the minute. Parsed by hand: rescoring reads ten million of them. */
export function eventsOf(text: string | null): EngagementEvent[] {
  if (!text) return [];
  const events: EngagementEvent[] = [];
  let sorted = true;
  let previous = Number.POSITIVE_INFINITY;
  const length = text.length;
  for (let i = 0; i < length; ) {
    const typeStart = i;
    i = text.indexOf(':', i);
    if (i === -1) i = length;
    const known = TYPE_BY_HASH.get(hashOf(text, typeStart, i));
    const type =
      known !== undefined && known.length === i - typeStart && text.startsWith(known, typeStart)
        ? known
        : // A type this version does not know is kept as it was written, as scoring always did.
          (text.slice(typeStart, i) as InteractionType);
    let minute = 0;
    let c = text.charCodeAt(++i);
    const before1970 = c === MINUS;
    if (before1970) c = text.charCodeAt(++i);
    for (; i < length && c !== COLON && c !== COMMA; c = text.charCodeAt(++i))
      minute = minute * 10 + c - ZERO;
    if (before1970) minute = -minute;
    let outcome: string | null = null;
    if (c === COLON) {
      let end = text.indexOf(',', i + 1);
      if (end === -1) end = length;
      if (end > i + 1) {
        outcome = text.slice(i + 1, end);
        if (outcome.includes(SEPARATOR)) outcome = outcome.replaceAll(SEPARATOR, ',');
      }
      i = end;
    }
    i++; // the comma
    // The index gives a person's events newest first: kept in that order, then turned round.
    if (minute > previous) sorted = false;
    previous = minute;
    events.push({ type, at: minute * 60_000, outcome });
  }
  events.reverse();
  return sorted ? events : events.sort((a, b) => a.at - b.at);
}

/**
 * A chunk of prospects as PostgreSQL wrote them, one JSON array a line, kept as the bytes it sent (UTF-8):
 * each line is made a string and parsed only when its person is scored. A chunk read ahead is then one
 * buffer outside the garbage collector's heap, instead of thousands of objects it would copy while the
 * chunk before is scored and written; and instead of one string of two million characters, which V8 kept
 * in its large-object space (each one counted towards the next full collection), made of two-byte
 * characters as soon as one name had an accent (JSON.parse then read every line of the chunk 60 % slower).
 * A line break never occurs inside a character's UTF-8 bytes, and JSON escapes those in the values.
 */
export interface InputChunk {
  /** A Buffer, or a Uint8Array once posted to another thread. */
  bytes: Uint8Array;
  count: number;
  /** The first and last prospect ids, in id order (null when the chunk is empty). */
  first: string | null;
  last: string | null;
}

/**
 * What a chunk's line holds, in order: a JSON array, which PostgreSQL writes and JSON.parse reads faster
 * than an object that would repeat every name on every line (a third of the bytes).
 */
const LINE_FIELDS = [
  'prospectId',
  'kind',
  'language',
  'jobTitle',
  'seniority',
  'department',
  'country',
  'region',
  'industryCode',
  'industryScheme',
  'employeeCount',
  'annualRevenue',
  'attributes',
  'events',
  'revenueCurrency',
  'employeeBand',
  'kept',
] as const;
type Values<T> = { -readonly [K in keyof T]: unknown };
type Line = Values<typeof LINE_FIELDS>;

/** Whether a stored score's parts hold: written with them, under the model now active. */
const kept = (refitting: Refitting) => sql`CASE WHEN s.held IS NOT NULL
    AND s.model_id IS NOT DISTINCT FROM ${refitting.modelId}::uuid THEN true END`;

/** A view of a chunk's bytes as a Buffer, without a copy. */
const bufferOf = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const NEWLINE = 10;

/**
 * Calls `fn` with each prospect of a chunk, parsed as it comes: all of them, or `count` from the line that
 * starts at byte `from`. Returns where the next line starts (the chunk's length after the last).
 */
export function eachInput(
  chunk: InputChunk,
  fn: (input: ScoringInput) => void,
  from = 0,
  count = Number.POSITIVE_INFINITY,
): number {
  const bytes = bufferOf(chunk.bytes);
  const length = bytes.length;
  let start = from;
  for (let n = 0; n < count && start < length; n++) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = length;
    // In LINE_FIELDS' order.
    const v = JSON.parse(bytes.toString('utf8', start, end)) as Line;
    const input = {
      prospectId: v[0],
      kind: v[1],
      language: v[2],
      jobTitle: v[3],
      seniority: v[4],
      department: v[5],
      country: v[6],
      region: v[7],
      industryCode: v[8],
      industryScheme: v[9],
      employeeCount: v[10],
      annualRevenue: v[11],
      attributes: v[12],
      events: eventsOf(v[13] as string | null),
      revenueCurrency: v[14],
      employeeBand: v[15],
    } as ScoringInput;
    // Set apart rather than spread into the literal, which copied every field again for each person.
    if (v[16] === true) input.refit = true;
    fn(input);
    start = end + 1;
  }
  return Math.min(start, length);
}

/**
 * The interactions `where` selects, in the index's order. The ORDER BY, which the index gives for nothing,
 * keeps the order known above it (the OFFSET 0 keeps the subquery whole). Without it the planner sorted a
 * chunk's 50,000 events again to group them by person (spilling to disk past work_mem): the events' part
 * of a chunk's read took 75 ms instead of 27.
 */
const eventRows = (where: SQL) =>
  sql`(SELECT i.prospect_id, i.type, i.occurred_at, i.outcome FROM interactions i
        WHERE ${where} ORDER BY i.prospect_id, i.occurred_at DESC OFFSET 0) i`;

/** A prospect's columns that scoring reads, from `p` (prospects) and `c` (its company). */
const PROSPECT_COLUMNS = sql`p.id AS "prospectId", p.kind, p.language, p.job_title AS "jobTitle", p.seniority,
  p.department, coalesce(p.country, c.country) AS country, coalesce(p.region, c.region) AS region,
  c.industry_code AS "industryCode", c.industry_scheme AS "industryScheme", ${employeesOf('c')} AS "employeeCount", c.annual_revenue AS "annualRevenue",
  c.revenue_currency AS "revenueCurrency", coalesce(c.attributes, '{}'::jsonb) || p.attributes AS attributes,
  CASE WHEN c.employee_count IS NULL THEN c.employee_band END AS "employeeBand"`;

/** Events of `i` (interactions) as one text, in the order they are aggregated (see eventsOf). */
const EVENTS = sql`string_agg(i.type || ':' || floor(date_part('epoch', i.occurred_at) / 60)::int
  || CASE WHEN i.outcome IS NULL THEN '' ELSE ':' || translate(i.outcome, ',', chr(31)) END, ',')`;

/**
 * The prospects of a selection with their events, one JSON array a line (LINE_FIELDS), in id order. JSON
 * that PostgreSQL writes and JSON.parse reads natively: parsing column by column cost the service more
 * than scoring. JSON escapes line breaks, so that one a line is safe. Date_part is cheaper than extract.
 */
function chunkQuery(orgId: string, selection: Selection, refitting?: Refitting): SQL {
  const fields = refitting ? LINE_FIELDS : LINE_FIELDS.filter((field) => field !== 'kept');
  const line = sql.join(
    fields.map((field) => sql`x.${sql.identifier(field)}`),
    sql`, `,
  );
  const lines = sql`string_agg(json_build_array(${line})::text, E'\n' ORDER BY x."prospectId") AS text, count(*)::int AS count,
    min(x."prospectId"::text COLLATE "C") AS first, max(x."prospectId"::text COLLATE "C") AS last`;
  if ('ids' in selection)
    // A list of people: each one's events from the index alone (interactions_by_prospect), newest first.
    return sql`SELECT ${lines} FROM (
        SELECT ${PROSPECT_COLUMNS},
          (SELECT ${EVENTS} FROM ${eventRows(sql`i.org_id = p.org_id AND i.prospect_id = p.id`)}) AS events
        FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
        WHERE p.org_id = ${orgId} AND p.id = ANY(${sql.param(selection.ids)}::uuid[])
      ) x`;
  const range = sql`p.org_id = ${orgId}
          ${selection.after ? sql`AND p.id > ${selection.after}::uuid` : sql``}
          ${selection.until ? sql`AND p.id <= ${selection.until}::uuid` : sql``}`;
  const limit = sql.raw(String(Math.trunc(selection.limit)));
  // After a profile change: the stored parts, and the events only of people without them (a look-up each).
  if (refitting)
    return sql`WITH p AS MATERIALIZED (
        SELECT ${PROSPECT_COLUMNS}
        FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
        WHERE ${range} ORDER BY p.id LIMIT ${limit}
      ),
      s AS (
        SELECT s.prospect_id, ${kept(refitting)} AS kept FROM prospect_scores s
        WHERE s.org_id = ${orgId} AND s.campaign_id = ${refitting.campaignId}
          AND s.prospect_id BETWEEN (SELECT "prospectId" FROM p ORDER BY 1 LIMIT 1)
                                AND (SELECT "prospectId" FROM p ORDER BY 1 DESC LIMIT 1)
      )
      SELECT ${lines} FROM (
        SELECT p.*, s.kept, CASE WHEN s.kept IS NULL THEN (SELECT ${EVENTS} FROM ${eventRows(
          sql`i.org_id = ${orgId} AND i.prospect_id = p."prospectId"`,
        )}) END AS events FROM p LEFT JOIN s ON s.prospect_id = p."prospectId"
      ) x`;
  // A run of consecutive people holds every prospect whose id lies between its first and last: their events
  // are one range of the index, read in one pass and grouped as it comes, where a look-up per person
  // descended the index five thousand times (a quarter of the read). The limit is written into the
  // statement: under a generic plan a parameter would hide it, and the planner would sort every prospect
  // of the organization to keep a few thousand.
  return sql`WITH p AS MATERIALIZED (
        SELECT ${PROSPECT_COLUMNS}
        FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
        WHERE ${range} ORDER BY p.id LIMIT ${limit}
      ),
      e AS (
        SELECT i.prospect_id, ${EVENTS} AS events
        FROM ${eventRows(sql`i.org_id = ${orgId}
          AND i.prospect_id BETWEEN (SELECT "prospectId" FROM p ORDER BY 1 LIMIT 1)
                                AND (SELECT "prospectId" FROM p ORDER BY 1 DESC LIMIT 1)`)}
        GROUP BY i.prospect_id
      )
      SELECT ${lines} FROM (SELECT p.*, e.events FROM p LEFT JOIN e ON e.prospect_id = p."prospectId") x`;
}

export async function readChunk(
  db: Db,
  orgId: string,
  selection: Selection,
  refitting?: Refitting,
): Promise<InputChunk> {
  const [text, count, first, last] = (await queryRowBytes(db, chunkQuery(orgId, selection, refitting))) ?? [];
  return {
    bytes: text ?? Buffer.alloc(0),
    count: count ? Number(count.toString()) : 0,
    first: first ? first.toString() : null,
    last: last ? last.toString() : null,
  };
}

export async function readInputs(db: Db, orgId: string, selection: Selection): Promise<ScoringInput[]> {
  const inputs: ScoringInput[] = [];
  eachInput(await readChunk(db, orgId, selection), (input) => inputs.push(input));
  return inputs;
}
