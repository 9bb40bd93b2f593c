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
 * racing with the same key cannot both run. Failures that the client may retry release the key.
 */
export async function idempotent(
  ctx: Ctx,
  key: string | undefined,
  requestHash: string,
  work: () => Promise<StoredResponse>,
  replay: (stored: StoredResponse) => Promise<StoredResponse> = async (s) => s,
): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await work()), replayed: false };
  if (!KEY.test(key))
    throw invalid('the Idempotency-Key is not valid', [
      { field: 'Idempotency-Key', message: '1 to 255 visible ASCII characters' },
    ]);
  // The claim's creation instant (to the microsecond) is its owner's token: a request whose claim was
  // taken over while it was only slow cannot renew, answer into or free the claim that replaced it.
  const claimed = await queryRows<{ token: string }>(
    ctx.db,
    sql`INSERT INTO idempotency_keys (org_id, key, request_hash, held_until)
        VALUES (${ctx.orgId}, ${key}, ${requestHash}, now() + ${HOLD})
        ON CONFLICT DO NOTHING RETURNING created_at::text AS token`,
  );
  if (claimed.length === 0) {
    const [existing] = await ctx.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.orgId, ctx.orgId), eq(idempotencyKeys.key, key)));
    if (!existing) return idempotent(ctx, key, requestHash, work, replay);
    if (existing.requestHash !== requestHash) {
      throw new AppError('UNPROCESSABLE', 'this Idempotency-Key was used for another request');
    }
    if (existing.completedAt === null) {
      // A claim nobody renews was left by a server that stopped mid-request: the repeat takes it over.
      const released = await queryRows(
        ctx.db,
        sql`DELETE FROM idempotency_keys WHERE org_id = ${ctx.orgId} AND key = ${key} AND completed_at IS NULL
              AND coalesce(held_until, created_at + ${OLD_CLAIM}) < now() RETURNING key`,
      );
      if (released.length > 0) return idempotent(ctx, key, requestHash, work, replay);
      throw new AppError('CONFLICT', 'a request with this Idempotency-Key is still running; retry later');
    }
    if (existing.responseStatus! >= 400) {
      const problem = existing.responseBody as StoredProblem;
      throw new AppError(problem.code, problem.message, {
        errors: problem.errors,
        extra: { ...problem.extra, replayed: true },
      });
    }
    const stored = await replay({ status: existing.responseStatus!, body: existing.responseBody });
    return { ...stored, replayed: true };
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
  try {
    const response = await work();
    await ctx.db
      .update(idempotencyKeys)
      .set({ responseStatus: response.status, responseBody: response.body, completedAt: new Date() })
      .where(mine);
    return { ...response, replayed: false };
  } catch (error) {
    // Answers that say the request itself is wrong are final; anything else may succeed on a retry.
    if (error instanceof AppError && error.status < 500 && error.status !== 409 && error.status !== 413) {
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
