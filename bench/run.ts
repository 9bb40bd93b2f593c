import { benchGet } from './get';
import { benchImport } from './import';
import { freshDatabase, startServer } from './lib';
import { seedProspects } from './seed';

/**
 * npm run bench [-- import|get|all]: figures as ratios against a baseline measured in the same run.
 * BENCH_ROWS (default 1,000,000) sets the size; BENCH_DATABASE_URL the server (default the local one).
 */
async function main() {
  const which = process.argv[2] ?? 'all';
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const database = await freshDatabase('tiede_bench');
  const server = await startServer({
    DATABASE_URL: database.url,
    JOB_POLL_MS: '100',
    IMPORT_BATCH_SIZE: process.env.IMPORT_BATCH_SIZE ?? '5000',
  });
  try {
    if (which === 'import' || which === 'all') await benchImport(database.url, server, rows);
    // Alone, the read benchmark fills the database through SQL: minutes faster than importing.
    if (which === 'get') await seedProspects(database.url, server.orgId, rows);
    if (which === 'get' || which === 'all') await benchGet(database.url, server);
  } finally {
    await server.stop();
    await database.drop();
  }
}

main().catch((error) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
