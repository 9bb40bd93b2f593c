import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { consentRoutes } from './compliance/consent-routes';
import { erasureRoutes } from './compliance/erasure-routes';
import { registryRoutes } from './compliance/registry-routes';
import { complianceRoutes } from './compliance/routes';
import { suppressionRoutes } from './compliance/suppression-routes';
import type { Config } from './config';
import type { Database } from './db';
import { requireApiKey } from './http/auth';
import { docsRoutes } from './http/docs';
import type { AppEnv } from './http/env';
import { AppError, toProblem } from './http/errors';
import { importRoutes } from './imports/routes';
import { interactionRoutes } from './interactions/routes';
import { jobRoutes } from './jobs/routes';
import type { JobRunner } from './jobs/runner';
import { orgRoutes } from './orgs/routes';
import type { DrafterDeps } from './outreach/drafter';
import { outreachRoutes } from './outreach/routes';
import { drafterFromConfig } from './outreach/setup';
import { companyRoutes } from './prospects/company-routes';
import { contactPointRoutes } from './prospects/contact-point-routes';
import { prospectListRoutes } from './prospects/prospect-list-routes';
import { prospectRoutes } from './prospects/routes';
import { listRoutes } from './scoring/list-routes';
import { scoringRoutes } from './scoring/routes';

export interface AppDeps {
  config: Pick<Config, 'MAX_BODY_BYTES' | 'MAX_UPLOAD_BYTES' | 'IMPORT_SYNC_MAX_BYTES' | 'IMPORT_BATCH_SIZE'>;
  database: Database;
  logger: Logger;
  runner?: JobRunner;
  /** Who drafts: default, the template drafter alone (no LLM). */
  drafter?: DrafterDeps;
}

