import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Campaign, DraftRow } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { AppError, invalid, notFound } from '../http/errors';
import { newId } from '../lib/ids';
import { getProspectDetails, type ProspectDetail } from '../prospects/prospect-detail';
import { getCampaign } from '../scoring/campaigns';
import { readInputs, type ScoringInput } from '../scoring/inputs';
import { activeScorer, type Scorer } from '../scoring/models';
import { writeReasons } from '../scoring/reasons';
import { scoreInput } from '../scoring/score';
import { DRAFT_CHANNELS } from './content';
import { type DrafterDeps, writeDraft } from './drafter';
import { buildFacts, factsHash, LANGUAGES, type Pitch, type Sender, TONES } from './facts';
import {
  DECLINED_DAYS,
  declinedAt,
  hadConversation,
  REFUSAL_OUTCOMES,
  REFUSAL_TYPES,
  recentLines,
} from './history';
import { PitchSchema, SenderSchema } from './pitch-schema';

/**
 * Drafting for prospects: the options of a request, the plan its drafts share, the facts of each
 * prospect, and one prospect's draft written and stored with its LLM calls.
 */

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

/**
 * What every draft of a request shares, read once: the pitch and sender (the request's, else the
 * campaign's), and the campaign and its active model for the "why now" reasons. A batch reads it once for
 * all its prospects.
 */
export interface DraftPlan {
  options: DraftOptions;
  pitch: Pitch;
  sender: Sender;
  campaign: Campaign | null;
  scorer: Scorer | undefined;
}

export async function planDrafts(ctx: Ctx, options: DraftOptions): Promise<DraftPlan> {
  const campaign = options.campaignId ? await getCampaign(ctx, options.campaignId) : null;
  const pitch = options.pitch ?? campaign?.pitch ?? null;
  if (!pitch)
    throw invalid('a draft needs a pitch: give one, or a campaign that has one', [
      { field: '/pitch', message: 'required when the campaign has no pitch' },
    ]);
  const sender = options.sender ?? options.pitch?.sender ?? campaign?.pitch?.sender;
  if (!sender)
    throw invalid('a draft needs a sender: give one, or set it in the pitch', [
      { field: '/sender', message: 'required when the pitch has no sender' },
    ]);
  const scorer = campaign ? await activeScorer(ctx, campaign.id) : undefined;
  return { options, pitch, sender, campaign, scorer };
}

/** What a draft reads of a prospect: their record with company and latest interactions, and what scoring reads. */
export interface Subject {
  detail: ProspectDetail;
  input: ScoringInput | undefined;
}

/** Several prospects' subjects in two statements: a batch reads its prospects a few dozen at a time. */
export async function loadSubjects(ctx: Ctx, plan: DraftPlan, ids: string[]): Promise<Map<string, Subject>> {
  const [details, inputs] = await Promise.all([
    getProspectDetails(ctx, ids, 20),
    plan.campaign ? readInputs(ctx.db, ctx.orgId, { ids }) : Promise.resolve([]),
  ]);
  const byId = new Map(inputs.map((i) => [i.prospectId, i]));
  return new Map([...details].map(([id, detail]) => [id, { detail, input: byId.get(id) }]));
}

/** The facts of one prospect's draft: their record, the score's reasons, their recent history. */
export async function factsFor(ctx: Ctx, plan: DraftPlan, prospectId: string, now: Date, loaded?: Subject) {
  const { options, campaign } = plan;
  const subject = loaded ?? (await loadSubjects(ctx, plan, [prospectId])).get(prospectId.toLowerCase());
  if (!subject) throw notFound('Prospect');
  const { detail } = subject;
  const events = detail.latestInteractions.map((i) => ({
    type: i.type,
    occurredAt: new Date(i.occurredAt),
    outcome: i.outcome,
    note: i.note,
  }));
  const base = buildFacts(detail, detail.company, {
    channel: options.channel,
    language: options.language,
    tone: options.tone,
    pitch: plan.pitch,
    sender: plan.sender,
    hadConversation: hadConversation(events),
    notes: [...options.notes, ...events.flatMap((e) => (e.note ? [e.note] : []))].slice(0, 8),
    maxWords: options.maxWords,
  });
  // No pressure after a no: nothing is drafted for someone who declined recently.
  const declined = declinedAt(events, now);
  if (declined) {
    const until = new Date(declined.getTime() + DECLINED_DAYS * 86_400_000);
    throw new AppError(
      'CONFLICT',
      `this person said no on ${declined.toISOString().slice(0, 10)}: nothing is drafted for them before ${until.toISOString().slice(0, 10)}`,
      { extra: { declinedAt: declined.toISOString(), nextAllowedAt: until.toISOString() } },
    );
  }
  const score = campaign && subject.input ? scoreInput(campaign, plan.scorer, subject.input, now) : null;
  const reasons = score ? writeReasons(score.contributions).positive : [];
  // Sentences need the language, which the record may have decided: the reasons and history come second.
  return {
    ...base,
    reasons: reasons.map((r) => r[base.language].replace(/\s*\([+−-]?\d+\)$/u, '')),
    recent: recentLines(events, base.language, now),
  };
}

/** Writes one draft for one prospect and stores it with its LLM calls. */
export async function createDraft(ctx: Ctx, deps: DrafterDeps, input: DraftInput): Promise<DraftRow> {
  return draftFor(ctx, deps, await planDrafts(ctx, input), input.prospectId);
}

