import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { JobRunner } from '../../src/jobs/runner';
import { claimJob, createJob, releaseJob } from '../../src/jobs/service';
import { call, makeRunner, newOrg, silent, type TestApp, testApp, testConfig } from '../helpers/app';
import { databases, server } from '../helpers/databases';
import { bytes } from '../helpers/files';
import { waitFor } from '../helpers/wait';

function peopleFile(rows: number): string {
  const lines = ['Prénom;Nom;Société;E-mail'];
  for (let i = 0; i < rows; i++)
    lines.push(`Camille;Martin-${i};Entreprise ${i % 37};camille.${i}@exemple.fr`);
  return `${lines.join('\r\n')}\r\n`;
}

const small = { ...testConfig, IMPORT_SYNC_MAX_BYTES: 2000, IMPORT_BATCH_SIZE: 20 };
const ROWS = 4000;

interface JobRow {
  status: string;
  checkpoint: number;
  attempts: number;
  locked_by: string | null;
  result: { counts?: Record<string, number> };
  error: { code: string; message: string } | null;
}

function helpers(database: () => Database, app: () => TestApp) {
  const jobRow = async (id: string) =>
    (
      await queryRows<JobRow>(
        database().db,
        sql`SELECT status, checkpoint, attempts, locked_by, result, error FROM jobs WHERE id = ${id}`,
      )
    )[0]!;
  const count = async (orgId: string) =>
    (
      await queryRows<{ n: number }>(
        database().db,
        sql`SELECT count(*)::int AS n FROM prospects WHERE org_id = ${orgId}`,
      )
    )[0]!.n;
  /** A queued import of ROWS people, 20 a batch. */
  const queueImport = async () => {
    const org = await newOrg(database());
    const queued = await call(app(), 'POST', '/v1/imports', {
      key: org.manager,
      body: bytes(peopleFile(ROWS)),
      headers: { 'content-type': 'text/csv' },
    });
    expect(queued.status).toBe(202);
    return { org, jobId: queued.body.id as string };
  };
  /** Runs the job to its end on a runner of its own. */
  const finish = async (jobId: string) => {
    const runner = makeRunner(database(), small, { pollMs: 10 });
    runner.start();
    try {
      return await waitFor(async () => {
        const row = await jobRow(jobId);
        return ['succeeded', 'failed'].includes(row.status) ? row : undefined;
      });
    } finally {
      await runner.stop();
    }
  };
  /** As if the process holding the job had died: its lease runs out, its name stays on the job. */
  const lapse = (jobId: string) =>
    database().db.execute(
      sql`UPDATE jobs SET locked_by = coalesce(locked_by, 'dead-process'), locked_until = now() - interval '1 second'
          WHERE id = ${jobId}`,
    );
  return { jobRow, count, queueImport, finish, lapse };
}

