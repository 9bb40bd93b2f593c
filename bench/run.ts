import { randomBytes } from 'node:crypto';
import { startFakeLlm } from '../test/fixtures/fake-llm';
import { benchComplianceApi, benchDecide } from './compliance';
import { benchDrafts } from './drafts';
import { benchGet } from './get';
import { benchImport } from './import';
import { freshDatabase, startServer } from './lib';
import { benchRescoring } from './rescoring';
import { benchScoreOnDemand, benchTraining } from './scoring';
import { seedProspects } from './seed';

/**
 * npm run bench [-- import|get|decide|compliance|training|scoring|rescoring|drafts|all]: figures as ratios against a baseline measured in the
 * same run. BENCH_ROWS (default 1,000,000) sets the import's size; BENCH_DATABASE_URL the server (default
 * the local one).
 */
async function main() {
  const which = process.argv[2] ?? 'all';
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  if (which === 'decide' || which === 'all') benchDecide();
  if (which === 'training' || which === 'all' || which === 'scoring') await benchTraining();
  if (which === 'decide' || which === 'training') return;
  for (const part of which === 'all'
    ? ['import+get', 'compliance', 'scoring', 'rescoring', 'drafts']
    : [which]) {
    // Each part on a database and a service of its own, as a fresh organization would find them.
    const database = await freshDatabase('tiede_bench');
    // The drafts part talks to a fake OpenAI-compatible server, as the tests do.
    const fake = part === 'drafts' ? await startFakeLlm() : null;
    const server = await startServer({
      DATABASE_URL: database.url,
      JOB_POLL_MS: '100',
      ...(process.env.IMPORT_BATCH_SIZE ? { IMPORT_BATCH_SIZE: process.env.IMPORT_BATCH_SIZE } : {}),
      SUPPRESSION_SECRET: randomBytes(32).toString('hex'),
      ...(fake ? { LLM_MODEL: 'fake-model', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench' } : {}),
    });
    try {
      if (part === 'import' || part === 'import+get') await benchImport(database.url, server, rows);
      // Alone, the read benchmark fills the database through SQL: minutes faster than importing.
      if (part === 'get') await seedProspects(database.url, server.orgId, rows);
      if (part === 'get' || part === 'import+get') await benchGet(database.url, server);
      if (part === 'compliance') await benchComplianceApi(database.url, server);
      if (part === 'scoring') await benchScoreOnDemand(database.url, server);
      if (part === 'rescoring') await benchRescoring(database.url, server);
      if (part === 'drafts' && fake) await benchDrafts(database.url, server, fake);
    } finally {
      await fake?.close();
      await server.stop();
      await database.drop();
    }
  }
}

main().catch((error) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
