import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A database of its own for the calling test file, migrated, empty. */
  open(options?: { poolSize?: number }): Promise<Database>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  open: async () => {
    const bytes = readFileSync(inject('pgliteTemplate'));
    return openDatabase({ dataDir: 'memory://', loadDataDir: new Blob([bytes]) });
  },
};

const serverTemplate = inject('serverTemplate');

/**
 * A fresh database on the server, copied from the migrated template, that is dropped when closed.
 * Test files run in parallel: with a database each, one file's job runners never take another's jobs.
 */
async function freshServerDatabase(): Promise<string> {
  const { url, template } = serverTemplate!;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `${template}_${randomBytes(3).toString('hex')}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return fresh.toString();
}

export const server = serverTemplate
  ? {
      name: 'postgres' as const,
      /** A fresh database's URL, for tests that open several pools on it (several "processes"). */
      fresh: freshServerDatabase,
      open: async (options?: { poolSize?: number }) =>
        openDatabase({ url: await freshServerDatabase(), poolSize: options?.poolSize ?? 10 }),
    }
  : undefined;

/** Every database a database test runs on: PGlite always, the server when TEST_DATABASE_URL is set. */
export const databases: TestDatabase[] = server ? [pglite, server] : [pglite];
