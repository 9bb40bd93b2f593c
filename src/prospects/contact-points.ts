import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type ContactChannel, type ContactPointLink, contactPoints, prospects } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { type FieldError, invalid, notFound } from '../http/errors';
import { contactPointId } from './contact-point-id';
import { type ContactPointDraft, contactPointDraft } from './drafts';

export { contactPointId };

export interface ContactPointInput {
  channel?: ContactChannel;
  value: string;
  label?: string | null;
}

/** The channel a bare value belongs to: an address with @ is an e-mail, anything else a phone. */
export function channelOf(input: ContactPointInput): ContactChannel {
  return input.channel ?? (input.value.includes('@') ? 'email' : 'phone');
}

export function normalizeContactPoints(
  inputs: ContactPointInput[],
  defaultCountry: string | null,
  errors: FieldError[],
  prefix = 'contactPoints',
): ContactPointDraft[] {
  const drafts: ContactPointDraft[] = [];
  inputs.forEach((input, i) => {
    const result = contactPointDraft(channelOf(input), input.value, defaultCountry, input.label ?? undefined);
    if (result.ok) drafts.push(result.draft);
    else errors.push({ field: `${prefix}[${i}].value`, message: result.message });
  });
  return drafts;
}

/**
 * Gives a prospect these contact points: creates the ones the organization does not have, adds the
 * prospect to those it has, and lists them on the prospect. Callers hold the organization's write lock.
 */
export async function attachContactPoints(
  ctx: Ctx,
  prospectId: string,
  drafts: ContactPointDraft[],
): Promise<void> {
  for (const draft of drafts) {
    const id = contactPointId(ctx.orgId, draft.channel, draft.value);
    await ctx.db.execute(
      sql`INSERT INTO contact_points AS cp (org_id, id, channel, value, phone_type, country, domain, prospect_ids)
          VALUES (${ctx.orgId}, ${id}, ${draft.channel}, ${draft.value}, ${draft.phoneType ?? null}, ${draft.country ?? null},
            ${draft.domain ?? null}, ARRAY[${prospectId}::uuid])
          ON CONFLICT (org_id, id) DO UPDATE SET
            prospect_ids = CASE WHEN ${prospectId}::uuid = ANY(cp.prospect_ids) THEN cp.prospect_ids
                                ELSE cp.prospect_ids || ${prospectId}::uuid END,
            updated_at = now()`,
    );
    const link = JSON.stringify([{ id, label: draft.label ?? null }]);
    await ctx.db.execute(
      sql`UPDATE prospects SET contact_points = contact_points || ${link}::jsonb, updated_at = now()
          WHERE org_id = ${ctx.orgId} AND id = ${prospectId}
            AND NOT contact_points @> ${JSON.stringify([{ id }])}::jsonb`,
    );
  }
}

export interface LinkedContactPoint {
  id: string;
  channel: ContactChannel;
  value: string;
  phoneType: string | null;
  country: string | null;
  domain: string | null;
  status: 'valid' | 'invalid';
  statusReason: string | null;
  label: string | null;
  /** Other prospects of the organization that share this number or address. */
  sharedWith: number;
}

export type ContactPointRow = typeof contactPoints.$inferSelect;

async function rowsByIds(ctx: Ctx, ids: string[]): Promise<Map<string, ContactPointRow>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select()
    .from(contactPoints)
    .where(
      and(eq(contactPoints.orgId, ctx.orgId), sql`${contactPoints.id} = ANY(${sql.param(ids)}::uuid[])`),
    );
  return new Map(rows.map((r) => [r.id, r]));
}

/** The contact points of each prospect, in the prospect's order, with how many others share each. */
export function linkContactPoints(
  owners: { id: string; contactPoints: ContactPointLink[] }[],
  rows: ContactPointRow[],
): Map<string, LinkedContactPoint[]> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const result = new Map<string, LinkedContactPoint[]>();
  for (const owner of owners) {
    const list: LinkedContactPoint[] = [];
    for (const link of owner.contactPoints) {
      const row = byId.get(link.id);
      if (!row) continue;
      list.push({
        id: row.id,
        channel: row.channel,
        value: row.value,
        phoneType: row.phoneType,
        country: row.country,
        domain: row.domain,
        status: row.status,
        statusReason: row.statusReason,
        label: link.label,
        sharedWith: row.prospectIds.filter((p) => p !== owner.id).length,
      });
    }
    result.set(owner.id, list);
  }
  return result;
}

export async function contactPointsOf(ctx: Ctx, owners: { id: string; contactPoints: ContactPointLink[] }[]) {
  const rows = await rowsByIds(ctx, [...new Set(owners.flatMap((o) => o.contactPoints.map((l) => l.id)))]);
  return linkContactPoints(owners, [...rows.values()]);
}

