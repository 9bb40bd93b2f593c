import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { REGISTRIES } from '../../db/schema';
import type { AppEnv } from '../http/env';
import { AppError } from '../http/errors';
import { errorResponses, fileBody, json, operationIdOf, out, router, security } from '../http/openapi';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { refuseUnknownParameters } from '../http/query-keys';
import { receiveUpload } from '../imports/upload';
import { getSnapshot, importRegistrySnapshot, isRegistry, registryStatus } from './registries';
import { SnapshotSchema } from './schemas';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.object({}).passthrough() } },
});

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The national do-not-call registries: the copy of each in force, and new copies imported from a file. */
export function registryRoutes(settings: { maxUploadBytes: number }) {
  const app = router();

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

  return app;
}
