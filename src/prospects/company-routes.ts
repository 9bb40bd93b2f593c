import { createRoute, z } from '@hono/zod-openapi';
import {
  conflictResponse,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  noContent,
  router,
  security,
} from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { createCompany, deleteCompany, getCompany, listCompanies, updateCompany } from './companies';
import {
  CompanyInputSchema,
  CompanyPatchSchema,
  CompanySchema,
  CountryCodeInput,
  IndustrySchemeInput,
} from './schemas';

/** The companies' routes: list, create, read, change and delete a company. */

const tags = ['Companies'];

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

export function companyRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/companies',
      tags,
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
      tags,
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
      tags,
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
      tags,
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
      tags,
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
  return app;
}
