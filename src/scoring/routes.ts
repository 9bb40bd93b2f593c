import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, IdParam, json, jsonBody, router } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import {
  CampaignInputSchema,
  createCampaign,
  getCampaign,
  IdealProfileSchema,
  listCampaigns,
  scoreProspect,
  updateCampaign,
} from './campaigns';

const security = [{ bearer: [] }];
const out = <T>(value: T) => value as never;

const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    idealProfile: IdealProfileSchema,
    successTypes: z.array(z.string()),
    halfLifeDays: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Campaign');

const Reason = z.object({ code: z.string(), points: z.number(), fr: z.string(), en: z.string() });
const ScoreSchema = z
  .object({
    campaignId: z.string(),
    prospectId: z.string(),
    at: z.string(),
    score: z.number().int(),
    fit: z.object({ score: z.number().int(), points: z.number(), max: z.number() }),
    engagement: z.object({ score: z.number().int(), points: z.number(), halfLifeDays: z.number().int() }),
    reasons: z.object({ positive: z.array(Reason), negative: z.array(Reason) }),
    missed: z.array(z.object({ code: z.string(), missing: z.boolean() })),
  })
  .openapi('ProspectScore');

/** Campaigns and their ideal customer profiles, and a prospect's score for one, with its reasons. */
export function scoringRoutes() {
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
      request: { params: IdParam, body: jsonBody(CampaignInputSchema.partial()) },
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

  return app;
}