describe.each(databases)('job attempts and ownership on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  const { jobRow, count, queueImport, finish, lapse } = helpers(
    () => database,
    () => app,
  );

  beforeAll(async () => {
    database = await open();
    app = testApp(database, small);
  });
  afterAll(() => database.close());

  it('resumes an import handed back at every restart, or lost after it moved on, until every row is in', async () => {
    const { org, jobId } = await queueImport();
    let reached = 0;
    // Five attempts, more than the three a job may lose without progress: restarts (SIGTERM), and
    // processes that died after committing a batch or more.
    for (let round = 0; round < 5; round++) {
      const runner = makeRunner(database, small, { pollMs: 10 });
      runner.start();
      const moved = await waitFor(
        async () => {
          if ((runner.progressOf(jobId)?.rowsDone ?? 0) > reached) return 'moved';
          const row = await jobRow(jobId);
          return row.status === 'failed' ? `failed: ${row.error?.message}` : undefined;
        },
        20_000,
        1,
      );
      await runner.stop();
      expect(moved).toBe('moved');
      const row = await jobRow(jobId);
      expect(row).toMatchObject({ status: 'running', locked_by: null });
      expect(row.checkpoint).toBeGreaterThan(reached);
      expect(row.checkpoint).toBeLessThan(ROWS);
      reached = row.checkpoint;
      if (round % 2 === 1) await lapse(jobId);
    }
    const done = await finish(jobId);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 6, error: null });
    expect(done.result.counts).toMatchObject({ rows: ROWS, created: ROWS, updated: 0, unchanged: 0 });
    expect(await count(org.orgId)).toBe(ROWS);
    const shown = await call(app, 'GET', `/v1/jobs/${jobId}`, { key: org.caller });
    expect(shown.body.params).not.toHaveProperty('attempt');
  });

  it('writes a job’s last progress of a second at its end, for other processes to read', async () => {
    const org = await newOrg(database);
    const kind = `probe-${Math.random().toString(36).slice(2, 8)}`;
    const runner = new JobRunner(database, silent, { concurrency: 1, pollMs: 10, leaseSeconds: 30 });
    let reported = false;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    runner.register(kind, async ({ progress }) => {
      // Three reports within a second: the first is written at once, the last at the second's end.
      for (const rowsDone of [10, 20, 30])
        progress({ rowsDone, rowsTotal: 30, bytesDone: 0, bytesTotal: null });
      reported = true;
      await released;
      return { status: 'succeeded', result: {} };
    });
    const { id } = await createJob(database.db, { orgId: org.orgId, kind, status: 'queued' });
    runner.start();
    try {
      await waitFor(async () => (reported ? true : undefined));
      const live = await call(testApp(database, small, runner), 'GET', `/v1/jobs/${id}`, { key: org.caller });
      expect(live.body.progress).toMatchObject({ rowsDone: 30, percent: 99 });
      // PGlite has one process: readers get the runner's live copy, and nothing is written meanwhile.
      if (database.concurrent)
        expect(
          await waitFor(async () => {
            const [row] = await queryRows<{ progress: { rowsDone: number } }>(
              database.db,
              sql`SELECT progress FROM jobs WHERE id = ${id}`,
            );
            return row?.progress.rowsDone === 30 ? row.progress : undefined;
          }),
        ).toMatchObject({ rowsDone: 30, rowsTotal: 30 });
    } finally {
      release();
      await runner.stop();
    }
  });

  it('counts only the attempts that lost their lease without moving the checkpoint on', async () => {
    const org = await newOrg(database);
    const kind = `probe-${Math.random().toString(36).slice(2, 8)}`;
    const runner = new JobRunner(database, silent, { concurrency: 1, pollMs: 10, leaseSeconds: 30 });
    runner.register(kind, async () => ({ status: 'succeeded', result: { ran: true } }));
    const queue = async () => (await createJob(database.db, { orgId: org.orgId, kind, status: 'queued' })).id;
    const claim = async (id: string) => {
      const worker = `worker-${Math.random().toString(36).slice(2, 8)}`;
      expect((await claimJob(database.db, worker, 30, [kind], []))?.id).toBe(id);
      return worker;
    };
    const lost = async (id: string, { moved = false } = {}) => {
      await claim(id);
      if (moved)
        await database.db.execute(sql`UPDATE jobs SET checkpoint = checkpoint + 20 WHERE id = ${id}`);
      await lapse(id);
    };
    const handedBack = async (id: string) => releaseJob(database.db, id, await claim(id));
    const run = async (id: string) => {
      runner.start();
      try {
        return await waitFor(async () => {
          const row = await jobRow(id);
          return ['succeeded', 'failed'].includes(row.status) ? row : undefined;
        });
      } finally {
        await runner.stop();
      }
    };

    const restarted = await queue();
    await lost(restarted);
    await lost(restarted);
    for (let i = 0; i < 4; i++) await handedBack(restarted);
    expect(await run(restarted)).toMatchObject({ status: 'succeeded', attempts: 7 });

    const moving = await queue();
    for (let i = 0; i < 5; i++) await lost(moving, { moved: true });
    expect(await run(moving)).toMatchObject({ status: 'succeeded', attempts: 6 });

    // Three lost in a row, a hand-back between them neither counting nor clearing them: a crash loop.
    const crashing = await queue();
    await lost(crashing, { moved: true });
    await lost(crashing);
    await handedBack(crashing);
    await lost(crashing);
    await lost(crashing);
    expect(await run(crashing)).toMatchObject({
      status: 'failed',
      error: {
        code: 'TOO_MANY_ATTEMPTS',
        message: 'stopped after 3 attempts in a row that ended without progress',
      },
    });
  });

  it('stops a runner whose job another process took over, without writing a batch more', async () => {
    const { org, jobId } = await queueImport();
    const stalled = makeRunner(database, small, { pollMs: 10 });
    stalled.start();
    try {
      await waitFor(
        async () => ((stalled.progressOf(jobId)?.rowsDone ?? 0) > 0 ? true : undefined),
        20_000,
        1,
      );
      // What a process that resumed the job after this one's lease ran out leaves on it.
      await database.db.execute(
        sql`UPDATE jobs SET locked_by = 'new-owner', locked_until = now() + interval '1 minute' WHERE id = ${jobId}`,
      );
      const taken = await jobRow(jobId);
      await waitFor(async () => (stalled.progressOf(jobId) === undefined ? true : undefined));
      const after = await jobRow(jobId);
      expect(after).toMatchObject({
        status: 'running',
        locked_by: 'new-owner',
        checkpoint: taken.checkpoint,
      });
      expect(after.result).toEqual(taken.result);
      expect(await count(org.orgId)).toBe(taken.checkpoint);
    } finally {
      await stalled.stop();
    }
    await lapse(jobId);
    const done = await finish(jobId);
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(done.result.counts).toMatchObject({ rows: ROWS, created: ROWS, updated: 0, unchanged: 0 });
    expect(await count(org.orgId)).toBe(ROWS);
  });
});

