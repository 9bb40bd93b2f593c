import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, IdParam, json, jsonBody, out, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { presentJob } from '../jobs/present';
import { JobSchema } from '../jobs/routes';
import type { JobRunner } from '../jobs/runner';
import { PitchSchema } from '../outreach/pitch-schema';
import { getProspectRow } from '../prospects/prospect-detail';
import {
  CampaignInputSchema,
  CampaignPatchSchema,
  createCampaign,
  getCampaign,
  IdealProfileSchema,
  listCampaigns,
  updateCampaign,
} from './campaigns';
import { activateModel, getModel, listModels, trainModel } from './models';
import { queueRescoring } from './queue';
import { scoreHistoryOf } from './rescore';
import { scoreProspect } from './score';

const HistorySchema = z
  .object({
    at: z.string(),
    score: z.number().int(),
    probability: z.number().nullable(),
    modelId: z.string().nullable(),
  })
  .openapi('ScoreChange');

const rescoringJobId = z.string().nullable().optional();

const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    idealProfile: IdealProfileSchema,
    successTypes: z.array(z.string()),
    halfLifeDays: z.number().int(),
    pitch: PitchSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    rescoringJobId: rescoringJobId.openapi({
      description:
        'On a creation or a change: the rescoring job it queued (GET /v1/jobs/{id}), null when the change rescores nobody',
    }),
    warnings: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({
        description:
          'On a creation or a change: what the profile says that is likely not meant, kept as written (a region neither known nor carried by any prospect, with the name likely meant)',
      }),
  })
  .openapi('Campaign');

const Reason = z.object({ code: z.string(), points: z.number(), fr: z.string(), en: z.string() });
const ScoreSchema = z
  .object({
    campaignId: z.string(),
    prospectId: z.string(),
    at: z.string(),
    score: z.number().int(),
    rank: z
      .number()
      .int()
      .openapi({ description: 'The score less the recent contact pressure: the order offered for contact' }),
    pressure: z.object({ touches: z.number().int(), penalty: z.number().int() }),
    model: z.object({ id: z.string(), probability: z.number(), percentile: z.number() }).nullable(),
    fit: z.object({ score: z.number().int(), points: z.number(), max: z.number() }),
    engagement: z.object({ score: z.number().int(), points: z.number(), halfLifeDays: z.number().int() }),
    reasons: z.object({ positive: z.array(Reason), negative: z.array(Reason) }),
    missed: z.array(z.object({ code: z.string(), missing: z.boolean() })),
  })
  .openapi('ProspectScore');

const ModelSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    status: z.enum(['ready', 'insufficient_history']),
    active: z.boolean(),
    rows: z.number().int(),
    successes: z.number().int(),
    successTypes: z
      .array(z.string())
      .nullable()
      .openapi({ description: "The outcomes it learnt to predict: the campaign's goal when it was trained" }),
    metrics: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'For a ready model: held-out AUC, successes captured in the top 10/20/50 %, lift by decile, calibration, the strongest features; otherwise why it could not learn',
    }),
    createdAt: z.string(),
    rescoringJobId: rescoringJobId.openapi({
      description: 'On an activation: the rescoring job it queued (GET /v1/jobs/{id})',
    }),
  })
  .openapi('Model');

/** What a client sees of a model: its measures, not its weights. */
const presentModel = <T extends { encoder?: unknown; weights?: unknown; intercept?: unknown }>(row: T) => {
  const { encoder: _e, weights: _w, intercept: _i, ...rest } = present(row) as unknown as T;
  return rest;
};

