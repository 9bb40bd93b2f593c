import { createMiddleware } from 'hono/factory';
import type { Database } from '../db';
import { keyChecker } from '../orgs/key-cache';
import type { AppEnv } from './env';
import { AppError } from './errors';

/** Resolves the bearer key to its organization and role; every query below is scoped by that organization. */
export function requireApiKey(database: Database) {
  const check = keyChecker(database);
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new AppError('UNAUTHENTICATED', 'send your API key as "Authorization: Bearer tdk_…"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <key>"');
    const auth = await check(match[1]!);
    if (!auth) throw new AppError('UNAUTHENTICATED', 'this API key is unknown or has been revoked');
    c.set('ctx', {
      db: database.db,
      orgId: auth.orgId,
      actor: { keyId: auth.keyId, role: auth.role },
      concurrent: database.concurrent,
    });
    await next();
  });
}
