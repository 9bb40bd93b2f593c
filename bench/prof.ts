import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { openDatabase } from '../src/db';
import { runImport } from '../src/imports/engine';
import { importOptionsSchema } from '../src/imports/options';
import { createJob } from '../src/jobs/service';
import { createOrganization } from '../src/orgs/service';

/**
 * Profiling aid (not part of npm run bench): runs the import engine in-process on a file, against a
 * fresh database on the local server. THREADED=0 converts inline; BATCH sets the batch size.
 */
const admin = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {} });
await admin.unsafe('DROP DATABASE IF EXISTS tiede_prof WITH (FORCE)');
await admin.unsafe('CREATE DATABASE tiede_prof');
const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/tiede_prof', poolSize: 4 });
await db.migrate();
const org = await createOrganization(db.db, { name: 'x' });
const job = await createJob(db.db, { orgId: org.id, kind: 'import', status: 'running' });
const bytes = readFileSync(process.argv[2]!);
const started = performance.now();
const run = await runImport({
  ctx: { db: db.db, orgId: org.id, actor: { keyId: null, role: 'admin' } },
  jobId: job.id,
  options: importOptionsSchema.parse({}),
  encoding: 'utf-8',
  open: async function* () {
    for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
  },
  bytesTotal: bytes.length,
  batchSize: Number(process.env.BATCH ?? 5000),
  checkpoint: 0,
  threaded: process.env.THREADED !== '0',
  defaultCountry: 'FR',
  now: new Date(),
  onProgress: (p) => {
    if (p.rowsDone % 20_000 === 0) {
      const ms = Math.round(performance.now() - started);
      const m = process.memoryUsage();
      console.log(
        p.rowsDone,
        `${ms} ms`,
        `rss ${Math.round(m.rss / 1e6)} heap ${Math.round(m.heapUsed / 1e6)}/${Math.round(m.heapTotal / 1e6)} external ${Math.round(m.external / 1e6)} buffers ${Math.round(m.arrayBuffers / 1e6)} MB`,
      );
    }
  },
});
console.log('total', Math.round(performance.now() - started), 'ms', JSON.stringify(run.result.counts));
await db.close();
await admin.end();
