import type { Ctx } from '../context';
import { notFound } from '../http/errors';
import { getCampaignWithModel } from './campaigns';
import { daysAgo, daysSince, type EngagementEvent, engagementScore, goalSignal } from './engagement';
import { type Contribution, type FitResult, fitScore, type IdealProfile } from './fit';
import { readInputs, type ScoringInput } from './inputs';
import { type ModelOpinion, modelOpinion, type Scorer, scorerOf } from './models';
import { contactPressure, rankFor } from './pressure';
import { strongest, writeReasons } from './reasons';

export interface ProspectScore {
  campaignId: string;
  prospectId: string;
  at: Date;
  /**
   * 0–100. Without an active model: fit and engagement, 60/40. With one: where the model ranks the person
   * (its percentile), fit and engagement, 50/30/20. Less what engagement sums to below zero and a
   * standing opt-out's points (belowZero).
   */
  score: number;
  /** The order offered for contact: the score less the recent contact pressure. */
  rank: number;
  pressure: { touches: number; penalty: number };
  /** The active model's probability of the campaign's goal, and its rank among the people it was measured on. */
  model: { id: string; probability: number; percentile: number } | null;
  fit: { score: number; points: number; max: number };
  engagement: { score: number; points: number; halfLifeDays: number };
  /** The three contributions that raise the score most and the three that lower it most. */
  contributions: { positive: Contribution[]; negative: Contribution[] };
  /** Criteria of the profile the prospect does not meet, or that its data cannot tell. */
  missed: { code: string; missing: boolean }[];
}

const YEAR_MS = 365 * 86_400_000;

/** A probability in percent, whole, but to the tenth under 1 and over 99: 0.86 % is no "1 %". */
function percentOf(probability: number): number {
  const percent = probability * 100;
  return percent < 1 || percent > 99 ? Math.round(percent * 10) / 10 : Math.round(percent);
}

/**
 * The active model's view as a reason of its own, since it weighs half of the score: from −12 points for
 * the last of the people it was measured on to +12 for the first.
 */
function modelReason(opinion: ModelOpinion | undefined): Contribution[] {
  if (!opinion) return [];
  return [
    {
      code: 'model.percentile',
      points: Math.max(-12, Math.min(12, Math.round((opinion.percentile - 50) / 4))),
      facts: { probability: percentOf(opinion.probability), percentile: opinion.percentile },
    },
  ];
}

/**
 * What engagement sums to below zero, taken off the whole score point for point, as a standing opt-out's
 * points are. The engagement score reads points through a soft ceiling from 0 up: alone, it cannot tell a
 * person who bounced and refused from one never contacted. A refusal and a bounce (−20) put a person 20
 * below the same person never contacted; signals above zero offset them first; the score stays 0–100.
 */
const belowZero = (points: number) => Math.min(0, Math.round(points));

export interface ScoredCampaign {
  id: string;
  idealProfile: IdealProfile;
  successTypes: string[];
  halfLifeDays: number;
}

/**
 * What a score takes from the person's history and the active model: everything but the fit. A new profile
 * changes the fit alone, so a rescoring for one recombines these parts, as stored with the last score
 * (refitScore), with the new fit, instead of reading every person's events again.
 */
export interface HistoryParts {
  engagement: { score: number; points: number };
  /** What engagement sums to below zero and a standing opt-out's points: taken off the whole score. */
  adjustment: number;
  /** Opted out and not back, or the campaign's goal reached this past year: never offered for contact. */
  held: boolean;
  pressure: { touches: number; penalty: number };
  model: { id: string; probability: number; percentile: number } | null;
  /** The goal reached, a reason that takes no points and comes first among those against. */
  reached: Contribution | undefined;
  /** The three strongest reasons for and against among engagement's and the model's. */
  reasons: { positive: Contribution[]; negative: Contribution[] };
}

