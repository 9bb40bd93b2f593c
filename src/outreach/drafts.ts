import { z } from '@hono/zod-openapi';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { DRAFT_STATUSES, type DraftRow, type DraftStatus, drafts, llmCalls } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { getProspectDetail } from '../prospects/prospects';
import { getCampaign } from '../scoring/campaigns';
import { scoreProspect } from '../scoring/score';
import { checkDraft } from './check';
import { CONTENT_SCHEMAS, DRAFT_CHANNELS, type DraftContent } from './content';
import { type DrafterDeps, writeDraft } from './drafter';
import { buildFacts, factsHash, LANGUAGES, type Pitch, type Sender, TONES } from './facts';
import { hadConversation, recentLines } from './history';
import { PitchSchema, SenderSchema } from './pitch-schema';


const draftOptions = {
  channel: z.enum(DRAFT_CHANNELS),
  campaignId: z
    .string()
    .uuid()
    .optional()
    .openapi({ description: 'Its pitch, and the score’s reasons as the “why now”' }),
  language: z
    .enum(LANGUAGES)
    .optional()
    .openapi({ description: 'Default: the prospect’s, else the country’s' }),
  tone: z.enum(TONES).default('advisor'),
  sender: SenderSchema.optional().openapi({ description: 'Default: the campaign pitch’s sender' }),
  pitch: PitchSchema.optional().openapi({ description: 'Default: the campaign’s pitch' }),
  notes: z.array(z.string().max(4000)).max(5).default([]).openapi({
    description:
      'Free text about the person (call notes, a website snippet): given to the LLM as data, never as instructions',
  }),
  maxWords: z.number().int().min(30).max(400).default(150),
};

export const DraftInputSchema = z
  .object({ prospectId: z.string().uuid(), ...draftOptions })
  .openapi('DraftInput');
export type DraftInput = z.infer<typeof DraftInputSchema>;
export const DraftOptionsSchema = z.object(draftOptions);
export type DraftOptions = z.infer<typeof DraftOptionsSchema>;

/** The pitch and sender a draft is written with: the request's, else the campaign's. */
export async function pitchOf(ctx: Ctx, input: DraftOptions): Promise<{ pitch: Pitch; sender: Sender }> {
  const campaign = input.campaignId ? await getCampaign(ctx, input.campaignId) : null;
  const pitch = input.pitch ?? campaign?.pitch ?? null;
  if (!pitch)
    throw invalid('a draft needs a pitch: give one, or a campaign that has one', [
      { field: '/pitch', message: 'required when the campaign has no pitch' },
    ]);
  const sender = input.sender ?? input.pitch?.sender ?? campaign?.pitch?.sender;
  if (!sender)
    throw invalid('a draft needs a sender: give one, or set it in the pitch', [
      { field: '/sender', message: 'required when the pitch has no sender' },
    ]);
  return { pitch, sender };
}

/** The facts of one prospect's draft: their record, the score's reasons, their recent history. */
async function factsFor(
  ctx: Ctx,
  prospectId: string,
  input: DraftOptions,
  given: { pitch: Pitch; sender: Sender },
  now: Date,
) {
  const detail = await getProspectDetail(ctx, prospectId, 20);
  const score = input.campaignId ? await scoreProspect(ctx, input.campaignId, prospectId, now) : null;
  const events = detail.latestInteractions.map((i) => ({
    type: i.type,
    occurredAt: new Date(i.occurredAt),
    outcome: i.outcome,
    note: i.note,
  }));
  const base = buildFacts(detail, detail.company, {
    channel: input.channel,
    language: input.language,
    tone: input.tone,
    pitch: given.pitch,
    sender: given.sender,
    hadConversation: hadConversation(events),
    notes: [...input.notes, ...events.flatMap((e) => (e.note ? [e.note] : []))].slice(0, 8),
    maxWords: input.maxWords,
  });
  // Sentences need the language, which the record may have decided: the reasons and history come second.
  return {
    ...base,
    reasons: (score?.reasons.positive ?? []).map((r) => r[base.language].replace(/\s*\([+−-]?\d+\)$/u, '')),
    recent: recentLines(events, base.language, now),
  };
}

/** Writes one draft for one prospect and stores it with its LLM calls. */
export async function createDraft(
  ctx: Ctx,
  deps: DrafterDeps,
  input: DraftInput,
  options: { batchId?: string; now?: Date } = {},
): Promise<DraftRow> {
  const now = options.now ?? new Date();
  const given = await pitchOf(ctx, input);
  const facts = await factsFor(ctx, input.prospectId, input, given, now);
  const written = await writeDraft(facts, deps);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(drafts)
      .values({
        orgId: tx.orgId,
        prospectId: input.prospectId,
        campaignId: input.campaignId ?? null,
        channel: input.channel,
        language: facts.language,
        tone: facts.tone,
        status: written.status,
        generator: written.generator,
        model: written.model,
        promptFile: written.promptFile,
        promptVersion: written.promptVersion,
        factsHash: factsHash(facts),
        brief: { pitch: given.pitch, sender: given.sender, maxWords: input.maxWords },
        content: written.content,
        findings: written.check.findings,
        tolerability: written.check.tolerability,
        repaired: written.repaired,
        fallback: written.fallback,
        inputTokens: written.inputTokens,
        outputTokens: written.outputTokens,
        latencyMs: written.latencyMs,
        costUsd: written.costUsd,
        batchId: options.batchId ?? null,
        createdBy: tx.actor.keyId,
      })
      .returning();
    if (written.llmCalls.length)
      await tx.db.insert(llmCalls).values(
        written.llmCalls.map((c) => ({
          orgId: tx.orgId,
          draftId: row!.id,
          prospectId: input.prospectId,
          model: written.model ?? deps.llm?.model ?? 'unknown',
          purpose: c.purpose,
          ok: c.ok,
          error: c.error ?? null,
          status: c.status ?? null,
          calls: c.calls,
          request: c.request,
          response: c.response ?? null,
          inputTokens: c.inputTokens,
          outputTokens: c.outputTokens,
          latencyMs: Math.round(c.latencyMs),
        })),
      );
    return row!;
  });
}

export async function getDraft(ctx: Ctx, id: string): Promise<DraftRow> {
  const [row] = await ctx.db
    .select()
    .from(drafts)
    .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.id, id)));
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

async function lockDraft(ctx: Ctx, id: string): Promise<DraftRow> {
  const [row] = await ctx.db
    .select()
    .from(drafts)
    .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.id, id)))
    .for('update');
  if (!row) throw notFound('Draft');
  return row;
}

/**
 * A reviewer's edit, kept beside the original and checked like any draft. A passing edit makes the draft
 * ready for approval again; a failing one leaves it rejected, with the findings of the edit.
 */
export async function editDraft(ctx: Ctx, id: string, content: unknown): Promise<DraftRow> {
  return withTransaction(ctx, async (tx) => {
    const row = await lockDraft(tx, id);
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
    });
    const facts = await factsFor(
      tx,
      row.prospectId,
      { ...options, campaignId: row.campaignId ?? undefined },
      row.brief,
      new Date(),
    );
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
    const row = await lockDraft(tx, id);
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
