import { z } from '@hono/zod-openapi';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { DRAFT_STATUSES, type DraftRow, type DraftStatus, drafts, llmCalls } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { checkDraft } from './check';
import { CONTENT_SCHEMAS, DRAFT_CHANNELS, type DraftContent } from './content';
import { DraftOptionsSchema, factsFor, planDrafts } from './drafting';

/**
 * The drafts stored: one read or a page of them, a reviewer's edit, approval and use, a person's drafts
 * erased, and a batch's counts.
 */

/** A draft of the organization; `lock` holds its row for the rest of the transaction. */
export async function getDraft(ctx: Ctx, id: string, options: { lock?: boolean } = {}): Promise<DraftRow> {
  const query = ctx.db
    .select()
    .from(drafts)
    .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.id, id)));
  const [row] = await (options.lock ? query.for('update') : query);
  if (!row) throw notFound('Draft');
  return row;
}

export const DraftFiltersSchema = z.object({
  status: z.enum(DRAFT_STATUSES).optional(),
  prospectId: z.string().uuid().optional(),
  campaignId: z.string().uuid().optional(),
  batchId: z.string().uuid().optional(),
  channel: z.enum(DRAFT_CHANNELS).optional(),
});

export async function listDrafts(
  ctx: Ctx,
  f: z.infer<typeof DraftFiltersSchema> & { limit: number; cursor?: string },
) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(drafts)
    .where(
      and(
        eq(drafts.orgId, ctx.orgId),
        f.status ? eq(drafts.status, f.status) : undefined,
        f.prospectId ? eq(drafts.prospectId, f.prospectId) : undefined,
        f.campaignId ? eq(drafts.campaignId, f.campaignId) : undefined,
        f.batchId ? eq(drafts.batchId, f.batchId) : undefined,
        f.channel ? eq(drafts.channel, f.channel) : undefined,
        after ? lt(drafts.id, after) : undefined,
      ),
    )
    .orderBy(desc(drafts.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

/** A draft may be used when it passed its checks: as written (draft or approved) or as edited. */
export const isReady = (row: Pick<DraftRow, 'status'>) => row.status === 'draft' || row.status === 'approved';

/**
 * A reviewer's edit, kept beside the original and checked like any draft. A passing edit makes the draft
 * ready for approval again; a failing one leaves it rejected, with the findings of the edit.
 */
export async function editDraft(ctx: Ctx, id: string, content: unknown): Promise<DraftRow> {
  return withTransaction(ctx, async (tx) => {
    const row = await getDraft(tx, id, { lock: true });
    if (row.status === 'used') throw new AppError('CONFLICT', 'this draft was used already: write a new one');
    const parsed = CONTENT_SCHEMAS[row.channel as keyof typeof CONTENT_SCHEMAS].safeParse(content);
    if (!parsed.success)
      throw invalid(
        `the content does not fit a ${row.channel} draft`,
        parsed.error.issues.map((i) => ({ field: `/content/${i.path.join('/')}`, message: i.message })),
      );
    const options = DraftOptionsSchema.parse({
      channel: row.channel,
      language: row.language,
      tone: row.tone,
      maxWords: row.brief.maxWords,
      notes: row.brief.notes ?? [],
    });
    const plan = await planDrafts(tx, {
      ...options,
      campaignId: row.campaignId ?? undefined,
      pitch: row.brief.pitch,
      sender: row.brief.sender,
    });
    const facts = await factsFor(tx, plan, row.prospectId, new Date());
    const check = checkDraft(row.channel as keyof typeof CONTENT_SCHEMAS, parsed.data as DraftContent, facts);
    const [updated] = await tx.db
      .update(drafts)
      .set({
        editedContent: parsed.data as DraftContent,
        findings: check.findings,
        tolerability: check.tolerability,
        status: check.passed ? 'draft' : 'rejected',
        reviewedBy: tx.actor.keyId,
        reviewedAt: new Date(),
      })
      .where(and(eq(drafts.orgId, tx.orgId), eq(drafts.id, id)))
      .returning();
    return updated!;
  });
}

const MOVES: Record<'approve' | 'use', { from: DraftStatus[]; to: DraftStatus }> = {
  approve: { from: ['draft'], to: 'approved' },
  use: { from: ['draft', 'approved'], to: 'used' },
};

/** Approves a passing draft, or marks a ready one used. A rejected draft is never either. */
export async function moveDraft(ctx: Ctx, id: string, move: 'approve' | 'use'): Promise<DraftRow> {
  return withTransaction(ctx, async (tx) => {
    const row = await getDraft(tx, id, { lock: true });
    const { from, to } = MOVES[move];
    if (!from.includes(row.status))
      throw new AppError('CONFLICT', `a ${row.status} draft cannot be ${to}`, {
        extra: { status: row.status },
      });
    const now = new Date();
    const [updated] = await tx.db
      .update(drafts)
      .set(
        move === 'approve'
          ? { status: to, reviewedBy: tx.actor.keyId, reviewedAt: now }
          : { status: to, usedAt: now },
      )
      .where(and(eq(drafts.orgId, tx.orgId), eq(drafts.id, id)))
      .returning();
    return updated!;
  });
}

/** Erasure: a person's drafts and the LLM calls that carried their facts. */
export async function eraseDraftsOf(ctx: Ctx, prospectId: string): Promise<number> {
  await ctx.db
    .delete(llmCalls)
    .where(and(eq(llmCalls.orgId, ctx.orgId), eq(llmCalls.prospectId, prospectId)));
  const deleted = await ctx.db
    .delete(drafts)
    .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.prospectId, prospectId)))
    .returning({ id: drafts.id });
  return deleted.length;
}

export const draftCounts = (ctx: Ctx, batchId: string) =>
  ctx.db
    .select({ status: drafts.status, generator: drafts.generator, n: sql<number>`count(*)::int` })
    .from(drafts)
    .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.batchId, batchId)))
    .groupBy(drafts.status, drafts.generator);
