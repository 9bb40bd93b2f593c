import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SUPPRESSION_CHANNELS, SUPPRESSION_SCOPES } from '../../db/schema';
import type { AppEnv } from '../http/env';
import {
  conflictResponse,
  errorResponses,
  fileBody,
  IdParam,
  json,
  jsonBody,
  operationIdOf,
  out,
  router,
  security,
} from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { refuseUnknownParameters } from '../http/query-keys';
import { receiveUpload } from '../imports/upload';
import { getOrganization } from '../orgs/service';
import { suppressionImportDefaults } from './import-options';
import { SuppressionInputSchema, SuppressionSchema } from './schemas';
import { importSuppressions } from './suppression-import';
import {
  addSuppression,
  findSuppressions,
  getSuppression,
  listSuppressions,
  removeSuppression,
} from './suppressions';

const presentSuppression = <T extends { valueHash?: unknown }>(row: T) => {
  const { valueHash: _hash, ...rest } = present(row) as unknown as T;
  return rest;
};

/**
 * The do-not-contact list: entries added one by one or imported from a file, looked up by value, and
 * taken off by an admin.
 */
export function suppressionRoutes(settings: { maxUploadBytes: number }) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/suppressions',
      tags: ['Suppressions'],
      security,
      summary:
        'Add to the do-not-contact list: a number or address, a person, a company, an e-mail domain or a CRM id',
      description:
        'Effective at once. The value is stored as a keyed hash of its normalized form: an import of the same number later is still refused. Adding an entry that exists returns it (200).',
      request: { body: jsonBody(SuppressionInputSchema) },
      responses: {
        201: json(SuppressionSchema, 'Added'),
        200: json(SuppressionSchema, 'Already on the list'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'suppressions:write');
      const org = await getOrganization(ctx.db, ctx.orgId);
      const { suppression, created } = await addSuppression(ctx, c.req.valid('json'), org.defaultCountry);
      return c.json(out(presentSuppression(suppression)), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions',
      tags: ['Suppressions'],
      security,
      summary: 'List the do-not-contact entries, newest first',
      request: {
        query: z.object({
          ...pageQuery,
          scope: z.enum(SUPPRESSION_SCOPES).optional(),
          channel: z.enum(SUPPRESSION_CHANNELS).optional(),
          reason: z.string().max(500).optional(),
          includeRemoved: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
      },
      responses: {
        200: json(pageSchema(SuppressionSchema, 'SuppressionPage'), 'A page of entries'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const result = await listSuppressions(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(presentSuppression), nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions/check',
      tags: ['Suppressions'],
      security,
      summary: 'Is this number, address, domain or CRM id on the do-not-contact list?',
      request: { query: z.object({ value: z.string().min(1).max(320) }) },
      responses: {
        200: json(
          z.object({ suppressed: z.boolean(), entries: z.array(SuppressionSchema) }),
          'The matching entries',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const org = await getOrganization(ctx.db, ctx.orgId);
      const entries = await findSuppressions(ctx, c.req.valid('query').value, org.defaultCountry);
      return c.json(out({ suppressed: entries.length > 0, entries: entries.map(presentSuppression) }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions/{id}',
      tags: ['Suppressions'],
      security,
      summary: 'Get an entry',
      request: { params: IdParam },
      responses: { 200: json(SuppressionSchema, 'The entry'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      return c.json(out(presentSuppression(await getSuppression(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/suppressions/{id}',
      tags: ['Suppressions'],
      security,
      summary: 'Take an entry off the list (admins only, with a reason); the record stays, marked removed',
      description: 'Entries kept after an erasure cannot be removed (409).',
      request: { params: IdParam, body: jsonBody(z.object({ reason: z.string().min(3).max(500) })) },
      responses: { 200: json(SuppressionSchema, 'Removed'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'suppressions:remove');
      const removed = await removeSuppression(ctx, c.req.valid('param').id, c.req.valid('json').reason);
      return c.json(out(presentSuppression(removed)), 200);
    },
  );

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/suppressions/import',
    operationId: operationIdOf('post', '/suppressions/import'),
    tags: ['Suppressions'],
    security,
    summary: 'Import a do-not-contact list from CSV',
    description:
      'A column with the number, address or domain (value, phone, téléphone, email, domain…) and optionally channel, reason, source; or one value a line. Query or multipart fields: channel (default all), reason, source for lines that do not say (given both ways, they must agree; an unknown field is refused). Bad lines are reported by line; the rest is imported.',
    request: {
      query: z.object({
        channel: z.enum(SUPPRESSION_CHANNELS).optional(),
        reason: z.string().optional(),
        source: z.string().optional(),
      }),
      body: fileBody('telephone;reason\n06 12 34 56 78;asked by phone\n'),
    },
    responses: {
      200: json(
        z.object({
          created: z.number().int(),
          existing: z.number().int(),
          rejected: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })),
        }),
        'Imported',
      ),
      ...errorResponses,
    },
  });
  app.post('/suppressions/import', async (c: Context<AppEnv>) => {
    const ctx = c.get('ctx');
    authorize(ctx.actor.role, 'suppressions:import');
    const query = c.req.query();
    refuseUnknownParameters(Object.keys(query), ['channel', 'reason', 'source']);
    // Checked before the file is read when the query alone says it; the form's fields come with the file.
    suppressionImportDefaults(query, {});
    const chunks: Uint8Array[] = [];
    const received = await receiveUpload(
      c.req.raw,
      { write: async (chunk) => void chunks.push(chunk) },
      { maxBytes: Math.min(settings.maxUploadBytes, 200 * 1024 * 1024) },
    );
    const org = await getOrganization(ctx.db, ctx.orgId);
    const result = await importSuppressions(
      ctx,
      (async function* () {
        yield* chunks;
      })(),
      {
        encoding: received.census.verdict(),
        defaults: suppressionImportDefaults(query, received.fields, received.filename),
        defaultCountry: org.defaultCountry,
      },
    );
    return c.json(result, 200);
  });

  return app;
}
