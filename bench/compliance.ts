import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { decide } from '../src/compliance/decide';
import type { DecisionFacts } from '../src/compliance/decision-facts';
import { DEFAULT_POLICY, type Policy } from '../src/compliance/policy';
import { RULE_PACKS } from '../src/compliance/rules/packs';
import { calleeTimeZones } from '../src/compliance/zones';
import { seededRandom } from '../src/lib/random';
import { type RunningServer, report, seconds } from './lib';
import { closedLoop, type LoadResult, openLoop } from './load';
import { seedProspects } from './seed';

const DAY = 86_400_000;

/** Varied subjects across the packs: French, British, German consumers and businesses, Californians, Floridians. */
function subjects(n: number): { facts: DecisionFacts; at: Date }[] {
  const r = seededRandom(7).next;
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const places = [
    { country: 'FR', phone: '+33612345678', registry: 'bloctel' },
    { country: 'FR', phone: '+33145678901', registry: 'bloctel' },
    { country: 'GB', phone: '+447911123456', registry: 'tps' },
    { country: 'DE', phone: '+4915112345678', registry: null },
    { country: 'US', phone: '+12135550147', registry: 'us-dnc' },
    { country: 'US', phone: '+13055550147', registry: 'us-dnc' },
    { country: 'CA', phone: '+14165550147', registry: 'ca-dncl' },
  ] as const;
  return Array.from({ length: n }, (_, i) => {
    const place = pick(places);
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(r() * 364 * DAY));
    const attempts = Array.from({ length: Math.floor(r() * 6) }, () => ({
      at: new Date(at.getTime() - Math.floor(r() * 40 * DAY)),
      channel: 'phone' as const,
      person: true,
      contactPoint: true,
      company: false,
      refused: r() < 0.1,
    }));
    const facts: DecisionFacts = {
      channel: 'phone',
      sector: null,
      contactPoint: {
        id: `cp-${i}`,
        value: place.phone,
        status: 'valid',
        country: place.country,
        phoneType: 'mobile',
      },
      prospect: {
        id: `p-${i}`,
        kind: r() < 0.7 ? 'b2c' : 'b2b',
        country: place.country,
        region: null,
        postalCode: null,
        companyId: null,
      },
      zones: calleeTimeZones({ phone: place.phone, country: place.country }),
      suppressions: [],
      consents:
        r() < 0.4
          ? [
              {
                id: `c-${i}`,
                channel: 'phone',
                basis: pick(['consent', 'contract_in_progress'] as const),
                givenAt: new Date(at.getTime() - 90 * DAY),
                expiresAt: null,
                withdrawnAt: null,
              },
            ]
          : [],
      registries: place.registry
        ? {
            [place.registry]: {
              snapshotId: 's',
              asOf: new Date(at.getTime() - Math.floor(r() * 35) * DAY).toISOString().slice(0, 10),
              listed: r() < 0.2,
            },
          }
        : {},
      attempts,
    };
    return { facts, at };
  });
}

/** Runs `work` over the subjects for about `ms`, one core, and answers how many it did per second. */
function perSecond(ms: number, items: number, work: (i: number) => unknown): number {
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 1000; i++) work((done + i) % items);
    done += 1000;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
}

/** decide() alone, in this process, beside JSON.stringify of the same facts as a measure of the machine. */
export function benchDecide(ms = 4000) {
  const items = subjects(5000);
  const policy: Policy = {
    ...DEFAULT_POLICY,
    caps: [{ channel: 'any', scope: 'person', max: 5, windowHours: 24 * 14 }],
  };
  perSecond(500, items.length, (i) => decide(items[i]!.facts, RULE_PACKS, policy, items[i]!.at));
  let allowed = 0;
  for (const item of items) if (decide(item.facts, RULE_PACKS, policy, item.at).allowed) allowed++;
  const baseline = perSecond(ms, items.length, (i) => JSON.stringify(items[i]!.facts));
  const rate = perSecond(ms, items.length, (i) => decide(items[i]!.facts, RULE_PACKS, policy, items[i]!.at));
  report(
    'decide() alone, one core, 5,000 varied subjects (FR, GB, DE, US, US-FL, CA; 0–5 attempts, consents, registries)',
    [
      ['JSON.stringify of the facts (baseline)', `${baseline.toLocaleString('en')} per second`],
      [
        'decide()',
        `${rate.toLocaleString('en')} decisions per second (${allowed} of ${items.length} allowed)`,
      ],
      [
        'ratio to baseline',
        `${(rate / baseline).toFixed(2)} (target: at least 200,000 decisions per second)`,
      ],
    ],
  );
  return rate;
}