/** The parts of a score that the person's events and the active model give, at an instant. */
export function historyParts(
  campaign: ScoredCampaign,
  scorer: Scorer | undefined,
  input: ScoringInput,
  at: Date,
): HistoryParts {
  // Engagement and pressure look back a year: older signals have lost all but a trace of their weight.
  // Events come oldest first. An opt-out stands whatever its age, so engagement is given them all.
  const since = at.getTime() - YEAR_MS;
  const { events } = input;
  let first = 0;
  while (first < events.length && events[first]!.at <= since) first++;
  const recent = first === 0 ? events : events.slice(first);
  const engagement = engagementScore(events, at, { halfLifeDays: campaign.halfLifeDays, since });
  const opinion = scorer ? modelOpinion(scorer, input, campaign.successTypes) : undefined;
  const reached = goalReached(recent, campaign.successTypes, at.getTime());
  // Someone who opted out or complained, and has not come back since, is neither welcome nor offered.
  const { standing } = engagement;
  return {
    engagement: { score: engagement.score, points: Math.round(engagement.points * 10) / 10 },
    adjustment: belowZero(engagement.points) + (standing?.points ?? 0),
    // Nor is someone who reached the campaign's goal this past year: a meeting booked is not to be sought again.
    held: Boolean(standing || reached),
    pressure: contactPressure(recent, at),
    model: opinion
      ? {
          id: opinion.modelId,
          probability: Math.round(opinion.probability * 10_000) / 10_000,
          percentile: opinion.percentile,
        }
      : null,
    reached,
    // The model's odds of a goal already reached say nothing: its reason is left out.
    reasons: strongest([...engagement.contributions, ...(reached ? [] : modelReason(opinion))]),
  };
}

/** The reasons a fit gives: its strongest for and against, and what it is outside of where it has none. */
export interface FitReasons {
  positive: Contribution[];
  negative: Contribution[];
  /** The criteria the person is outside of, shown where no reason at all raises or lowers the score. */
  outside?: Contribution[];
}

/** The parts' reasons: engagement's and the model's strongest, and the goal reached. */
export interface OtherReasons {
  positive: Contribution[];
  negative: Contribution[];
  reached?: Contribution;
}

/** A fit's reasons as a score keeps them apart from the others (see shownReasons). */
export function fitReasonsOf(fit: FitResult): FitReasons {
  const picked = strongest(fit.contributions);
  if (picked.positive.length > 0 || picked.negative.length > 0 || fit.outside.length === 0) return picked;
  const outside = strongest(fit.outside).negative.map((c) => ({ ...c, facts: { ...c.facts, outside: 1 } }));
  return { ...picked, outside };
}

export const otherReasonsOf = (parts: HistoryParts): OtherReasons =>
  parts.reached ? { ...parts.reasons, reached: parts.reached } : parts.reasons;

/**
 * The three reasons for and the three against a score shows: the strongest of the fit's and the parts'
 * (points are to the tenth either way, engagement rounding its own, so the order is the one every
 * contribution at once would give, the fit's first among equals); where none, what the fit is outside of;
 * and the goal reached first among those against. Stored apart, the two are put together when read, so
 * that a new profile rewrites the fit's alone.
 */
export function shownReasons(
  fit: FitReasons,
  other: OtherReasons,
): { positive: Contribution[]; negative: Contribution[] } {
  const picked = strongest([...fit.positive, ...other.positive, ...fit.negative, ...other.negative]);
  const shown =
    picked.positive.length === 0 && picked.negative.length === 0 && fit.outside
      ? { positive: [], negative: fit.outside }
      : picked;
  if (!other.reached) return shown;
  return { positive: shown.positive, negative: [other.reached, ...shown.negative].slice(0, 3) };
}

/**
 * The reasons a stored score shows: the fit's and the others' put together (shownReasons), or, on a row
 * written before they were kept apart, the ones it stored.
 */
export function storedShown(
  row: {
    reasons: { positive: Contribution[]; negative: Contribution[] };
    otherReasons: OtherReasons | null;
  },
  now = Date.now(),
): { positive: Contribution[]; negative: Contribution[] } {
  const shown = row.otherReasons ? shownReasons(row.reasons, row.otherReasons) : row.reasons;
  const tell = (list: Contribution[]) => list.map((c) => tellDays(c, now));
  return { positive: tell(shown.positive), negative: tell(shown.negative) };
}

/**
 * A stored reason's days and ago, told at `now` from the instant stored in their place ("@" and its epoch
 * ms, see score-writes): "3 clics ces 15 derniers jours" on the day after the rescoring that stored it,
 * which no longer rewrites a row for the day alone. Reasons stored with their numbers keep them.
 */
