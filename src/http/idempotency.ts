import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { idempotencyKeys } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { AppError, type FieldError, invalid } from './errors';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export function fingerprint(...parts: (string | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\u0000'))
    .digest('hex');
}

/**
 * A request whose body is streamed, not held: its fingerprint is its head (method, path, query, type) at
 * once, and its body's digest once read. `work` seals the claim with the digest when it has read the body;
 * a repeat of a finished request reads its own body for `digest`, to tell the same upload from another.
 */
export interface StreamedRequest {
  head: string;
  digest: () => Promise<string>;
}

/** What `work` calls once it has read a streamed body, before anything it does can depend on it. */
export type Seal = (bodyDigest: string) => Promise<void>;

/** A sealed claim holds `head:digest`; a plain request's hash, or a claim not sealed yet, has no colon. */
function splitHash(stored: string | null): { head: string | null; body: string | undefined } {
  const [head, body] = (stored ?? '').split(':');
  return { head: head ?? null, body };
}

interface StoredProblem {
  code: AppError['code'];
  message: string;
  errors?: FieldError[];
  extra?: Record<string, unknown>;
}

function storedProblem(error: AppError): StoredProblem {
  return {
    code: error.code,
    message: error.message,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
    ...(error.options.extra ? { extra: error.options.extra } : {}),
  };
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** How long a claim holds without news from its request, and how often a running request renews it. */
const HOLD = sql`interval '2 minutes'`;
const RENEW_MS = 30_000;
/** Claims made before holds were kept count as abandoned this long after they were made. */
const OLD_CLAIM = sql`interval '15 minutes'`;

/**
 * Runs `work` once per Idempotency-Key: a repeat gets the stored answer (or 409 while the first is still
 * running), a repeat with other parameters gets 422. Keys are claimed by a unique row, so two processes
 * racing with the same key cannot both run. Failures that the client may retry release the key, and so
 * does a failure before a streamed body was read, whose answer could not say which body it was about.
 */
export async function idempotent(
  ctx: Ctx,
  key: string | undefined,
  request: string | StreamedRequest,
  work: (seal: Seal) => Promise<StoredResponse>,
  replay: (stored: StoredResponse) => Promise<StoredResponse> = async (s) => s,
): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await work(async () => {})), replayed: false };
  if (!KEY.test(key))
    throw invalid('the Idempotency-Key is not valid', [
      { field: 'Idempotency-Key', message: '1 to 255 visible ASCII characters' },
    ]);
  const head = typeof request === 'string' ? request : request.head;
  // The claim's creation instant (to the microsecond) is its owner's token: a request whose claim was
  // taken over while it was only slow cannot renew, answer into or free the claim that replaced it.
  const claimed = await queryRows<{ token: string }>(
    ctx.db,
    sql`INSERT INTO idempotency_keys (org_id, key, request_hash, held_until)
        VALUES (${ctx.orgId}, ${key}, ${head}, now() + ${HOLD})
        ON CONFLICT DO NOTHING RETURNING created_at::text AS token`,
  );
  const another = () => new AppError('UNPROCESSABLE', 'this Idempotency-Key was used for another request');
  if (claimed.length === 0) {
    const [existing] = await ctx.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.orgId, ctx.orgId), eq(idempotencyKeys.key, key)));
    if (!existing) return idempotent(ctx, key, request, work, replay);
    const stored = splitHash(existing.requestHash);
    if (stored.head !== head) throw another();
    if (existing.completedAt === null) {
      // A claim nobody renews was left by a server that stopped mid-request: the repeat takes it over.
      const released = await queryRows(
        ctx.db,
        sql`DELETE FROM idempotency_keys WHERE org_id = ${ctx.orgId} AND key = ${key} AND completed_at IS NULL
              AND coalesce(held_until, created_at + ${OLD_CLAIM}) < now() RETURNING key`,
      );
      if (released.length > 0) return idempotent(ctx, key, request, work, replay);
      throw new AppError('CONFLICT', 'a request with this Idempotency-Key is still running; retry later');
    }
    if (typeof request !== 'string' && stored.body !== undefined && stored.body !== (await request.digest()))
      throw another();
    if (existing.responseStatus! >= 400) {
      const problem = existing.responseBody as StoredProblem;
      throw new AppError(problem.code, problem.message, {
        errors: problem.errors,
        extra: { ...problem.extra, replayed: true },
      });
    }
    const answer = await replay({ status: existing.responseStatus!, body: existing.responseBody });
    return { ...answer, replayed: true };
  }
  const mine = and(
    eq(idempotencyKeys.orgId, ctx.orgId),
    eq(idempotencyKeys.key, key),
    sql`${idempotencyKeys.createdAt} = ${claimed[0]!.token}::timestamptz`,
  );
  const renew = setInterval(() => {
    ctx.db
      .update(idempotencyKeys)
      .set({ heldUntil: sql`now() + ${HOLD}` })
      .where(and(mine, isNull(idempotencyKeys.completedAt)))
      .catch(() => {});
  }, RENEW_MS);
  renew.unref();
  let sealed = typeof request === 'string';
  const seal: Seal = async (bodyDigest) => {
    await ctx.db
      .update(idempotencyKeys)
      .set({ requestHash: `${head}:${bodyDigest}` })
      .where(and(mine, isNull(idempotencyKeys.completedAt)));
    sealed = true;
  };
  try {
    const response = await work(seal);
    await ctx.db
      .update(idempotencyKeys)
      .set({ responseStatus: response.status, responseBody: response.body, completedAt: new Date() })
      .where(mine);
    return { ...response, replayed: false };
  } catch (error) {
    // Answers that say the request itself is wrong are final; anything else may succeed on a retry.
    if (
      sealed &&
      error instanceof AppError &&
      error.status < 500 &&
      error.status !== 409 &&
      error.status !== 413
    ) {
      await ctx.db
        .update(idempotencyKeys)
        .set({ responseStatus: error.status, responseBody: storedProblem(error), completedAt: new Date() })
        .where(mine);
    } else {
      await ctx.db.delete(idempotencyKeys).where(mine);
    }
    throw error;
  } finally {
    clearInterval(renew);
  }
}
