import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { fingerprint } from '../../src/http/idempotency';
import { appendBlob, createJob, failAbandonedUploads, readBlobs } from '../../src/jobs/service';
import { call, makeRunner, newOrg, type TestApp, testApp, testConfig } from '../helpers/app';
import { databases } from '../helpers/databases';
import { bytes } from '../helpers/files';
import { waitFor } from '../helpers/wait';

function peopleFile(rows: number, offset = 0): string {
  const lines = ['Prénom;Nom;Société;E-mail;Téléphone'];
  for (let i = offset; i < offset + rows; i++) {
    lines.push(
      `Camille;Martin-${i};Entreprise ${i % 37};camille.${i}@exemple.fr;06 ${String(10000000 + i).slice(0, 2)} ${String(10000000 + i).slice(2, 4)} ${String(10000000 + i).slice(4, 6)} ${String(10000000 + i).slice(6, 8)}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const small = { ...testConfig, IMPORT_SYNC_MAX_BYTES: 2000, IMPORT_BATCH_SIZE: 20 };

describe.each(databases)('import jobs on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;

  beforeAll(async () => {
    database = await open();
    app = testApp(database, small);
  });
  afterAll(() => database.close());

  const count = async (orgId: string) =>
    (
      await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM prospects WHERE org_id = ${orgId}`,
      )
    )[0]!.n;

  it('turns a large file into a job whose progress can be followed, and runs it', async () => {
    const org = await newOrg(database);
    const runner = makeRunner(database, small);
    const withRunner = testApp(database, small, runner);
    const queued = await call(withRunner, 'POST', '/v1/imports', {
      key: org.manager,
      body: bytes(peopleFile(300)),
      headers: { 'content-type': 'text/csv' },
    });
    expect(queued.status).toBe(202);
    expect(queued.headers.get('location')).toBe(`/v1/jobs/${queued.body.id}`);
    expect(queued.body).toMatchObject({
      status: 'queued',
      kind: 'import',
      progress: { rowsDone: 0, bytesTotal: expect.any(Number) },
    });
    runner.start();
    try {
      const done = await waitFor(async () => {
        const job = await call(withRunner, 'GET', `/v1/jobs/${queued.body.id}`, { key: org.caller });
        return job.body.status === 'succeeded' ? job.body : undefined;
      });
      expect(done.result.counts).toMatchObject({ rows: 300, created: 300, rejected: 0 });
      expect(done.progress).toMatchObject({ rowsDone: 300, rowsTotal: 300, percent: 100 });
      expect(await count(org.orgId)).toBe(300);
      const blobs = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM job_blobs WHERE job_id = ${queued.body.id}`,
      );
      expect(blobs[0]!.n).toBe(0);
    } finally {
      await runner.stop();
    }
  });

  it('queues even a small file when asked, and another organization cannot see the job', async () => {
    const org = await newOrg(database);
    const other = await newOrg(database);
    const queued = await call(app, 'POST', '/v1/imports?async=true', {
      key: org.manager,
      body: bytes(peopleFile(3)),
      headers: { 'content-type': 'text/csv' },
    });
    expect(queued.status).toBe(202);
    expect((await call(app, 'GET', `/v1/jobs/${queued.body.id}`, { key: other.admin })).status).toBe(404);
    expect(
      (await call(app, 'GET', `/v1/jobs/${queued.body.id}/rejections`, { key: other.admin })).status,
    ).toBe(404);
    const mine = await call(app, 'GET', '/v1/jobs?status=queued', { key: org.caller });
    expect(mine.body.data.map((j: { id: string }) => j.id)).toEqual([queued.body.id]);
  });

  it('resumes a job after its process stops, without importing any row twice', async () => {
    const org = await newOrg(database);
    const queued = await call(app, 'POST', '/v1/imports', {
      key: org.manager,
      body: bytes(peopleFile(4000)),
      headers: { 'content-type': 'text/csv' },
    });
    expect(queued.status).toBe(202);
    const jobId = queued.body.id;
    const checkpoint = async () =>
      (
        await queryRows<{ checkpoint: number; status: string; attempts: number }>(
          database.db,
          sql`SELECT checkpoint, status, attempts FROM jobs WHERE id = ${jobId}`,
        )
      )[0]!;

    const first = makeRunner(database, small, { pollMs: 10 });
    first.start();
    // The runner's own report: on PGlite, a query from here waits behind the job's batches.
    await waitFor(async () => ((first.progressOf(jobId)?.rowsDone ?? 0) > 0 ? true : undefined), 20_000, 1);
    await first.stop();
    const stopped = await checkpoint();
    expect(stopped.status).toBe('running');
    expect(stopped.checkpoint).toBeGreaterThan(0);
    expect(stopped.checkpoint).toBeLessThan(4000);
    expect(await count(org.orgId)).toBe(stopped.checkpoint);

    // As if the process had died holding the job: its lease runs out and another process takes over.
    await database.db.execute(
      sql`UPDATE jobs SET locked_by = 'dead-process', locked_until = now() - interval '1 second' WHERE id = ${jobId}`,
    );
    const second = makeRunner(database, small, { pollMs: 10 });
    second.start();
    try {
      const job = await waitFor(async () => {
        const response = await call(app, 'GET', `/v1/jobs/${jobId}`, { key: org.caller });
        return response.body.status === 'succeeded' ? response.body : undefined;
      });
      expect(job.attempts).toBe(2);
      expect(job.result.counts).toMatchObject({ rows: 4000, created: 4000, updated: 0, rejected: 0 });
      expect(await count(org.orgId)).toBe(4000);
    } finally {
      await second.stop();
    }
  });

  it('fails a job whose file cannot be mapped, and says why', async () => {
    const org = await newOrg(database);
    const runner = makeRunner(database, small);
    const queued = await call(app, 'POST', '/v1/imports?async=true', {
      key: org.manager,
      body: bytes('Colonne;Autre\n1;2\n'),
      headers: { 'content-type': 'text/csv' },
    });
    runner.start();
    try {
      const job = await waitFor(async () => {
        const response = await call(app, 'GET', `/v1/jobs/${queued.body.id}`, { key: org.caller });
        return response.body.status === 'failed' ? response.body : undefined;
      });
      expect(job.error).toMatchObject({
        code: 'UNPROCESSABLE',
        message: expect.stringContaining('no column gives'),
      });
    } finally {
      await runner.stop();
    }
  });
  it('keeps a file whatever its bytes, and fails an upload whose pieces stopped coming', async () => {
    const org = await newOrg(database);
    const job = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'uploading' });
    const piece = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
    await appendBlob(database.db, job.id, 0, piece);
    await appendBlob(database.db, job.id, 1, piece.subarray(3, 10));
    const read: Uint8Array[] = [];
    for await (const chunk of readBlobs(database.db, job.id)) read.push(chunk);
    expect(read.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [piece, piece.subarray(3, 10)].map((c) => Buffer.from(c).toString('hex')),
    );
    const stalled = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'uploading' });
    await appendBlob(database.db, stalled.id, 0, piece);
    const status = async (id: string) =>
      (await queryRows<{ status: string }>(database.db, sql`SELECT status FROM jobs WHERE id = ${id}`))[0]!
        .status;
    await failAbandonedUploads(database.db);
    expect([await status(job.id), await status(stalled.id)]).toEqual(['uploading', 'uploading']);
    // Eleven minutes without a piece.
    await database.db.execute(
      sql`UPDATE jobs SET locked_until = now() - interval '1 minute' WHERE id = ${stalled.id}`,
    );
    await failAbandonedUploads(database.db);
    expect([await status(job.id), await status(stalled.id)]).toEqual(['uploading', 'failed']);
  });

  it('fails an import run inside a request once its process stopped renewing it, and frees its Idempotency-Key', async () => {
    const org = await newOrg(database);
    const inRequest = (minutes: number) =>
      createJob(database.db, {
        orgId: org.orgId,
        kind: 'import',
        status: 'running',
        lockedBy: 'request',
        lockedUntil: new Date(Date.now() + minutes * 60_000),
      });
    const [alive, dead] = [await inRequest(2), await inRequest(-1)];
    await failAbandonedUploads(database.db);
    const [row] = await queryRows<{ status: string; error: { code: string; message: string } }>(
      database.db,
      sql`SELECT status, error FROM jobs WHERE id = ${dead.id}`,
    );
    expect(row).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
    expect(row!.error.message).toContain('send the file again');
    const [still] = await queryRows<{ status: string }>(
      database.db,
      sql`SELECT status FROM jobs WHERE id = ${alive.id}`,
    );
    expect(still!.status).toBe('running');

    // A key claimed by a request that died: taken over once its hold lapsed, refused while it holds.
    const app = testApp(database);
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Vidal' },
    });
    const item = { prospectId: person.body.id, type: 'note' };
    const send = (key: string) =>
      call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: item,
        headers: { 'idempotency-key': key },
      });
    await database.db.execute(
      sql`INSERT INTO idempotency_keys (org_id, key, request_hash, held_until) VALUES
            (${org.orgId}, 'k-dead', ${fingerprint('POST /v1/interactions', JSON.stringify(item))}, now() - interval '1 minute'),
            (${org.orgId}, 'k-alive', ${fingerprint('POST /v1/interactions', JSON.stringify(item))}, now() + interval '1 minute')`,
    );
    expect((await send('k-dead')).status).toBe(201);
    expect((await send('k-dead')).headers.get('idempotent-replayed')).toBe('true');
    expect((await send('k-alive')).status).toBe(409);
  });
});
