import { sql } from 'drizzle-orm';
import type { Role } from '../db/schema';
import type { Db } from './db';

/** Who acts: the API key (null for operators at the command line) and its role. */
export interface Actor {
  keyId: string | null;
  role: Role;
}

/** What every verb receives: the organization it works for, who asks, and the database or open transaction. */
export interface Ctx {
  db: Db;
  orgId: string;
  actor: Actor;
  inTransaction?: boolean;
  /** On a server, where several connections run at once (see Database.concurrent). */
  concurrent?: boolean;
}

/** The context of work done by the service itself (jobs, operators' commands): an admin without a key, unless given. */
export function systemCtx(db: Db, orgId: string, keyId: string | null = null): Ctx {
  return { db, orgId, actor: { keyId, role: 'admin' } };
}

/** Runs `fn` in a transaction, or inside the caller's when there already is one. */
export async function withTransaction<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.inTransaction) return fn(ctx);
  return ctx.db.transaction((tx) => fn({ ...ctx, db: tx as unknown as Db, inTransaction: true }));
}

/**
 * Inside a transaction: each statement planned for its own parameters. The pool's connections keep generic
 * plans (DATABASE_PLAN_CACHE_MODE), and a generic plan made while a table was small scans all of it once it
 * has grown: imports and rescoring fill tables from nothing, and their look-ups went from milliseconds to
 * seconds a batch.
 */
export async function planEachStatement(tx: Ctx): Promise<void> {
  await tx.db.execute(sql`SET LOCAL plan_cache_mode = force_custom_plan`);
}