export function tellDays(c: Contribution, now: number): Contribution {
  const days = storedInstant(c.facts.days);
  const ago = storedInstant(c.facts.ago);
  if (days === undefined && ago === undefined) return c;
  const facts = { ...c.facts };
  if (days !== undefined) facts.days = daysSince(now, days);
  if (ago !== undefined) facts.ago = daysAgo(now, ago);
  return { ...c, facts };
}

/** The instant a stored fact holds in place of its number ("@" and epoch ms), if it holds one. */
function storedInstant(value: string | number | undefined): number | undefined {
  if (typeof value !== 'string' || !value.startsWith('@')) return undefined;
  const at = Number(value.slice(1));
  return Number.isFinite(at) ? at : undefined;
}

/**
 * A score from a fit and the other parts. The combination is also written in SQL for a rescoring after a
 * profile change (SCORE in score-saves.ts): a test holds the two to each other.
 */
export function combineParts(fit: FitResult, parts: HistoryParts) {
  const hasProfile = fit.max > fit.min;
  const percentile = parts.model?.percentile;
  const engagement = parts.engagement.score;
  const combined = Math.round(
    percentile !== undefined
      ? hasProfile
        ? 0.5 * percentile + 0.3 * fit.score + 0.2 * engagement
        : 0.7 * percentile + 0.3 * engagement
      : hasProfile
        ? 0.6 * fit.score + 0.4 * engagement
        : engagement,
  );
  const score = Math.max(0, combined + parts.adjustment);
  return {
    score,
    rank: parts.held ? 0 : rankFor(score, parts.pressure),
    // Stored apart, and put together only when read (shownReasons).
    fitReasons: fitReasonsOf(fit),
    otherReasons: otherReasonsOf(parts),
  };
}

/**
 * Scores one prospect for a campaign at an instant from what scoring reads of it: the same function
 * answers on demand and rescores a million prospects.
 */
export function scoreInput(
  campaign: ScoredCampaign,
  scorer: Scorer | undefined,
  input: ScoringInput,
  at: Date,
): ProspectScore {
  return scoreWithParts(campaign, scorer, input, at).score;
}

/** A score with the parts it was made of, which a rescoring stores beside it (see HistoryParts). */
export function scoreWithParts(
  campaign: ScoredCampaign,
  scorer: Scorer | undefined,
  input: ScoringInput,
  at: Date,
): { score: ProspectScore; parts: HistoryParts } {
  const fit = fitScore(campaign.idealProfile, input);
  const parts = historyParts(campaign, scorer, input, at);
  const { score, rank, fitReasons, otherReasons } = combineParts(fit, parts);
  const contributions = shownReasons(fitReasons, otherReasons);
  return {
    score: {
      campaignId: campaign.id,
      prospectId: input.prospectId,
      at,
      score,
      rank,
      pressure: parts.pressure,
      model: parts.model,
      fit: { score: fit.score, points: fit.points, max: fit.max },
      engagement: { ...parts.engagement, halfLifeDays: campaign.halfLifeDays },
      contributions,
      missed: fit.missed,
    },
    parts,
  };
}

/**
 * The campaign's goal reached (its latest success of the last year, events oldest first), as a reason
 * that takes no points: the person keeps their score and is not offered for contact.
 */
function goalReached(
  events: EngagementEvent[],
  successTypes: string[],
  now: number,
): Contribution | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    const type = goalSignal(event, successTypes);
    if (type === undefined) continue;
    const at = Math.min(event.at, now);
    return {
      code: 'goal.reached',
      points: 0,
      // As it was read: an attempt someone picked up is the answered call.
      facts: { type, days: daysSince(now, at), ago: daysAgo(now, at) },
      at,
    };
  }
  return undefined;
}

/** Scores one prospect for a campaign now, with its reasons written out. */
export async function scoreProspect(ctx: Ctx, campaignId: string, prospectId: string, at = new Date()) {
  // Both reads at once: the campaign with its model's id, and the person's facts.
  const [campaign, [input]] = await Promise.all([
    getCampaignWithModel(ctx, campaignId),
    readInputs(ctx.db, ctx.orgId, { ids: [prospectId] }),
  ]);
  if (!input) throw notFound('Prospect');
  // Read once per process, then kept: a trained model never changes.
  const scorer = campaign.activeModelId ? await scorerOf(ctx, campaign.activeModelId) : undefined;
  const { contributions, ...score } = scoreInput(campaign, scorer, input, at);
  return { ...score, reasons: writeReasons(contributions) };
}
