import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/db';
import { readChunk } from '../src/scoring/inputs';
import { RESCORE_CHUNK } from '../src/scoring/rescore';
import { computeScores, scoringsOf } from '../src/scoring/score-writes';

/**
 * Profiling aid (not part of npm run bench): the service's CPU for reading and scoring the first PEOPLE
 * (default 300,000) prospects of a database the rescoring benchmark kept (BENCH_KEEP=1), chunk by chunk
 * in this one thread, nothing written. Without PostgreSQL's writes and the second thread beside it, the
 * figure moves far less from run to run than a whole rescoring's; run it under the rescoring threads' heap
 * (`node --max-old-space-size=128 --max-semi-space-size=16 --import tsx bench/score-cpu.ts NAME`) and
 * alternate the versions compared.
 */
const name = process.argv[2];
if (!name) throw new Error('usage: tsx bench/score-cpu.ts DATABASE_NAME');
const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
base.pathname = `/${name}`;
const people = Number(process.env.PEOPLE ?? 300_000);
const database = await openDatabase({ url: base.toString(), poolSize: 2 });
const [org] = await queryRows<{ id: string }>(database.db, sql`SELECT id FROM organizations LIMIT 1`);
const ctx = { db: database.db, orgId: org!.id } as Parameters<typeof scoringsOf>[0];
const scorings = await scoringsOf(ctx);
const at = new Date();
const started = process.cpuUsage();
let reading = 0;
let scored = 0;
for (let after: string | null = null; scored < people; ) {
  const before = process.cpuUsage();
  const chunk = await readChunk(database.db, org!.id, { after, limit: RESCORE_CHUNK });
  const read = process.cpuUsage(before);
  reading += read.user + read.system;
  computeScores(scorings, chunk, at);
  scored += chunk.count;
  if (chunk.count < RESCORE_CHUNK) break;
  after = chunk.last;
}
const used = process.cpuUsage(started);
console.log(
  `${scored.toLocaleString('en')} people, ${scorings.length} campaign(s): ${((used.user + used.system) / 1e6).toFixed(2)} s of CPU, ${(reading / 1e6).toFixed(2)} s of it while reading`,
);
await database.close();
