import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import { rescoreJobHandler } from '../../src/scoring/rescore';
import { generationOf, partitionOf } from '../../src/scoring/score-generation';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { jobsSettled, leasedRescoring } from '../helpers/wait';

/**
 * A campaign's first scoring fills a new generation and swaps it in for the campaign's partition. These
 * tests stop one between its chunks, change things as users would, and hold the swap to what the
 * service's other writers did meanwhile: the queue's scores, deletions, a newer rescoring.
 */
describe.each(databases)('a first scoring written as a new generation on $name', ({ open }) => {
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;
  let people: string[];

  const settled = () => jobsSettled(database, org.orgId);
  const rows = (table: string) =>
    queryRows<{ prospectId: string; since: string; score: number }>(
      database.db,
      sql`SELECT prospect_id AS "prospectId", since::text AS since, score FROM ${sql.identifier(table)}
          ORDER BY prospect_id`,
    );
  const exists = async (table: string) =>
    (await queryRows<{ t: string | null }>(database.db, sql`SELECT to_regclass(${table})::text AS t`))[0]!
      .t !== null;

  /** A rescoring job leased to this test (the app's runner leaves it alone), run here by hand. */
  const leasedJob = async (campaignId: string) => {
    const { id, read } = await leasedRescoring(database, org.orgId, campaignId);
    /** Runs the job, stopped after its first chunk when `stop` is set, as a process that dies would be. */
    const run = async (stop: boolean) => {
      const controller = new AbortController();
      return rescoreJobHandler({ chunk: 10, threads: 0 })({
        job: await read(),
        database,
        signal: controller.signal,
        progress: () => (stop ? controller.abort() : undefined),
      });
    };
    return { id, run };
  };

  /** A campaign made the way the service makes one, its own first scoring left to the test. */
  const newCampaign = async (name: string) => {
    const created = await call(app, 'POST', '/v1/campaigns', {
      key: org.manager,
      json: { name, idealProfile: { titles: { keywords: ['achat', 'acheteu'], points: 10 } } },
    });
    expect(created.status).toBe(201);
    await settled();
    const campaignId = created.body.id as string;
    await database.db.execute(
      sql`DELETE FROM prospect_scores WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
    );
    return campaignId;
  };

  beforeAll(async () => {
    database = await open();
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    people = [];
    for (let i = 0; i < 30; i++) {
      const json = {
        kind: 'b2b',
        jobTitle: i % 3 ? 'Acheteuse' : 'Stagiaire',
        country: 'FR',
        contactPoints: [{ value: `sam.${i}@generation.example` }],
      };
      const created = await call(app, 'POST', '/v1/prospects', { key: org.manager, json });
      expect(created.status).toBe(201);
      people.push(created.body.id);
    }
    people.sort();
  });
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  it('keeps what the queue scored and forgets who was deleted while the generation filled', async () => {
    const campaignId = await newCampaign('Generation');
    const job = await leasedJob(campaignId);
    expect((await job.run(true)).status).toBe('failed');
    const build = generationOf(job.id);
    // The first chunk (ten people, in id order) is in the generation; the campaign's list has no one yet.
    expect((await rows(build)).map((r) => r.prospectId)).toEqual(people.slice(0, 10));
    expect(await rows(partitionOf(campaignId))).toEqual([]);

    // Meanwhile a caller logs a reply from someone already written, which the queue scores at once, and
    // a manager deletes someone else already written.
    const [replied, deleted] = [people[3]!, people[7]!];
    const logged = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { prospectId: replied, type: 'email_replied', channel: 'email' },
    });
    expect(logged.status).toBe(201);
    await jobsSettled(database, org.orgId, 'rescore_queue');
    const queued = await rows(partitionOf(campaignId));
    expect(queued.map((r) => r.prospectId)).toEqual([replied]);
    expect((await call(app, 'DELETE', `/v1/prospects/${deleted}`, { key: org.admin })).status).toBe(204);
    expect((await rows(build)).map((r) => r.prospectId)).not.toContain(deleted);

    // Read: the ten of the first chunk, the twenty after.
    expect(await job.run(false)).toMatchObject({ status: 'succeeded', result: { scored: 30 } });
    expect(await exists(build)).toBe(false);
    const swapped = await rows(partitionOf(campaignId));
    expect(swapped.map((r) => r.prospectId)).toEqual(people.filter((p) => p !== deleted));
    // The queue's row, written after the generation's was, is the one kept.
    expect(swapped.find((r) => r.prospectId === replied)).toEqual(queued[0]);
    // The partition has the three indexes lists read by, and the lists read it.
    const [indexes] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = ${partitionOf(campaignId)}`,
    );
    expect(indexes!.n).toBe(3);
    const list = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&sort=-score&limit=100`, {
      key: org.caller,
    });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(29);
    const scores = list.body.data.map((p: { score: { score: number } }) => p.score.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${job.id}`);
  });

  it('drops the generation of a rescoring overtaken by a newer one, and one left by a failed job', async () => {
    const campaignId = await newCampaign('Overtaken');
    const job = await leasedJob(campaignId);
    expect((await job.run(true)).status).toBe('failed');
    const build = generationOf(job.id);
    expect(await rows(build)).toHaveLength(10);
    // A newer rescoring of the campaign, queued while the first is between two chunks.
    const newer = await leasedJob(campaignId);
    expect(await job.run(false)).toMatchObject({ status: 'succeeded', result: { superseded: true } });
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${job.id}`);
    expect(await exists(build)).toBe(false);
    expect(await rows(partitionOf(campaignId))).toEqual([]);

    // The newer one stops too, and its job fails: its generation stays until the next rescoring starts.
    expect((await newer.run(true)).status).toBe('failed');
    await database.db.execute(sql`UPDATE jobs SET status = 'failed' WHERE id = ${newer.id}`);
    expect(await exists(generationOf(newer.id))).toBe(true);
    expect(
      (await call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.manager })).status,
    ).toBe(202);
    await settled();
    expect(await exists(generationOf(newer.id))).toBe(false);
    expect(await rows(partitionOf(campaignId))).toHaveLength(29);
  });
});
