import { createRoute, z } from '@hono/zod-openapi';
import { INTERACTION_CHANNELS, INTERACTION_TYPES } from '../../db/schema';
import { notFound } from '../http/errors';
import { fingerprint, idempotent } from '../http/idempotency';
import { instant } from '../http/instant';
import {
  errorResponses,
  IdParam,
  json,
  jsonBody,
  router,
  security,
  unprocessableResponse,
} from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { InteractionSchema } from '../prospects/schemas';
import { getInteraction, listInteractions, recordInteractions } from './service';
import { channelConflict, FUTURE_TOLERANCE_MS, INTERACTION_TEXT_LIMITS } from './types';

const tags = ['Interactions'];

const InteractionInputSchema = z
  .strictObject({
    prospectId: z.string().uuid(),
    contactPointId: z.string().uuid().optional(),
    type: z.enum(INTERACTION_TYPES),
    channel: z.enum(INTERACTION_CHANNELS).optional().openapi({
      description:
        "Follows from the type when absent; must be the type's own when it has one (email for email_*)",
    }),
    occurredAt: instant()
      .refine((date) => date.getTime() <= Date.now() + FUTURE_TOLERANCE_MS, {
        error: 'is more than a day in the future',
      })
      .optional()
      .openapi({
        type: 'string',
        format: 'date-time',
        description: 'With Z or an offset, e.g. 2026-11-20T09:00:00+01:00. Default: now',
      }),
    outcome: z
      .string()
      .trim()
      .max(INTERACTION_TEXT_LIMITS.outcome)
      .optional()
      .openapi({ example: 'no_answer' }),
    campaign: z.string().trim().max(INTERACTION_TEXT_LIMITS.campaign).optional(),
    note: z
      .string()
      .max(INTERACTION_TEXT_LIMITS.note)
      .optional()
      .openapi({ description: 'Free text about the person: erased with them' }),
    metadata: z.record(z.string(), z.unknown()).optional(),
    externalId: z.string().trim().min(1).max(INTERACTION_TEXT_LIMITS.externalId).optional().openapi({
      description:
        "The event's id in its source: sent twice, recorded once. Without occurredAt, once per type and person, and an event recorded without it is the same one when sent again with its time",
    }),
  })
  .superRefine((input, ctx) => {
    const conflict = input.channel && channelConflict(input.type, input.channel);
    if (conflict) ctx.addIssue({ code: 'custom', path: ['channel'], message: conflict });
  })
  .openapi('InteractionInput');

const InteractionBatchSchema = z.union([
  InteractionInputSchema,
  z.strictObject({ items: z.array(InteractionInputSchema).min(1).max(1000) }),
]);

const ListQuery = z.object({
  ...pageQuery,
  prospectId: z.string().uuid().optional(),
  type: z.enum(INTERACTION_TYPES).optional(),
  channel: z.enum(INTERACTION_CHANNELS).optional(),
  campaign: z.string().max(200).optional(),
  since: instant().optional().openapi({ type: 'string', format: 'date-time' }),
  until: instant().optional().openapi({ type: 'string', format: 'date-time' }),
});

const RecordedSchema = z
  .object({
    created: z.array(InteractionSchema),
    duplicates: z
      .number()
      .int()
      .openapi({ description: 'Events left out because their externalId was already recorded' }),
  })
  .openapi('RecordedInteractions');

export function interactionRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/interactions',
      tags,
      security,
      summary: 'Record one event, or a batch of up to 1,000 as { items: [...] }',
      description:
        'The log is append-only. A batch is recorded all or nothing. With an Idempotency-Key header, a repeated request records nothing twice.',
      request: {
        body: jsonBody(InteractionBatchSchema),
        headers: z.object({ 'idempotency-key': z.string().optional() }),
      },
      responses: { 201: json(RecordedSchema, 'Recorded'), ...errorResponses, ...unprocessableResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'interactions:write');
      const body = c.req.valid('json');
      const single = !('items' in body);
      const items = 'items' in body ? body.items : [body];
      const now = new Date();
      const outcome = await idempotent(
        ctx,
        c.req.header('idempotency-key'),
        fingerprint('POST /v1/interactions', JSON.stringify(body)),
        async () => {
          const recorded = await recordInteractions(ctx, items, single ? '' : 'items', now);
          return {
            status: 201,
            body: { created: recorded.created.map(present), duplicates: recorded.duplicates },
          };
        },
      );
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.body as z.infer<typeof RecordedSchema>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/interactions',
      tags,
      security,
      summary: 'List events, newest recorded first',
      request: { query: ListQuery },
      responses: {
        200: json(pageSchema(InteractionSchema, 'InteractionPage'), 'A page of events'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'interactions:read');
      const result = await listInteractions(ctx, c.req.valid('query'));
      return c.json({ data: result.data.map(present), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/interactions/{id}',
      tags,
      security,
      summary: 'Get an event',
      request: { params: IdParam },
      responses: { 200: json(InteractionSchema, 'The event'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'interactions:read');
      const row = await getInteraction(ctx, c.req.valid('param').id);
      if (!row) throw notFound('Interaction');
      return c.json(present(row), 200);
    },
  );

  return app;
}
