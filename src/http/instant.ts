import { z } from '@hono/zod-openapi';
import { readInstant } from '../lib/dates';

/**
 * An instant as ISO 8601 with its offset, nothing looser, as a Date: z.coerce.date and Date.parse read
 * "1" as 2001, "5/11" as 11 May 2001, 1764500000 as 1970 and "2026-02-31" as 3 March, and an instant
 * without an offset means another one wherever it is read.
 */
export const instant = () =>
  z
    .string({ error: 'must be an ISO 8601 date-time string, e.g. "2026-11-20T09:00:00+01:00"' })
    .transform((text, ctx) => {
      const read = readInstant(text);
      if (read.ok) return read.date;
      ctx.addIssue({ code: 'custom', message: read.problem });
      return z.NEVER;
    });
