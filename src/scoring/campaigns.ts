import { z } from '@hono/zod-openapi';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { type Campaign, campaigns, INTERACTION_TYPES } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { type EngagementEvent, engagementScore } from './engagement';
import { type FitSubject, fitScore } from './fit';
import { type ScoreReason, topReasons } from './reasons';

const points = z.number().min(-100).max(100);
const words = z.array(z.string().min(1).max(100)).min(1).max(100);
const range = z
  .object({ min: z.number().optional(), max: z.number().optional(), points })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    error: 'min must not exceed max',
    path: ['min'],
  });

export const IdealProfileSchema = z
  .object({
    industries: z.object({ codes: words, points }).optional(),
    employees: range.optional(),
    revenue: range.optional(),
    countries: z
      .object({
        values: z
          .array(z.string().regex(/^[A-Za-z]{2}$/))
          .min(1)
          .max(250),
        points,
      })
      .optional(),
    regions: z.object({ values: words, points }).optional(),
    titles: z.object({ keywords: words, points }).optional(),
    seniority: z.object({ values: words, points }).optional(),
    departments: z.object({ keywords: words, points }).optional(),
    attributes: z
      .array(
        z.object({
          key: z.string().min(1).max(100),
          op: z.enum(['eq', 'in', 'gte', 'lte', 'contains', 'present']),
          value: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).optional(),
          points,
        }),
      )
      .max(50)
      .optional(),
  })
  .strict()
  .openapi('IdealProfile', {
    example: {
      industries: { codes: ['46.6'], points: 12 },
      employees: { min: 10, max: 250, points: 8 },
      titles: { keywords: ['achat', 'acheteur', 'buyer'], points: 10 },
    },
  });

export const CampaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    idealProfile: IdealProfileSchema.default({}),
    successTypes: z.array(z.enum(INTERACTION_TYPES)).min(1).max(10).default(['meeting_booked']),
    halfLifeDays: z.number().int().min(1).max(365).default(30),
  })
  .openapi('CampaignInput');

export type CampaignInput = z.infer<typeof CampaignInputSchema>;

export async function createCampaign(ctx: Ctx, input: CampaignInput): Promise<Campaign> {
  const [row] = await ctx.db
    .insert(campaigns)
    .values({ orgId: ctx.orgId, ...input, description: input.description ?? null })
    .returning();
  return row!;
}

export async function getCampaign(ctx: Ctx, id: string): Promise<Campaign> {
  const [row] = await ctx.db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, id)));
  if (!row) throw notFound('Campaign');
  return row;
}

export async function updateCampaign(ctx: Ctx, id: string, input: Partial<CampaignInput>): Promise<Campaign> {
  const [row] = await ctx.db
    .update(campaigns)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, id)))
    .returning();
  if (!row) throw notFound('Campaign');
  return row;
}

export async function listCampaigns(ctx: Ctx, f: { limit: number; cursor?: string }) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), after ? lt(campaigns.id, after) : undefined))
    .orderBy(desc(campaigns.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export interface ProspectScore {
  campaignId: string;
  prospectId: string;
  at: Date;
  /** 0–100: fit and engagement, weighted 60/40 until a model learnt from outcomes is active. */
  score: number;
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
  const hasProfile = fit.max > 0;
  const score = Math.round(hasProfile ? 0.6 * fit.score + 0.4 * engagement.score : engagement.score);
  return {
    campaignId,
    prospectId,
    at,
    score,
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
