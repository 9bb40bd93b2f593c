import { setImmediate } from 'node:timers/promises';
import { and, eq } from 'drizzle-orm';
import { campaigns } from '../../db/schema';
import type { Ctx } from '../context';
import { copyJson } from '../lib/copy-text';
import { FNV_START, fnvText } from '../lib/fnv';
import { JsonBytes } from '../lib/json-bytes';
import { fitScore } from './fit';
import { eachInput, type InputChunk, type ScoringInput } from './inputs';
import { activeScorer, type Scorer } from './models';
import { combineParts, fitReasonsOf, historyParts, type ScoredCampaign } from './score';
import { writeFitReasons, writeOtherReasons } from './stored-reasons';

/**
 * Scores as rows: a chunk of prospects scored for each campaign in the process (computeScores), then
 * written where they changed (saveScores, in score-saves.ts). Both rescorings score through here, the full
 * one by chunks of consecutive ids, the queue's by lists of the people it took.
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

/** A chunk's new scores, computed apart from the database so that the next chunk's can be while one is written. */
export interface ComputedScores {
  prospectIds: string[];
  campaignIds: string[];
  since: string;
  rows: ComputedRow[];
  /** The rows' reasons as stored (JSON, UTF-8), each row's where its bounds say. */
  reasons: JsonBytes;
  /** After a profile change, the new fits of people whose stored parts hold (saveFits). */
  fits: FitRow[];
}

export interface ComputedRow {
  campaignId: string;
  prospectId: string;
  score: number;
  rank: number;
  fit: number;
  /** The fit's reasons: bytes `reasonsFrom` to `reasonsTo` of the chunk's `reasons`. */
  reasonsFrom: number;
  reasonsTo: number;
  engagement: number;
  /** The pressure's penalty. */
  pressure: number;
  touches: number;
  probability: number | null;
  modelId: string | null;
  adjustment: number;
  held: boolean;
  percentile: number | null;
  /** The other parts' reasons, likewise. */
  otherFrom: number;
  otherTo: number;
  /** Of the parts but the fit (partsPrefix and the other reasons), and of the fit (fitPrefix and its reasons). */
  fingerprint: number;
  fitFingerprint: number;
}

/** A new fit, to be combined with the stored parts in the database: its COPY line (see saveFits). */
interface FitRow {
  prospectId: string;
  /** prospect, fit, has_profile, reasons, fit's fingerprint. */
  line: string;
}

/**
 * The fingerprints hash the values as COPY's text format wrote them before rows were written in the binary
 * one, so that rows written since still compare equal. The fit's: whether the profile has criteria (which
 * changes how the score combines the parts), the fit, then its reasons (hashed as they are written,
 * JsonBytes).
 */
const fitPrefix = (hasProfile: boolean, fit: number) => `${hasProfile ? 't' : 'f'}\t${fit}\t`;

/** The other parts, engagement to percentile, before their reasons (`fingerprint`). */
const partsPrefix = (r: ComputedRow) =>
  `${r.engagement}\t${r.pressure}\t${r.touches}\t${r.probability ?? '\\N'}\t${r.modelId ?? '\\N'}\t` +
  `${r.adjustment}\t${r.held ? 't' : 'f'}\t${r.percentile ?? '\\N'}\t`;

/**
 * A computed row as one line of COPY's text format, score to other reasons: what its fingerprints hash
 * (tests compare rows by it).
 */
export function copyLine(computed: ComputedScores, r: ComputedRow): string {
  const reasons = computed.reasons.text(r.reasonsFrom, r.reasonsTo);
  const otherReasons = computed.reasons.text(r.otherFrom, r.otherTo);
  return `${r.score}\t${r.rank}\t${r.fit}\t${copyJson(reasons)}\t${partsPrefix(r)}${copyJson(otherReasons)}`;
}

/** A chunk's scores as they are computed, person by person (scorePerson). */
interface ScoringRun {
  scorings: Scoring[];
  at: Date;
  rows: ComputedRow[];
  fits: FitRow[];
  prospectIds: string[];
  out: JsonBytes;
}

