import { createRoute, z } from '@hono/zod-openapi';
import { invalid } from '../http/errors';
import { instant } from '../http/instant';
import { errorResponses, json, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { getCampaign } from '../scoring/campaigns';
import { csvExport, csvResponse, exportOptions, inOneSnapshot } from '../scoring/export';
import {
  criteriaOf,
  presentScore,
  RANKED_SORTS,
  RankedCriteria,
  type RankedFilters,
  rankedPage,
  rankedRows,
  withCompanyAndContacts,
} from '../scoring/ranked';
import { listProspects } from './prospect-list';
import { ProspectListItemSchema } from './schemas';

/**
 * The prospects as a list: GET /v1/prospects, newest first or in a campaign's order with scores and
 * reasons, and a campaign's list as CSV.
 */

const tags = ['Prospects'];

const ProspectListQuery = z.object({
  ...pageQuery,
  ...RankedCriteria,
  externalId: z.string().max(200).optional(),
  updatedSince: instant().optional().openapi({ type: 'string', format: 'date-time' }),
  campaign: z.string().uuid().optional().openapi({
    description:
      "A campaign: list its scored prospects, each with its score, probability and reasons, in the campaign's order",
  }),
  sort: z
    .enum(['-id', ...RANKED_SORTS])
    .optional()
    .openapi({
      description:
        'Newest first (-id, the default), or with a campaign: -score (the default), score, or -rank (the score less the recent contact pressure: the order offered for contact)',
    }),
});

/** With a campaign, the list is the campaign's ranking; its filters and order otherwise do not apply. */
function rankedQuery(query: z.infer<typeof ProspectListQuery>): RankedFilters | undefined {
  const scoreOnly = (['minScore', 'maxScore', 'segment'] as const).filter((k) => query[k] !== undefined);
  if (!query.campaign) {
    if (query.sort && query.sort !== '-id')
      throw invalid('sorting by score needs a campaign', [
        { field: 'query:sort', message: 'give campaign=<id>' },
      ]);
    if (scoreOnly.length > 0)
      throw invalid('score and segment filters need a campaign', [
        { field: `query:${scoreOnly[0]!}`, message: 'give campaign=<id>' },
      ]);
    return undefined;
  }
  if (query.sort === '-id')
    throw invalid('a campaign list is sorted by score or rank', [
      { field: 'query:sort', message: 'use -score, score or -rank' },
    ]);
  if (query.updatedSince || query.externalId)
    throw invalid('this filter does not apply to a campaign list', [
      { field: query.updatedSince ? 'query:updatedSince' : 'query:externalId', message: 'not with campaign' },
    ]);
  return { ...criteriaOf(query), campaign: query.campaign, sort: query.sort ?? '-score' };
}

export function prospectListRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects',
      tags,
      security,
      summary:
        "List prospects with their company and contact points; with a campaign, in the campaign's order with scores and reasons",
      request: { query: ProspectListQuery },
      responses: {
        200: json(pageSchema(ProspectListItemSchema, 'ProspectPage'), 'A page of prospects'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const query = c.req.valid('query');
      const ranked = rankedQuery(query);
      if (ranked) {
        await getCampaign(ctx, ranked.campaign);
        const page = await rankedPage(ctx, ranked, query.limit, query.cursor);
        const rows = await withCompanyAndContacts(ctx, page.data);
        const data = rows.map((r) => ({
          ...present(r.prospect),
          company: r.company ? { id: r.company.id, name: r.company.name } : null,
          contactPoints: r.contactPoints,
          doNotContact: r.doNotContact,
          score: presentScore(r.score),
        }));
        return c.json({ data, nextCursor: page.nextCursor } as never, 200);
      }
      const result = await listProspects(ctx, { ...query, limit: query.limit });
      return c.json({ data: result.data.map(present), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects/export',
      tags,
      security,
      summary: "Export a campaign's scored prospects as CSV, with their scores and reasons",
      description:
        "The same filters and orders as GET /v1/prospects with a campaign. format=excel writes what Excel opens as is in France (semicolons, a byte-order mark); lang chooses the language of the reasons (default: the organization's). Cells that a spreadsheet would run as a formula are written as text.",
      request: {
        query: ProspectListQuery.omit({ limit: true, cursor: true }).extend({
          campaign: z.string().uuid(),
          ...exportOptions,
        }),
      },
      responses: { ...csvResponse, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:export');
      const query = c.req.valid('query');
      const ranked = rankedQuery({ ...query, limit: 1 })!;
      await getCampaign(ctx, ranked.campaign);
      const csv = await csvExport(
        ctx,
        inOneSnapshot(ctx, (tx) => rankedRows(tx, ranked)),
        {
          ...query,
          filename: `prospects-${ranked.campaign}.csv`,
        },
      );
      return c.body(csv.body, 200, csv.headers) as never;
    },
  );
  return app;
}
