import { createRoute, z } from '@hono/zod-openapi';
import { CHANNELS } from '../../db/schema';
import { eraseProspect } from '../compliance/erasure';
import { ErasureSchema } from '../compliance/schemas';
import { invalid } from '../http/errors';
import { instant } from '../http/instant';
import { conflictResponse, errorResponses, IdParam, json, jsonBody, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { getOrganization } from '../orgs/service';
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
import { createCompany, deleteCompany, getCompany, listCompanies, updateCompany } from './companies';
import {
  detachContactPoint,
  getContactPoint,
  listContactPoints,
  setContactPointStatus,
} from './contact-points';
import {
  addContactPoint,
  createProspect,
  deleteProspect,
  getProspectDetail,
  listProspects,
  updateProspect,
} from './prospects';
import {
  CompanyInputSchema,
  CompanyPatchSchema,
  CompanySchema,
  ContactPointDetailSchema,
  ContactPointInputSchema,
  ContactPointListItemSchema,
  CountryCodeInput,
  IndustrySchemeInput,
  ProspectDetailSchema,
  ProspectInputSchema,
  ProspectListItemSchema,
  ProspectPatchSchema,
} from './schemas';

const tags = (name: string) => [name];
const noContent = { 204: { description: 'Done' } };

/** A prospect with what it is shown with, nested rows stripped like top-level ones. */
function presentDetail(detail: Awaited<ReturnType<typeof getProspectDetail>>) {
  return present({
    ...detail,
    company: detail.company ? present(detail.company) : null,
    latestInteractions: detail.latestInteractions.map(present),
  });
}

const CompanyListQuery = z.object({
  ...pageQuery,
  q: z.string().max(200).optional().openapi({
    description: 'Part of the name, accents and case aside',
  }),
  country: CountryCodeInput.optional().openapi({
    description: 'ISO 3166-1 alpha-2 code (UK is refused, with a hint for GB)',
  }),
  industry: z.string().max(20).optional().openapi({ description: 'Industry code prefix, e.g. 46.6 or 5415' }),
  industryScheme: IndustrySchemeInput.optional().openapi({ description: 'NAF (with NACE), NAICS or SIC' }),
  registrationId: z.string().max(50).optional(),
  domain: z.string().max(300).optional(),
});

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
      throw invalid('sorting by score needs a campaign', [{ field: 'sort', message: 'give campaign=<id>' }]);
    if (scoreOnly.length > 0)
      throw invalid('score and segment filters need a campaign', [
        { field: scoreOnly[0]!, message: 'give campaign=<id>' },
      ]);
    return undefined;
  }
  if (query.sort === '-id')
    throw invalid('a campaign list is sorted by score or rank', [
      { field: 'sort', message: 'use -score, score or -rank' },
    ]);
  if (query.updatedSince || query.externalId)
    throw invalid('this filter does not apply to a campaign list', [
      { field: query.updatedSince ? 'updatedSince' : 'externalId', message: 'not with campaign' },
    ]);
  return { ...criteriaOf(query), campaign: query.campaign, sort: query.sort ?? '-score' };
}

const ContactPointListQuery = z.object({
  ...pageQuery,
  channel: z.enum(CHANNELS).optional(),
  value: z
    .string()
    .max(320)
    .optional()
    .openapi({ description: 'A phone or e-mail in any form; looked up normalized' }),
  status: z.enum(['valid', 'invalid']).optional(),
});

const ProspectContactPointParams = z.object({
  id: IdParam.shape.id,
  contactPointId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'contactPointId', in: 'path' } }),
});

