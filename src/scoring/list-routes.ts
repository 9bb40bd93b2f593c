import { createRoute, z } from '@hono/zod-openapi';
import { LIST_STATUSES } from '../../db/schema';
import { errorResponses, IdParam, json, jsonBody, out, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { ProspectListItemSchema } from '../prospects/schemas';
import { csvExport, csvResponse, exportOptions, inOneSnapshot } from './export';
import {
  approveList,
  createList,
  deleteList,
  getList,
  ListInputSchema,
  listLists,
  listMembers,
  listRows,
  removeMember,
} from './lists';
import { presentScore } from './ranked';
import { StoredScoreSchema } from './score-schema';

const ListSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    name: z.string(),
    criteria: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The filters it was made with, as POST /v1/lists takes them' }),
    sort: z.string().optional(),
    limit: z.number().int().optional(),
    status: z.enum(LIST_STATUSES),
    size: z.number().int(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
  })
  .openapi('ProspectList');

const MemberSchema = z
  .object({
    position: z.number().int(),
    listed: z.object({ score: z.number().int(), rank: z.number().int() }).openapi({
      description: 'The score and rank the prospect had when the list was made',
    }),
    prospect: ProspectListItemSchema,
    score: StoredScoreSchema,
  })
  .openapi('ListMember');

/** A saved list with its filters apart from its order and size, so that they can be sent again as they are. */
const presentList = <T extends { criteria: unknown }>(row: T) => {
  const { criteria, ...rest } = present(row) as unknown as T;
  const { sort, limit, ...filters } = criteria as Record<string, unknown>;
  return { ...rest, criteria: filters, sort, limit };
};

/**
 * Saved lists of a campaign's prospects: a manager freezes a ranked selection, trims it, approves it for
 * calling, and exports it.
 */
export function listRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/lists',
      tags: ['Lists'],
      security,
      summary:
        "Save a list of a campaign's prospects picked by score filters, frozen in its order, as a draft",
      request: { body: jsonBody(ListInputSchema) },
      responses: { 201: json(ListSchema, 'The draft list'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'lists:write');
      return c.json(out(presentList(await createList(ctx, c.req.valid('json')))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists',
      tags: ['Lists'],
      security,
      summary: 'Saved lists, newest first',
      request: {
        query: z.object({
          ...pageQuery,
          campaignId: z.string().uuid().optional(),
          status: z.enum(LIST_STATUSES).optional(),
        }),
      },
      responses: { 200: json(pageSchema(ListSchema, 'ListPage'), 'A page of lists'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const result = await listLists(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(presentList), nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists/{id}',
      tags: ['Lists'],
      security,
      summary: 'A saved list: its criteria, size, status and who approved it when',
      request: { params: IdParam },
      responses: { 200: json(ListSchema, 'The list'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(out(presentList(await getList(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists/{id}/members',
      tags: ['Lists'],
      security,
      summary:
        "A list's prospects in order, with the score they had when listed and their current score and reasons",
      request: { params: IdParam, query: z.object(pageQuery) },
      responses: {
        200: json(pageSchema(MemberSchema, 'ListMemberPage'), 'A page of members'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const { limit, cursor } = c.req.valid('query');
      const result = await listMembers(ctx, c.req.valid('param').id, limit, cursor);
      const data = result.data.map((r) => ({
        position: r.position,
        listed: r.listed,
        prospect: {
          ...present(r.prospect),
          company: r.company ? { id: r.company.id, name: r.company.name } : null,
          contactPoints: r.contactPoints,
          doNotContact: r.doNotContact,
        },
        score: presentScore(r.score),
      }));
      return c.json(out({ data, nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/lists/{id}/members/{prospectId}',
      tags: ['Lists'],
      security,
      summary: 'Take a prospect off a draft list',
      request: { params: IdParam.extend({ prospectId: z.string().uuid() }) },
      responses: { 204: { description: 'Taken off' }, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'lists:write');
      const { id, prospectId } = c.req.valid('param');
      await removeMember(ctx, id, prospectId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/lists/{id}/approve',
      tags: ['Lists'],
      security,
      summary: 'Approve a draft list for calling (managers); it no longer changes',
      request: { params: IdParam },
      responses: { 200: json(ListSchema, 'The approved list'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'lists:approve');
      return c.json(out(presentList(await approveList(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/lists/{id}',
      tags: ['Lists'],
      security,
      summary: 'Delete a list',
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'lists:delete');
      await deleteList(ctx, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists/{id}/export',
      tags: ['Lists'],
      security,
      summary: "Export a list as CSV in its order, with each person's current score and reasons",
      description:
        "format=excel writes what Excel opens as is in France (semicolons, a byte-order mark); lang chooses the reasons' language (default: the organization's).",
      request: {
        params: IdParam,
        query: z.object(exportOptions),
      },
      responses: { ...csvResponse, ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:export');
      const { id } = c.req.valid('param');
      await getList(ctx, id);
      const csv = await csvExport(
        ctx,
        inOneSnapshot(ctx, (tx) => listRows(tx, id)),
        {
          ...c.req.valid('query'),
          filename: `list-${id}.csv`,
        },
      );
      return c.body(csv.body, 200, csv.headers) as never;
    },
  );

  return app;
}
