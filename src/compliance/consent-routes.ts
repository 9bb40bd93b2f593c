import { createRoute, z } from '@hono/zod-openapi';
import { SUPPRESSION_CHANNELS } from '../../db/schema';
import {
  conflictResponse,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  out,
  router,
  security,
} from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { getConsent, listConsents, recordConsent, withdrawConsent } from './consents';
import { ConsentInputSchema, ConsentSchema, instant } from './schemas';

/** Consents and the other legal bases, recorded with their proof and withdrawn with the proof of the withdrawal. */
export function consentRoutes() {
  const app = router();

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

  return app;
}