// Registered on the server only (PGlite has one connection): never a skipped test.
if (server)
  describe('a stalled owner on the server', () => {
    let database: Database;
    let app: TestApp;
    const { jobRow, count, queueImport, lapse } = helpers(
      () => database,
      () => app,
    );

    beforeAll(async () => {
      database = await server!.open();
      app = testApp(database, small);
    });
    afterAll(() => database?.close());

    const waiting = async () =>
      (
        await queryRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      )[0]!.n;

    it('rolls back the batch its owner was writing when it lost the job, and the new owner counts every row once', async () => {
      const { org, jobId } = await queueImport();
      // The organization's write lock, held here, stops the owner inside its first batch's transaction, as
      // SIGSTOP would; the lease runs out meanwhile and another process resumes the job from its checkpoint.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = database.db.transaction(async (tx) => {
        await tx.execute(
          sql`SELECT pg_advisory_xact_lock(hashtext('tiede:prospects:' || ${org.orgId}::text))`,
        );
        locked();
        await gate;
      });
      await holding;
      const stalled = makeRunner(database, small, { pollMs: 10 });
      const successor = makeRunner(database, small, { pollMs: 10 });
      try {
        stalled.start();
        await waitFor(async () => ((await waiting()) > 0 ? true : undefined));
        await lapse(jobId);
        successor.start();
        await waitFor(async () =>
          (await jobRow(jobId)).locked_by === successor.workerId ? true : undefined,
        );
        release();
        await holder;
        const done = await waitFor(async () => {
          const row = await jobRow(jobId);
          return ['succeeded', 'failed'].includes(row.status) ? row : undefined;
        });
        expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
        expect(done.result.counts).toMatchObject({ rows: ROWS, created: ROWS, updated: 0, unchanged: 0 });
        expect(await count(org.orgId)).toBe(ROWS);
      } finally {
        release();
        await Promise.allSettled([holder, stalled.stop(), successor.stop()]);
      }
      // Nothing the stalled owner did after the takeover is left on the job.
      expect(await jobRow(jobId)).toMatchObject({ status: 'succeeded', locked_by: successor.workerId });
    });
  });
