import { createRoute, z } from '@hono/zod-openapi';
import { CHANNELS } from '../../db/schema';
import { errorResponses, IdParam, json, jsonBody, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { getOrganization } from '../orgs/service';
import { getContactPoint, listContactPoints, setContactPointStatus } from './contact-points';
import { ContactPointDetailSchema, ContactPointListItemSchema } from './schemas';

/** The contact points' routes: look them up, read one with the prospects that share it, mark it valid or not. */

const tags = ['Contact points'];

const ContactPointListQuery = z.object({
  ...pageQuery,
  channel: z.enum(CHANNELS).optional(),
  value: z
    .string()
    .max(320)
    .optional()
    .openapi({ description: 'A phone or e-mail in any form; looked up normalized' }),
  status: z.enum(['valid', 'invalid']).optional(),
});

export function contactPointRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-points',
      tags,
      security,
      summary: 'List or look up contact points',
      request: { query: ContactPointListQuery },
      responses: {
        200: json(pageSchema(ContactPointListItemSchema, 'ContactPointPage'), 'A page of contact points'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const org = await getOrganization(ctx.db, ctx.orgId);
      const result = await listContactPoints(ctx, c.req.valid('query'), org.defaultCountry);
      return c.json({ data: result.data.map(present), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-points/{id}',
      tags,
      security,
      summary: 'Get a contact point and the prospects that share it',
      request: { params: IdParam },
      responses: { 200: json(ContactPointDetailSchema, 'The contact point'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(present(await getContactPoint(ctx, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/contact-points/{id}',
      tags,
      security,
      summary: 'Mark a contact point valid or invalid',
      request: {
        params: IdParam,
        body: jsonBody(
          z.object({
            status: z.enum(['valid', 'invalid']),
            statusReason: z.string().max(300).nullable().optional(),
          }),
        ),
      },
      responses: { 200: json(ContactPointDetailSchema, 'The contact point'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(
        present(await setContactPointStatus(ctx, c.req.valid('param').id, c.req.valid('json'))),
        200,
      );
    },
  );

  return app;
}
