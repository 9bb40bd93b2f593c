import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ZodError } from 'zod';
import type { AppEnv } from './env';
import { AppError, type FieldError } from './errors';
import { knownParameters } from './query-keys';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://tiede.dev/problems/validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({ field: z.string().optional(), line: z.number().int().optional(), message: z.string() }),
      )
      .optional(),
  })
  .passthrough()
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error answers every authenticated route can give. */
export const errorResponses = {
  400: problem('The request is not valid: see errors[] for each field at fault'),
  401: problem('No API key, or an unknown or revoked one'),
  403: problem("The key's role does not allow this"),
  404: problem('Not found in this organization'),
  413: problem('The body is larger than the configured limit'),
} as const;

export const noContent = { 204: { description: 'Done' } };
export const conflictResponse = { 409: problem('Conflicts with the current state') } as const;
export const unprocessableResponse = { 422: problem('The content cannot be processed') } as const;

export const IdParam = z.object({
  id: z
    .string()
    .uuid({ error: 'not an id' })
    .openapi({ param: { name: 'id', in: 'path' }, example: '019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10' }),
});

export function json<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodTypeAny>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** A file sent as the body (CSV, or one value a line) or as the file part of a multipart form. */
export const fileBody = (example: string) => ({
  required: true,
  content: {
    'text/csv': { schema: z.string().openapi({ example }) },
    'text/plain': { schema: z.string().openapi({ example }) },
    'multipart/form-data': {
      schema: z.object({ file: z.string().openapi({ format: 'binary' }) }).passthrough(),
    },
  },
});

const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  form: 'form',
};

type Issue = ZodError['issues'][number];

const missing = (issue: Issue) => issue.code === 'invalid_type' && /received undefined/.test(issue.message);

/**
 * A body that matches no branch of a union ("one event, or { items }") is reported against the branch
 * it was meant for: the one with the fewest missing fields, then the fewest issues.
 */
function flatten(
  issues: readonly Issue[],
  prefix: PropertyKey[] = [],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = [...issue.errors].sort(
        (a, b) => a.filter(missing).length - b.filter(missing).length || a.length - b.length,
      );
      return flatten(branches[0]!, [...prefix, ...issue.path]);
    }
    // An unknown key is named by its own path ("body:idealProfile.industries.schem"), one error each.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ path: [...prefix, ...issue.path, key], message: 'unknown field' }));
    return [{ path: [...prefix, ...issue.path], message: issue.message }];
  });
}

export function zodErrors(error: ZodError, target?: string): FieldError[] {
  const where = target ? (TARGET_NAMES[target] ?? target) : undefined;
  return flatten(error.issues).map(({ path: parts, message }) => {
    const path = parts
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return { field: [where, path].filter(Boolean).join(where && path ? ':' : ''), message };
  });
}

/** Every route of the API but the health checks takes an API key as a bearer token. */
export const security = [{ bearer: [] }];

/**
 * A presented record handed to c.json: the route's response schema describes it, and the typed
 * OpenAPI router would otherwise ask for the schema's exact type.
 */
export const out = <T>(value: T) => value as never;

/** A router whose validation failures become problem+json with each field at fault. */
export function router() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = zodErrors(result.error as ZodError, result.target);
        throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
          errors,
        });
      }
    },
  });
  // Client generators name their functions after operationId: each route gets one from its method and
  // path unless it names its own; stable and unique, if not pretty.
  // Each route also refuses query parameters it does not take (knownParameters), before validating them.
  const register = app.openapi.bind(app) as (...args: unknown[]) => unknown;
  (app as { openapi: unknown }).openapi = (route: Route, ...rest: unknown[]) => {
    const names = queryNames(route);
    return register(
      {
        ...route,
        operationId: route.operationId ?? operationIdOf(route.method, route.path),
        middleware: [...(names ? [knownParameters(names)] : []), ...[route.middleware ?? []].flat()],
      },
      ...rest,
    );
  };
  return app;
}

interface Route {
  method: string;
  path: string;
  operationId?: string;
  request?: { query?: unknown };
  middleware?: MiddlewareHandler | MiddlewareHandler[];
}

/** The query parameters a route's schema names: none when it has no query, unknown when not an object. */
function queryNames(route: Route): string[] | undefined {
  const query = route.request?.query as { shape?: Record<string, unknown> } | undefined;
  if (query === undefined) return [];
  return query.shape ? Object.keys(query.shape) : undefined;
}

/** "get", "/campaigns/{id}/scores/{prospectId}" → "getCampaignsIdScoresProspectId". */
export function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
