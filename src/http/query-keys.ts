import type { MiddlewareHandler } from 'hono';
import { nearestName } from '../lib/nearest-name';
import { AppError, type FieldError } from './errors';

/**
 * The names that are none of `known` (query parameters, form fields, filter keys), each with the one it
 * was likely meant as, else the list of those known: `where` prefixes the field ("query:"), `what` says
 * what a name should have been ("a parameter of this route").
 */
export function unknownNames(
  given: Iterable<string>,
  known: readonly string[],
  { where = 'query:', what = 'a parameter of this route' }: { where?: string; what?: string } = {},
): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of given) {
    if (known.includes(name)) continue;
    const meant = nearestName(name, known);
    errors.push({
      field: `${where}${name}`,
      message: meant
        ? `not ${what} (did you mean ${meant}?)`
        : `not ${what}${known.length ? ` (it takes ${known.join(', ')})` : ''}`,
    });
  }
  return errors;
}

/**
 * Refuses query parameters a route does not take. A misspelt filter (`?contry=FR`) would otherwise be
 * ignored, and the answer would look like the filtered one while it holds every row.
 */
export function refuseUnknownParameters(given: Iterable<string>, known: readonly string[]): void {
  refuse(unknownNames(given, known));
}

/** A 400 naming each parameter at fault, when there is one. */
function refuse(errors: FieldError[]): void {
  if (errors.length > 0)
    throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

export function knownParameters(known: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const queries = c.req.queries();
    refuseUnknownParameters(Object.keys(queries), known);
    refuseRepeatedParameters(queries);
    await next();
  };
}

/**
 * Refuses a parameter given twice (`sort=-rank&sort=-score`): no route takes a list that way, and which one
 * counted would be a guess; validated as it came, it answered "expected one of …" or "received NaN".
 */
function refuseRepeatedParameters(queries: Record<string, string[]>): void {
  refuse(
    Object.entries(queries)
      .filter(([, values]) => values.length > 1)
      .map(([name, values]) => ({
        field: `query:${name}`,
        message: `given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}): give it once`,
      })),
  );
}