// The sizes; BENCH_PEOPLE and BENCH_REGISTRY_NUMBERS make a quicker run.
const SEEDED_PEOPLE = Number(process.env.BENCH_PEOPLE ?? 500_000);
const REGISTRY_NUMBERS = Number(process.env.BENCH_REGISTRY_NUMBERS ?? 5_000_000);
/** Every fifth seeded number (+33 6 00 00 00 05, …) is on the registry copy; the rest of it is 07 numbers. */
const registryLine = (g: number) =>
  g < SEEDED_PEOPLE / 5 ? `06${String((g + 1) * 5).padStart(8, '0')}` : `07${String(g).padStart(8, '0')}`;

/** The Bloctel-style file a user uploads, and the same numbers as E.164 digits for the baseline's COPY. */
async function registryFiles(): Promise<{ csv: string; digits: string; bytes: number }> {
  const csv = join(tmpdir(), `tiede-bench-registry-${process.pid}.csv`);
  const digits = join(tmpdir(), `tiede-bench-registry-${process.pid}.txt`);
  const a = createWriteStream(csv);
  const b = createWriteStream(digits);
  a.write('Telephone;Identifiant\n');
  let bytes = 0;
  for (let start = 0; start < REGISTRY_NUMBERS; start += 50_000) {
    const lines: string[] = [];
    const numbers: string[] = [];
    for (let g = start; g < Math.min(REGISTRY_NUMBERS, start + 50_000); g++) {
      const national = registryLine(g);
      lines.push(`${national};${g + 1}\n`);
      numbers.push(`33${national.slice(1)}\n`);
    }
    const chunk = lines.join('');
    bytes += chunk.length;
    if (!a.write(chunk)) await new Promise<void>((resolve) => a.once('drain', () => resolve()));
    if (!b.write(numbers.join(''))) await new Promise<void>((resolve) => b.once('drain', () => resolve()));
  }
  a.end();
  b.end();
  await Promise.all([finished(a), finished(b)]);
  return { csv, digits, bytes };
}

/** Plain COPY of the same numbers into a one-column table, then its index: the baseline. */
async function copyRegistryBaseline(url: string, path: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('DROP TABLE IF EXISTS copy_registry; CREATE TABLE copy_registry (number bigint)');
    const started = performance.now();
    await pipeline(createReadStream(path), await sql.unsafe('COPY copy_registry FROM STDIN').writable());
    await sql.unsafe('CREATE INDEX ON copy_registry (number)');
    const ms = performance.now() - started;
    await sql.unsafe('DROP TABLE copy_registry');
    return ms;
  } finally {
    await sql.end();
  }
}

