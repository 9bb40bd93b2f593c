import { and, eq, type SQL, sql } from 'drizzle-orm';
import { campaigns } from '../../db/schema';
import type { Ctx } from '../context';
import { copyText, queryRows } from '../db';
import { copyEscape } from '../lib/copy-text';
import { fnv1a } from '../lib/fnv';
import type { Contribution } from './fit';
import { fitScore } from './fit';
import { eachInput, type InputChunk } from './inputs';
import { activeScorer, type Scorer } from './models';
import { lockRescoring } from './queue';
import { combineParts, historyParts, type ScoredCampaign, spareReasons, storedParts } from './score';

/**
 * Scores as rows: a chunk of prospects scored for each campaign in the process (computeScores), then
 * written where they changed (saveScores). Both rescorings write through here, the full one by chunks of
 * consecutive ids, the queue's by lists of the people it took.
 */

export interface Scoring {
  campaign: ScoredCampaign;
  scorer: Scorer | undefined;
}

/** The campaigns to score (one, or all the organization's) with their active models. */
export async function scoringsOf(ctx: Ctx, campaignId?: string): Promise<Scoring[]> {
  const rows = await ctx.db
    .select({
      id: campaigns.id,
      idealProfile: campaigns.idealProfile,
      successTypes: campaigns.successTypes,
      halfLifeDays: campaigns.halfLifeDays,
    })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), campaignId ? eq(campaigns.id, campaignId) : undefined));
  return Promise.all(
    rows.map(async (campaign) => ({ campaign, scorer: await activeScorer(ctx, campaign.id) })),
  );
}

/** A key of a reason's facts as JSON writes it, quoted and followed by its colon: made once a key. */
const JSON_KEYS = new Map<string, string>();
function jsonKey(key: string): string {
  let written = JSON_KEYS.get(key);
  if (written === undefined) {
    written = `${JSON.stringify(key)}:`;
    if (JSON_KEYS.size < 1000) JSON_KEYS.set(key, written);
  }
  return written;
}

const jsonValue = (value: string | number) =>
  typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : JSON.stringify(value);

/** Reasons as stored (StoredReason): points to the tenth. */
function reasonsJson(list: Contribution[]): string {
  let text = '[';
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (i > 0) text += ',';
    text += `{"code":${JSON.stringify(c.code)},"points":${jsonValue(Math.round(c.points * 10) / 10)},"facts":{`;
    let first = true;
    for (const key in c.facts) {
      const value = c.facts[key];
      if (value === undefined) continue;
      text += `${first ? '' : ','}${jsonKey(key)}${jsonValue(value)}`;
      first = false;
    }
    text += '}}';
  }
  return `${text}]`;
}

/**
 * A score's reasons as JSON.stringify would write them ({ positive, negative } of StoredReason), written
 * by hand: a rescoring writes a million of them, and building the objects to stringify cost more than the
 * text. Same text, so the same fingerprints as rows written before.
 */
export function storedReasonsJson(contributions: { positive: Contribution[]; negative: Contribution[] }) {
  return `{"positive":${reasonsJson(contributions.positive)},"negative":${reasonsJson(contributions.negative)}}`;
}

const SCORE_COLUMNS = [
  'org_id',
  'campaign_id',
  'prospect_id',
  'score',
  'rank',
  'fit',
  'engagement',
  'pressure',
  'touches',
  'probability',
  'model_id',
  'reasons',
  'adjustment',
  'held',
  'percentile',
  'spare_reasons',
  'fingerprint',
  'since',
  'score_since',
];

/** A chunk's new scores, computed apart from the database so that the next chunk's can be while one is written. */
export interface ComputedScores {
  prospectIds: string[];
  campaignIds: string[];
  since: string;
  rows: ComputedRow[];
}

interface ComputedRow {
  campaignId: string;
  prospectId: string;
  score: number;
  modelId: string | null;
  /** score to reasons as COPY's text format writes them: what the fingerprint is taken of. */
  copy: string;
  fingerprint: number;
}