/** One prospect's draft under a plan, stored with its LLM calls in one statement. */
export async function draftFor(
  ctx: Ctx,
  deps: DrafterDeps,
  plan: DraftPlan,
  prospectId: string,
  options: { batchId?: string; now?: Date; subject?: Subject } = {},
): Promise<DraftRow> {
  // The id as PostgreSQL writes it: the stored row and the answer say the same.
  prospectId = prospectId.toLowerCase();
  const now = options.now ?? new Date();
  const facts = await factsFor(ctx, plan, prospectId, now, options.subject);
  const written = await writeDraft(facts, deps);
  const row = {
    orgId: ctx.orgId,
    id: newId(),
    prospectId,
    campaignId: plan.campaign?.id ?? null,
    channel: facts.channel,
    language: facts.language,
    tone: facts.tone,
    status: written.status,
    generator: written.generator,
    model: written.model,
    promptFile: written.promptFile,
    promptVersion: written.promptVersion,
    factsHash: factsHash(facts),
    brief: {
      pitch: plan.pitch,
      sender: plan.sender,
      maxWords: plan.options.maxWords,
      notes: plan.options.notes,
    },
    content: written.content,
    editedContent: null,
    findings: written.check.findings,
    tolerability: written.check.tolerability,
    repaired: written.repaired,
    fallback: written.fallback,
    inputTokens: written.inputTokens,
    outputTokens: written.outputTokens,
    latencyMs: written.latencyMs,
    costUsd: written.costUsd,
    batchId: options.batchId ?? null,
    createdBy: ctx.actor.keyId,
    createdAt: now,
    reviewedBy: null,
    reviewedAt: null,
    usedAt: null,
  } satisfies DraftRow;
  const calls = written.llmCalls.map((c) => ({
    id: newId(),
    purpose: c.purpose,
    ok: c.ok,
    error: c.error ?? null,
    status: c.status ?? null,
    calls: c.calls,
    // The system message is the prompt file's, at the version the draft names: only the user message is kept.
    request: { user: c.request.user },
    response: c.response ?? null,
    input_tokens: c.inputTokens,
    output_tokens: c.outputTokens,
    latency_ms: Math.round(c.latencyMs),
  }));
  // The draft and its calls in one statement: no transaction to open, and nothing half-written. The
  // prospect's row is share-locked: an erasure running meanwhile waits for this draft, then removes it; one
  // that ran first leaves no row, and nothing is written. Nor is anything written for someone who said no
  // while the draft was being written. A batch drafts each prospect once.
  const since = new Date(now.getTime() - DECLINED_DAYS * 86_400_000).toISOString();
  const [stored] = await queryRows<{ n: number }>(
    ctx.db,
    sql`
    WITH p AS (
      SELECT id FROM prospects WHERE org_id = ${ctx.orgId} AND id = ${prospectId}
        AND NOT EXISTS (
          SELECT 1 FROM interactions i WHERE i.org_id = ${ctx.orgId} AND i.prospect_id = ${prospectId}
            AND i.occurred_at >= ${since}::timestamptz
            AND (i.type = ANY(${sql.param(REFUSAL_TYPES)}::text[]) OR i.outcome = ANY(${sql.param(REFUSAL_OUTCOMES)}::text[])))
      FOR KEY SHARE OF prospects
    ), d AS (
      INSERT INTO drafts (org_id, id, prospect_id, campaign_id, channel, language, tone, status, generator, model,
        prompt_file, prompt_version, facts_hash, brief, content, findings, tolerability, repaired, fallback,
        input_tokens, output_tokens, latency_ms, cost_usd, batch_id, created_by, created_at)
      SELECT ${row.orgId}, ${row.id}, ${row.prospectId}, ${row.campaignId}, ${row.channel}, ${row.language},
        ${row.tone}, ${row.status}, ${row.generator}, ${row.model}, ${row.promptFile}, ${row.promptVersion},
        ${row.factsHash}, ${JSON.stringify(row.brief)}::jsonb, ${row.content === null ? null : JSON.stringify(row.content)}::jsonb,
        ${JSON.stringify(row.findings)}::jsonb, ${row.tolerability}, ${row.repaired}, ${row.fallback},
        ${row.inputTokens}, ${row.outputTokens}, ${row.latencyMs}, ${row.costUsd}, ${row.batchId}, ${row.createdBy},
        ${now.toISOString()}::timestamptz
      FROM p
      ON CONFLICT (org_id, batch_id, prospect_id) WHERE batch_id IS NOT NULL DO NOTHING
      RETURNING id
    ), c AS (
      INSERT INTO llm_calls (org_id, id, draft_id, prospect_id, purpose, model, ok, error, status, calls, request,
        response, input_tokens, output_tokens, latency_ms)
      SELECT ${row.orgId}, c.id, d.id, ${prospectId}, c.purpose, ${written.model ?? 'none'}, c.ok, c.error, c.status,
        c.calls, c.request, c.response, c.input_tokens, c.output_tokens, c.latency_ms
      FROM d, json_to_recordset(${JSON.stringify(calls)}::json) AS c(id uuid, purpose text, ok boolean, error text,
        status int, calls int, request jsonb, response text, input_tokens int, output_tokens int, latency_ms int)
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM d`,
  );
  if (!stored || stored.n === 0)
    throw new AppError(
      'CONFLICT',
      'nothing was stored: the person said no or was erased while the draft was written, or already has a draft in this batch',
    );
  return row;
}
