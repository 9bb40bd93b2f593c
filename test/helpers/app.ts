import pino from 'pino';
import { type AppDeps, createApp } from '../../src/app';
import { useSuppressionSecret } from '../../src/compliance/secret';
import type { Database } from '../../src/db';
import { importJobHandler } from '../../src/imports/service';
import { JobRunner } from '../../src/jobs/runner';
import { createApiKey, createOrganization } from '../../src/orgs/service';
import { rescoreJobHandler, rescoreQueueJobHandler } from '../../src/scoring/rescore';

export const TEST_SUPPRESSION_SECRET = 'test suppression secret: 32 bytes or more, never in production';
useSuppressionSecret(TEST_SUPPRESSION_SECRET);

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const testConfig: AppDeps['config'] = {
  MAX_BODY_BYTES: 1024 * 1024,
  MAX_UPLOAD_BYTES: 50 * 1024 * 1024,
  IMPORT_SYNC_MAX_BYTES: 2 * 1024 * 1024,
  IMPORT_BATCH_SIZE: 500,
};

export function makeRunner(database: Database, config = testConfig, options: { pollMs?: number } = {}) {
  const runner = new JobRunner(database, silent, {
    concurrency: 1,
    pollMs: options.pollMs ?? 50,
    leaseSeconds: 30,
  });
  runner.register(
    'import',
    importJobHandler({
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      syncMaxBytes: config.IMPORT_SYNC_MAX_BYTES,
      batchSize: config.IMPORT_BATCH_SIZE,
    }),
  );
  runner.register('rescore', rescoreJobHandler());
  runner.register('rescore_queue', rescoreQueueJobHandler());
  return runner;
}

export function testApp(database: Database, config: Partial<AppDeps['config']> = {}, runner?: JobRunner) {
  const merged = { ...testConfig, ...config };
  return createApp({ config: merged, database, logger: silent, ...(runner ? { runner } : {}) });
}

export type TestApp = ReturnType<typeof testApp>;

export interface TestOrg {
  orgId: string;
  admin: string;
  manager: string;
  marketer: string;
  caller: string;
}

/** A fresh organization with a key per role: tests never share ids. */
export async function newOrg(database: Database, defaultCountry = 'FR'): Promise<TestOrg> {
  const org = await createOrganization(database.db, {
    name: `Test ${Math.random().toString(36).slice(2, 8)}`,
    defaultCountry,
  });
  const key = async (role: 'admin' | 'manager' | 'marketer' | 'caller') =>
    (await createApiKey(database.db, org.id, { name: role, role })).key;
  return {
    orgId: org.id,
    admin: await key('admin'),
    manager: await key('manager'),
    marketer: await key('marketer'),
    caller: await key('caller'),
  };
}

/** A fresh database from `open`, the app on it, and an organization with a key per role. */
export async function orgApp(
  open: () => Promise<Database>,
): Promise<{ database: Database; app: TestApp; org: TestOrg }> {
  const database = await open();
  return { database, app: testApp(database), org: await newOrg(database) };
}

export interface Call {
  key?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
}

/** Sends a request through the app in process, as a client would over HTTP. */
export async function call(app: TestApp, method: string, path: string, options: Call = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const type = response.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await response.json() : await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the API answered
  return { status: response.status, headers: response.headers, body: payload as any };
}