export function prospectRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/companies',
      tags: tags('Companies'),
      security,
      summary: 'List companies',
      request: { query: CompanyListQuery },
      responses: {
        200: json(pageSchema(CompanySchema, 'CompanyPage'), 'A page of companies'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const result = await listCompanies(ctx, c.req.valid('query'));
      return c.json({ data: result.data.map(present), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/companies',
      tags: tags('Companies'),
      security,
      summary: 'Create a company',
      request: { body: jsonBody(CompanyInputSchema) },
      responses: { 201: json(CompanySchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(present(await createCompany(ctx, c.req.valid('json'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/companies/{id}',
      tags: tags('Companies'),
      security,
      summary: 'Get a company',
      request: { params: IdParam },
      responses: { 200: json(CompanySchema, 'The company'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(present(await getCompany(ctx, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/companies/{id}',
      tags: tags('Companies'),
      security,
      summary: 'Change a company (null clears a field)',
      request: { params: IdParam, body: jsonBody(CompanyPatchSchema) },
      responses: { 200: json(CompanySchema, 'The company'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(present(await updateCompany(ctx, c.req.valid('param').id, c.req.valid('json'))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/companies/{id}',
      tags: tags('Companies'),
      security,
      summary: 'Delete a company (its people stay, without company)',
      request: { params: IdParam },
      responses: { ...noContent, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      await deleteCompany(ctx, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects',
      tags: tags('Prospects'),
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
      tags: tags('Prospects'),
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

  app.openapi(
    createRoute({
      method: 'post',
      path: '/prospects',
      tags: tags('Prospects'),
      security,
      summary: 'Create a prospect with contact points',
      description:
        "Phones are normalized to E.164 (national forms read with the prospect's, else the company's, else the organization's country), e-mails are lower-cased. A number or address that already exists is shared, not duplicated.",
      request: { body: jsonBody(ProspectInputSchema) },
      responses: { 201: json(ProspectDetailSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(presentDetail(await createProspect(ctx, c.req.valid('json'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects/{id}',
      tags: tags('Prospects'),
      security,
      summary: 'Get a prospect with company, contact points and latest interactions',
      request: { params: IdParam },
      responses: { 200: json(ProspectDetailSchema, 'The prospect'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const detail = await getProspectDetail(ctx, c.req.valid('param').id);
      return c.json(presentDetail(detail), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/prospects/{id}',
      tags: tags('Prospects'),
      security,
      summary: 'Change a prospect (null clears a field)',
      request: { params: IdParam, body: jsonBody(ProspectPatchSchema) },
      responses: { 200: json(ProspectDetailSchema, 'The prospect'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const detail = await updateProspect(ctx, c.req.valid('param').id, c.req.valid('json'));
      return c.json(presentDetail(detail), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/prospects/{id}',
      tags: tags('Prospects'),
      security,
      summary: 'Delete a prospect and their interactions; with erase=true, erase the person (GDPR Art. 17)',
      description:
        'erase=true (admins): removes the person everywhere (record, contact points no one else holds, interactions and their notes, consents, rejected import lines) and keeps their numbers, addresses and CRM id only as keyed hashes on the do-not-contact list, so that a later import cannot bring them back into reach; answers 200 with what was removed.',
      request: {
        params: IdParam,
        query: z.object({
          erase: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
      },
      responses: { ...noContent, 200: json(ErasureSchema, 'Erased'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      const id = c.req.valid('param').id;
      if (c.req.valid('query').erase) {
        authorize(ctx.actor.role, 'prospects:erase');
        return c.json(await eraseProspect(ctx, id, { suppress: true }), 200);
      }
      authorize(ctx.actor.role, 'prospects:write');
      await deleteProspect(ctx, id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/prospects/{id}/contact-points',
      tags: tags('Prospects'),
      security,
      summary: 'Add a phone or e-mail to a prospect',
      request: { params: IdParam, body: jsonBody(ContactPointInputSchema) },
      responses: {
        201: json(ProspectDetailSchema, 'The prospect with the new contact point'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const detail = await addContactPoint(ctx, c.req.valid('param').id, c.req.valid('json'));
      return c.json(presentDetail(detail), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/prospects/{id}/contact-points/{contactPointId}',
      tags: tags('Prospects'),
      security,
      summary: 'Remove a phone or e-mail from a prospect',
      request: { params: ProspectContactPointParams },
      responses: { ...noContent, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const { id, contactPointId } = c.req.valid('param');
      await detachContactPoint(ctx, id, contactPointId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-points',
      tags: tags('Contact points'),
      security,
      summary: 'List or look up contact points',
      request: { query: ContactPointListQuery },
      responses: {
        200: json(pageSchema(ContactPointListItemSchema, 'ContactPointPage'), 'A page of contact points'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const org = await getOrganization(ctx.db, ctx.orgId);
      const result = await listContactPoints(ctx, c.req.valid('query'), org.defaultCountry);
      return c.json({ data: result.data.map(present), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-points/{id}',
      tags: tags('Contact points'),
      security,
      summary: 'Get a contact point and the prospects that share it',
      request: { params: IdParam },
      responses: { 200: json(ContactPointDetailSchema, 'The contact point'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(present(await getContactPoint(ctx, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/contact-points/{id}',
      tags: tags('Contact points'),
      security,
      summary: 'Mark a contact point valid or invalid',
      request: {
        params: IdParam,
        body: jsonBody(
          z.object({
            status: z.enum(['valid', 'invalid']),
            statusReason: z.string().max(300).nullable().optional(),
          }),
        ),
      },
      responses: { 200: json(ContactPointDetailSchema, 'The contact point'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(
        present(await setContactPointStatus(ctx, c.req.valid('param').id, c.req.valid('json'))),
        200,
      );
    },
  );

  return app;
}
