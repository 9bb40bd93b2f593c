import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { prospectFile } from './generate';
import { ROOT, type RunningServer, report, seconds, sleep } from './lib';

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

/**
 * What the rows an import wrote cost PostgreSQL alone: its companies, prospects and contact points, dumped,
 * then copied back by plain COPY into empty tables with the same columns, indexes and constraints. No
 * importer writing this schema can do better; the gap between this and the file's COPY is the schema's.
 */
export async function schemaFloor(url: string): Promise<{ ms: number; tables: Record<string, number> }> {
  const tables = ['companies', 'prospects', 'contact_points'];
  const file = (table: string) => join(ROOT, '.bench', `floor-${table}.copy`);
  // A client per COPY: postgres.js 3.4 stalled on the statement that followed a large COPY TO STDOUT.
  const once = async <T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      return await use(sql);
    } finally {
      await sql.end();
    }
  };
  for (const table of tables) {
    await once(async (sql) =>
      pipeline(await sql.unsafe(`COPY ${table} TO STDOUT`).readable(), createWriteStream(file(table))),
    );
    await once((sql) =>
      sql.unsafe(
        `DROP TABLE IF EXISTS floor_${table}; CREATE TABLE floor_${table} (LIKE ${table} INCLUDING ALL)`,
      ),
    );
  }
  const times: Record<string, number> = {};
  for (const table of tables) {
    times[table] = await once(async (sql) => {
      const started = performance.now();
      await pipeline(
        createReadStream(file(table)),
        await sql.unsafe(`COPY floor_${table} FROM STDIN`).writable(),
      );
      return performance.now() - started;
    });
  }
  await once((sql) => sql.unsafe(tables.map((t) => `DROP TABLE floor_${t};`).join(' ')));
  for (const table of tables) await rm(file(table));
  return { ms: Object.values(times).reduce((a, b) => a + b, 0), tables: times };
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
  const floor = await schemaFloor(url);
  const floorMs = floor.ms;
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
      [
        'COPY of the rows it wrote (schema floor)',
        `${seconds(floorMs)}  (${(copyMs / floorMs).toFixed(2)} of the file's COPY; the import takes ${(api.ms / floorMs).toFixed(1)}× it)`,
      ],
      [
        '  by table',
        Object.entries(floor.tables)
          .map(([table, ms]) => `${table} ${seconds(ms)}`)
          .join(', '),
      ],
      ['server peak memory (VmHWM)', `${server.peakMb().toFixed(0)} MB (target < 400 MB)`],
      ['rows created / rejected', `${api.counts.created} / ${api.counts.rejected}`],
    ],
  );
  return { copyMs, apiMs: api.ms, ratio, floorMs };
}
