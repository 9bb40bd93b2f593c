import { createRoute, z } from '@hono/zod-openapi';
import { DRAFT_STATUSES, type DraftRow } from '../../db/schema';
import { conflictResponse, errorResponses, IdParam, json, jsonBody, router, security } from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { presentJob } from '../jobs/present';
import { JobSchema } from '../jobs/routes';
import type { JobRunner } from '../jobs/runner';
import { DraftBatchInputSchema, queueDraftBatch } from './batch';
import { CONTENT_SCHEMAS, DRAFT_CHANNELS } from './content';
import type { DrafterDeps } from './drafter';
import { createDraft, DraftInputSchema } from './drafting';
import { DraftFiltersSchema, editDraft, getDraft, isReady, listDrafts, moveDraft } from './drafts';
import { LintInputSchema, LintResultSchema, lintText } from './lint-text';

const FindingSchema = z
  .object({
    check: z.enum(['tolerability', 'groundedness', 'mandatory', 'forbidden']),
    code: z.string(),
    severity: z.enum(['error', 'warning']),
    penalty: z.number().int(),
    fr: z.string(),
    en: z.string(),
    path: z.string().optional(),
    start: z.number().int().optional(),
    end: z.number().int().optional(),
    excerpt: z.string().optional(),
    rule: z.string().optional().openapi({ description: 'The law or guidance behind a mandatory element' }),
  })
  .openapi('Finding');

const ContentSchema = z
  .union([CONTENT_SCHEMAS.call_script, CONTENT_SCHEMAS.email, CONTENT_SCHEMAS.sms])
  .openapi('DraftContent', {
    description: 'A call script, an e-mail (subject and body), or a text (SMS, voicemail, LinkedIn note)',
  });

const DraftSchema = z
  .object({
    id: z.string(),
    prospectId: z.string(),
    campaignId: z.string().nullable(),
    batchId: z.string().nullable(),
    channel: z.enum(DRAFT_CHANNELS),
    language: z.string(),
    tone: z.string(),
    status: z.enum(DRAFT_STATUSES),
    ready: z
      .boolean()
      .openapi({ description: 'Passed every check (as written or as edited) and not used yet' }),
    generator: z.string().openapi({ description: '"llm:<model>" or "template"' }),
    fallback: z
      .string()
      .nullable()
      .openapi({ description: 'Why the template wrote it although an LLM is configured' }),
    model: z.string().nullable(),
    promptFile: z.string().nullable(),
    promptVersion: z.string().nullable(),
    factsHash: z.string(),
    content: ContentSchema.nullable(),
    editedContent: ContentSchema.nullable(),
    tolerability: z.number().int(),
    findings: z.array(FindingSchema),
    repaired: z.boolean(),
    usage: z.object({
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      latencyMs: z.number().int(),
      costUsd: z.number(),
    }),
    createdAt: z.string(),
    reviewedAt: z.string().nullable(),
    usedAt: z.string().nullable(),
  })
  .openapi('Draft');

function presentDraft(row: DraftRow) {
  return {
    id: row.id,
    prospectId: row.prospectId,
    campaignId: row.campaignId,
    batchId: row.batchId,
    channel: row.channel,
    language: row.language,
    tone: row.tone,
    status: row.status,
    ready: isReady(row),
    generator: row.generator,
    fallback: row.fallback,
    model: row.model,
    promptFile: row.promptFile,
    promptVersion: row.promptVersion,
    factsHash: row.factsHash,
    content: row.content,
    editedContent: row.editedContent,
    tolerability: row.tolerability,
    findings: row.findings,
    repaired: row.repaired,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      latencyMs: row.latencyMs,
      costUsd: row.costUsd,
    },
    createdAt: row.createdAt.toISOString(),
    reviewedAt: row.reviewedAt?.toISOString() ?? null,
    usedAt: row.usedAt?.toISOString() ?? null,
  } as never;
}

const DraftingSchema = z
  .object({
    generator: z.string(),
    circuit: z.enum(['closed', 'open', 'half_open']).nullable(),
    writingNow: z.string(),
    prompts: z.array(z.object({ file: z.string(), version: z.string() })),
  })
  .openapi('DraftingStatus');

