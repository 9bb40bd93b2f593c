import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, IdParam, json, jsonBody, out, router, security } from '../http/openapi';
import { authorize } from '../http/permissions';
import { eraseProspect, exportProspect, retentionCandidates } from './erasure';
import { loadPolicy } from './policy-store';

/**
 * A person's data under the GDPR: the export of everything held about them, and the people kept past
 * the retention period, listed and purged.
 */
export function erasureRoutes() {
  const app = router();

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
