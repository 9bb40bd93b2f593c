import { type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { copyBinary, copyText, queryRows } from '../db';
import { BinaryRows, encodedUuid } from '../lib/copy-binary';
import { lockRescoring } from './queue';
import type { ComputedRow, ComputedScores } from './score-writes';

/**
 * A chunk's computed scores written where they changed (computeScores makes them): rows computed whole
 * compared with those in place by their fingerprints, the changed ones replaced; after a profile change,
 * the new fits combined with the stored parts in the database. Both rescorings write through here.
 */

const SCORE_COLUMNS = [
  'org_id',
  'campaign_id',
  'prospect_id',
  'score',
  'rank',
  'fit',
  'reasons',
  'engagement',
  'pressure',
  'touches',
  'probability',
  'model_id',
  'adjustment',
  'held',
  'percentile',
  'other_reasons',
  'fingerprint',
  'fit_fingerprint',
  'since',
  'score_since',
];

/** Past this many, the rows a chunk leaves or keeps the score of are sent as the lists of what it replaces. */
const FEW_EXCEPTIONS = 100;

/**
 * When a full rescoring's chunk replaces nearly every row of its range (a new profile, say), its delete takes
 * the range less the few rows it leaves in place (`kept`), and moves to the history all but the few whose
 * score and model stay (`unmoved`): three lists of 5,000 values cost the driver and PostgreSQL more to
 * write and read than the rest of the delete. Undefined when they are not few, or rows of several
 * campaigns or no range are replaced.
 */
function exceptions(
  computed: ComputedScores,
  range: SaveOptions['range'],
  old: Map<string, string>,
  replaced: { prospects: string[]; moved: string[] },
): { kept: string[]; unmoved: string[] } | undefined {
  if (!range || computed.campaignIds.length !== 1) return undefined;
  if (old.size - replaced.prospects.length > FEW_EXCEPTIONS) return undefined;
  const unmoved = replaced.prospects.filter((_, i) => replaced.moved[i] === 'f');
  if (unmoved.length > FEW_EXCEPTIONS) return undefined;
  const gone = new Set(replaced.prospects);
  const kept: string[] = [];
  for (const key of old.keys()) {
    const prospectId = key.slice(key.indexOf('/') + 1);
    if (!gone.has(prospectId)) kept.push(prospectId);
  }
  return { kept, unmoved };
}

/** "campaign/prospect": two uuids as text and a slash. */
const KEY_LENGTH = 73;

export interface SaveOptions {
  /** When a full rescoring read the chunk (the database's clock). */
  readAt?: string;
  /**
   * The first and last ids of a full rescoring's chunk, which holds every prospect between them. Rows are
   * then looked up by that range, one descent of each index: by the list of ids, the plan hung on the
   * statistics, and while a new campaign's rows arrived faster than autovacuum analyzed them, the planner
   * filtered the whole campaign for each chunk (the first scoring of a million people grew quadratic).
   */
  range?: { first: string; last: string } | undefined;
  /** A full rescoring's chunk, whose rows no other writer holds: it takes the rescoring lock shared. */
  shared?: boolean;
}

/**
 * Writes a chunk's scores where they changed, unchanged rows (same fingerprint) not at all. A changed row's
 * old version is deleted, and goes to the history in the same statement where its score or model changed;
 * then the new and the changed rows are copied in. Where the score or rank changed, an update would have
 * written new index entries too, and rows filled by COPY leave no room on their pages for an update that
 * could skip them; COPY parses less than an UPDATE from a list of values. Holds the organization's
 * rescoring lock for the transaction, so that two jobs (a full rescoring and the queue's) never write the
 * same rows at once. Returns how many rows it wrote.
 */
export async function saveScores(
  ctx: Ctx,
  computed: ComputedScores,
  options: SaveOptions = {},
): Promise<number> {
  if (computed.rows.length === 0 && computed.fits.length === 0) return 0;
  await lockRescoring(ctx, options.shared ? 'shared' : 'alone');
  const written = computed.rows.length > 0 ? await saveRows(ctx, computed, options) : 0;
  return written + (await saveFits(ctx, computed, options));
}

/**
 * Whether a queue entry (`q`) makes a full rescoring's chunk read at `readAt` leave its person: scored by the
 * queue since, or waiting on it since just before (the change perhaps not yet visible to the read).
 */
const queuedSince = (readAt: string) =>
  sql`(q.scored_at >= ${readAt}::timestamptz
       OR (q.scored_at IS NULL AND q.queued_at > ${readAt}::timestamptz - interval '10 seconds'))`;

/** Uuids encoded once (the organization's, the campaigns', the models'): a few per rescoring. */
class EncodedUuids {
  private readonly known = new Map<string, Uint8Array>();
  of(value: string): Uint8Array {
    let field = this.known.get(value);
    if (!field) {
      field = encodedUuid(value);
      this.known.set(value, field);
    }
    return field;
  }
}

/** A computed row in SCORE_COLUMNS' order, its instants in microseconds since 1970. */
function writeRow(
  out: BinaryRows,
  uuids: EncodedUuids,
  orgId: string,
  reasons: Buffer,
  row: ComputedRow,
  since: number,
  scoreSince: number,
): void {
  out
    .row(SCORE_COLUMNS.length)
    .encoded(uuids.of(orgId))
    .encoded(uuids.of(row.campaignId))
    .uuid(row.prospectId)
    .int2(row.score)
    .int2(row.rank)
    .int2(row.fit)
    .bytes(reasons, row.reasonsFrom, row.reasonsTo)
    .int2(row.engagement)
    .int2(row.pressure)
    .int2(row.touches)
    .float8(row.probability);
  (row.modelId === null ? out.null() : out.encoded(uuids.of(row.modelId)))
    .int2(row.adjustment)
    .bool(row.held)
    .int2(row.percentile)
    .bytes(reasons, row.otherFrom, row.otherTo)
    .int4(row.fingerprint)
    .int4(row.fitFingerprint)
    .timestampMicros(since)
    .timestampMicros(scoreSince);
}

/** The rows a chunk computed whole: compared with those in place, the changed ones replaced. */
async function saveRows(ctx: Ctx, computed: ComputedScores, options: SaveOptions): Promise<number> {
  const { range } = options;
  const ids = sql.param(computed.prospectIds);
  // The campaigns stated apart as well: a condition on the primary key's second column keeps an index scan
  // of a chunk's range within one campaign's entries.
  const campaigns = sql.param(computed.campaignIds);
  const which = (column: SQL) =>
    range
      ? sql`${column} BETWEEN ${range.first}::uuid AND ${range.last}::uuid`
      : sql`${column} = ANY(${ids}::uuid[])`;
  // Read in one round trip, each as one text: thousands of rows as objects cost the driver and the garbage
  // collector more than the rest of the write.
  // - The people still there: those deleted or erased since the chunk was read (forgetScores takes the same
  //   lock) get no row back.
  // - Those a full rescoring leaves (queuedSince): it read its chunk a moment ago, and people the queue
  //   scored since have fresher values, while those waiting on the queue are the queue's to score.
  // - The rows in place, a line each: campaign/prospect, fingerprint, fit's fingerprint, score, model, and since
  //   when the score holds (in microseconds since 1970, as the binary COPY writes it).
  const [texts] = await queryRows<{ present: string | null; skip: string | null; current: string | null }>(
    ctx.db,
    sql`SELECT
          (SELECT string_agg(id::text, ',') FROM prospects WHERE org_id = ${ctx.orgId} AND ${which(sql`id`)})
            AS present,
          ${
            options.readAt
              ? sql`(SELECT string_agg(prospect_id::text, ',') FROM score_queue q WHERE org_id = ${ctx.orgId}
                      AND ${which(sql`prospect_id`)} AND ${queuedSince(options.readAt)})`
              : sql`NULL::text`
          } AS skip,
          (SELECT string_agg(campaign_id::text || '/' || prospect_id::text || E'\t' || fingerprint::text || E'\t'
             || coalesce(fit_fingerprint::text, '') || E'\t' || score::text || E'\t' || coalesce(model_id::text, '')
             || E'\t' || (extract(epoch FROM score_since) * 1000000)::bigint::text, E'\n')
           FROM prospect_scores
           WHERE org_id = ${ctx.orgId} AND campaign_id = ANY(${campaigns}::uuid[]) AND ${which(sql`prospect_id`)})
            AS current`,
  );
  const present = new Set(texts?.present ? texts.present.split(',') : []);
  const skip = new Set(texts?.skip ? texts.skip.split(',') : []);
  const current = texts?.current;
  const old = new Map<string, string>();
  if (current)
    for (const line of current.split('\n')) old.set(line.slice(0, KEY_LENGTH), line.slice(KEY_LENGTH + 1));
  const since = Date.parse(computed.since) * 1000;
  const out = new BinaryRows(computed.rows.length * 640);
  const uuids = new EncodedUuids();
  let written = 0;
  // Flags travel as text ('t', 'f'): the driver sends an array of booleans as one boolean.
  const replaced = { campaigns: [] as string[], prospects: [] as string[], moved: [] as string[] };
  for (const row of computed.rows) {
    if (skip.has(row.prospectId) || !present.has(row.prospectId)) continue;
    const line = old.get(`${row.campaignId}/${row.prospectId}`);
    // fingerprint, fit's fingerprint, score, model, score since: the fingerprints alike, the row stays.
    if (line?.startsWith(`${row.fingerprint}\t${row.fitFingerprint}\t`)) continue;
    const was = line === undefined ? undefined : line.split('\t');
    // A new score or model: the version it replaces goes to the history, and the score is new since now.
    const moved = was !== undefined && (Number(was[2]) !== row.score || (was[3] || null) !== row.modelId);
    if (was) {
      replaced.campaigns.push(row.campaignId);
      replaced.prospects.push(row.prospectId);
      replaced.moved.push(moved ? 't' : 'f');
    }
    writeRow(
      out,
      uuids,
      ctx.orgId,
      computed.reasons.buffer,
      row,
      since,
      was && !moved ? Number(was[4]) : since,
    );
    written++;
  }
  if (replaced.prospects.length > 0) {
    const except = exceptions(computed, range, old, replaced);
    await ctx.db.execute(
      sql`WITH gone AS (
            DELETE FROM prospect_scores ps
            ${
              except
                ? sql``
                : sql`USING unnest(${sql.param(replaced.campaigns)}::uuid[], ${sql.param(replaced.prospects)}::uuid[],
                         ${sql.param(replaced.moved)}::text[]::boolean[]) AS u(c, p, moved)`
            }
            WHERE ps.org_id = ${ctx.orgId} AND ps.campaign_id = ANY(${campaigns}::uuid[])
              AND ${which(sql`ps.prospect_id`)}
              ${
                except
                  ? sql`AND ps.prospect_id <> ALL(${sql.param(except.kept)}::uuid[])`
                  : sql`AND ps.campaign_id = u.c AND ps.prospect_id = u.p`
              }
            RETURNING ps.org_id, ps.campaign_id, ps.prospect_id, ps.score_since, ps.score, ps.probability,
              ps.model_id, ${except ? sql`ps.prospect_id <> ALL(${sql.param(except.unmoved)}::uuid[])` : sql`u.moved`} AS moved
          )
          INSERT INTO score_history (org_id, campaign_id, prospect_id, at, score, probability, model_id)
          SELECT org_id, campaign_id, prospect_id, score_since, score, probability, model_id FROM gone WHERE moved
          ON CONFLICT DO NOTHING`,
    );
  }
  if (written > 0) await copyBinary(ctx.db, 'prospect_scores', SCORE_COLUMNS, out.end());
  return written;
}

/**
 * The score as combineParts makes it, from a row's stored parts (`s`) and a new fit (`r`), in float8 as
 * JavaScript computes it and rounded as Math.round does: a test holds the two to each other.
 */
const SCORE = sql`greatest(0, floor(CASE WHEN s.percentile IS NOT NULL
    THEN CASE WHEN r.has_profile THEN 0.5::float8 * s.percentile + 0.3::float8 * r.fit + 0.2::float8 * s.engagement
         ELSE 0.7::float8 * s.percentile + 0.3::float8 * s.engagement END
    ELSE CASE WHEN r.has_profile THEN 0.6::float8 * r.fit + 0.4::float8 * s.engagement
         ELSE s.engagement::float8 END END + 0.5)::int + s.adjustment)`;

/**
 * Writes new fits combined with each row's stored parts, in the database and in one statement: the fits are
 * copied to a temporary table; the rows whose fit changed are deleted, each returned with its new score,
 * moved to the history where the score changed, and inserted again with the new fit. The service then only
 * computes fits: reading, parsing and writing back every row's parts and reasons had cost it as much as
 * scoring everyone from their events. A row gone since the chunk was read (a deletion) or left to the
 * queue (see saveRows) is not in the join, and is not written. Deleted and inserted in one statement, each
 * row is deleted before its new version is inserted: the insert reads the delete's rows.
 */
async function saveFits(ctx: Ctx, computed: ComputedScores, options: SaveOptions): Promise<number> {
  const { fits, since } = computed;
  if (fits.length === 0) return 0;
  const campaignId = computed.campaignIds[0]!;
  const { range, readAt } = options;
  const at = sql`${since}::timestamptz`;
  await ctx.db.execute(
    sql`CREATE TEMP TABLE IF NOT EXISTS refit_rows (prospect_id uuid, fit smallint, has_profile boolean,
          reasons text, fit_fingerprint integer) ON COMMIT DELETE ROWS`,
  );
  await copyText(
    ctx.db,
    'refit_rows',
    ['prospect_id', 'fit', 'has_profile', 'reasons', 'fit_fingerprint'],
    fits.map((f) => f.line).join(''),
  );
  // The chunk's range bounds the scan of the stored rows, whatever the planner guesses of the new fits:
  // joined by the primary key alone, with no statistics of the temporary table, a chunk took 140 ms.
  const bound = range
    ? sql`s.prospect_id BETWEEN ${range.first}::uuid AND ${range.last}::uuid`
    : sql`s.prospect_id = ANY(${sql.param(computed.prospectIds)}::uuid[])`;
  const [inserted] = await queryRows<{ n: number }>(
    ctx.db,
    sql`WITH gone AS (
          DELETE FROM prospect_scores s USING refit_rows r
          WHERE s.org_id = ${ctx.orgId} AND s.campaign_id = ${campaignId} AND ${bound}
            AND s.prospect_id = r.prospect_id AND s.fit_fingerprint IS DISTINCT FROM r.fit_fingerprint
            ${
              readAt
                ? sql`AND NOT EXISTS (SELECT 1 FROM score_queue q
                        WHERE q.org_id = s.org_id AND q.prospect_id = s.prospect_id AND ${queuedSince(readAt)})`
                : sql``
            }
          RETURNING s.org_id, s.campaign_id, s.prospect_id, s.score AS was, s.score_since AS was_since,
            s.probability, s.model_id, s.engagement, s.pressure, s.touches, s.adjustment, s.held, s.percentile,
            s.other_reasons, s.fingerprint, r.fit, r.reasons, r.fit_fingerprint, ${SCORE} AS score
        ),
        moved AS (
          INSERT INTO score_history (org_id, campaign_id, prospect_id, at, score, probability, model_id)
          SELECT org_id, campaign_id, prospect_id, was_since, was, probability, model_id FROM gone
          WHERE score <> was ON CONFLICT DO NOTHING
        ),
        put AS (
          INSERT INTO prospect_scores (org_id, campaign_id, prospect_id, score, rank, fit, reasons, engagement,
            pressure, touches, probability, model_id, adjustment, held, percentile, other_reasons, fingerprint,
            fit_fingerprint, since, score_since)
          SELECT org_id, campaign_id, prospect_id, score,
            CASE WHEN held THEN 0 ELSE greatest(0, score - pressure) END, fit, reasons, engagement,
            pressure, touches, probability, model_id, adjustment, held, percentile, other_reasons, fingerprint,
            fit_fingerprint, ${at}, CASE WHEN score <> was THEN ${at} ELSE was_since END
          FROM gone RETURNING 1
        )
        SELECT count(*)::int AS n FROM put`,
  );
  return inserted?.n ?? 0;
}