export function outreachRoutes(drafter: DrafterDeps, runner?: JobRunner) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/drafts',
      tags: ['Drafts'],
      security,
      summary:
        'Draft a call script, e-mail, SMS, voicemail or LinkedIn note for one prospect, checked before it is stored',
      request: { body: jsonBody(DraftInputSchema) },
      responses: { 201: json(DraftSchema, 'The draft, with its findings and status'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'drafts:write');
      return c.json(presentDraft(await createDraft(ctx, drafter, c.req.valid('json'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/drafts/batch',
      tags: ['Drafts'],
      security,
      summary:
        'Draft for a saved list or for given prospects, as a job with progress and bounded concurrency',
      request: { body: jsonBody(DraftBatchInputSchema) },
      responses: {
        202: json(JobSchema, 'The job; its result counts the drafts by status and generator'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'drafts:batch');
      const job = await queueDraftBatch(ctx, c.req.valid('json'));
      runner?.wake();
      c.header('Location', `/v1/jobs/${job.id}`);
      return c.json(presentJob(job) as never, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/drafts',
      tags: ['Drafts'],
      security,
      summary: 'Drafts, newest first, by status, prospect, campaign, batch or channel',
      request: { query: z.object({ ...pageQuery, ...DraftFiltersSchema.shape }) },
      responses: { 200: json(pageSchema(DraftSchema, 'DraftPage'), 'A page of drafts'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      const result = await listDrafts(ctx, c.req.valid('query'));
      return c.json({ data: result.data.map(presentDraft), nextCursor: result.nextCursor } as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/drafts/{id}',
      tags: ['Drafts'],
      security,
      summary: 'A draft: its content, edit, findings, generator, prompt version and cost',
      request: { params: IdParam },
      responses: { 200: json(DraftSchema, 'The draft'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'prospects:read');
      return c.json(presentDraft(await getDraft(ctx, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/drafts/{id}',
      tags: ['Drafts'],
      security,
      summary: 'Edit a draft: the edit is kept beside the original and checked like any draft',
      request: { params: IdParam, body: jsonBody(z.object({ content: z.record(z.string(), z.unknown()) })) },
      responses: {
        200: json(DraftSchema, 'The draft with its edit and the edit’s findings'),
        ...conflictResponse,
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'drafts:review');
      return c.json(
        presentDraft(await editDraft(ctx, c.req.valid('param').id, c.req.valid('json').content)),
        200,
      );
    },
  );

  for (const [move, summary, permission] of [
    ['approve', 'Approve a draft that passed its checks', 'drafts:review'],
    ['use', 'Mark a ready draft as used (sent, or read on a call)', 'drafts:write'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/drafts/{id}/${move}`,
        tags: ['Drafts'],
        security,
        summary,
        request: { params: IdParam },
        responses: { 200: json(DraftSchema, 'The draft'), ...conflictResponse, ...errorResponses },
      }),
      async (c) => {
        const ctx = c.get('ctx');
        authorize(ctx.actor.role, permission);
        return c.json(presentDraft(await moveDraft(ctx, c.req.valid('param').id, move)), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/drafting',
      tags: ['Drafts'],
      security,
      summary:
        'Who writes drafts now: the LLM and the state of its circuit, or the template; and the prompt files in use',
      responses: { 200: json(DraftingSchema, 'The drafting status'), ...errorResponses },
    }),
    async (c) => {
      authorize(c.get('ctx').actor.role, 'prospects:read');
      const llm = drafter.llm;
      const circuit = llm?.breaker?.state ?? null;
      return c.json(
        {
          generator: llm ? `llm:${llm.model}` : 'template',
          circuit,
          // While the circuit is open, the template writes.
          writingNow: llm && circuit !== 'open' ? `llm:${llm.model}` : 'template',
          prompts: drafter.prompts.files(),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/lint',
      tags: ['Drafts'],
      security,
      summary:
        'Check any text for tolerability, sensitive categories and unknown links, as drafts are checked',
      request: { body: jsonBody(LintInputSchema) },
      responses: {
        200: json(LintResultSchema, 'The score and each finding, with where it is'),
        ...errorResponses,
      },
    }),
    async (c) => {
      authorize(c.get('ctx').actor.role, 'prospects:read');
      return c.json(lintText(c.req.valid('json')) as never, 200);
    },
  );

  return app;
}

export { FindingSchema };
