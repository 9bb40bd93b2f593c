import { and, eq } from 'drizzle-orm';
import { campaigns } from '../../db/schema';
import type { Ctx } from '../context';
import { copyJson } from '../lib/copy-text';
import { fnv1a } from '../lib/fnv';
import { type Contribution, fitScore } from './fit';
import { eachInput, type InputChunk } from './inputs';
import { activeScorer, type Scorer } from './models';
import {
  combineParts,
  type FitReasons,
  fitReasonsOf,
  historyParts,
  type OtherReasons,
  type ScoredCampaign,
} from './score';

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

/**
 * Reasons as stored (StoredReason): points to the tenth; a reason's days and ago as the instant they count
 * from, "@" and its epoch ms (storedFacts), told when the reason is read (tellDays). Stored as numbers, they
 * changed every day: a rescoring the day after found nine rows in ten changed and rewrote them, where one
 * in fifteen had a new score.
 */
function reasonsJson(list: Contribution[]): string {
  let text = '[';
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (i > 0) text += ',';
    text += `{"code":${JSON.stringify(c.code)},"points":${jsonValue(Math.round(c.points * 10) / 10)},"facts":{`;
    let first = true;
    const at = c.at === undefined ? undefined : `"@${c.at}"`;
    for (const key in c.facts) {
      const value = c.facts[key];
      if (value === undefined) continue;
      const written = at !== undefined && (key === 'days' || key === 'ago') ? at : jsonValue(value);
      text += `${first ? '' : ','}${jsonKey(key)}${written}`;
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

/** A fit's reasons as stored: its strongest, and what it is outside of where it has none. */
function fitReasonsJson(r: FitReasons): string {
  const base = storedReasonsJson(r);
  return r.outside ? `${base.slice(0, -1)},"outside":${reasonsJson(r.outside)}}` : base;
}

/** The other parts' reasons as stored, with the goal reached. */
function otherReasonsJson(r: OtherReasons): string {
  const base = storedReasonsJson(r);
  return r.reached ? `${base.slice(0, -1)},"reached":${reasonsJson([r.reached]).slice(1, -1)}}` : base;
}

/** A chunk's new scores, computed apart from the database so that the next chunk's can be while one is written. */
export interface ComputedScores {
  prospectIds: string[];
  campaignIds: string[];
  since: string;
  rows: ComputedRow[];
  /** After a profile change, the new fits of people whose stored parts hold (saveFits). */
  fits: FitRow[];
}

export interface ComputedRow {
  campaignId: string;
  prospectId: string;
  score: number;
  rank: number;
  fit: number;
  /** The fit's reasons as stored (JSON). */
  reasons: string;
  engagement: number;
  /** The pressure's penalty. */
  pressure: number;
  touches: number;
  probability: number | null;
  modelId: string | null;
  adjustment: number;
  held: boolean;
  percentile: number | null;
  /** The other parts' reasons as stored (JSON). */
  otherReasons: string;
  /** Of the parts but the fit (partsText), and of the fit (fitFingerprintOf). */
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
 * The fit's values as fingerprinted: whether the profile has criteria (which changes how the score
 * combines the parts), the fit, its reasons as COPY's text format wrote them (copyJson).
 */
const fitFingerprintOf = (hasProfile: boolean, fit: number, copiedReasons: string) =>
  fnv1a(`${hasProfile ? 't' : 'f'}\t${fit}\t${copiedReasons}`);

/**
 * The parts but the fit as COPY's text format wrote them, engagement to other reasons: what `fingerprint`
 * hashes. Rows are written in the binary format now; the fingerprints stay those of the text, so that rows
 * written before still compare equal.
 */
const partsText = (r: ComputedRow) =>
  `${r.engagement}\t${r.pressure}\t${r.touches}\t${r.probability ?? '\\N'}\t${r.modelId ?? '\\N'}\t` +
  `${r.adjustment}\t${r.held ? 't' : 'f'}\t${r.percentile ?? '\\N'}\t${copyJson(r.otherReasons)}`;

/** A computed row as one line of COPY's text format, score to other reasons (tests compare rows by it). */
export const copyLine = (r: ComputedRow) =>
  `${r.score}\t${r.rank}\t${r.fit}\t${copyJson(r.reasons)}\t${partsText(r)}`;

/** Scores a chunk of prospects for each campaign: pure computing, nothing read or written. */
export function computeScores(scorings: Scoring[], chunk: InputChunk, at: Date): ComputedScores {
  const rows: ComputedRow[] = [];
  const fits: FitRow[] = [];
  const prospectIds: string[] = [];
  eachInput(chunk, (input) => {
    prospectIds.push(input.prospectId);
    for (const { campaign, scorer } of scorings) {
      const fit = fitScore(campaign.idealProfile, input);
      const hasProfile = fit.max > fit.min;
      if (input.refit) {
        // After a profile change, where the stored parts hold: the fit alone, combined in the database.
        const reasons = copyJson(fitReasonsJson(fitReasonsOf(fit)));
        const fitFingerprint = fitFingerprintOf(hasProfile, fit.score, reasons);
        fits.push({
          prospectId: input.prospectId,
          line: `${input.prospectId}\t${fit.score}\t${hasProfile ? 't' : 'f'}\t${reasons}\t${fitFingerprint}\n`,
        });
        continue;
      }
      const parts = historyParts(campaign, scorer, input, at);
      const s = combineParts(fit, parts);
      const reasons = fitReasonsJson(s.fitReasons);
      const row: ComputedRow = {
        campaignId: campaign.id,
        prospectId: input.prospectId,
        score: s.score,
        rank: s.rank,
        fit: fit.score,
        reasons,
        engagement: parts.engagement.score,
        pressure: parts.pressure.penalty,
        touches: Math.min(parts.pressure.touches, 32_767),
        probability: parts.model?.probability ?? null,
        modelId: parts.model?.id ?? null,
        adjustment: parts.adjustment,
        held: parts.held,
        percentile: parts.model?.percentile ?? null,
        otherReasons: otherReasonsJson(s.otherReasons),
        fingerprint: 0,
        fitFingerprint: fitFingerprintOf(hasProfile, fit.score, copyJson(reasons)),
      };
      // A 32-bit FNV-1a is enough to tell a changed row from an unchanged one.
      row.fingerprint = fnv1a(partsText(row));
      rows.push(row);
    }
  });
  return {
    prospectIds,
    campaignIds: scorings.map((s) => s.campaign.id),
    since: at.toISOString(),
    rows,
    fits,
  };
}
