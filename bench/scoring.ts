import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { readTable } from '../src/scoring/table';
import { trainAndMeasure } from '../src/scoring/train-and-measure';
import { ROOT, type RunningServer, report } from './lib';
import { type LoadResult, openLoop } from './load';
import { seedProspects } from './seed';

const BANK = join(ROOT, '..', 'shared', 'data', 'bank-marketing', 'bank-additional-full.csv');
const line = (r: LoadResult) =>
  `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms; ${r.rate} req/s, ${r.errors} errors`;

/** Training on the 41,188 bank calls in this process, beside reading the same file as the baseline. */
export async function benchTraining() {
  const bytes = readFileSync(BANK);
  const readStarted = performance.now();
  const table = await readTable(bytes);
  const readMs = performance.now() - readStarted;
  const target = table.columns.indexOf('y');
  const y = Uint8Array.from(table.rows, (r) => (r[target] === 'yes' ? 1 : 0));
  const use = table.columns.map((_, i) => i).filter((i) => i !== target && table.columns[i] !== 'duration');
  const started = performance.now();
  const trained = trainAndMeasure(table.columns, table.rows, y, use);
  const trainMs = performance.now() - started;
  report(
    `Training on ${table.rows.length.toLocaleString('en')} rows (UCI Bank Marketing, duration left out)`,
    [
      ['reading and parsing the CSV (baseline)', `${Math.round(readMs)} ms`],
      [
        'encoding, training and measuring',
        `${Math.round(trainMs)} ms (${(trainMs / readMs).toFixed(1)}× the read); test AUC ${trained.report.auc.toFixed(4)} (target: under 5 s)`,
      ],
    ],
  );
}

/** Scoring one prospect on demand through the API, beside reading one prospect at the same rate. */
export async function benchScoreOnDemand(url: string, server: RunningServer, people = 100_000, rate = 200) {
  await seedProspects(url, server.orgId, people);
  const headers = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
  const base = `http://127.0.0.1:${server.port}`;
  const campaign = (await (
    await fetch(`${base}/v1/campaigns`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'bench',
        idealProfile: {
          industries: { codes: ['46.6'], points: 12 },
          titles: { keywords: ['acheteur'], points: 10 },
        },
      }),
    })
  ).json()) as { id: string };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const ids = (await sql<{ id: string }[]>`SELECT id FROM prospects TABLESAMPLE SYSTEM (5) LIMIT 5000`).map(
    (r) => r.id,
  );
  await sql.end();
  const auth = { authorization: headers.authorization };
  const reads = ids.map((id) => `/v1/prospects/${id}`);
  const scores = ids.map((id) => `/v1/campaigns/${campaign.id}/scores/${id}`);
  await openLoop({
    port: server.port,
    rate: 500,
    seconds: scores.length / 500,
    paths: scores,
    headers: auth,
  });
  const read = await openLoop({ port: server.port, rate, seconds: 10, paths: reads, headers: auth });
  const scored = await openLoop({ port: server.port, rate, seconds: 10, paths: scores, headers: auth });
  report(
    `GET /v1/campaigns/{id}/scores/{prospectId} with ${people.toLocaleString('en')} prospects, ${rate}/s, loopback`,
    [
      ['GET /v1/prospects/{id} (baseline)', line(read)],
      ['score on demand', `${line(scored)} (target: under 2 ms)`],
    ],
  );
}
