import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../../src/db';
import { call, makeRunner, newOrg, type TestApp, testApp, testConfig } from '../helpers/app';
import { server } from '../helpers/databases';
import { bytes } from '../helpers/files';
import { waitFor } from '../helpers/wait';

/** People 0..n-1 of a shared pool, in the given order, with the company and title varying by file. */
function file(ids: number[], variant: string): string {
  const lines = ['Prénom,Nom,Société,Fonction,E-mail,Téléphone'];
  for (const i of ids) {
    const digits = String(20000000 + i);
    lines.push(
      `Léa,Bernard-${i},Société ${i % 11} ${variant},Acheteuse ${variant},lea.${i}@exemple.fr,06 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 8)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const shuffled = (n: number, seed: number) => {
  const ids = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
};

// Runs only with TEST_DATABASE_URL (see vitest.config.ts): several connections at once exist only on a server.
describe('invariants under concurrent requests on the PostgreSQL server', () => {
  let url: string;
  let one: Database;
  let two: Database;
  let appOne: TestApp;
  let appTwo: TestApp;

  beforeAll(async () => {
    if (!server) throw new Error('set TEST_DATABASE_URL: these tests need a PostgreSQL server');
    // Two pools stand for two API processes.
    url = await server.fresh();
    one = await openDatabase({ url, poolSize: 8 });
    two = await openDatabase({ url, poolSize: 8 });
    appOne = testApp(one);
    appTwo = testApp(two);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  /** Counts, and whether prospects and contact points list each other consistently (mismatches = 0). */
  const invariants = async (orgId: string) =>
    (
      await queryRows<{
        prospects: number;
        emails: number;
        phones: number;
        links: number;
        shared: number;
        mismatches: number;
      }>(
        one.db,
        sql`WITH forward AS (
              SELECT p.id AS prospect_id, (e->>'id')::uuid AS contact_point_id
              FROM prospects p, jsonb_array_elements(p.contact_points) e WHERE p.org_id = ${orgId}),
            backward AS (
              SELECT unnest(prospect_ids) AS prospect_id, id AS contact_point_id FROM contact_points WHERE org_id = ${orgId})
            SELECT
              (SELECT count(*)::int FROM prospects WHERE org_id = ${orgId}) AS prospects,
              (SELECT count(*)::int FROM contact_points WHERE org_id = ${orgId} AND channel = 'email') AS emails,
              (SELECT count(*)::int FROM contact_points WHERE org_id = ${orgId} AND channel = 'phone') AS phones,
              (SELECT count(*)::int FROM backward) AS links,
              (SELECT count(*)::int FROM contact_points WHERE org_id = ${orgId} AND cardinality(prospect_ids) > 1) AS shared,
              (SELECT count(*)::int FROM ((SELECT * FROM forward EXCEPT ALL SELECT * FROM backward)
                 UNION ALL (SELECT * FROM backward EXCEPT ALL SELECT * FROM forward)) d) AS mismatches`,
      )
    )[0]!;

  it('twelve overlapping imports from two processes at once make each person once', async () => {
    const org = await newOrg(one);
    const uploads = Array.from({ length: 12 }, (_, k) =>
      call(k % 2 ? appTwo : appOne, 'POST', '/v1/imports', {
        key: org.manager,
        body: bytes(file(shuffled(150, k + 1), `v${k}`)),
        headers: { 'content-type': 'text/csv' },
      }),
    );
    const responses = await Promise.all(uploads);
    for (const response of responses) expect(response.status).toBe(200);
    const created = responses.reduce((sum, r) => sum + r.body.result.counts.created, 0);
    const updated = responses.reduce((sum, r) => sum + r.body.result.counts.updated, 0);
    expect(created).toBe(150);
    expect(updated).toBe(12 * 150 - 150);
    expect(await invariants(org.orgId)).toEqual({
      prospects: 150,
      emails: 150,
      phones: 150,
      links: 300,
      shared: 0,
      mismatches: 0,
    });
  });

  it('imports and single creates racing on the same addresses never duplicate a contact point', async () => {
    const org = await newOrg(one);
    const creates = Array.from({ length: 30 }, (_, i) =>
      call(i % 2 ? appTwo : appOne, 'POST', '/v1/prospects', {
        key: org.manager,
        json: { lastName: `Bernard-${i}`, contactPoints: [{ value: `lea.${i}@exemple.fr` }] },
      }),
    );
    const imports = [0, 1].map((k) =>
      call(k ? appTwo : appOne, 'POST', '/v1/imports', {
        key: org.manager,
        body: bytes(file(shuffled(30, k + 7), `w${k}`)),
        headers: { 'content-type': 'text/csv' },
      }),
    );
    const all = await Promise.all([...creates, ...imports]);
    // A create that comes after an import brought the same person is refused as a second record of them.
    for (const response of all) expect([200, 201, 409]).toContain(response.status);
    for (const refused of all.filter((r) => r.status === 409))
      expect(refused.body.existingId).toEqual(expect.any(String));
    const state = await invariants(org.orgId);
    expect(state.emails).toBe(30);
    expect(state.phones).toBe(30);
    expect(state.mismatches).toBe(0);
  });

  it('one Idempotency-Key sent five times at once imports once', async () => {
    const org = await newOrg(one);
    const body = file(shuffled(40, 3), 'x');
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, k) =>
        call(k % 2 ? appTwo : appOne, 'POST', '/v1/imports', {
          key: org.manager,
          body: bytes(body),
          headers: { 'content-type': 'text/csv', 'idempotency-key': 'same-upload' },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(new Set(responses.filter((r) => r.status === 200).map((r) => r.body.id)).size).toBe(1);
    const jobs = await queryRows<{ n: number }>(
      one.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${org.orgId}`,
    );
    expect(jobs[0]!.n).toBe(1);
    expect((await invariants(org.orgId)).prospects).toBe(40);
  });

  it('three job runners on separate connections share the queue: each job runs once', async () => {
    const org = await newOrg(one);
    const config = { ...testConfig, IMPORT_BATCH_SIZE: 25 };
    const ids: string[] = [];
    for (let k = 0; k < 6; k++) {
      const queued = await call(appOne, 'POST', '/v1/imports?async=true', {
        key: org.manager,
        body: bytes(
          file(
            Array.from({ length: 60 }, (_, i) => k * 60 + i),
            `j${k}`,
          ),
        ),
        headers: { 'content-type': 'text/csv' },
      });
      ids.push(queued.body.id);
    }
    const pools = [one, two, await openDatabase({ url, poolSize: 4 })];
    const runners = pools.map((pool) => makeRunner(pool, config, { pollMs: 5 }));
    for (const runner of runners) runner.start();
    try {
      await waitFor(async () => {
        const rows = await queryRows<{ n: number }>(
          one.db,
          sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${org.orgId} AND status = 'succeeded'`,
        );
        return rows[0]!.n === 6 ? true : undefined;
      });
    } finally {
      for (const runner of runners) await runner.stop();
      await pools[2]!.close();
    }
    const jobs = await queryRows<{ attempts: number; locked_by: string }>(
      one.db,
      sql`SELECT attempts, locked_by FROM jobs WHERE id = ANY(${sql.param(ids)}::uuid[])`,
    );
    expect(jobs.map((j) => j.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect((await invariants(org.orgId)).prospects).toBe(360);
  });

  it('a full rescoring and the queue of changed people, in two processes at once, write each score once', async () => {
    const org = await newOrg(one);
    const imported = await call(appOne, 'POST', '/v1/imports', {
      key: org.manager,
      body: bytes(file(shuffled(300, 5), 'R')),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBeLessThan(300);
    const campaign = await call(appOne, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Course', idealProfile: { titles: { keywords: ['acheteu'], points: 10 } } },
    });
    const people = (await call(appOne, 'GET', '/v1/prospects?limit=300', { key: org.caller })).body.data as {
      id: string;
    }[];
    // Events for everyone while both processes' runners rescore: the campaign's full job and the queue's.
    const runners = [makeRunner(one, testConfig, { pollMs: 5 }), makeRunner(two, testConfig, { pollMs: 5 })];
    for (const runner of runners) runner.start();
    const at = Date.now();
    await Promise.all(
      people.map((p, i) =>
        call(i % 2 ? appOne : appTwo, 'POST', '/v1/interactions', {
          key: org.caller,
          json: {
            prospectId: p.id,
            type: 'email_clicked',
            occurredAt: new Date(at - i * 60_000).toISOString(),
          },
        }),
      ),
    );
    await call(appTwo, 'POST', `/v1/campaigns/${campaign.body.id}/rescore`, { key: org.manager });
    await waitFor(async () => {
      const [row] = await queryRows<{ n: number }>(
        one.db,
        sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${org.orgId} AND status IN ('queued', 'running')`,
      );
      return row!.n === 0 ? true : undefined;
    }, 60_000);
    await Promise.all(runners.map((r) => r.stop()));
    const jobs = await queryRows<{ kind: string; status: string }>(
      one.db,
      sql`SELECT kind, status FROM jobs WHERE org_id = ${org.orgId} AND kind LIKE 'rescore%'`,
    );
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    const [scores] = await queryRows<{ rows: number; people: number; clicked: number }>(
      one.db,
      sql`SELECT count(*)::int AS rows, count(DISTINCT prospect_id)::int AS people,
            count(*) FILTER (WHERE other_reasons::text LIKE '%email_clicked%')::int AS clicked
          FROM prospect_scores WHERE org_id = ${org.orgId}`,
    );
    // Every click is in the stored scores, whichever job scored the person last.
    expect(scores).toEqual({ rows: 300, people: 300, clicked: 300 });
  });
});