function startScoring(scorings: Scoring[], chunk: InputChunk, at: Date): ScoringRun {
  // About 400 bytes of reasons a row.
  const out = new JsonBytes(chunk.count * scorings.length * 512);
  return { scorings, at, rows: [], fits: [], prospectIds: [], out };
}

function scoredChunk(run: ScoringRun): ComputedScores {
  return {
    prospectIds: run.prospectIds,
    campaignIds: run.scorings.map((s) => s.campaign.id),
    since: run.at.toISOString(),
    rows: run.rows,
    reasons: run.out,
    fits: run.fits,
  };
}

/** Scores a chunk of prospects for each campaign: pure computing, nothing read or written. */
export function computeScores(scorings: Scoring[], chunk: InputChunk, at: Date): ComputedScores {
  const run = startScoring(scorings, chunk, at);
  eachInput(chunk, (input) => scorePerson(run, input));
  return scoredChunk(run);
}

/** How many people are scored between two turns of the thread's event loop (about 3 ms of computing). */
const SLICE = 250;

/**
 * Scores a chunk as computeScores does, a slice of people at a time, giving the thread's event loop a turn
 * between slices. A rescoring scores a chunk while the chunk before is written and the next one read, each
 * a transaction of several statements: scored in one go, the 60 ms or so it takes held every reply of those
 * statements until it ended, so that the database waited on the thread and the thread on the database.
 */
export async function computeScoresInSlices(
  scorings: Scoring[],
  chunk: InputChunk,
  at: Date,
  slice = SLICE,
): Promise<ComputedScores> {
  const run = startScoring(scorings, chunk, at);
  const score = (input: ScoringInput) => scorePerson(run, input);
  for (let from = 0; from < chunk.bytes.length; ) {
    from = eachInput(chunk, score, from, slice);
    if (from < chunk.bytes.length) await setImmediate();
  }
  return scoredChunk(run);
}

/** One person scored for each campaign, its rows (or new fits) added to the run's. */
function scorePerson(run: ScoringRun, input: ScoringInput): void {
  const { out, rows, fits, at } = run;
  run.prospectIds.push(input.prospectId);
  for (const { campaign, scorer } of run.scorings) {
    const fit = fitScore(campaign.idealProfile, input);
    const hasProfile = fit.max > fit.min;
    if (input.refit) {
      // After a profile change, where the stored parts hold: the fit alone, combined in the database.
      const from = out.at;
      out.hash = fnvText(FNV_START, fitPrefix(hasProfile, fit.score));
      writeFitReasons(out, fitReasonsOf(fit));
      const reasons = copyJson(out.text(from, out.at));
      fits.push({
        prospectId: input.prospectId,
        line: `${input.prospectId}\t${fit.score}\t${hasProfile ? 't' : 'f'}\t${reasons}\t${out.hash | 0}\n`,
      });
      continue;
    }
    const parts = historyParts(campaign, scorer, input, at);
    const s = combineParts(fit, parts);
    const reasonsFrom = out.at;
    out.hash = fnvText(FNV_START, fitPrefix(hasProfile, fit.score));
    writeFitReasons(out, s.fitReasons);
    const row: ComputedRow = {
      campaignId: campaign.id,
      prospectId: input.prospectId,
      score: s.score,
      rank: s.rank,
      fit: fit.score,
      reasonsFrom,
      reasonsTo: out.at,
      engagement: parts.engagement.score,
      pressure: parts.pressure.penalty,
      touches: Math.min(parts.pressure.touches, 32_767),
      probability: parts.model?.probability ?? null,
      modelId: parts.model?.id ?? null,
      adjustment: parts.adjustment,
      held: parts.held,
      percentile: parts.model?.percentile ?? null,
      otherFrom: 0,
      otherTo: 0,
      fingerprint: 0,
      fitFingerprint: out.hash | 0,
    };
    // A 32-bit FNV-1a is enough to tell a changed row from an unchanged one.
    row.otherFrom = out.at;
    out.hash = fnvText(FNV_START, partsPrefix(row));
    writeOtherReasons(out, s.otherReasons);
    row.otherTo = out.at;
    row.fingerprint = out.hash | 0;
    rows.push(row);
  }
}
