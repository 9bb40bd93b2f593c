import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(options?: { poolSize?: number }): Promise<Database>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  open: async () => {
    const bytes = readFileSync(inject('pgliteTemplate'));
    return openDatabase({ dataDir: 'memory://', loadDataDir: new Blob([bytes]) });
  },
};

const serverUrl = inject('serverUrl');

export const server: TestDatabase | undefined = serverUrl
  ? {
      name: 'postgres',
      open: (options) => openDatabase({ url: serverUrl, poolSize: options?.poolSize ?? 10 }),
    }
  : undefined;

/** Every database a database test runs on: PGlite always, the server when TEST_DATABASE_URL is set. */
export const databases: TestDatabase[] = server ? [pglite, server] : [pglite];
