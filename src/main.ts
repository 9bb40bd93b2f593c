import { setFlagsFromString } from 'node:v8';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { checkSuppressionSecret, resolveSuppressionSecret, useSuppressionSecret } from './compliance/secret';
import { databaseOptions, loadConfigOrExit } from './config';
import { openDatabase } from './db';
import { importJobHandler } from './imports/service';
import { JobRunner } from './jobs/runner';
import { createLogger } from './logger';
import { migrate } from './migrate';
import { bootstrap } from './orgs/service';
import { draftBatchJobHandler } from './outreach/batch';
import { drafterFromConfig } from './outreach/setup';
import { queueDueRescorings, queueWaitingScoring } from './scoring/queue';
import { rescoreJobHandler, rescoreQueueJobHandler } from './scoring/rescore';
import { stopRescoringWorkers } from './scoring/rescore-pool';

async function main() {
  // npm start sizes this thread's heap (--max-old-space-size, --max-semi-space-size), and V8 would apply
  // those flags to every worker created later too, over the resourceLimits each worker is given (the
  // rescoring's workers collected twice as often). This thread's heap is made: the flags can go.
  setFlagsFromString('--max-semi-space-size=0');
  setFlagsFromString('--max-old-space-size=0');
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(databaseOptions(config));
  await migrate(database);
  const secret = resolveSuppressionSecret(config);
  await checkSuppressionSecret(database.db, secret.secret);
  useSuppressionSecret(secret.secret);
  const first = await bootstrap(database.db, {
    name: config.BOOTSTRAP_ORG_NAME,
    defaultCountry: config.DEFAULT_COUNTRY,
  });
  if (first) {
    // Printed once, on the database's first start: the key is not stored in clear anywhere.
    process.stdout.write(`admin api key: ${first.key}\n`);
  }

  const runner = new JobRunner(database, logger.child({ component: 'jobs' }), {
    concurrency: config.JOB_CONCURRENCY,
    pollMs: config.JOB_POLL_MS,
    leaseSeconds: config.JOB_LEASE_SECONDS,
  });
  runner.register(
    'import',
    importJobHandler({
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      syncMaxBytes: config.IMPORT_SYNC_MAX_BYTES,
      batchSize: config.IMPORT_BATCH_SIZE,
    }),
  );
  runner.register('rescore', rescoreJobHandler({ threads: config.RESCORE_THREADS }));
  runner.register('rescore_queue', rescoreQueueJobHandler());
  const drafter = drafterFromConfig(config);
  runner.register('drafts_batch', draftBatchJobHandler(drafter));
  logger.info({ generator: drafter.llm ? `llm:${drafter.llm.model}` : 'template' }, 'drafts written by');
  if (config.LLM_MODEL && !config.OPENAI_BASE_URL && !config.OPENAI_API_KEY)
    logger.warn(
      'LLM_MODEL is set without OPENAI_BASE_URL or OPENAI_API_KEY: OpenAI will refuse the calls, and the template will write',
    );
  const app = createApp({ config, database, logger, runner, drafter });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info(
      { port: info.port, database: database.kind },
      `Tiède listening on http://localhost:${info.port}`,
    );
  });
  runner.start();
  // The daily rescoring (RESCORE_EVERY_HOURS): looked for hourly, and at start.
  const rescoring =
    config.RESCORE_EVERY_HOURS > 0 && config.JOB_CONCURRENCY > 0
      ? setInterval(
          () => void lookForDueRescorings(),
          Math.min(3_600_000, config.RESCORE_EVERY_HOURS * 3_600_000),
        )
      : undefined;
  rescoring?.unref();
  async function lookForDueRescorings() {
    try {
      if ((await queueDueRescorings(database.db, config.RESCORE_EVERY_HOURS)) > 0) runner.wake();
    } catch (error) {
      logger.warn({ err: error }, 'could not queue the daily rescorings');
    }
  }
  if (rescoring) void lookForDueRescorings();
  // People left waiting on the rescoring queue (a change committed as a drain was finishing): every minute.
  const sweep =
    config.JOB_CONCURRENCY > 0
      ? setInterval(
          () =>
            void queueWaitingScoring(database.db)
              .then((n) => (n > 0 ? runner.wake() : undefined))
              .catch((error) => logger.warn({ err: error }, 'could not look at the rescoring queue')),
          60_000,
        )
      : undefined;
  sweep?.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    if (rescoring) clearInterval(rescoring);
    if (sweep) clearInterval(sweep);
    await runner.stop();
    await stopRescoringWorkers();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`Tiède could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
