import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { notFound } from '../http/errors';
import { getCampaign } from './campaigns';
import { type EngagementEvent, engagementScore } from './engagement';
import { type FitSubject, fitScore } from './fit';
import { modelOpinion } from './models';
import { contactPressure, rankFor } from './pressure';
import { type ScoreReason, topReasons } from './reasons';

export interface ProspectScore {
  campaignId: string;
  prospectId: string;
  at: Date;
  /**
   * 0–100. Without an active model: fit and engagement, 60/40. With one: where the model ranks the person
   * (its percentile), fit and engagement, 50/30/20.
   */
  score: number;
  /** The order offered for contact: the score less the recent contact pressure. */
  rank: number;
  pressure: { touches: number; penalty: number };
  /** The active model's probability of the campaign's goal, and its rank among the people it was measured on. */
  model: { id: string; probability: number; percentile: number } | null;
  fit: { score: number; points: number; max: number };
  engagement: { score: number; points: number; halfLifeDays: number };
  reasons: { positive: ScoreReason[]; negative: ScoreReason[] };
  /** Criteria of the profile the prospect does not meet, or that its data cannot tell. */
  missed: { code: string; missing: boolean }[];
}

/** Scores one prospect for a campaign now, from its record, its company and its last year of interactions. */
export async function scoreProspect(ctx: Ctx, campaignId: string, prospectId: string, at = new Date()) {
  const campaign = await getCampaign(ctx, campaignId);
  const [row] = await queryRows<
    FitSubject & {
      events: { type: EngagementEvent['type']; occurredAt: string; outcome: string | null }[] | null;
    }
  >(
    ctx.db,
    sql`SELECT c.industry_code AS "industryCode", c.employee_count AS "employeeCount", c.annual_revenue AS "annualRevenue",
          coalesce(p.country, c.country) AS country, coalesce(p.region, c.region) AS region,
          p.job_title AS "jobTitle", p.seniority, p.department,
          coalesce(c.attributes, '{}'::jsonb) || p.attributes AS attributes,
          (SELECT json_agg(json_build_object('type', i.type, 'occurredAt', i.occurred_at, 'outcome', i.outcome))
             FROM interactions i
             WHERE i.org_id = p.org_id AND i.prospect_id = p.id
               AND i.occurred_at > ${new Date(at.getTime() - 365 * 86_400_000).toISOString()}::timestamptz) AS events
        FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
        WHERE p.org_id = ${ctx.orgId} AND p.id = ${prospectId}`,
  );
  if (!row) throw notFound('Prospect');
  const fit = fitScore(campaign.idealProfile, row);
  const events = (row.events ?? []).map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) }));
  const engagement = engagementScore(events, at, { halfLifeDays: campaign.halfLifeDays });
  const pressure = contactPressure(events, at);
  const hasProfile = fit.max > 0;
  const opinion = await modelOpinion(ctx, campaign, prospectId);
  const score = Math.round(
    opinion
      ? hasProfile
        ? 0.5 * opinion.percentile + 0.3 * fit.score + 0.2 * engagement.score
        : 0.7 * opinion.percentile + 0.3 * engagement.score
      : hasProfile
        ? 0.6 * fit.score + 0.4 * engagement.score
        : engagement.score,
  );
  return {
    campaignId,
    prospectId,
    at,
    score,
    rank: rankFor(score, pressure),
    pressure,
    model: opinion
      ? {
          id: opinion.modelId,
          probability: Math.round(opinion.probability * 10_000) / 10_000,
          percentile: opinion.percentile,
        }
      : null,
    fit: { score: fit.score, points: fit.points, max: fit.max },
    engagement: {
      score: engagement.score,
      points: Math.round(engagement.points * 10) / 10,
      halfLifeDays: campaign.halfLifeDays,
    },
    reasons: topReasons([...fit.contributions, ...engagement.contributions]),
    missed: fit.missed,
  } satisfies ProspectScore;
}