/** Campaigns and their ideal customer profiles, and a prospect's score for one, with its reasons. */
export function scoringRoutes(runner?: JobRunner) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags: ['Scoring'],
      security,
      summary: 'Create a campaign with its ideal customer profile and what counts as its success',
      request: { body: jsonBody(CampaignInputSchema) },
      responses: { 201: json(CampaignSchema, 'The campaign'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'campaigns:write');
      return c.json(out(present(await createCampaign(ctx, c.req.valid('json')))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns',
      tags: ['Scoring'],
      security,
      summary: 'List campaigns, newest first',
      request: { query: z.object(pageQuery) },
      responses: {
        200: json(pageSchema(CampaignSchema, 'CampaignPage'), 'A page of campaigns'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const result = await listCampaigns(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(present), nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags: ['Scoring'],
      security,
      summary: 'Get a campaign',
      request: { params: IdParam },
      responses: { 200: json(CampaignSchema, 'The campaign'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(out(present(await getCampaign(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/campaigns/{id}',
      tags: ['Scoring'],
      security,
      summary: 'Change a campaign: its name, profile, success outcomes or half-life',
      request: { params: IdParam, body: jsonBody(CampaignPatchSchema) },
      responses: { 200: json(CampaignSchema, 'The campaign'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'campaigns:write');
      const body = Object.fromEntries(Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined));
      return c.json(out(present(await updateCampaign(ctx, c.req.valid('param').id, body))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/scores/{prospectId}',
      tags: ['Scoring'],
      security,
      summary: "A prospect's score for the campaign now: fit, engagement, and the reasons either way",
      request: { params: IdParam.extend({ prospectId: z.string().uuid() }) },
      responses: { 200: json(ScoreSchema, 'The score'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const { id, prospectId } = c.req.valid('param');
      return c.json(out(present(await scoreProspect(ctx, id, prospectId))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/models',
      tags: ['Scoring'],
      security,
      summary:
        "Train a model for a campaign on the organization's own outcomes, and measure it on held-out people",
      request: {
        body: jsonBody(
          z.strictObject({
            campaignId: z.string().uuid(),
            minSuccesses: z.number().int().min(5).max(100_000).default(50),
          }),
        ),
      },
      responses: {
        201: json(ModelSchema, 'The model, ready or with why it could not learn'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'campaigns:write');
      return c.json(out(presentModel(await trainModel(ctx, c.req.valid('json')))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/models',
      tags: ['Scoring'],
      security,
      summary: 'The models trained, newest first (100 at most)',
      request: { query: z.object({ campaignId: z.string().uuid().optional() }) },
      responses: { 200: json(z.object({ data: z.array(ModelSchema) }), 'The models'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const rows = await listModels(ctx, c.req.valid('query').campaignId);
      return c.json(out({ data: rows.map(presentModel) }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/models/{id}',
      tags: ['Scoring'],
      security,
      summary: 'A model and its measures: AUC, lift by decile, calibration, strongest features',
      request: { params: IdParam },
      responses: { 200: json(ModelSchema, 'The model'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(out(presentModel(await getModel(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/models/{id}/activate',
      tags: ['Scoring'],
      security,
      summary: "Make a ready model its campaign's active one",
      request: { params: IdParam },
      responses: { 200: json(ModelSchema, 'The model'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'campaigns:write');
      return c.json(out(presentModel(await activateModel(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/rescore',
      tags: ['Scoring'],
      security,
      summary:
        'Rescore every prospect for the campaign now: a job, with progress, that resumes if interrupted',
      description:
        'Scores are also kept current without asking: a new campaign, a changed profile or an activated model queue a full rescoring; new interactions and edited prospects or companies queue the people they touch; and a rescoring runs daily (RESCORE_EVERY_HOURS) so that decay and pressure follow the calendar.',
      request: { params: IdParam },
      responses: { 202: json(JobSchema, 'The rescoring job'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'campaigns:write');
      const campaign = await getCampaign(ctx, c.req.valid('param').id);
      const job = await queueRescoring(ctx, campaign.id, 'asked');
      runner?.wake();
      c.header('Location', `/v1/jobs/${job.id}`);
      return c.json(out(presentJob(job)), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/scores/{prospectId}/history',
      tags: ['Scoring'],
      security,
      summary:
        "How a prospect's score for the campaign changed: each change with its time and the model behind it",
      request: { params: IdParam.extend({ prospectId: z.string().uuid() }) },
      responses: {
        200: json(z.object({ data: z.array(HistorySchema) }), 'Newest first, 500 at most'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const { id, prospectId } = c.req.valid('param');
      await Promise.all([getCampaign(ctx, id), getProspectRow(ctx, prospectId)]);
      return c.json(out({ data: await scoreHistoryOf(ctx, id, prospectId) }), 200);
    },
  );

  return app;
}
