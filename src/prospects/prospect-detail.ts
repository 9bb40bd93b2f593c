import { and, eq, sql } from 'drizzle-orm';
import { type companies, type Interaction, type Prospect, prospects } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { notFound } from '../http/errors';
import { rowFromJson } from '../lib/rows';
import { type ContactPointRow, linkContactPoints } from './contact-points';

/**
 * A prospect as read: its row alone (getProspectRow), or with its company, contact points and latest
 * interactions (getProspectDetail, and getProspectDetails for several).
 */

export async function getProspectRow(ctx: Ctx, id: string): Promise<Prospect> {
  const [row] = await ctx.db
    .select()
    .from(prospects)
    .where(and(eq(prospects.orgId, ctx.orgId), eq(prospects.id, id)));
  if (!row) throw notFound('Prospect');
  return row;
}

/**
 * The prospect with its company, contact points and latest interactions: what a caller opens first, so
 * it is one statement (one round trip) rather than four.
 */
export async function getProspectDetail(ctx: Ctx, id: string, interactionLimit = 10) {
  const detail = (await getProspectDetails(ctx, [id], interactionLimit)).get(id.toLowerCase());
  if (!detail) throw notFound('Prospect');
  return detail;
}

export type ProspectDetail = Awaited<ReturnType<typeof getProspectDetail>>;

/** Several prospects with their company, contact points and latest interactions, in one statement. */
export async function getProspectDetails(ctx: Ctx, ids: string[], interactionLimit = 10) {
  const rows = await queryRows<{
    prospect: Record<string, unknown>;
    company: Record<string, unknown> | null;
    points: Record<string, unknown>[];
    recent: Record<string, unknown>[];
  }>(
    ctx.db,
    sql`SELECT to_jsonb(p) AS prospect,
          (SELECT to_jsonb(c) FROM companies c WHERE c.org_id = p.org_id AND c.id = p.company_id) AS company,
          (SELECT coalesce(jsonb_agg(to_jsonb(cp)), '[]'::jsonb) FROM contact_points cp
            WHERE cp.org_id = p.org_id AND cp.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(p.contact_points) e)) AS points,
          (SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.occurred_at DESC), '[]'::jsonb)
            FROM (SELECT * FROM interactions i WHERE i.org_id = p.org_id AND i.prospect_id = p.id
                  ORDER BY i.occurred_at DESC LIMIT ${interactionLimit}) i) AS recent
        FROM prospects p WHERE p.org_id = ${ctx.orgId} AND p.id = ANY(${sql.param(ids)}::uuid[])`,
  );
  // Keyed by the id as PostgreSQL writes it (lower case): look up with id.toLowerCase().
  const out = new Map<string, ReturnType<typeof detailOf>>();
  for (const row of rows) {
    const detail = detailOf(row);
    out.set(detail.id, detail);
  }
  return out;
}

function detailOf(row: {
  prospect: Record<string, unknown>;
  company: Record<string, unknown> | null;
  points: Record<string, unknown>[];
  recent: Record<string, unknown>[];
}) {
  const prospect = rowFromJson<Prospect>(row.prospect);
  const points = linkContactPoints(
    [prospect],
    row.points.map((p) => rowFromJson<ContactPointRow>(p)),
  );
  return {
    ...prospect,
    company: row.company ? rowFromJson<typeof companies.$inferSelect>(row.company) : null,
    contactPoints: points.get(prospect.id) ?? [],
    latestInteractions: row.recent.map((i) => rowFromJson<Interaction>(i)),
  };
}