async function apiRegistryImport(server: RunningServer, path: string) {
  const started = performance.now();
  const response = await fetch(
    `http://127.0.0.1:${server.port}/v1/registries/bloctel/snapshots?asOf=2026-06-01`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as ReadableStream,
      duplex: 'half',
    } as RequestInit,
  );
  const body = (await response.json()) as { numbers: number; rejectedLines: number };
  if (response.status !== 201)
    throw new Error(`registry import answered ${response.status}: ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, ...body };
}

const line = (r: LoadResult) =>
  `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms; ${r.rate} req/s, ${r.errors} errors`;

/**
 * The service's compliance answers at scale: 500,000 French consumers (1,000,000 contact points), a
 * quarter with two recent calls, and a 5,000,000-number Bloctel copy imported through the API.
 */
export async function benchComplianceApi(url: string, server: RunningServer, rate = 500, loadSeconds = 20) {
  const headers = { authorization: `Bearer ${server.adminKey}` };
  await seedProspects(url, server.orgId, SEEDED_PEOPLE);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(
    `UPDATE prospects SET kind = 'b2c', postal_code = '69003' WHERE org_id = '${server.orgId}'`,
  );
  await sql.unsafe(`
    INSERT INTO contact_attempts (org_id, id, prospect_id, contact_point_id, channel, at)
    SELECT org_id, gen_random_uuid(), id, (contact_points->1->>'id')::uuid, 'phone', timestamptz '2026-06-02 09:00+02' + make_interval(days => k)
    FROM prospects, generate_series(0, 1) k
    WHERE org_id = '${server.orgId}' AND abs(hashtext(id::text)) % 4 = 0`);
  await sql.unsafe('VACUUM ANALYZE prospects, contact_points, contact_attempts');

  const files = await registryFiles();
  const copyMs = await copyRegistryBaseline(url, files.digits);
  const imported = await apiRegistryImport(server, files.csv);
  report(
    `Registry copy of ${REGISTRY_NUMBERS.toLocaleString('en')} numbers (${(files.bytes / 1e6).toFixed(0)} MB, Telephone;Identifiant)`,
    [
      [
        'plain COPY + index, one bigint column (baseline)',
        `${seconds(copyMs)}, ${Math.round(REGISTRY_NUMBERS / (copyMs / 1000)).toLocaleString('en')} numbers/s`,
      ],
      [
        'POST /v1/registries/bloctel/snapshots',
        `${seconds(imported.ms)}, ${imported.numbers.toLocaleString('en')} numbers, ${imported.rejectedLines} rejected lines`,
      ],
      ['ratio to COPY', `${(copyMs / imported.ms).toFixed(2)} (target: at least 0.4)`],
    ],
  );

  const sample = await sql<{ id: string; pointId: string }[]>`
    SELECT id, contact_points->1->>'id' AS "pointId" FROM prospects TABLESAMPLE SYSTEM (5) LIMIT 20000`;
  const ids = (
    await sql<{ id: string }[]>`SELECT id FROM prospects WHERE org_id = ${server.orgId} LIMIT 100000`
  ).map((r) => r.id);
  await sql.end();
  // Tuesday 9 June 2026, 10:30 in Lyon: the Bloctel regime, inside the calling hours, the copy 8 days old.
  const at = '2026-06-09T08:30:00Z';
  const bodies = sample.map((s) => JSON.stringify({ prospectId: s.id, channel: 'phone', at }));
  const paths = ['/v1/contact-decisions'];
  await openLoop({ port: server.port, rate: 1000, seconds: bodies.length / 1000, paths, headers, bodies });
  const health = await openLoop({ port: server.port, rate, seconds: loadSeconds, paths: ['/healthz'] });
  // The simplest read that goes to the database (one statement by primary key), at the same rate: what
  // this machine gives any such endpoint.
  const reads = sample.map((s) => `/v1/prospects/${s.id}`);
  const read = await openLoop({ port: server.port, rate, seconds: loadSeconds, paths: reads, headers });
  const decisions = await openLoop({ port: server.port, rate, seconds: loadSeconds, paths, headers, bodies });

  // Throughput: as many requests as 16 callers can send, beside a bare SELECT by primary key through the
  // same driver (postgres.js) and as many connections as the service's pool.
  const bare = postgres(url, { max: 10, onnotice: () => {} });
  const selects = await closedLoop(
    16,
    10,
    (i) =>
      bare`SELECT * FROM contact_points WHERE org_id = ${server.orgId} AND id = ${sample[i % sample.length]!.pointId}`,
  );
  await bare.end();
  const posts = await closedLoop(16, 10, (i) =>
    fetch(`http://127.0.0.1:${server.port}/v1/contact-decisions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    }).then((r) => r.arrayBuffer()),
  );

  const batchStarted = performance.now();
  const batch = await fetch(`http://127.0.0.1:${server.port}/v1/contact-decisions/batch`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'phone', prospectIds: ids, at, includeIds: false }),
  });
  const tally = (await batch.json()) as { now: { contactable: number; byReason: Record<string, number> } };
  const batchMs = performance.now() - batchStarted;
  if (batch.status !== 200) throw new Error(`batch answered ${batch.status}: ${JSON.stringify(tally)}`);

  report(
    `POST /v1/contact-decisions with ${(SEEDED_PEOPLE * 2).toLocaleString('en')} contact points and the ${REGISTRY_NUMBERS.toLocaleString('en')}-number copy, loopback`,
    [
      [`GET /healthz at ${rate}/s (baseline)`, line(health)],
      [`GET /v1/prospects/{id} at ${rate}/s (baseline)`, line(read)],
      [`POST /v1/contact-decisions at ${rate}/s`, `${line(decisions)} (target: p99 under 15 ms)`],
      ['bare SELECT by primary key, 16 callers (baseline)', `${selects.toLocaleString('en')} per second`],
      ['POST /v1/contact-decisions, 16 callers', `${posts.toLocaleString('en')} per second`],
      ['throughput ratio to the bare SELECT', (posts / selects).toFixed(2)],
      [
        `batch dry run of ${ids.length.toLocaleString('en')} prospects`,
        `${seconds(batchMs)}; ${tally.now.contactable.toLocaleString('en')} contactable, ${JSON.stringify(tally.now.byReason)} (target: under 10 s)`,
      ],
    ],
  );
}
