import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Database } from '../db';
import type { AppEnv } from '../http/env';
import { fingerprint, idempotent } from '../http/idempotency';
import { errorResponses, json, operationIdOf, router, security } from '../http/openapi';
import { present } from '../http/present';
import { presentJob } from '../jobs/present';
import { JobSchema } from '../jobs/routes';
import { getJob } from '../jobs/service';
import { INTERACTION_FIELDS, PROSPECT_FIELDS } from './fields';
import { importOptionsSchema } from './options';
import { digestUpload, type ImportSettings, startImport } from './service';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.object({}).passthrough() } },
});

function fieldList(fields: Record<string, { description: string; headers: string[]; repeatable?: boolean }>) {
  return Object.entries(fields).map(([name, spec]) => ({
    field: name,
    description: spec.description,
    repeatable: spec.repeatable === true,
    headers: spec.headers,
  }));
}

export function importRoutes(database: Database, settings: ImportSettings, wake: () => void) {
  const app = router();

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/imports',
    operationId: operationIdOf('post', '/imports'),
    tags: ['Imports'],
    security,
    summary: 'Import a CSV file of prospects (with their companies) or of interactions',
    description: [
      'Send the file as the body (Content-Type: text/csv) with options in the query string, or as multipart/form-data with a file part and options as fields.',
      'Delimiter (; , tab |) and encoding (UTF-8 with or without BOM, Windows-1252 as French Excel writes it, UTF-16) are detected.',
      'Columns are mapped from French and English headers (see GET /v1/imports/fields) or by the mapping option.',
      `A file up to IMPORT_SYNC_MAX_BYTES is imported in the request (200); a larger one becomes a job (202, Location: /v1/jobs/{id}).`,
      'A row whose CRM id, e-mail or phone matches an existing prospect updates it. With Idempotency-Key, a repeated request imports nothing twice.',
    ].join('\n\n'),
    request: {
      query: importOptionsSchema,
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: {
        required: true,
        content: {
          'text/csv': {
            schema: z.string().openapi({
              example:
                'Raison sociale;SIRET;Prénom;Nom;Téléphone;E-mail\nACME;55208131766522;Anne;Martin;01 23 45 67 89;anne@acme.fr',
            }),
          },
          'multipart/form-data': {
            schema: z.object({ file: z.string().openapi({ format: 'binary' }) }).passthrough(),
          },
        },
      },
    },
    responses: {
      200: json(
        JobSchema,
        'Imported in the request: counts, mapped and ignored columns, rejected rows with their line',
      ),
      202: json(JobSchema, 'Queued as a job; follow GET /v1/jobs/{id}'),
      ...errorResponses,
      415: problem('Neither CSV nor multipart'),
      422: problem(
        'The file cannot be imported (empty, binary, unmapped) or, in atomic mode, some rows are invalid: errors[] lists each line',
      ),
    },
  });

  app.post('/imports', async (c: Context<AppEnv>) => {
    const ctx = c.get('ctx');
    const query = c.req.query();
    // The file is streamed, not held: its digest, taken as it arrives, completes the fingerprint once read.
    const outcome = await idempotent(
      ctx,
      c.req.header('idempotency-key'),
      {
        head: fingerprint(
          'POST /v1/imports',
          new URLSearchParams(query).toString(),
          // Without the multipart boundary, which a client draws anew for each try of the same upload.
          c.req.header('content-type')?.replace(/;\s*boundary=("[^"]*"|[^;]*)/i, ''),
        ),
        digest: () => digestUpload(settings, c.req.raw),
      },
      async (seal) => {
        const started = await startImport({ database, settings, wake }, ctx, c.req.raw, query, seal);
        return { status: started.status, body: { jobId: started.job.id } };
      },
    );
    const job = await getJob(ctx, (outcome.body as { jobId: string }).jobId);
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
    if (outcome.status === 202) c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(present(presentJob(job)), outcome.status as 200 | 202);
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports/fields',
      tags: ['Imports'],
      security,
      summary: 'The fields an import can fill, with the headers recognised for each',
      responses: {
        200: json(
          z.object({
            prospects: z.array(
              z.object({
                field: z.string(),
                description: z.string(),
                repeatable: z.boolean(),
                headers: z.array(z.string()),
              }),
            ),
            interactions: z.array(
              z.object({
                field: z.string(),
                description: z.string(),
                repeatable: z.boolean(),
                headers: z.array(z.string()),
              }),
            ),
          }),
          'Fields by target',
        ),
        ...errorResponses,
      },
    }),
    (c) =>
      c.json({ prospects: fieldList(PROSPECT_FIELDS), interactions: fieldList(INTERACTION_FIELDS) }, 200),
  );

  return app;
}
