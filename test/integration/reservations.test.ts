import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db';
import { call, newOrg, TEST_SUPPRESSION_SECRET, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { server } from '../helpers/databases';
import { waitFor } from '../helpers/wait';

const PARALLEL = 50;
const CAP = 4;

/** A port nobody listens on, for a child API process. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** `npm start`'s entry on the given database, as a separate operating-system process. */
async function apiProcess(databaseUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SUPPRESSION_SECRET: TEST_SUPPRESSION_SECRET,
      LOG_LEVEL: 'error',
      DATABASE_POOL_SIZE: '10',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the API process stopped with code ${child.exitCode}`);
      const ready = await fetch(`${base}/readyz`).catch(() => undefined);
      return ready?.ok ? true : undefined;
    },
    60_000,
    100,
  );
  return { child, base };
}

const codes = (body: { reasons?: { code: string }[] }) => (body.reasons ?? []).map((r) => r.code);

// Runs only with TEST_DATABASE_URL (see vitest.config.ts): several connections at once exist only on a server.
describe('reservations hold caps and budgets under parallel requests on the PostgreSQL server', () => {
  let url: string;
  let one: Database;
  let two: Database;
  let appOne: TestApp;
  let appTwo: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    if (!server) throw new Error('set TEST_DATABASE_URL: these tests need a PostgreSQL server');
    url = await server.fresh();
    // Two pools stand for two API processes inside this one; the last test starts real ones.
    one = await openDatabase({ url, poolSize: 10 });
    two = await openDatabase({ url, poolSize: 10 });
    appOne = testApp(one);
    appTwo = testApp(two);
    org = await newOrg(one);
    // A French business number: no calling hours in law, so the outcome does not depend on when the test runs.
    const policy = await call(appOne, 'PUT', '/v1/policy', {
      key: org.manager,
      json: {
        caps: [{ channel: 'phone', scope: 'contact_point', max: CAP, windowHours: 24 * 7 }],
      },
    });
    expect(policy.status).toBe(200);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  const prospect = async (contactPoints: { value: string }[], owner = org) => {
    const created = await call(appOne, 'POST', '/v1/prospects', {
      key: owner.manager,
      json: { kind: 'b2b', country: 'FR', lastName: 'Parallèle', contactPoints },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; contactPoints: { id: string }[] };
  };

  /** Fires every request at once, alternating between the two apps, and sorts the answers by status. */
  const race = async (bodies: Record<string, unknown>[], owner = org) => {
    const answers = await Promise.all(
      bodies.map((json, i) =>
        call(i % 2 === 0 ? appOne : appTwo, 'POST', '/v1/contact-attempts', { key: owner.caller, json }),
      ),
    );
    const byStatus = (status: number) => answers.filter((a) => a.status === status);
    expect(answers.length, 'every answer is a reservation or a refusal').toBe(
      byStatus(201).length + byStatus(409).length,
    );
    return { reserved: byStatus(201), refused: byStatus(409) };
  };

  it(`lets exactly ${CAP} of ${PARALLEL} parallel reservations through for one contact point`, async () => {
    const person = await prospect([{ value: '01 49 10 00 01' }]);
    const { reserved, refused } = await race(
      Array.from({ length: PARALLEL }, () => ({
        contactPointId: person.contactPoints[0]!.id,
        channel: 'phone',
      })),
    );
    expect(reserved.length).toBe(CAP);
    for (const answer of refused) {
      expect(codes(answer.body)).toEqual(['CAP_REACHED']);
      expect(answer.body.nextAllowedAt).toEqual(expect.any(String));
    }
  });

  it('counts a number shared by two prospect records once', async () => {
    const shared = '01 49 10 00 02';
    const first = await prospect([{ value: shared }]);
    const second = await prospect([{ value: shared }]);
    expect(second.contactPoints[0]!.id).toBe(first.contactPoints[0]!.id);
    const whose = await call(appOne, 'POST', '/v1/contact-attempts', {
      key: org.caller,
      json: { contactPointId: first.contactPoints[0]!.id, channel: 'phone' },
    });
    expect(whose.status).toBe(400);
    expect(whose.body.errors).toEqual([expect.objectContaining({ field: 'prospectId' })]);
    const { reserved } = await race(
      Array.from({ length: PARALLEL }, (_, i) => ({
        prospectId: i % 2 === 0 ? first.id : second.id,
        channel: 'phone',
      })),
    );
    expect(reserved.length).toBe(CAP);
  });

  it('holds a cross-channel pressure budget across a person’s numbers and address', async () => {
    const budgeted = await newOrg(one);
    const policy = await call(appOne, 'PUT', '/v1/policy', {
      key: budgeted.manager,
      json: { pressureBudget: { max: 3, windowDays: 14 } },
    });
    expect(policy.status).toBe(200);
    const person = await prospect(
      [{ value: '01 49 10 00 03' }, { value: '06 49 10 00 03' }, { value: 'p3@exemple.fr' }],
      budgeted,
    );
    const bodies = Array.from({ length: PARALLEL }, (_, i) => ({
      prospectId: person.id,
      channel: i % 3 === 2 ? 'email' : 'phone',
      ...(i % 3 === 1 ? { contactPointId: person.contactPoints[1]!.id } : {}),
    }));
    const { reserved, refused } = await race(bodies, budgeted);
    expect(reserved.length).toBe(3);
    for (const answer of refused) expect(codes(answer.body)).toContain('PRESSURE_BUDGET');
  });

  it('a key revoked through one process is refused by the other at once, though the other had checked it', async () => {
    const extra = await call(appOne, 'POST', '/v1/api-keys', {
      key: org.admin,
      json: { name: 'temp', role: 'caller' },
    });
    expect(extra.status).toBe(201);
    const use = () => call(appTwo, 'GET', '/v1/policy', { key: extra.body.key });
    expect((await use()).status).toBe(200);
    expect((await use()).status).toBe(200);
    const revoked = await call(appOne, 'DELETE', `/v1/api-keys/${extra.body.apiKey.id}`, { key: org.admin });
    expect(revoked.status).toBe(200);
    // The notice travels through the database: a few milliseconds, never the minute a key is kept.
    const refusedAfter = performance.now();
    await waitFor(async () => ((await use()).status === 401 ? true : undefined), 1_000, 5);
    expect(performance.now() - refusedAfter).toBeLessThan(1_000);
  });

  it(`lets exactly ${CAP} through when two real API processes take ${PARALLEL} requests at once`, async () => {
    const shared = '01 49 10 00 04';
    const first = await prospect([{ value: shared }]);
    const second = await prospect([{ value: shared }]);
    const processes = await Promise.all([apiProcess(url), apiProcess(url)]);
    try {
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          fetch(`${processes[i % 2]!.base}/v1/contact-attempts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${org.caller}`, 'content-type': 'application/json' },
            body: JSON.stringify({ prospectId: i % 4 < 2 ? first.id : second.id, channel: 'phone' }),
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(CAP);
      expect(statuses.filter((s) => s === 409)).toHaveLength(PARALLEL - CAP);
      const listed = await call(appOne, 'GET', `/v1/contact-attempts?prospectId=${first.id}&limit=100`, {
        key: org.manager,
      });
      expect(listed.status).toBe(200);
    } finally {
      for (const { child } of processes) child.kill('SIGTERM');
    }
  });
});
