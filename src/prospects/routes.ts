import { createRoute, z } from '@hono/zod-openapi';
import { eraseProspect } from '../compliance/erasure';
import { ErasureSchema } from '../compliance/schemas';
import {
  conflictResponse,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  noContent,
  router,
  security,
} from '../http/openapi';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { detachContactPoint } from './contact-points';
import { getProspectDetail } from './prospect-detail';
import { addContactPoint, createProspect, deleteProspect, updateProspect } from './prospects';
import {
  ContactPointInputSchema,
  ProspectDetailSchema,
  ProspectInputSchema,
  ProspectPatchSchema,
} from './schemas';

/** One prospect's routes: create, read, change, delete or erase them, and add or remove their phones and e-mails. */

const tags = ['Prospects'];

/** A prospect with what it is shown with, nested rows stripped like top-level ones. */
function presentDetail(detail: Awaited<ReturnType<typeof getProspectDetail>>) {
  return present({
    ...detail,
    company: detail.company ? present(detail.company) : null,
    latestInteractions: detail.latestInteractions.map(present),
  });
}

const ProspectContactPointParams = z.object({
  id: IdParam.shape.id,
  contactPointId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'contactPointId', in: 'path' } }),
});

export function prospectRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/prospects',
      tags,
      security,
      summary: 'Create a prospect with contact points',
      description:
        "Phones are normalized to E.164 (national forms read with the prospect's, else the company's, else the organization's country), e-mails are lower-cased. A number or address that already exists is shared, not duplicated.",
      request: { body: jsonBody(ProspectInputSchema) },
      responses: { 201: json(ProspectDetailSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      return c.json(presentDetail(await createProspect(ctx, c.req.valid('json'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prospects/{id}',
      tags,
      security,
      summary: 'Get a prospect with company, contact points and latest interactions',
      request: { params: IdParam },
      responses: { 200: json(ProspectDetailSchema, 'The prospect'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const detail = await getProspectDetail(ctx, c.req.valid('param').id);
      return c.json(presentDetail(detail), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/prospects/{id}',
      tags,
      security,
      summary: 'Change a prospect (null clears a field)',
      request: { params: IdParam, body: jsonBody(ProspectPatchSchema) },
      responses: { 200: json(ProspectDetailSchema, 'The prospect'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const detail = await updateProspect(ctx, c.req.valid('param').id, c.req.valid('json'));
      return c.json(presentDetail(detail), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/prospects/{id}',
      tags,
      security,
      summary: 'Delete a prospect and their interactions; with erase=true, erase the person (GDPR Art. 17)',
      description:
        'erase=true (admins): removes the person everywhere (record, contact points no one else holds, interactions and their notes, consents, rejected import lines) and keeps their numbers, addresses and CRM id only as keyed hashes on the do-not-contact list, so that a later import cannot bring them back into reach; answers 200 with what was removed.',
      request: {
        params: IdParam,
        query: z.object({
          erase: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
      },
      responses: { ...noContent, 200: json(ErasureSchema, 'Erased'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      const id = c.req.valid('param').id;
      if (c.req.valid('query').erase) {
        authorize(ctx.actor.role, 'prospects:erase');
        return c.json(await eraseProspect(ctx, id, { suppress: true }), 200);
      }
      authorize(ctx.actor.role, 'prospects:write');
      await deleteProspect(ctx, id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/prospects/{id}/contact-points',
      tags,
      security,
      summary: 'Add a phone or e-mail to a prospect',
      request: { params: IdParam, body: jsonBody(ContactPointInputSchema) },
      responses: {
        201: json(ProspectDetailSchema, 'The prospect with the new contact point'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const detail = await addContactPoint(ctx, c.req.valid('param').id, c.req.valid('json'));
      return c.json(presentDetail(detail), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/prospects/{id}/contact-points/{contactPointId}',
      tags,
      security,
      summary: 'Remove a phone or e-mail from a prospect',
      request: { params: ProspectContactPointParams },
      responses: { ...noContent, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:write');
      const { id, contactPointId } = c.req.valid('param');
      await detachContactPoint(ctx, id, contactPointId);
      return c.body(null, 204);
    },
  );
  return app;
}
