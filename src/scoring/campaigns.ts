import { z } from '@hono/zod-openapi';
import { and, desc, eq, getTableColumns, lt, sql } from 'drizzle-orm';
import { type Campaign, campaigns, INTERACTION_TYPES, models } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { PitchSchema } from '../outreach/pitch-schema';
import { countryProblem, IndustrySchemeInput } from '../prospects/schemas';
import { toNumber } from './cell-numbers';
import type { IdealProfile } from './fit';
import { type ProfileWarning, profileWarnings } from './profile-warnings';
import { queueRescoring } from './queue';
import { knownSeniority, SENIORITY_LEVELS } from './seniority';

const points = z.number().min(-100).max(100);

const word = z.string().trim().min(1, { error: 'a blank word matches nothing' }).max(100);
/** Words, each one refused unless it passes `refine` (a word that could match nobody is refused). */
const wordsOf = (refine: (w: string) => boolean = () => true, error?: (w: string) => string) =>
  z
    .array(
      word.refine(refine, {
        error: (issue) =>
          error ? error(String(issue.input)) : `${JSON.stringify(issue.input)} matches nothing`,
      }),
    )
    .min(1)
    .max(100);
const words = wordsOf();

/**
 * Industry codes as the schemes write them (46.69Z, 5415, 4651): digits, with letters, dots and spaces. A
 * code without a digit, or with other signs, would match no company.
 */
const industryCodes = wordsOf(
  (code) => /\d/.test(code) && /^[\p{L}\d. ]+$/u.test(code),
  (code) =>
    `${JSON.stringify(code)} is not an industry code: digits, with letters, dots and spaces (46.69Z, 5415)`,
);
/** Keywords are looked for by their letters and digits: one with neither matches nobody. */
const keywords = wordsOf(
  (keyword) => /[\p{L}\d]/u.test(keyword),
  (keyword) => `${JSON.stringify(keyword)} has no letter or digit to look for`,
);
const seniorityLevels = wordsOf(
  knownSeniority,
  (level) =>
    `${JSON.stringify(level)} is not a seniority level; the levels are ${SENIORITY_LEVELS.join(', ')} ` +
    '(or their names: CEO, dirigeant, VP, directeur, head of, responsable, manager, senior, junior, stagiaire…)',
);

/** Headcounts and revenues are never below zero: a range there would match nobody. */
const bound = z.number().min(0, { error: 'a headcount or a revenue is never negative' }).optional();
const bounds = { min: bound, max: bound, points };
const ordered = (r: { min?: number | undefined; max?: number | undefined }) =>
  r.min === undefined || r.max === undefined || r.min <= r.max;
/** A range bounded on neither side would hold every company, and give its points to all. */
const bounded = (r: { min?: number | undefined; max?: number | undefined }) =>
  r.min !== undefined || r.max !== undefined;
const range = z
  .strictObject(bounds)
  .refine(bounded, { error: 'a range needs min, max or both' })
  .refine(ordered, { error: 'min must not exceed max', path: ['min'] });
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const revenueRange = z
  .strictObject({
    ...bounds,
    currency: z
      .string()
      .toUpperCase()
      .refine((code) => CURRENCIES.has(code), { error: 'an ISO 4217 currency code: EUR, GBP, USD…' })
      .optional()
      .openapi({
        description:
          'The currency of min and max (EUR when not given): companies whose revenue is in another currency are not compared',
      }),
  })
  .refine(bounded, { error: 'a range needs min, max or both' })
  .refine(ordered, { error: 'min must not exceed max', path: ['min'] });

/** Why an attribute condition's value cannot work with its operator, if it cannot. */
function conditionProblem(op: string, value: unknown): string | undefined {
  if (op === 'present') return value === undefined ? undefined : '"present" takes no value';
  if (value === undefined) return `"${op}" needs a value`;
  if (op === 'in')
    return Array.isArray(value) && value.length > 0 ? undefined : '"in" needs a list of values';
  if (Array.isArray(value)) return `"${op}" compares with one value, not a list (use "in")`;
  if ((op === 'gte' || op === 'lte') && Number.isNaN(toNumber(String(value))))
    return `"${op}" compares numbers: ${JSON.stringify(value)} is not one`;
  if (String(value).trim() === '') return `"${op}" needs a value that is not blank`;
  return undefined;
}

