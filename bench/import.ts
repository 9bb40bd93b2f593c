import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { prospectFile } from './generate';
import { type RunningServer, report, seconds, sleep } from './lib';

const COLUMNS = 'company, first_name, last_name, title, phone, email, naf, headcount, city, country';

/** Plain COPY of the file into a table with a primary key and a unique index on phone: the baseline. */
export async function copyBaseline(url: string, path: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP TABLE IF EXISTS copy_baseline;
      CREATE TABLE copy_baseline (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, company text, first_name text,
        last_name text, title text, phone text UNIQUE, email text, naf text, headcount int, city text, country text)`);
    const started = performance.now();
    const writable = await sql
      .unsafe(`COPY copy_baseline (${COLUMNS}) FROM STDIN WITH (FORMAT csv, HEADER true)`)
      .writable();
    await pipeline(createReadStream(path), writable);
    const ms = performance.now() - started;
    await sql.unsafe('DROP TABLE copy_baseline');
    return ms;
  } finally {
    await sql.end();
  }
}

/** The same file sent to POST /v1/imports, as a user would, timed until its job has succeeded. */
export async function apiImport(server: RunningServer, path: string) {
  const started = performance.now();
  const body = Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as ReadableStream;
  const response = await fetch(`http://127.0.0.1:${server.port}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'text/csv' },
    body,
    duplex: 'half',
  } as RequestInit);
  const queued = (await response.json()) as { id: string; status: string };
  if (response.status !== 202)
    throw new Error(`import answered ${response.status}: ${JSON.stringify(queued)}`);
  const uploaded = performance.now();
  for (;;) {
    await sleep(250);
    const job = (await (
      await fetch(`http://127.0.0.1:${server.port}/v1/jobs/${queued.id}`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      })
    ).json()) as { status: string; result: { counts: Record<string, number> }; error: unknown };
    if (job.status === 'succeeded')
      return { ms: performance.now() - started, uploadMs: uploaded - started, counts: job.result.counts };
    if (job.status === 'failed') throw new Error(`import failed: ${JSON.stringify(job.error)}`);
  }
}

export async function benchImport(url: string, server: RunningServer, rows: number) {
  const file = await prospectFile(rows);
  const copyMs = await copyBaseline(url, file.path);
  const api = await apiImport(server, file.path);
  const ratio = copyMs / api.ms;
  report(
    `Import of ${rows.toLocaleString('en')} prospect rows (${(file.bytes / 1e6).toFixed(0)} MB CSV) on PostgreSQL`,
    [
      [
        'plain COPY (PK + unique phone)',
        `${seconds(copyMs)}  ${Math.round(rows / (copyMs / 1000)).toLocaleString('en')} rows/s`,
      ],
      [
        'POST /v1/imports → job done',
        `${seconds(api.ms)}  ${Math.round(rows / (api.ms / 1000)).toLocaleString('en')} rows/s (upload ${seconds(api.uploadMs)})`,
      ],
      ['throughput vs COPY', `${ratio.toFixed(2)} (target ≥ 0.30)`],
      ['server peak memory (VmHWM)', `${server.peakMb().toFixed(0)} MB (target < 400 MB)`],
      ['rows created / rejected', `${api.counts.created} / ${api.counts.rejected}`],
    ],
  );
  return { copyMs, apiMs: api.ms, ratio };
}
