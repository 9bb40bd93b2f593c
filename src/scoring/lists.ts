import { z } from '@hono/zod-openapi';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import {
  type ProspectList,
  prospectListMembers,
  prospectLists,
  prospectScores,
  prospects,
} from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { getCampaign } from './campaigns';
import type { ExportRow } from './export';
import { lockRescoring } from './queue';
import { checkCriteria, RankedCriteria, rankedPage, withCompanyAndContacts } from './ranked';

/**
 * Saved lists: the prospects a filter on a campaign's scores picked, frozen in their order when the list
 * is made, so that what a manager reviews and approves for calling is what the callers get. A draft can
 * lose members; an approved list no longer changes.
 */

export const MAX_LIST_SIZE = 10_000;

export const ListInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    campaignId: z.string().uuid(),
    criteria: z.object(RankedCriteria).strict().default({}),
    sort: z.enum(['-rank', '-score']).default('-rank').openapi({
      description: '-rank (the default): the score less the recent contact pressure, the order for calling',
    }),
    limit: z.number().int().min(1).max(MAX_LIST_SIZE).default(500),
  })
  .openapi('ListInput');

export type ListInput = z.infer<typeof ListInputSchema>;

/** Makes a draft list from the campaign's current ranking. */
export async function createList(ctx: Ctx, input: ListInput): Promise<ProspectList> {
  checkCriteria(input.criteria, 'body:criteria.minScore');
  return withTransaction(ctx, async (tx) => {
    await getCampaign(tx, input.campaignId);
    // A deletion forgets its person's list places under the rescoring lock (forgetScores): held shared
    // while the list is read and written, no member can be someone deleted meanwhile.
    await lockRescoring(tx, 'shared');
    // A list in the calling order is for calling: people no longer offered (opted out, goal reached,
    // rank 0) are left out of it. One by score, for review, keeps them.
    const picked = await rankedPage(
      tx,
      {
        ...input.criteria,
        campaign: input.campaignId,
        sort: input.sort,
        offeredOnly: input.sort === '-rank',
      },
      input.limit,
    );
    if (picked.data.length === 0)
      throw invalid('no scored prospect of this campaign matches these criteria', [
        { field: 'criteria', message: 'matches nobody' },
      ]);
    const [list] = await tx.db
      .insert(prospectLists)
      .values({
        orgId: tx.orgId,
        campaignId: input.campaignId,
        name: input.name,
        criteria: { ...input.criteria, sort: input.sort, limit: input.limit },
        size: picked.data.length,
        createdBy: tx.actor.keyId,
      })
      .returning();
    const members = picked.data.map((r, i) => ({
      p: r.prospect.id,
      n: i + 1,
      s: r.score.score,
      r: r.score.rank,
    }));
    await tx.db.execute(
      sql`INSERT INTO prospect_list_members (org_id, list_id, prospect_id, position, score, rank)
          SELECT ${tx.orgId}, ${list!.id}, u.p, u.n, u.s, u.r
          FROM json_to_recordset(${JSON.stringify(members)}::json) AS u(p uuid, n int, s smallint, r smallint)`,
    );
    return list!;
  });
}

export async function getList(ctx: Ctx, id: string, lock = false): Promise<ProspectList> {
  const query = ctx.db
    .select()
    .from(prospectLists)
    .where(and(eq(prospectLists.orgId, ctx.orgId), eq(prospectLists.id, id)));
  const [row] = await (lock ? query.for('update') : query);
  if (!row) throw notFound('List');
  return row;
}

