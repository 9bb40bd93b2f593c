import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/context';
import { type Database, openDatabase, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import { JobLost } from '../../src/jobs/service';
import { idleRescoringWorkers, segmentInWorker } from '../../src/scoring/rescore-pool';
import { campaignVersion } from '../../src/scoring/rescore-segment';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { server } from '../helpers/databases';
import { jobsSettled } from '../helpers/wait';

// Runs only with TEST_DATABASE_URL (see vitest.config.ts): a rescoring uses its threads on a server alone.
describe('the rescoring threads, kept between rescorings', () => {
  let url: string;
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;
  let campaignId: string;

  const scored = async () =>
    (
      await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM prospect_scores WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
      )
    )[0]!.n;
  const lastRescoring = async () =>
    (
      await queryRows<{ status: string; result: { scored: number; segments: unknown[] } }>(
        database.db,
        sql`SELECT status, result FROM jobs WHERE org_id = ${org.orgId} AND kind = 'rescore'
            ORDER BY created_at DESC LIMIT 1`,
      )
    )[0]!;

  beforeAll(async () => {
    if (!server) throw new Error('set TEST_DATABASE_URL: these tests need a PostgreSQL server');
    url = await server.fresh();
    database = await openDatabase({ url, poolSize: 4 });
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    for (let i = 0; i < 30; i++) {
      const json = { kind: 'b2b', jobTitle: i % 2 ? 'Acheteuse' : 'Stagiaire', country: 'FR' };
      expect((await call(app, 'POST', '/v1/prospects', { key: org.manager, json })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  it('walks each rescoring on the same two threads, started once', async () => {
    const created = await call(app, 'POST', '/v1/campaigns', {
      key: org.manager,
      json: { name: 'Pool', idealProfile: { titles: { keywords: ['achat', 'acheteu'], points: 10 } } },
    });
    expect(created.status).toBe(201);
    campaignId = created.body.id;
    await jobsSettled(database, org.orgId);
    expect(await lastRescoring()).toMatchObject({ status: 'succeeded', result: { scored: 30 } });
    expect((await lastRescoring()).result.segments).toHaveLength(2);
    expect(await scored()).toBe(30);
    const threads = idleRescoringWorkers();
    expect(threads).toHaveLength(2);

    const again = await call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.manager });
    expect(again.status).toBeLessThan(300);
    await jobsSettled(database, org.orgId);
    expect(await lastRescoring()).toMatchObject({ status: 'succeeded', result: { scored: 30 } });
    expect(idleRescoringWorkers().sort()).toEqual([...threads].sort());
  });

  it('fails the run of a segment that fails, and keeps the thread for the next', async () => {
    const before = idleRescoringWorkers();
    const run = {
      orgId: org.orgId,
      jobId: '00000000-0000-7000-8000-000000000000',
      campaignId,
      version: 'none',
      index: 0,
      segment: { until: null, after: null, scored: 0, changed: 0, done: false },
      at: new Date(),
      chunk: 10,
      signal: new AbortController().signal,
      onCommit: () => {},
    };
    // A database that does not exist: the segment cannot open its connections.
    const missing = url.replace(/\/[^/?]+(\?|$)/, '/tiede_no_such_database$1');
    await expect(segmentInWorker(missing, run)).rejects.toThrow(
      /rescoring worker: .*tiede_no_such_database/s,
    );
    // A job that is not there (taken over and gone): its first chunk has no job to record its progress in.
    const version = await campaignVersion(systemCtx(database.db, org.orgId, null), campaignId);
    await expect(segmentInWorker(url, { ...run, version })).rejects.toBeInstanceOf(JobLost);
    expect(idleRescoringWorkers().sort()).toEqual([...before].sort());
    // A segment stopped after its first chunk ends there, and one stopped before it began writes nothing;
    // their threads are kept all the same.
    const [job] = await queryRows<{ id: string }>(
      database.db,
      sql`INSERT INTO jobs (id, org_id, kind, status, params, locked_by, locked_until)
          VALUES (gen_random_uuid(), ${org.orgId}, 'rescore', 'running', ${JSON.stringify({ campaignId })}::jsonb,
            'test', now() + interval '1 hour') RETURNING id`,
    );
    const leased = { ...run, version, jobId: job!.id };
    const midway = new AbortController();
    const stopped = await segmentInWorker(url, {
      ...leased,
      signal: midway.signal,
      onCommit: () => midway.abort(),
    });
    // Stopped where it got: a chunk or two (the next is written while the stop travels), not all thirty.
    expect(stopped.done).toBe(false);
    expect([10, 20]).toContain(stopped.scored);
    const early = new AbortController();
    early.abort();
    expect(await segmentInWorker(url, { ...leased, signal: early.signal })).toMatchObject({
      done: false,
      scored: 0,
    });
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${job!.id}`);
    expect(idleRescoringWorkers().sort()).toEqual([...before].sort());
    // Both threads still walk the next rescoring.
    await call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.manager });
    await jobsSettled(database, org.orgId);
    expect(await lastRescoring()).toMatchObject({ status: 'succeeded', result: { scored: 30 } });
  });
});
