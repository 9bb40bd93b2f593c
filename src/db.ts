import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../db/schema';
import { copyField } from './lib/copy-text';

export type Schema = typeof schema;
/** The drizzle handle every verb takes first: a database or an open transaction, on either driver. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * True on a server, where several connections run at once. PGlite has one connection: a statement
   * issued outside an open transaction waits for it, so callers must not do that.
   */
  concurrent: boolean;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Follows NOTIFY messages on a channel. `onListening` runs once listening starts and again after every
   * reconnection, since notices sent in between are lost.
   */
  listen(channel: string, onMessage: (payload: string) => void, onListening: () => void): Promise<void>;
  /** The server's URL, for worker threads that open connections of their own; undefined on PGlite. */
  url?: string;
  /** The postgres.js client, for COPY and LISTEN; undefined on PGlite. */
  sql?: postgres.Sql;
  /** The embedded client; undefined on a server. */
  pglite?: PGlite;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../db/migrations', import.meta.url));

export interface DatabaseOptions {
  /** postgres:// URL of a server; without it the embedded PGlite is used. */
  url?: string;
  /** Where PGlite keeps its files; 'memory://' for a throw-away database. */
  dataDir?: string;
  poolSize?: number;
  /**
   * The server's plan_cache_mode for the pool's connections. The service's statements are prepared and
   * look rows up by key, where a generic plan is as good as a custom one; planning again at every
   * execution cost PostgreSQL more CPU than running them (see README, Performance).
   */
  planCacheMode?: 'auto' | 'force_generic_plan' | 'force_custom_plan';
  /** A PGlite data directory dump to start from (tests use a migrated template). */
  loadDataDir?: Blob | File;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url)
    return openServer(options.url, options.poolSize ?? 10, options.planCacheMode ?? 'force_generic_plan');
  return openEmbedded(options.dataDir ?? './data', options.loadDataDir);
}

/**
 * postgres.js leaves Nagle's algorithm on; a COPY's small closing message then waits for the server's
 * delayed ACK (about 40 ms a COPY). Sockets made here turn it off, as node-postgres does by default.
 */
function noDelaySocket(options: { host: string[]; port: number[]; path?: string | false }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.path
      ? connect(options.path)
      : connect({ host: options.host[0], port: options.port[0] ?? 5432 });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Drizzle runs every statement unprepared (it prepares only queries given a name), so PostgreSQL parses
 * and plans each one again: on a primary-key lookup that doubled the time. The service's statements are
 * a bounded set, so they are prepared once per connection, in transactions too.
 */
function preparing(client: postgres.Sql | postgres.TransactionSql): void {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, params?: unknown[], options?: { prepare?: boolean }) =>
    unsafe(query, params as never, { ...options, prepare: true })) as typeof client.unsafe;
  if ('begin' in client) {
    const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as { begin: unknown }).begin = (...args: unknown[]) => {
      const index = args.findIndex((a) => typeof a === 'function');
      const fn = args[index] as (tx: postgres.TransactionSql) => unknown;
      args[index] = (tx: postgres.TransactionSql) => {
        preparing(tx);
        return fn(tx);
      };
      return begin(...args);
    };
  }
}

function openServer(url: string, max: number, planCacheMode: string): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'tiede', plan_cache_mode: planCacheMode },
    // Plain TCP or a Unix socket only: with TLS (sslmode in the URL), postgres.js makes its own sockets.
    ...(/[?&]ssl(mode)?=(?!disable)/.test(url) ? {} : { socket: noDelaySocket as never }),
  });
  preparing(client);
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    concurrent: true,
    url,
    sql: client,
    migrate: () => migratePostgres(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => client.end({ timeout: 5 }),
    listen: async (channel, onMessage, onListening) => {
      // postgres.js keeps a connection of its own for LISTEN and reconnects it, calling onListening again.
      await client.listen(channel, onMessage, onListening);
    },
  };
}

