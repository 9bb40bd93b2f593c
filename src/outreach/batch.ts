import { z } from '@hono/zod-openapi';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { drafts, type Job, prospectListMembers, prospects } from '../../db/schema';
import { type Ctx, systemCtx } from '../context';
import { invalid } from '../http/errors';
import type { JobHandler } from '../jobs/runner';
import { createJob } from '../jobs/service';
import { getList } from '../scoring/lists';
import type { DrafterDeps } from './drafter';
import { DraftOptionsSchema, draftFor, loadSubjects, planDrafts, type Subject } from './drafting';
import { draftCounts } from './drafts';

/** Drafts for a saved list or for given prospects, as a job with progress and bounded concurrency. */

export const MAX_BATCH = 10_000;

/** Prospects a batch reads in one round trip. */
const PREFETCH = 32;

export const DraftBatchInputSchema = DraftOptionsSchema.extend({
  listId: z.string().uuid().optional(),
  prospectIds: z.array(z.string().uuid()).min(1).max(MAX_BATCH).optional(),
  concurrency: z.number().int().min(1).max(64).default(16).openapi({
    description: 'Drafts written at once (the LLM’s own limit, LLM_CONCURRENCY, applies too)',
  }),
}).openapi('DraftBatchInput');

export type DraftBatchInput = z.infer<typeof DraftBatchInputSchema>;

/** Which prospects: the list's members in its order, or the ids given, each once and of this organization. */
async function targetsOf(ctx: Ctx, input: DraftBatchInput): Promise<{ ids: string[]; campaignId?: string }> {
  if (Boolean(input.listId) === Boolean(input.prospectIds))
    throw invalid('give either listId or prospectIds', [
      { field: '/listId', message: 'exactly one of listId, prospectIds' },
    ]);
  if (input.listId) {
    const list = await getList(ctx, input.listId);
    const rows = await ctx.db
      .select({ id: prospectListMembers.prospectId })
      .from(prospectListMembers)
      .where(and(eq(prospectListMembers.orgId, ctx.orgId), eq(prospectListMembers.listId, input.listId)))
      .orderBy(asc(prospectListMembers.position));
    if (rows.length > MAX_BATCH)
      throw invalid(`a batch drafts at most ${MAX_BATCH} prospects; this list has ${rows.length}`);
    return { ids: rows.map((r) => r.id), campaignId: input.campaignId ?? list.campaignId };
  }
  const ids = [...new Set(input.prospectIds)];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await ctx.db
      .select({ id: prospects.id })
      .from(prospects)
      .where(and(eq(prospects.orgId, ctx.orgId), inArray(prospects.id, ids.slice(i, i + 1000))));
    for (const r of rows) found.add(r.id);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length)
    throw invalid(
      `${missing.length} prospects were not found`,
      missing
        .slice(0, 20)
        .map((id) => ({ field: `/prospectIds/${ids.indexOf(id)}`, message: `prospect ${id} was not found` })),
    );
  return { ids, campaignId: input.campaignId };
}

/** Validates the batch and queues it; the job writes the drafts. */
export async function queueDraftBatch(ctx: Ctx, input: DraftBatchInput): Promise<Job> {
  const { ids: targets, campaignId } = await targetsOf(ctx, input);
  // A missing pitch or sender is the request's fault: said now, not once per prospect in the job.
  await planDrafts(ctx, { ...input, campaignId });
  return createJob(ctx.db, {
    orgId: ctx.orgId,
    kind: 'drafts_batch',
    status: 'queued',
    createdBy: ctx.actor.keyId,
    params: { ...input, campaignId, prospectIds: targets, listId: input.listId ?? null },
    progress: { rowsDone: 0, rowsTotal: targets.length, bytesDone: 0, bytesTotal: null },
  });
}

/**
 * Writes the batch's drafts, `concurrency` at a time. Resumed after a restart, it skips the prospects that
 * already have their draft in this batch. One prospect's failure (erased meanwhile) is counted, not fatal.
 */
export function draftBatchJobHandler(deps: DrafterDeps): JobHandler {
  return async ({ job, database, signal, progress }) => {
    const ctx = systemCtx(database.db, job.orgId, job.createdBy);
    const params = job.params as DraftBatchInput & { prospectIds: string[] };
    const done = new Set(
      (
        await ctx.db
          .select({ id: drafts.prospectId })
          .from(drafts)
          .where(and(eq(drafts.orgId, ctx.orgId), eq(drafts.batchId, job.id)))
      ).map((r) => r.id),
    );
    const total = params.prospectIds.length;
    let finished = done.size;
    const failures: { prospectId: string; message: string }[] = [];
    const report = () => progress({ rowsDone: finished, rowsTotal: total, bytesDone: 0, bytesTotal: null });
    const { listId: _list, prospectIds: _ids, concurrency, ...options } = params;
    const plan = await planDrafts(ctx, options);
    const todo = params.prospectIds.filter((id) => !done.has(id));
    // Prospects are read PREFETCH at a time, each group once, as the first worker reaches it: one round trip
    // per group instead of two per draft. The workers take the prospects in order.
    const groups = new Map<number, Promise<Map<string, Subject> | null>>();
    const group = (g: number) => {
      if (!groups.has(g))
        groups.set(
          g,
          loadSubjects(ctx, plan, todo.slice(g * PREFETCH, (g + 1) * PREFETCH)).catch(() => {
            // A failed read is not kept: each prospect of the group is then read on its own.
            groups.delete(g);
            return null;
          }),
        );
      return groups.get(g)!;
    };
    const subjectOf = async (index: number) => {
      const g = Math.floor(index / PREFETCH);
      groups.delete(g - 2);
      // Halfway through a group the next one is read, so that no worker waits at a group's start.
      if (index % PREFETCH >= PREFETCH / 2 && (g + 1) * PREFETCH < todo.length) void group(g + 1);
      const id = todo[index]!.toLowerCase();
      const subjects = (await group(g)) ?? (await loadSubjects(ctx, plan, [id]));
      return subjects.get(id);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
        while (next < todo.length && !signal.aborted) {
          const index = next++;
          const prospectId = todo[index]!;
          try {
            const subject = await subjectOf(index);
            // Erased or deleted since the batch was queued: drafted as nothing, reported.
            if (!subject) throw new Error('the prospect no longer exists');
            await draftFor(ctx, deps, plan, prospectId, { batchId: job.id, subject });
          } catch (error) {
            failures.push({ prospectId, message: error instanceof Error ? error.message : String(error) });
          }
          finished++;
          report();
        }
      }),
    );
    // Stopped (shutdown, lost lease): the runner hands the job back, and it resumes where it stopped.
    if (signal.aborted)
      return { status: 'failed', error: { code: 'INTERNAL', message: 'stopped before the end' } };
    const counts = await draftCounts(ctx, job.id);
    const by = (key: 'status' | 'generator') => {
      const out: Record<string, number> = {};
      for (const c of counts) out[c[key]] = (out[c[key]] ?? 0) + c.n;
      return out;
    };
    return {
      status: 'succeeded',
      progress: { rowsDone: finished, rowsTotal: total, bytesDone: 0, bytesTotal: null },
      result: {
        drafted: total - failures.length,
        byStatus: by('status'),
        byGenerator: by('generator'),
        failures: failures.slice(0, 100),
      },
    };
  };
}
