import postgres from 'postgres';
import { type RunningServer, report } from './lib';
import { type LoadResult, openLoop } from './load';

const line = (r: LoadResult) =>
  `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms; ${r.rate} req/s, ${r.errors} errors`;

/** GET /v1/prospects/{id} at a fixed rate on random prospects, beside /healthz at the same rate. */
export async function benchGet(url: string, server: RunningServer, rate = 300, seconds = 20) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  // After a bulk load, statistics first, as autovacuum would do shortly after.
  await sql`VACUUM ANALYZE prospects, companies, contact_points, interactions`;
  const ids = await sql<{ id: string }[]>`SELECT id FROM prospects TABLESAMPLE SYSTEM (2) LIMIT 20000`;
  const n = (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM prospects`)[0]!.n;
  await sql.end();
  const paths = ids.map((r) => `/v1/prospects/${r.id}`).sort(() => Math.random() - 0.5);
  const headers = { authorization: `Bearer ${server.adminKey}` };
  // Warm-up: every sampled prospect read once, so that the measure is of a running service, not of
  // PostgreSQL reading pages from disk for the first time (and setting their hint bits).
  await openLoop({ port: server.port, rate: 1000, seconds: paths.length / 1000, paths, headers });
  const health = await openLoop({ port: server.port, rate, seconds, paths: ['/healthz'] });
  const get = await openLoop({ port: server.port, rate, seconds, paths, headers });
  report(
    `GET /v1/prospects/{id} with ${n.toLocaleString('en')} prospects, open loop at ${rate} requests/s for ${seconds} s, loopback`,
    [
      ['GET /healthz (baseline)', line(health)],
      ['GET /v1/prospects/{id}', line(get)],
      ['p99 vs baseline', `${(get.p99 / Math.max(health.p99, 0.01)).toFixed(1)}× (target: p99 under 10 ms)`],
    ],
  );
  return { health, get };
}
