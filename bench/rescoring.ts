import postgres from 'postgres';
import { cpuSeconds, machineCpuSeconds, type RunningServer, report, seconds, sleep } from './lib';
import { seedHistory } from './seed';

const PROFILE = {
  industries: { codes: ['46.6'], points: 12 },
  employees: { min: 10, max: 1000, points: 8 },
  titles: { keywords: ['achat', 'acheteur'], points: 10 },
};

/** Runs a query `runs` times and keeps the fastest: the baseline gets the warmest cache it can. */
async function fastest(sql: postgres.Sql, query: string, runs = 2): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await sql.unsafe(query);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * Between two rescorings, what autovacuum does in the hours between a day's rescoring and the next: the
 * rows a rescoring replaced are vacuumed and the tables analyzed. Left to autovacuum, that work would
 * land on whichever baseline or rescoring came next. Waits (up to two minutes) for a worker that started
 * on it already.
 */
async function vacuumed(sql: postgres.Sql): Promise<void> {
  await autovacuumDone(sql);
  await sql.unsafe('VACUUM ANALYZE prospect_scores, score_history');
}

async function autovacuumDone(sql: postgres.Sql): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 500) {
    const [row] = await sql<{ busy: number }[]>`
      SELECT count(*)::int AS busy FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'autovacuum worker'`;
    if (row!.busy === 0) return;
    await sleep(500);
  }
}

/** Where the server's write-ahead log is, in bytes: what a step wrote to it is the difference. */
async function walPosition(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ at: string }[]>`SELECT (pg_current_wal_lsn() - '0/0')::text AS at`;
  return Number(row!.at);
}

/**
 * Rescoring a million prospects from ten million interactions through the service's own jobs, beside a
 * plain SQL aggregate of the same interactions measured in the same run: the counts and latest date of
 * each kind of event per prospect, as a hand-written feature query would compute them.
 */
export async function benchRescoring(url: string, server: RunningServer) {
  const people = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
  const perPerson = Number(process.env.BENCH_EVENTS_PER_PERSON ?? 10);
  const seeded = performance.now();
  await seedHistory(url, server.orgId, people, perPerson);
  const seedMs = performance.now() - seeded;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const org = server.orgId;
  const aggregate = `SELECT count(*) FROM (SELECT prospect_id, type, count(*), max(occurred_at) FROM interactions
       WHERE org_id = '${org}' GROUP BY prospect_id, type) t`;
  const byType = await fastest(sql, aggregate);
  const byPerson = await fastest(
    sql,
    `SELECT count(*) FROM (SELECT prospect_id, count(*), max(occurred_at) FROM interactions
       WHERE org_id = '${org}' GROUP BY prospect_id) t`,
  );
  const base = `http://127.0.0.1:${server.port}/v1`;
  const headers = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  /**
   * Measures the baseline again, then starts a rescoring and waits for the organization's rescoring jobs
   * to end; returns the time, the baseline just before and just after, the last job's result, and the CPU
   * seconds of the service and of the rest of the machine (PostgreSQL, mostly) meanwhile. The machine's
   * speed drifts over the minutes a run takes (the baseline of one run has measured from 6.5 to 11.0 s
   * within ten minutes): each rescoring is compared with the aggregates measured on either side of it. The
   * one measured after a rescoring is the next one's before: nothing runs between them.
   */
  let between: number | undefined;
  const rescoring = async (start: () => Promise<unknown>) => {
    if (between === undefined) {
      await vacuumed(sql);
      between = await fastest(sql, aggregate);
    }
    const baseline = between;
    const pid = server.child.pid!;
    const [service, machine] = [cpuSeconds(pid), machineCpuSeconds()];
    const walBefore = await walPosition(sql);
    const started = performance.now();
    await start();
    for (;;) {
      const [row] = await sql<{ busy: number; result: Record<string, number> | null }[]>`
        SELECT (SELECT count(*)::int FROM jobs WHERE org_id = ${org} AND kind LIKE 'rescore%'
                  AND status IN ('queued', 'running')) AS busy,
               (SELECT result FROM jobs WHERE org_id = ${org} AND kind = 'rescore' AND status = 'succeeded'
                  ORDER BY finished_at DESC LIMIT 1) AS result`;
      if (row!.busy === 0) {
        const ms = performance.now() - started;
        const serviceCpu = cpuSeconds(pid) - service;
        const otherCpu = machineCpuSeconds() - machine - serviceCpu;
        const walMb = ((await walPosition(sql)) - walBefore) / 2 ** 20;
        // And once more just after: a baseline measured on both sides brackets the machine's drift.
        await vacuumed(sql);
        between = await fastest(sql, aggregate);
        return { ms, baseline, after: between, result: row!.result ?? {}, serviceCpu, otherCpu, walMb };
      }
      await sleep(200);
    }
  };
  let campaignId = '';
  const first = await rescoring(async () => {
    campaignId = (await api('POST', '/campaigns', { name: 'bench', idealProfile: PROFILE })).id as string;
  });
  const same = await rescoring(() => api('POST', `/campaigns/${campaignId}/rescore`));
  const changed = await rescoring(() =>
    api('PATCH', `/campaigns/${campaignId}`, {
      idealProfile: { ...PROFILE, countries: { values: ['FR'], points: 6 } },
    }),
  );
  await sql.end();
  const line = (run: {
    ms: number;
    baseline: number;
    after: number;
    result: Record<string, number>;
    serviceCpu: number;
    otherCpu: number;
    walMb: number;
  }) =>
    `${seconds(run.ms)}, ${(run.ms / run.baseline).toFixed(2)}× the aggregate measured just before ` +
    `(${seconds(run.baseline)}; ${(run.ms / run.after).toFixed(2)}× the one just after, ${seconds(run.after)}; ` +
    `${((2 * run.ms) / (run.baseline + run.after)).toFixed(2)}× their mean; ${(run.ms / byType).toFixed(2)}× the first); ${Number(run.result.changed ?? 0).toLocaleString('en')} rows written` +
    `${run.result.fromStoredParts ? ' from the stored parts' : ''}; CPU: service ` +
    `${run.serviceCpu.toFixed(1)} s, PostgreSQL and the rest ${run.otherCpu.toFixed(1)} s; ` +
    `${Math.round(run.walMb).toLocaleString('en')} MB of write-ahead log`;
  report(
    `Rescoring ${people.toLocaleString('en')} prospects from ${(people * perPerson).toLocaleString('en')} interactions (a job in the service; seeding took ${seconds(seedMs)})`,
    [
      ['plain SQL aggregate by prospect and kind (baseline, first measure)', seconds(byType)],
      ['plain SQL aggregate by prospect (for scale)', seconds(byPerson)],
      ['first scoring of a new campaign (every row new)', `${line(first)} (target: under 60 s, within 3×)`],
      ['rescoring with nothing changed', line(same)],
      ['rescoring after a profile change', line(changed)],
      ['server peak memory', `${Math.round(server.peakMb())} MB`],
    ],
  );
}