/** Scores a chunk of prospects for each campaign: pure computing, nothing read or written. */
export function computeScores(scorings: Scoring[], chunk: InputChunk, at: Date): ComputedScores {
  const rows: ComputedRow[] = [];
  const prospectIds: string[] = [];
  eachInput(chunk, (input) => {
    prospectIds.push(input.prospectId);
    for (const { campaign, scorer } of scorings) {
      // After a profile change, the parts stored with the last score where they still hold (see Refitting).
      const parts = input.kept ? storedParts(input.kept) : historyParts(campaign, scorer, input, at);
      const fit = fitScore(campaign.idealProfile, input);
      const s = combineParts(fit, parts);
      const modelId = parts.model?.id ?? null;
      const reasons = storedReasonsJson(s.contributions);
      const spare = spareReasons(s.contributions, parts);
      const touches = Math.min(parts.pressure.touches, 32_767);
      // Written once as COPY text: the fingerprint and the row's line come from the same string.
      const copy =
        `${s.score}\t${s.rank}\t${fit.score}\t${parts.engagement.score}\t${parts.pressure.penalty}\t${touches}\t` +
        `${parts.model?.probability ?? '\\N'}\t${modelId ?? '\\N'}\t${copyEscape(reasons)}\t${parts.adjustment}\t` +
        `${parts.held ? 't' : 'f'}\t${parts.model?.percentile ?? '\\N'}\t` +
        `${spare.positive.length + spare.negative.length > 0 ? copyEscape(storedReasonsJson(spare)) : '\\N'}`;
      rows.push({
        campaignId: campaign.id,
        prospectId: input.prospectId,
        score: s.score,
        modelId,
        copy,
        // A 32-bit FNV-1a is enough to tell a changed row from an unchanged one.
        fingerprint: fnv1a(copy),
      });
    }
  });
  return { prospectIds, campaignIds: scorings.map((s) => s.campaign.id), since: at.toISOString(), rows };
}

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
  if (computed.rows.length === 0) return 0;
  await lockRescoring(ctx, options.shared ? 'shared' : 'alone');
  const { range } = options;
  const ids = sql.param(computed.prospectIds);
  // The campaigns stated apart as well: a condition on the primary key's second column keeps an index scan
  // of a chunk's range within one campaign's entries.
  const campaigns = sql.param(computed.campaignIds);
  const which = (column: SQL) =>
    range
      ? sql`${column} BETWEEN ${range.first}::uuid AND ${range.last}::uuid`
      : sql`${column} = ANY(${ids}::uuid[])`;
  // People deleted or erased since the chunk was read (forgetScores takes the same lock) get no row back.
  const present = new Set(
    (
      await queryRows<{ id: string }>(
        ctx.db,
        sql`SELECT id FROM prospects WHERE org_id = ${ctx.orgId} AND ${which(sql`id`)}`,
      )
    ).map((r) => r.id),
  );
  // A full rescoring read its chunk a moment ago. People the queue scored since then have fresher values
  // than this read; people waiting on the queue since just before it (their change perhaps not yet visible
  // to it) or since are the queue's to score. Either way this rescoring leaves them.
  const skip = options.readAt
    ? new Set(
        (
          await queryRows<{ prospectId: string }>(
            ctx.db,
            sql`SELECT prospect_id AS "prospectId" FROM score_queue
                WHERE org_id = ${ctx.orgId} AND ${which(sql`prospect_id`)}
                  AND (scored_at >= ${options.readAt}::timestamptz
                       OR (scored_at IS NULL AND queued_at > ${options.readAt}::timestamptz - interval '10 seconds'))`,
          )
        ).map((r) => r.prospectId),
      )
    : new Set<string>();
  // The rows in place, as one text of a line each (campaign/prospect, fingerprint, score, model, since):
  // thousands of rows as objects cost the driver and the garbage collector more than the rest of the write.
  const [{ text: current } = { text: null }] = await queryRows<{ text: string | null }>(
    ctx.db,
    sql`SELECT string_agg(campaign_id::text || '/' || prospect_id::text || E'\t' || fingerprint::text || E'\t'
             || score::text || E'\t' || coalesce(model_id::text, '') || E'\t' || score_since::text, E'\n') AS text
        FROM prospect_scores
        WHERE org_id = ${ctx.orgId} AND campaign_id = ANY(${campaigns}::uuid[]) AND ${which(sql`prospect_id`)}`,
  );
  const old = new Map<string, string>();
  if (current)
    for (const line of current.split('\n')) old.set(line.slice(0, KEY_LENGTH), line.slice(KEY_LENGTH + 1));
  const { since } = computed;
  let lines = '';
  let written = 0;
  // Flags travel as text ('t', 'f'): the driver sends an array of booleans as one boolean.
  const replaced = { campaigns: [] as string[], prospects: [] as string[], moved: [] as string[] };
  for (const row of computed.rows) {
    if (skip.has(row.prospectId) || !present.has(row.prospectId)) continue;
    const line = old.get(`${row.campaignId}/${row.prospectId}`);
    const was = line === undefined ? undefined : line.split('\t');
    if (was && Number(was[0]) === row.fingerprint) continue;
    // A new score or model: the version it replaces goes to the history, and the score is new since now.
    const moved = was !== undefined && (Number(was[1]) !== row.score || (was[2] || null) !== row.modelId);
    if (was) {
      replaced.campaigns.push(row.campaignId);
      replaced.prospects.push(row.prospectId);
      replaced.moved.push(moved ? 't' : 'f');
    }
    const scoreSince = was && !moved ? was[3] : since;
    lines += `${ctx.orgId}\t${row.campaignId}\t${row.prospectId}\t${row.copy}\t${row.fingerprint}\t${since}\t${scoreSince}\n`;
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
  await copyText(ctx.db, 'prospect_scores', SCORE_COLUMNS, lines);
  return written;
}
