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

/**
 * A rescoring job of a campaign, leased to the test for an hour so that the app's runner leaves it alone:
 * the test runs it by hand through the handler, with `read()` as the job the runner would pass.
 */
export async function leasedRescoring(database: Database, orgId: string, campaignId: string) {
  const [job] = await queryRows<{ id: string }>(
    database.db,
    sql`INSERT INTO jobs (id, org_id, kind, status, params, locked_by, locked_until)
        VALUES (gen_random_uuid(), ${orgId}, 'rescore', 'running', ${JSON.stringify({ campaignId })}::jsonb,
          'test', now() + interval '1 hour') RETURNING id`,
  );
  const id = job!.id;
  const read = async () =>
    (await queryRows<Record<string, unknown>>(database.db, sql`SELECT * FROM jobs WHERE id = ${id}`)).map(
      (r) => ({ ...r, orgId: r.org_id, createdBy: null }),
    )[0] as never;
  return { id, read };
}