/**
 * PGlite has a single owner: a second process on the same folder (the CLI beside `npm start`) would write
 * what the first never sees, and may damage the files. The owner leaves its pid in the folder; another
 * live process's pid refuses the opening. A pid left by a process that died is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'tiede.pid');
  // Created exclusively, so that two processes starting at once cannot both take the folder.
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner))
        throw new Error(
          `the data folder ${dataDir} is in use by another Tiède process (pid ${owner}): stop it first, or ask the running service (POST /v1/api-keys creates keys)`,
        );
      unlinkSync(file);
    }
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {}
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openEmbedded(dataDir: string, loadDataDir?: Blob | File): Promise<Database> {
  const persistent = !dataDir.startsWith('memory://');
  if (persistent) mkdirSync(dataDir, { recursive: true });
  const release = persistent ? claimDataDir(dataDir) : () => {};
  const client = await PGlite.create(persistent ? dataDir : undefined, { loadDataDir }).catch((error) => {
    release();
    throw error;
  });
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    concurrent: false,
    pglite: client,
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
    listen: async (channel, onMessage, onListening) => {
      // One process, one connection: notices are delivered in process and never lost.
      await client.listen(channel, onMessage);
      onListening();
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** Runs raw SQL and returns its rows, whichever driver is underneath. */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/**
 * Runs raw SQL for one row whose columns come back as the bytes PostgreSQL sent (text as UTF-8), undefined
 * without a row. For a result of megabytes that is read a line at a time: postgres.js would have decoded it
 * into one string first, a large object of V8's heap that cost a rescoring's threads a full collection
 * every few chunks. PGlite's values are encoded from its strings.
 */
export async function queryRowBytes(db: Db, query: SQL): Promise<(Buffer | null)[] | undefined> {
  const client = driverOf(db) as
    | { unsafe: (q: string, p: unknown[]) => { raw(): Promise<(Buffer | null)[][]> } }
    | object;
  if ('unsafe' in client) {
    const dialect = (
      db as unknown as { dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } } }
    ).dialect;
    const { sql: text, params } = dialect.sqlToQuery(query);
    const [row] = await client.unsafe(text, params).raw();
    return row;
  }
  const [row] = await queryRows<Record<string, unknown>>(db, query);
  return (
    row && Object.values(row).map((v) => (v === null || v === undefined ? null : Buffer.from(String(v))))
  );
}

/**
 * The driver under Drizzle (postgres.js, or PGlite), under the transaction `db` is: for what Drizzle does not
 * do (COPY, raw rows).
 */
function driverOf(db: Db): object {
  return (db as unknown as { session: { client: object } }).session.client;
}

interface PendingCopy {
  writable(): Promise<NodeJS.WritableStream>;
  reject: (error: unknown) => void;
}

/**
 * Appends rows to a table with COPY, the fastest way into PostgreSQL, inside the transaction `db` is.
 * Rows are arrays in the order of `columns`; arrays become PostgreSQL arrays (of simple values: uuids,
 * words), objects JSON. Drizzle has no COPY, so this reaches for the driver under the transaction.
 */
export async function copyInto(db: Db, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  let text = '';
  for (const row of rows) {
    let line = copyField(row[0]);
    for (let i = 1; i < row.length; i++) line += `\t${copyField(row[i])}`;
    text += `${line}\n`;
  }
  await copyText(db, table, columns, text);
}

/** Sends rows already in COPY's text format (one a line, fields separated by tabs) to a table. */
export function copyText(db: Db, table: string, columns: string[], text: string): Promise<void> {
  return text === ''
    ? Promise.resolve()
    : copyData(db, `COPY ${table} (${columns.join(', ')}) FROM STDIN`, text);
}

/** Sends rows in COPY's binary format (BinaryRows writes them) to a table. */
export function copyBinary(db: Db, table: string, columns: string[], data: Uint8Array): Promise<void> {
  return copyData(db, `COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`, data);
}

async function copyData(db: Db, statement: string, data: string | Uint8Array): Promise<void> {
  const client = driverOf(db) as
    | { unsafe: (q: string) => PendingCopy }
    | { query: (q: string, p: unknown[], o: { blob: Blob }) => Promise<unknown> };
  if ('unsafe' in client) {
    const query = client.unsafe(statement);
    // postgres.js 3.4.9 never settles a COPY the server rejects after the data was sent
    // (porsager/postgres#1173); the query's reject is the one place the error shows, so listen there.
    let fail: (error: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => {});
    const reject = query.reject;
    query.reject = (error) => {
      fail(error);
      reject(error);
    };
    const stream = await query.writable();
    const finished = new Promise<void>((resolve, rejectFinish) => {
      stream.on('error', rejectFinish);
      stream.on('finish', () => resolve());
    });
    stream.end(data);
    await Promise.race([finished, failed]);
    return;
  }
  await client.query(statement.replace('FROM STDIN', "FROM '/dev/blob'"), [], { blob: new Blob([data]) });
}
