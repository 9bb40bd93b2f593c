import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { type ContactChannel, contactPoints, prospectContactPoints } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { type FieldError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';
import { type ContactPointDraft, contactPointDraft } from './drafts';

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

/** Creates the contact points that do not exist yet and links all of them to the prospect. */
export async function attachContactPoints(
  ctx: Ctx,
  prospectId: string,
  drafts: ContactPointDraft[],
): Promise<void> {
  for (const draft of drafts) {
    const [created] = await ctx.db
      .insert(contactPoints)
      .values({
        id: newId(),
        orgId: ctx.orgId,
        channel: draft.channel,
        value: draft.value,
        phoneType: draft.phoneType ?? null,
        country: draft.country ?? null,
        domain: draft.domain ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: contactPoints.id });
    const id =
      created?.id ??
      (
        await ctx.db
          .select({ id: contactPoints.id })
          .from(contactPoints)
          .where(
            and(
              eq(contactPoints.orgId, ctx.orgId),
              eq(contactPoints.channel, draft.channel),
              eq(contactPoints.value, draft.value),
            ),
          )
      )[0]!.id;
    await ctx.db
      .insert(prospectContactPoints)
      .values({ orgId: ctx.orgId, prospectId, contactPointId: id, label: draft.label ?? null })
      .onConflictDoNothing();
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

export async function contactPointsOf(
  ctx: Ctx,
  prospectIds: string[],
): Promise<Map<string, LinkedContactPoint[]>> {
  const result = new Map<string, LinkedContactPoint[]>();
  if (prospectIds.length === 0) return result;
  const rows = await queryRows<{
    prospect_id: string;
    id: string;
    channel: ContactChannel;
    value: string;
    phone_type: string | null;
    country: string | null;
    domain: string | null;
    status: 'valid' | 'invalid';
    status_reason: string | null;
    label: string | null;
    shared_with: number;
  }>(
    ctx.db,
    sql`SELECT l.prospect_id, cp.id, cp.channel, cp.value, cp.phone_type, cp.country, cp.domain, cp.status, cp.status_reason,
          l.label, (SELECT count(*)::int - 1 FROM prospect_contact_points o WHERE o.contact_point_id = cp.id) AS shared_with
        FROM prospect_contact_points l JOIN contact_points cp ON cp.id = l.contact_point_id
        WHERE l.org_id = ${ctx.orgId} AND l.prospect_id = ANY(${sql.param(prospectIds)}::uuid[])
        ORDER BY l.prospect_id, cp.channel, l.created_at, cp.id`,
  );
  for (const r of rows) {
    const list = result.get(r.prospect_id) ?? [];
    list.push({
      id: r.id,
      channel: r.channel,
      value: r.value,
      phoneType: r.phone_type,
      country: r.country,
      domain: r.domain,
      status: r.status,
      statusReason: r.status_reason,
      label: r.label,
      sharedWith: r.shared_with,
    });
    result.set(r.prospect_id, list);
  }
  return result;
}

export async function detachContactPoint(
  ctx: Ctx,
  prospectId: string,
  contactPointId: string,
): Promise<void> {
  const rows = await ctx.db
    .delete(prospectContactPoints)
    .where(
      and(
        eq(prospectContactPoints.orgId, ctx.orgId),
        eq(prospectContactPoints.prospectId, prospectId),
        eq(prospectContactPoints.contactPointId, contactPointId),
      ),
    )
    .returning({ id: prospectContactPoints.contactPointId });
  if (rows.length === 0) throw notFound('Contact point of this prospect');
}

export async function getContactPoint(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(contactPoints)
    .where(and(eq(contactPoints.orgId, ctx.orgId), eq(contactPoints.id, id)));
  if (!row) throw notFound('Contact point');
  const links = await ctx.db
    .select({ prospectId: prospectContactPoints.prospectId, label: prospectContactPoints.label })
    .from(prospectContactPoints)
    .where(eq(prospectContactPoints.contactPointId, id))
    .orderBy(asc(prospectContactPoints.prospectId));
  return { ...row, prospects: links };
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

/** Lists contact points; a value is looked up in its normalized form ("06 12 34 56 78" finds +33612345678). */
export async function listContactPoints(ctx: Ctx, f: ContactPointFilters, defaultCountry: string) {
  const after = decodeCursor(f.cursor);
  let value: string | undefined;
  if (f.value) {
    const result = contactPointDraft(
      channelOf({ value: f.value, ...(f.channel ? { channel: f.channel } : {}) }),
      f.value,
      defaultCountry,
    );
    if (!result.ok) throw invalid(`cannot look up ${f.value}`, [{ field: 'value', message: result.message }]);
    value = result.draft.value;
  }
  const rows = await ctx.db
    .select()
    .from(contactPoints)
    .where(
      and(
        eq(contactPoints.orgId, ctx.orgId),
        f.channel ? eq(contactPoints.channel, f.channel) : undefined,
        value ? eq(contactPoints.value, value) : undefined,
        f.status ? eq(contactPoints.status, f.status) : undefined,
        after ? lt(contactPoints.id, after) : undefined,
      ),
    )
    .orderBy(desc(contactPoints.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}
