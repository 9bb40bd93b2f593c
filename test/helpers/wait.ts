import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/db';
/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms = 20_000, every = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Waits until an organization has no job queued or running (of one kind, if given). */
export async function jobsSettled(database: Database, orgId: string, kind?: string): Promise<void> {
  await waitFor(async () => {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${orgId} AND status IN ('queued', 'running')
            ${kind ? sql`AND kind = ${kind}` : sql``}`,
    );
    return row!.n === 0 ? true : undefined;
  });
}