export async function listLists(
  ctx: Ctx,
  f: { campaignId?: string; status?: ProspectList['status']; limit: number; cursor?: string },
) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(prospectLists)
    .where(
      and(
        eq(prospectLists.orgId, ctx.orgId),
        f.campaignId ? eq(prospectLists.campaignId, f.campaignId) : undefined,
        f.status ? eq(prospectLists.status, f.status) : undefined,
        after ? lt(prospectLists.id, after) : undefined,
      ),
    )
    .orderBy(desc(prospectLists.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

const frozen = (list: ProspectList) =>
  new AppError(
    'CONFLICT',
    `this list was approved on ${list.approvedAt?.toISOString().slice(0, 10)}: it no longer changes; make a new one`,
  );

/** Approves a draft for calling: who and when are kept on the list. */
export async function approveList(ctx: Ctx, id: string): Promise<ProspectList> {
  return withTransaction(ctx, async (tx) => {
    const list = await getList(tx, id, true);
    if (list.status === 'approved') throw frozen(list);
    if (list.size === 0) throw new AppError('CONFLICT', 'an empty list cannot be approved');
    const [row] = await tx.db
      .update(prospectLists)
      .set({ status: 'approved', approvedBy: tx.actor.keyId, approvedAt: new Date() })
      .where(and(eq(prospectLists.orgId, tx.orgId), eq(prospectLists.id, id)))
      .returning();
    return row!;
  });
}

/** Takes a prospect off a draft list. */
export async function removeMember(ctx: Ctx, id: string, prospectId: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const list = await getList(tx, id, true);
    if (list.status === 'approved') throw frozen(list);
    const removed = await tx.db
      .delete(prospectListMembers)
      .where(
        and(
          eq(prospectListMembers.orgId, tx.orgId),
          eq(prospectListMembers.listId, id),
          eq(prospectListMembers.prospectId, prospectId),
        ),
      )
      .returning({ prospectId: prospectListMembers.prospectId });
    if (removed.length === 0) throw notFound('Prospect on this list');
    await tx.db
      .update(prospectLists)
      .set({ size: sql`${prospectLists.size} - 1` })
      .where(and(eq(prospectLists.orgId, tx.orgId), eq(prospectLists.id, id)));
  });
}

export async function deleteList(ctx: Ctx, id: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    await getList(tx, id, true);
    await tx.db
      .delete(prospectListMembers)
      .where(and(eq(prospectListMembers.orgId, tx.orgId), eq(prospectListMembers.listId, id)));
    await tx.db.delete(prospectLists).where(and(eq(prospectLists.orgId, tx.orgId), eq(prospectLists.id, id)));
  });
}

/**
 * A page of a list's members in their order, each with the score it had when listed and its current one.
 * The cursor is the position of the last member seen.
 */
export async function listMembers(ctx: Ctx, id: string, limit: number, cursor?: string) {
  const list = await getList(ctx, id);
  const after = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(after) || after < 0)
    throw invalid('the cursor is not one this API gave', [{ field: 'cursor', message: 'not a position' }]);
  const rows = await ctx.db
    .select({
      position: prospectListMembers.position,
      listed: { score: prospectListMembers.score, rank: prospectListMembers.rank },
      prospect: prospects,
      score: prospectScores,
    })
    .from(prospectListMembers)
    .innerJoin(
      prospects,
      and(eq(prospects.orgId, prospectListMembers.orgId), eq(prospects.id, prospectListMembers.prospectId)),
    )
    .innerJoin(
      prospectScores,
      and(
        eq(prospectScores.orgId, prospectListMembers.orgId),
        eq(prospectScores.campaignId, list.campaignId),
        eq(prospectScores.prospectId, prospectListMembers.prospectId),
      ),
    )
    .where(
      and(
        eq(prospectListMembers.orgId, ctx.orgId),
        eq(prospectListMembers.listId, id),
        gt(prospectListMembers.position, after),
      ),
    )
    .orderBy(asc(prospectListMembers.position))
    .limit(limit + 1);
  const data = await withCompanyAndContacts(ctx, rows.slice(0, limit));
  return {
    list,
    data,
    nextCursor: rows.length > limit ? String(data.at(-1)!.position) : null,
  };
}

/** All a list's members in order, a thousand at a time, for the export. */
export async function* listRows(ctx: Ctx, id: string): AsyncGenerator<ExportRow[]> {
  let cursor: string | undefined;
  do {
    const result = await listMembers(ctx, id, 1000, cursor);
    yield result.data;
    cursor = result.nextCursor ?? undefined;
  } while (cursor);
}