export const IdealProfileSchema = z
  .object({
    industries: z
      .strictObject({
        codes: industryCodes,
        points,
        scheme: IndustrySchemeInput.optional().openapi({
          description:
            'The scheme the codes are of (NAF and NACE go together): companies of another scheme do not match. Without it, codes match whatever the scheme',
        }),
      })
      .optional(),
    employees: range.optional(),
    revenue: revenueRange.optional(),
    countries: z
      .strictObject({
        values: z
          .array(
            z
              .string()
              // Stored as ISO writes them: "fr" and "FR" are one profile.
              .toUpperCase()
              .regex(/^[A-Z]{2}$/)
              .superRefine(countryProblem),
          )
          .min(1)
          .max(250),
        points,
      })
      .optional(),
    regions: z.strictObject({ values: words, points }).optional().openapi({
      description:
        'Names or codes, accents and case aside: US states and Canadian provinces by name or code (California, CA), French regions by name or abbreviation (PACA, IDF)',
    }),
    titles: z.strictObject({ keywords, points }).optional(),
    seniority: z.strictObject({ values: seniorityLevels, points }).optional(),
    departments: z.strictObject({ keywords, points }).optional(),
    attributes: z
      .array(
        z
          .strictObject({
            key: z.string().min(1).max(100).openapi({ description: 'Compared case aside' }),
            op: z.enum(['eq', 'in', 'gte', 'lte', 'contains', 'present']),
            value: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).optional(),
            points,
          })
          .superRefine((c, check) => {
            // A condition that could never match is refused rather than kept to match nobody.
            const problem = conditionProblem(c.op, c.value);
            if (problem) check.addIssue({ code: 'custom', message: problem, path: ['value'] });
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

const campaignFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  idealProfile: IdealProfileSchema,
  successTypes: z
    .array(
      z.enum(INTERACTION_TYPES).refine((type) => !NOT_A_SUCCESS.has(type), {
        error: 'is a refusal or a failure: a campaign cannot aim at it',
      }),
    )
    .min(1)
    .max(10)
    // One goal whatever the order it is written in: [purchase, meeting_booked] is [meeting_booked, purchase].
    .transform((types) => [...new Set(types)].sort())
    .openapi({ description: 'The interaction types that count as the goal, e.g. meeting_booked, purchase' }),
  halfLifeDays: z.number().int().min(1).max(365),
  pitch: PitchSchema.nullable()
    .optional()
    .openapi({ description: 'What drafts for this campaign are written from' }),
};

/** Outcomes nobody aims at: a model trained on them would rank first the people most likely to leave. */
const NOT_A_SUCCESS = new Set<string>(['opt_out', 'complaint', 'email_bounced', 'email_deferred']);

export const CampaignInputSchema = z
  .strictObject({
    ...campaignFields,
    idealProfile: campaignFields.idealProfile.default({}),
    successTypes: campaignFields.successTypes.default(['meeting_booked']),
    halfLifeDays: campaignFields.halfLifeDays.default(30),
  })
  .openapi('CampaignInput');

/** A change: only what is given changes (no defaults, which would reset what is not given). */
export const CampaignPatchSchema = z.strictObject(campaignFields).partial().openapi('CampaignPatch');

export type CampaignInput = z.infer<typeof CampaignInputSchema>;

/** A campaign as a change left it, with the rescoring the change queued (null when it queued none). */
export type ChangedCampaign = Campaign & { rescoringJobId: string | null; warnings?: ProfileWarning[] };

/** Creates a campaign and queues the scoring of every prospect for it. */
export async function createCampaign(ctx: Ctx, input: CampaignInput): Promise<ChangedCampaign> {
  const created = await withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(campaigns)
      .values({ orgId: tx.orgId, ...input, description: input.description ?? null })
      .returning();
    const job = await queueRescoring(tx, row!.id, 'campaign created');
    return { ...row!, rescoringJobId: job.id };
  });
  return withWarnings(ctx, created, input.idealProfile);
}

/** A campaign made or changed, with what its profile says that was likely not meant (profileWarnings). */
async function withWarnings(
  ctx: Ctx,
  campaign: ChangedCampaign,
  profile: IdealProfile | undefined,
): Promise<ChangedCampaign> {
  const warnings = await profileWarnings(ctx, profile);
  return warnings.length > 0 ? { ...campaign, warnings } : campaign;
}

export async function getCampaign(ctx: Ctx, id: string): Promise<Campaign> {
  const [row] = await ctx.db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, id)));
  if (!row) throw notFound('Campaign');
  return row;
}

type CampaignWithModel = Campaign & { activeModelId: string | null };

/**
 * Scores on demand come by the hundred a second for the same few campaigns: each process keeps what it
 * read for a second. A change made through this process is seen at once (forgetCampaign); one made
 * through another, within the second.
 */
