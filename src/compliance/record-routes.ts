import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { REGISTRIES, SUPPRESSION_CHANNELS, SUPPRESSION_SCOPES } from '../../db/schema';
import type { AppEnv } from '../http/env';
import { AppError } from '../http/errors';
import {
  conflictResponse,
  errorResponses,
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
import { getConsent, listConsents, recordConsent, withdrawConsent } from './consents';
import { eraseProspect, exportProspect, retentionCandidates } from './erasure';
import { suppressionImportDefaults } from './import-options';
import { loadPolicy } from './policy-store';
import { getSnapshot, importRegistrySnapshot, isRegistry, registryStatus } from './registries';
import {
  ConsentInputSchema,
  ConsentSchema,
  instant,
  SnapshotSchema,
  SuppressionInputSchema,
  SuppressionSchema,
} from './schemas';
import {
  addSuppression,
  findSuppressions,
  getSuppression,
  importSuppressions,
  listSuppressions,
  removeSuppression,
} from './suppressions';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.object({}).passthrough() } },
});

const presentSuppression = <T extends { valueHash?: unknown }>(row: T) => {
  const { valueHash: _hash, ...rest } = present(row) as unknown as T;
  return rest;
};

const fileBody = (example: string) => ({
  required: true,
  content: {
    'text/csv': { schema: z.string().openapi({ example }) },
    'text/plain': { schema: z.string().openapi({ example }) },
    'multipart/form-data': {
      schema: z.object({ file: z.string().openapi({ format: 'binary' }) }).passthrough(),
    },
  },
});

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function recordRoutes(settings: { maxUploadBytes: number }) {
  const app = router();

  // Suppressions ---------------------------------------------------------------------------------

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

  // Registries ----------------------------------------------------------------------------------

  const RegistryStatusSchema = z
    .object({
      registry: z.enum(REGISTRIES),
      country: z.string(),
      maxAgeDays: z.number().int().nullable(),
      required: z.boolean(),
      current: SnapshotSchema.extend({ ageDays: z.number().int() }).nullable(),
      stale: z.boolean(),
      snapshots: z.array(SnapshotSchema),
    })
    .openapi('RegistryStatus');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/registries',
      tags: ['Registries'],
      security,
      summary:
        'The national do-not-call registries: the copy in force, its age and size, whether calls that need it are refused',
      responses: {
        200: json(z.object({ today: z.string(), registries: z.array(RegistryStatusSchema) }), 'Status'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const date = today();
      return c.json(
        out({
          today: date,
          registries: (await registryStatus(ctx, date)).map((r) => ({
            ...r,
            current: r.current && present(r.current),
            snapshots: r.snapshots.map(present),
          })),
        }),
        200,
      );
    },
  );

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/registries/{registry}/snapshots',
    operationId: operationIdOf('post', '/registries/{registry}/snapshots'),
    tags: ['Registries'],
    security,
    summary: 'Import a copy of a national registry (bloctel, tps, ctps, us-dnc, ca-dncl) as of a date',
    description: [
      'One number a line, or CSV (Telephone;Identifiant, the FTC’s area code and number pairs…), national or E.164 forms, streamed into the database.',
      'Lines that are not numbers are reported by line (the first 1,000) and the rest imported. The copy replaces older ones at once; a failed import leaves the previous one in force.',
    ].join('\n\n'),
    request: {
      params: z.object({ registry: z.enum(REGISTRIES) }),
      query: z.object({
        asOf: z.string().openapi({
          format: 'date',
          description: 'The date of the copy (YYYY-MM-DD); a multipart field works too',
        }),
      }),
      body: fileBody('Telephone;Identifiant\n0612345678;1\n'),
    },
    responses: {
      201: json(SnapshotSchema, 'Imported'),
      ...errorResponses,
      422: problem('No line of the file is a number'),
    },
  });
  app.post('/registries/:registry/snapshots', async (c: Context<AppEnv>) => {
    const ctx = c.get('ctx');
    authorize(ctx.actor.role, 'registries:write');
    const registry = c.req.param('registry') ?? '';
    if (!isRegistry(registry))
      throw new AppError('NOT_FOUND', `there is no registry "${registry}": use ${REGISTRIES.join(', ')}`);
    refuseUnknownParameters(Object.keys(c.req.queries()), ['asOf']);
    const asOf = c.req.query('asOf');
    const checkDate = (value: string | undefined, field: string) => {
      // 2026-02-30 parses (as 2 March): a date must read back as itself.
      const real = (v: string) =>
        !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().slice(0, 10) === v;
      if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !real(value) || value < '1971-01-01') {
        throw new AppError('VALIDATION', 'asOf must be the date of the copy, YYYY-MM-DD', {
          errors: [{ field, message: value ? `"${value}" is not a date` : 'required' }],
        });
      }
      if (Date.parse(value) > Date.now() + 86_400_000)
        throw new AppError('VALIDATION', 'asOf is in the future', {
          errors: [{ field, message: 'in the future' }],
        });
      return value;
    };
    const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/');
    if (!multipart || asOf !== undefined) checkDate(asOf, 'query:asOf');
    const snapshot = await importRegistrySnapshot(
      ctx,
      { registry, asOf: asOf ?? today() },
      async (upload) => {
        const received = await receiveUpload(c.req.raw, upload, { maxBytes: settings.maxUploadBytes });
        return {
          ...(received.filename ? { filename: received.filename } : {}),
          // Without asOf in the query, it is a multipart field, known once the file was read.
          ...(asOf === undefined ? { asOf: checkDate(received.fields.asOf, 'asOf') } : {}),
        };
      },
    );
    return c.json(present(snapshot), 201);
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/registries/{registry}/snapshots/{id}',
      tags: ['Registries'],
      security,
      summary: 'Get an imported copy with its rejected lines',
      request: { params: z.object({ registry: z.enum(REGISTRIES), id: z.string().uuid() }) },
      responses: { 200: json(SnapshotSchema, 'The copy'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const { registry, id } = c.req.valid('param');
      const snapshot = await getSnapshot(ctx, id);
      if (snapshot.registry !== registry) throw new AppError('NOT_FOUND', 'Registry snapshot was not found');
      return c.json(out(present(snapshot)), 200);
    },
  );

  // Consents ------------------------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'post',
      path: '/consents',
      tags: ['Consents'],
      security,
      summary: 'Record a consent or another legal basis, with its proof',
      request: { body: jsonBody(ConsentInputSchema) },
      responses: { 201: json(ConsentSchema, 'Recorded'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'consents:write');
      const body = c.req.valid('json');
      const consent = await recordConsent(ctx, {
        ...body,
        givenAt: body.givenAt ?? new Date(),
        expiresAt: body.expiresAt ?? null,
      });
      return c.json(out(present(consent)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/consents',
      tags: ['Consents'],
      security,
      summary: 'List consents, newest first',
      request: {
        query: z.object({
          ...pageQuery,
          prospectId: z.string().uuid().optional(),
          contactPointId: z.string().uuid().optional(),
          channel: z.enum(SUPPRESSION_CHANNELS).optional(),
          active: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
      },
      responses: {
        200: json(pageSchema(ConsentSchema, 'ConsentPage'), 'A page of consents'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const result = await listConsents(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(present), nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/consents/{id}',
      tags: ['Consents'],
      security,
      summary: 'Get a consent',
      request: { params: IdParam },
      responses: { 200: json(ConsentSchema, 'The consent'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      return c.json(out(present(await getConsent(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/consents/{id}/withdraw',
      tags: ['Consents'],
      security,
      summary: 'Withdraw a consent, with the proof of the withdrawal',
      request: {
        params: IdParam,
        body: jsonBody(
          z.object({ at: instant('at').optional(), proof: z.record(z.string(), z.unknown()).default({}) }),
        ),
      },
      responses: { 200: json(ConsentSchema, 'Withdrawn'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'consents:write');
      const body = c.req.valid('json');
      return c.json(
        out(
          present(
            await withdrawConsent(ctx, c.req.valid('param').id, {
              at: body.at ?? new Date(),
              proof: body.proof,
            }),
          ),
        ),
        200,
      );
    },
  );

  // Access, erasure, retention ------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects/{id}/export',
      tags: ['Prospects'],
      security,
      summary:
        'Everything held about a person (GDPR Art. 15): record, company, contact points, interactions, consents, attempts, suppressions, audit',
      request: { params: IdParam },
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The export'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:export');
      const id = c.req.valid('param').id;
      c.header('Content-Disposition', `attachment; filename="prospect-${id}.json"`);
      return c.json(out(await exportProspect(ctx, id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/retention',
      tags: ['Prospects'],
      security,
      summary: 'People with no contact for the retention period (policy retentionDays, 3 years by default)',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1000) }) },
      responses: {
        200: json(
          z.object({
            retentionDays: z.number().int(),
            cutoff: z.string(),
            count: z.number().int(),
            prospectIds: z.array(z.string()),
          }),
          'Candidates',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:export');
      const { policy } = await loadPolicy(ctx);
      const found = await retentionCandidates(
        ctx,
        policy.retentionDays,
        new Date(),
        c.req.valid('query').limit,
      );
      return c.json(
        out({
          retentionDays: policy.retentionDays,
          cutoff: found.cutoff,
          count: found.ids.length,
          prospectIds: found.ids,
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/retention/purge',
      tags: ['Prospects'],
      security,
      summary:
        'Delete the people past the retention period (up to `limit` per call); an audit entry per person',
      request: {
        body: jsonBody(
          z.object({
            limit: z.number().int().min(1).max(10_000).default(1000),
            dryRun: z.boolean().default(false),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({
            retentionDays: z.number().int(),
            cutoff: z.string(),
            purged: z.number().int(),
            prospectIds: z.array(z.string()),
            dryRun: z.boolean(),
          }),
          'Purged',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'retention:purge');
      const body = c.req.valid('json');
      const { policy } = await loadPolicy(ctx);
      const found = await retentionCandidates(ctx, policy.retentionDays, new Date(), body.limit);
      if (!body.dryRun) for (const id of found.ids) await eraseProspect(ctx, id, { suppress: false });
      return c.json(
        out({
          retentionDays: policy.retentionDays,
          cutoff: found.cutoff,
          purged: body.dryRun ? 0 : found.ids.length,
          prospectIds: found.ids,
          dryRun: body.dryRun,
        }),
        200,
      );
    },
  );

  return app;
}
