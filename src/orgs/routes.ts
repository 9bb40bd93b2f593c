import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { organizations, ROLES } from '../../db/schema';
import { invalid } from '../http/errors';
import { errorResponses, IdParam, json, jsonBody, router, security } from '../http/openapi';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { normalizeCountry } from '../prospects/locale';
import { createApiKey, getOrganization, listApiKeys, revokeApiKey } from './service';

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    prefix: z
      .string()
      .openapi({ description: 'The start of the key, to recognise it', example: 'tdk_Qm9uam91' }),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

const CreatedKeySchema = z
  .object({
    key: z.string().openapi({ description: 'The key itself: shown this once, never again' }),
    apiKey: ApiKeySchema,
  })
  .openapi('CreatedApiKey');

const OrganizationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    defaultCountry: z.string(),
    defaultLanguage: z.string(),
    createdAt: z.string(),
  })
  .openapi('Organization');

export function orgRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organization',
      tags: ['Organization'],
      security,
      summary: 'The organization of the key',
      responses: { 200: json(OrganizationSchema, 'The organization'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'org:read');
      return c.json(present(await getOrganization(ctx.db, ctx.orgId)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organization',
      tags: ['Organization'],
      security,
      summary: 'Rename the organization or change its default country and language',
      request: {
        body: jsonBody(
          z.object({
            name: z.string().trim().min(1).max(200).optional(),
            defaultCountry: z.string().optional(),
            defaultLanguage: z
              .string()
              .regex(/^[a-z]{2}$/)
              .optional(),
          }),
        ),
      },
      responses: { 200: json(OrganizationSchema, 'The organization'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'org:write');
      const input = c.req.valid('json');
      const country = input.defaultCountry === undefined ? undefined : normalizeCountry(input.defaultCountry);
      if (input.defaultCountry !== undefined && !country)
        throw invalid('not a country', [
          { field: 'defaultCountry', message: `"${input.defaultCountry}" is not a country` },
        ]);
      const [row] = await ctx.db
        .update(organizations)
        .set({
          ...(input.name ? { name: input.name } : {}),
          ...(country ? { defaultCountry: country } : {}),
          ...(input.defaultLanguage ? { defaultLanguage: input.defaultLanguage } : {}),
        })
        .where(eq(organizations.id, ctx.orgId))
        .returning();
      return c.json(present(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      tags: ['API keys'],
      security,
      summary: 'List the keys of the organization (admin)',
      request: { query: z.object({ includeRevoked: z.enum(['true', 'false']).optional() }) },
      responses: {
        200: json(z.object({ data: z.array(ApiKeySchema) }), 'The keys, by prefix'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'keys:manage');
      const keys = await listApiKeys(ctx, { includeRevoked: c.req.valid('query').includeRevoked === 'true' });
      return c.json({ data: keys.map(present) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      tags: ['API keys'],
      security,
      summary: 'Create a key for a teammate (admin); the key is shown once',
      request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(100), role: z.enum(ROLES) })) },
      responses: { 201: json(CreatedKeySchema, 'The new key'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'keys:manage');
      const created = await createApiKey(ctx.db, ctx.orgId, c.req.valid('json'), ctx.actor.keyId);
      return c.json({ key: created.key, apiKey: present(created.apiKey) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      tags: ['API keys'],
      security,
      summary: 'Revoke a key (admin); it stops working at once',
      request: { params: IdParam },
      responses: { 200: json(ApiKeySchema, 'The revoked key'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'keys:manage');
      return c.json(present(await revokeApiKey(ctx, c.req.valid('param').id, { keepAnAdmin: true })), 200);
    },
  );

  return app;
}
