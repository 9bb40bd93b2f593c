import {
  checkSuppressionSecret,
  resolveSuppressionSecret,
  useSuppressionSecret,
} from '../src/compliance/secret';
import { databaseOptions, loadConfigOrExit } from '../src/config';
import { openDatabase } from '../src/db';
import { loadDemo } from '../src/demo/load';
import { migrate } from '../src/migrate';

/** npm run demo: a new demo organization with people, companies and months of interactions. */
async function main() {
  const config = loadConfigOrExit();
  const started = Date.now();
  const database = await openDatabase(databaseOptions(config, 2));
  try {
    await migrate(database);
    // The same secret as the server's: suppressions written here must match there.
    const secret = resolveSuppressionSecret(config);
    await checkSuppressionSecret(database.db, secret.secret);
    useSuppressionSecret(secret.secret);
    const demo = await loadDemo(database);
    process.stdout.write(
      [
        `demo organization: ${demo.orgId} (Démo Tiède)`,
        `  ${demo.companies} companies, ${demo.people} people in FR, GB, US and DE, ${demo.interactions} interactions over four months`,
        `  a policy (2 calls a week per company, 3 touches in 14 days), TPS and CTPS copies of today (${demo.compliance.registryNumbers} numbers), ${demo.compliance.suppressed} suppressed numbers, ${demo.compliance.consents} newsletter consents`,
        `admin api key: ${demo.adminKey}`,
        `caller api key: ${demo.callerKey}`,
        `loaded in ${((Date.now() - started) / 1000).toFixed(1)} s; with the server running (npm start), try:`,
        `  curl -H "Authorization: Bearer ${demo.adminKey}" "http://localhost:${config.PORT}/v1/prospects?country=FR&limit=5"`,
        `  curl -H "Authorization: Bearer ${demo.adminKey}" -H 'Content-Type: application/json' -d '{"channel":"phone","filter":{"country":"GB"}}' http://localhost:${config.PORT}/v1/contact-decisions/batch`,
        `  curl -H "Authorization: Bearer ${demo.adminKey}" "http://localhost:${config.PORT}/v1/prospects?campaign=${demo.campaignId}&sort=-rank&limit=5"   (the campaign is scored when the server starts)`,
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
