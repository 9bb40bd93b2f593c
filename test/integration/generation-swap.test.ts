import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import { rescoreJobHandler } from '../../src/scoring/rescore';
import { generationOf, partitionOf } from '../../src/scoring/score-generation';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { server } from '../helpers/databases';
import { jobsSettled, leasedRescoring } from '../helpers/wait';

// Runs only with TEST_DATABASE_URL (see vitest.config.ts): a list read from another connection.
describe('a first scoring’s swap, while a list is being read', () => {
  let url: string;
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    if (!server) throw new Error('set TEST_DATABASE_URL: these tests need a PostgreSQL server');
    url = await server.fresh();
    database = await openDatabase({ url, poolSize: 4 });
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    for (let i = 0; i < 20; i++) {
      const json = { kind: 'b2b', jobTitle: 'Acheteuse', country: 'FR' };
      expect((await call(app, 'POST', '/v1/prospects', { key: org.manager, json })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  it('waits for the read to end, trying again, instead of failing or stopping the reader', async () => {
    const created = await call(app, 'POST', '/v1/campaigns', { key: org.manager, json: { name: 'Swap' } });
    const campaignId = created.body.id as string;
    await jobsSettled(database, org.orgId);
    await database.db.execute(sql`DELETE FROM prospect_scores WHERE campaign_id = ${campaignId}`);
    const job = await leasedRescoring(database, org.orgId, campaignId);

    // A long export of the campaign's list holds its tables for 4.5 s: longer than the swap waits at once.
    const reader = postgres(url, { max: 1, onnotice: () => {} });
    let readerDone = 0;
    const reading = reader.begin(async (r) => {
      await r`SELECT count(*) FROM prospect_scores WHERE campaign_id = ${campaignId}`;
      await new Promise((resolve) => setTimeout(resolve, 4500));
      readerDone = Date.now();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await rescoreJobHandler({ chunk: 10, threads: 0 })({
      job: await job.read(),
      database,
      signal: new AbortController().signal,
      progress: () => {},
    });
    const swapped = Date.now();
    await reading;
    await reader.end();
    expect(outcome).toMatchObject({ status: 'succeeded', result: { scored: 20 } });
    // The reader finished its transaction; the swap came after it.
    expect(readerDone).toBeGreaterThan(0);
    expect(swapped).toBeGreaterThanOrEqual(readerDone);
    const [after] = await queryRows<{ n: number; left: string | null }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM ${sql.identifier(partitionOf(campaignId))}) AS n,
            to_regclass(${generationOf(job.id)})::text AS left`,
    );
    expect(after).toEqual({ n: 20, left: null });
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${job.id}`);
  });
});