const recentCampaigns = new Map<string, { until: number; campaign: CampaignWithModel }>();
const RECENT_MS = 1000;
/** Changes counted: a read that began before one is not kept after it. */
let changes = 0;

/** Drops what this process remembers of a campaign, after a change to it or to its models. */
export function forgetCampaign(orgId: string, id: string): void {
  recentCampaigns.delete(`${orgId}:${id}`);
  changes++;
}

/** The campaign with its active model's id (null without one), in one statement: a score on demand's read. */
export async function getCampaignWithModel(ctx: Ctx, id: string): Promise<CampaignWithModel> {
  const key = `${ctx.orgId}:${id}`;
  const known = recentCampaigns.get(key);
  if (known && known.until > Date.now()) return known.campaign;
  const readFrom = changes;
  const [row] = await ctx.db
    .select({
      ...getTableColumns(campaigns),
      // Spelt out: drizzle leaves the table's name off columns when a query reads one table.
      activeModelId: sql<string | null>`(SELECT m.id FROM models m
        WHERE m.org_id = campaigns.org_id AND m.campaign_id = campaigns.id AND m.active LIMIT 1)`,
    })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, ctx.orgId), eq(campaigns.id, id)));
  if (!row) throw notFound('Campaign');
  // A change committed while this read was on its way may not be in it: then it is not kept.
  if (changes !== readFrom) return row;
  if (recentCampaigns.size >= 1000) recentCampaigns.clear();
  recentCampaigns.set(key, { until: Date.now() + RECENT_MS, campaign: row });
  return row;
}

/**
 * A profile as JSON whose lists are sets: the same codes, keywords or conditions in another order are the
 * same profile (the keyword a title is said to match does not depend on its place either: fit.ts).
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value))
    return value
      .map(canonical)
      .map((v) => JSON.stringify(v))
      .sort()
      .map((v) => JSON.parse(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** Changes a campaign; a new profile, goal or half-life queues its rescoring. */
export async function updateCampaign(
  ctx: Ctx,
  id: string,
  input: Partial<CampaignInput>,
): Promise<ChangedCampaign> {
  const changed = await withTransaction(ctx, async (tx) => {
    const [before] = await tx.db
      .select()
      .from(campaigns)
      .where(and(eq(campaigns.orgId, tx.orgId), eq(campaigns.id, id)))
      .for('update');
    if (!before) throw notFound('Campaign');
    // Only what differs from before counts: the same half-life sent again rescores nobody, nor the same
    // goal in another order (campaigns stored before goals were kept sorted may hold one), which is not
    // even written: a running rescoring would read the rewrite as a change and stop for nothing.
    // Nor the same profile with its lists in another order, which is not written either.
    const comparable = (k: 'idealProfile' | 'successTypes' | 'halfLifeDays', value: unknown) =>
      JSON.stringify(
        k === 'successTypes'
          ? [...new Set(value as string[])].sort()
          : k === 'idealProfile'
            ? canonical(value)
            : value,
      );
    const { successTypes, idealProfile, ...rest } = input;
    const same = (k: 'idealProfile' | 'successTypes', value: unknown) =>
      value !== undefined && comparable(k, value) === comparable(k, before[k]);
    const [row] = await tx.db
      .update(campaigns)
      .set({
        ...rest,
        ...(successTypes && !same('successTypes', successTypes) ? { successTypes } : {}),
        ...(idealProfile && !same('idealProfile', idealProfile) ? { idealProfile } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(campaigns.orgId, tx.orgId), eq(campaigns.id, id)))
      .returning();
    const changed = (['idealProfile', 'successTypes', 'halfLifeDays'] as const).filter(
      (k) => input[k] !== undefined && comparable(k, row![k]) !== comparable(k, before[k]),
    );
    // A model learnt to predict another goal no longer says anything of this one.
    if (changed.includes('successTypes'))
      await tx.db
        .update(models)
        .set({ active: false })
        .where(and(eq(models.orgId, tx.orgId), eq(models.campaignId, id), eq(models.active, true)));
    // A new profile alone changes only the fit: its rescoring reuses the other parts of each score.
    const profileOnly = changed.length === 1 && changed[0] === 'idealProfile';
    const job =
      changed.length > 0
        ? await queueRescoring(tx, id, `${changed.join(', ')} changed`, { profileOnly })
        : undefined;
    return { ...row!, rescoringJobId: job?.id ?? null };
  });
  // After the commit: a score read meanwhile cannot put the old campaign back.
  forgetCampaign(ctx.orgId, id);
  return withWarnings(ctx, changed, input.idealProfile);
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
