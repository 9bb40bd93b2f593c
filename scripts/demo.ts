import { databaseOptions, loadConfigOrExit } from '../src/config';
import { openDatabase } from '../src/db';
import { loadDemo } from '../src/demo/load';

/** npm run demo: a new demo organization with people, companies and months of interactions. */
async function main() {
  const config = loadConfigOrExit();
  const started = Date.now();
  const database = await openDatabase(databaseOptions(config, 2));
  try {
    await database.migrate();
    const demo = await loadDemo(database);
    process.stdout.write(
      [
        `demo organization: ${demo.orgId} (Démo Tiède)`,
        `  ${demo.companies} companies, ${demo.people} people in FR, GB, US and DE, ${demo.interactions} interactions over four months`,
        `admin api key: ${demo.adminKey}`,
        `caller api key: ${demo.callerKey}`,
        `loaded in ${((Date.now() - started) / 1000).toFixed(1)} s; with the server running (npm start), try:`,
        `  curl -H "Authorization: Bearer ${demo.adminKey}" "http://localhost:${config.PORT}/v1/prospects?country=FR&limit=5"`,
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
