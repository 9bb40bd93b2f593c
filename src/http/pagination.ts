import { z } from '@hono/zod-openapi';
import { isUuid } from '../lib/ids';
import { invalid } from './errors';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(DEFAULT_LIMIT)
    .openapi({ description: `Items per page (1–${MAX_LIMIT})` }),
  cursor: z.string().max(200).optional().openapi({ description: 'The nextCursor of the previous page' }),
};

/** Ids are time-ordered (UUIDv7): the cursor is the last id seen, newest first. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id))
    throw invalid('the cursor is not one this API gave', [
      { field: 'cursor', message: 'not a cursor from a previous page' },
    ]);
  return id;
}

/** Takes limit+1 rows: the extra row only says there is a next page. */
export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? encodeCursor(data.at(-1)!.id) : null };
}

export function pageSchema<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as cursor to get the next page; null on the last page' }),
    })
    .openapi(name);
}