/** Takes a contact point off a prospect; the contact point itself stays, with its history. */
export async function detachContactPoint(
  ctx: Ctx,
  prospectId: string,
  contactPointId: string,
): Promise<void> {
  const updated = await queryRows(
    ctx.db,
    sql`UPDATE prospects SET updated_at = now(),
          contact_points = (SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb)
                            FROM jsonb_array_elements(contact_points) WITH ORDINALITY AS x(e, n) WHERE e->>'id' <> ${contactPointId})
        WHERE org_id = ${ctx.orgId} AND id = ${prospectId} AND contact_points @> ${JSON.stringify([{ id: contactPointId }])}::jsonb
        RETURNING id`,
  );
  if (updated.length === 0) throw notFound('Contact point of this prospect');
  await ctx.db.execute(
    sql`UPDATE contact_points SET prospect_ids = array_remove(prospect_ids, ${prospectId}::uuid), updated_at = now()
        WHERE org_id = ${ctx.orgId} AND id = ${contactPointId}`,
  );
}

/** Forgets a deleted prospect on the contact points it had. */
export async function releaseContactPoints(ctx: Ctx, prospectId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db.execute(
    sql`UPDATE contact_points SET prospect_ids = array_remove(prospect_ids, ${prospectId}::uuid), updated_at = now()
        WHERE org_id = ${ctx.orgId} AND id = ANY(${sql.param(ids)}::uuid[])`,
  );
}

export async function getContactPoint(ctx: Ctx, id: string) {
  const row = (await rowsByIds(ctx, [id])).get(id);
  if (!row) throw notFound('Contact point');
  const owners = await ctx.db
    .select({ id: prospects.id, contactPoints: prospects.contactPoints })
    .from(prospects)
    .where(
      and(eq(prospects.orgId, ctx.orgId), sql`${prospects.id} = ANY(${sql.param(row.prospectIds)}::uuid[])`),
    )
    .orderBy(asc(prospects.id));
  const { prospectIds: _ids, ...rest } = row;
  return {
    ...rest,
    prospects: owners.map((o) => ({
      prospectId: o.id,
      label: o.contactPoints.find((l) => l.id === id)?.label ?? null,
    })),
  };
}

export async function setContactPointStatus(
  ctx: Ctx,
  id: string,
  input: { status: 'valid' | 'invalid'; statusReason?: string | null },
) {
  const [row] = await ctx.db
    .update(contactPoints)
    .set({ status: input.status, statusReason: input.statusReason ?? null, updatedAt: new Date() })
    .where(and(eq(contactPoints.orgId, ctx.orgId), eq(contactPoints.id, id)))
    .returning();
  if (!row) throw notFound('Contact point');
  return getContactPoint(ctx, row.id);
}

export interface ContactPointFilters {
  channel?: ContactChannel;
  value?: string;
  status?: 'valid' | 'invalid';
  limit: number;
  cursor?: string;
}

/**
 * Lists contact points; a value is looked up in its normalized form ("06 12 34 56 78" finds
 * +33612345678). The order is by id, which for contact points carries no meaning but is stable.
 */
export async function listContactPoints(ctx: Ctx, f: ContactPointFilters, defaultCountry: string) {
  let id: string | undefined;
  if (f.value) {
    const channel = channelOf({ value: f.value, ...(f.channel ? { channel: f.channel } : {}) });
    const result = contactPointDraft(channel, f.value, defaultCountry);
    if (!result.ok) throw invalid(`cannot look up ${f.value}`, [{ field: 'value', message: result.message }]);
    id = contactPointId(ctx.orgId, channel, result.draft.value);
  }
  const after = f.cursor ? decodeContactPointCursor(f.cursor) : undefined;
  const rows = await ctx.db
    .select()
    .from(contactPoints)
    .where(
      and(
        eq(contactPoints.orgId, ctx.orgId),
        id ? eq(contactPoints.id, id) : undefined,
        f.channel ? eq(contactPoints.channel, f.channel) : undefined,
        f.status ? eq(contactPoints.status, f.status) : undefined,
        after ? gt(contactPoints.id, after) : undefined,
      ),
    )
    .orderBy(asc(contactPoints.id))
    .limit(f.limit + 1);
  const data = rows
    .slice(0, f.limit)
    .map(({ prospectIds, ...rest }) => ({ ...rest, prospectCount: prospectIds.length }));
  return {
    data,
    nextCursor: rows.length > f.limit ? Buffer.from(data.at(-1)!.id).toString('base64url') : null,
  };
}

function decodeContactPointCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id))
    throw invalid('the cursor is not one this API gave', [
      { field: 'cursor', message: 'not a cursor from a previous page' },
    ]);
  return id;
}
