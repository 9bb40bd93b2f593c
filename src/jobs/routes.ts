import { createRoute, z } from '@hono/zod-openapi';
import { JOB_STATUSES } from '../../db/schema';
import { errorResponses, IdParam, json, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { csvLine } from '../lib/csv-out';
import { presentJob } from './present';
import type { JobRunner } from './runner';
import { getJob, listJobs, listRejections } from './service';

const tags = ['Jobs'];

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ example: 'import' }),
    status: z.enum(JOB_STATUSES),
    params: z.record(z.string(), z.unknown()),
    progress: z.object({
      phase: z.enum(['validating', 'writing']).optional(),
      rowsDone: z.number(),
      rowsTotal: z.number().nullable().openapi({ description: 'Known once the whole file has been read' }),
      bytesDone: z.number(),
      bytesTotal: z.number().nullable(),
      percent: z.number().nullable(),
    }),
    result: z.record(z.string(), z.unknown()).openapi({
      description: 'For an import: counts, mapped and ignored columns, the first rejected rows and warnings',
    }),
    error: z.object({ code: z.string(), message: z.string() }).passthrough().nullable(),
    attempts: z.number(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    links: z.record(z.string(), z.string()),
  })
  .openapi('Job');

const RejectionSchema = z
  .object({
    line: z.number().int(),
    field: z.string().nullable(),
    message: z.string().openapi({ example: 'line 17: phone "+33 1 23" is not a valid number for FR' }),
    raw: z.array(z.string()).nullable().openapi({ description: 'The row as it was in the file' }),
  })
  .openapi('Rejection');

export function jobRoutes(runner: JobRunner | undefined) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/jobs',
      tags,
      security,
      summary: 'List jobs (imports…), newest first',
      request: {
        query: z.object({
          ...pageQuery,
          kind: z.string().max(50).optional(),
          status: z.enum(JOB_STATUSES).optional(),
        }),
      },
      responses: { 200: json(pageSchema(JobSchema, 'JobPage'), 'A page of jobs'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'jobs:read');
      const result = await listJobs(ctx, c.req.valid('query'));
      return c.json(
        {
          data: result.data.map((job) => present(presentJob(job, runner?.progressOf(job.id)))),
          nextCursor: result.nextCursor,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/jobs/{id}',
      tags,
      security,
      summary: 'A job with its progress and result',
      request: { params: IdParam },
      responses: { 200: json(JobSchema, 'The job'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'jobs:read');
      const job = await getJob(ctx, c.req.valid('param').id);
      return c.json(present(presentJob(job, runner?.progressOf(job.id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/jobs/{id}/rejections',
      tags,
      security,
      summary: 'Every rejected row of an import, with its reason and content',
      description:
        'JSON by default; with Accept: text/csv, the rejected rows as CSV with a first column giving the reason, ready to be fixed and sent again.',
      request: {
        params: IdParam,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(10_000).default(500),
          cursor: z.string().regex(/^\d+$/).optional(),
        }),
      },
      responses: {
        200: {
          description: 'The rejected rows',
          content: {
            'application/json': { schema: pageSchema(RejectionSchema, 'RejectionPage') },
            'text/csv': { schema: z.string() },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'jobs:read');
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      if ((c.req.header('accept') ?? '').includes('text/csv')) {
        const job = await getJob(ctx, id);
        const columns = (job.result as { header?: string[] }).header ?? [];
        const page = await listRejections(ctx, id, { limit: 100_000 });
        const lines = [['error', ...columns], ...page.data.map((r) => [r.message, ...(r.raw ?? [])])];
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="rejections-${id}.csv"`);
        const text = lines.map((l) => csvLine(l, { delimiter: ';' })).join('\r\n');
        return c.body(`\ufeff${text}\r\n`, 200) as never;
      }
      return c.json(
        await listRejections(ctx, id, { limit, ...(cursor ? { afterLine: Number(cursor) } : {}) }),
        200,
      );
    },
  );

  return app;
}