export const API_VERSION = '0.1.0';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp(deps: AppDeps) {
  const { database, logger, config } = deps;
  const app = new OpenAPIHono<AppEnv>();

  app.use(
    requestId({
      headerName: 'X-Request-Id',
      generator: () => crypto.randomUUID(),
      limitLength: 128,
    }),
  );
  app.use(async (c, next) => {
    const id = c.get('requestId');
    if (!REQUEST_ID.test(id)) c.set('requestId', crypto.randomUUID());
    c.set('logger', logger);
    const started = performance.now();
    await next();
    c.header('X-Request-Id', c.get('requestId'));
    const level = c.res.status >= 500 ? 'error' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const ctx = c.get('ctx') as AppEnv['Variables']['ctx'] | undefined;
    logger[level](
      {
        requestId: c.get('requestId'),
        orgId: ctx?.orgId,
        keyId: ctx?.actor.keyId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms,
      },
      'request',
    );
  });
  app.use(secureHeaders({ contentSecurityPolicy: undefined, crossOriginEmbedderPolicy: false }));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await database.db.execute(sql`SELECT 1`);
      return c.json({ status: 'ready', database: database.kind });
    } catch (error) {
      logger.error({ err: error, requestId: c.get('requestId') }, 'database not reachable');
      throw new AppError('UNAVAILABLE', 'the database does not answer');
    }
  });

  const jsonLimit = sizeLimit(config.MAX_BODY_BYTES, () => {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `the body is larger than ${config.MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)`,
    );
  });
  // A batch dry run names up to 100,000 prospects: 4 MB of ids.
  const BATCH_BYTES = Math.max(config.MAX_BODY_BYTES, 5 * 1024 * 1024);
  const batchLimit = sizeLimit(BATCH_BYTES, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `the body is larger than ${BATCH_BYTES} bytes`);
  });
  // Uploads have their own limit (MAX_UPLOAD_BYTES), checked as the bytes arrive.
  const UPLOADS = /^\/v1\/(imports|suppressions\/import|registries\/[^/]+\/snapshots)$/;
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'POST' && UPLOADS.test(c.req.path)) return next();
    return c.req.path === '/v1/contact-decisions/batch' ? batchLimit(c, next) : jsonLimit(c, next);
  });
  app.use('/v1/*', requireApiKey(database));

  app.route('/v1', orgRoutes());
  app.route('/v1', companyRoutes());
  app.route('/v1', prospectListRoutes());
  app.route('/v1', prospectRoutes());
  app.route('/v1', contactPointRoutes());
  app.route('/v1', interactionRoutes());
  app.route(
    '/v1',
    importRoutes(
      database,
      {
        maxUploadBytes: config.MAX_UPLOAD_BYTES,
        syncMaxBytes: config.IMPORT_SYNC_MAX_BYTES,
        batchSize: config.IMPORT_BATCH_SIZE,
      },
      () => deps.runner?.wake(),
    ),
  );
  app.route('/v1', jobRoutes(deps.runner));
  app.route('/v1', complianceRoutes());
  app.route('/v1', suppressionRoutes({ maxUploadBytes: config.MAX_UPLOAD_BYTES }));
  app.route('/v1', registryRoutes({ maxUploadBytes: config.MAX_UPLOAD_BYTES }));
  app.route('/v1', consentRoutes());
  app.route('/v1', erasureRoutes());
  app.route('/v1', scoringRoutes(deps.runner));
  app.route('/v1', listRoutes());
  app.route('/v1', outreachRoutes(deps.drafter ?? drafterFromConfig({}), deps.runner));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'tdk_…',
    description: 'An API key: `Authorization: Bearer tdk_…`',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Tiède',
      version: API_VERSION,
      description:
        'Warm prospecting: prospects, their contact points and interactions, imported from the files sales teams already have; whether and when each may be contacted, under the law of their country and the organization’s policy. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/' }],
  });
  app.route('/docs', docsRoutes());

  // A path that exists under other methods answers 405 with them (Allow), not 404.
  let methodsOf: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    methodsOf ??= routeMethods(app.routes);
    const allowed = methodsOf(c.req.path);
    if (allowed.length === 0)
      return problem(c, new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
    c.header('Allow', allowed.join(', '));
    return problem(
      c,
      new AppError('METHOD_NOT_ALLOWED', `${c.req.path} takes ${allowed.join(', ')}, not ${c.req.method}`),
    );
  });
  app.onError((error, c) => {
    if (error instanceof AppError) return problem(c, error);
    if (error instanceof HTTPException) {
      const code =
        error.status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : error.status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'VALIDATION';
      const message =
        error.status === 400 && /JSON/i.test(error.message)
          ? 'the body is not valid JSON'
          : error.message || 'bad request';
      return problem(c, new AppError(code, message));
    }
    logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return problem(
      c,
      new AppError('INTERNAL', 'something went wrong on our side; the request id helps us find it'),
    );
  });
  return app;
}

function problem(c: Context<AppEnv>, error: AppError) {
  const body = toProblem(error, c.get('requestId'), c.req.path);
  if (error.code === 'UNAUTHENTICATED') c.header('WWW-Authenticate', 'Bearer realm="tiede"');
  // A refusal stored under an Idempotency-Key, answered again: said as a replayed success is.
  if (error.options.extra?.replayed === true) c.header('Idempotent-Replayed', 'true');
  c.header('X-Request-Id', c.get('requestId'));
  return c.body(JSON.stringify(body), error.status as 400, { 'Content-Type': 'application/problem+json' });
}

export type App = ReturnType<typeof createApp>;

/** The methods each route's path takes, to tell a wrong method from a wrong path. */
function routeMethods(routes: { method: string; path: string }[]): (path: string) => string[] {
  const patterns = routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`),
    }));
  return (path) => [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
}

/**
 * A body size limit that answers from Content-Length when the request gives one, and only otherwise
 * counts the bytes as they come (Hono's bodyLimit). Hono's looks at the request's body stream first, which
 * makes the Node adapter build a web Request and stream for every POST: a quarter of a decision's CPU.
 */
function sizeLimit(maxSize: number, onError: () => never): MiddlewareHandler<AppEnv> {
  const counting = bodyLimit({ maxSize, onError });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    if (Number(length) > maxSize) onError();
    return next();
  };
}
