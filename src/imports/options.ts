import { z } from '@hono/zod-openapi';
import { INTERACTION_TYPES } from '../../db/schema';
import { normalizeCountry, normalizeTimeZone } from '../prospects/locale';
import { ENCODING_ALIASES } from './encoding';

const booleanish = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const mappingSchema = z.record(z.string(), z.string().nullable());

/** Options of an import, from the query string or the multipart fields. */
export const importOptionsSchema = z.strictObject({
  target: z.enum(['prospects', 'interactions']).default('prospects').openapi({
    description: 'prospects (companies and people) or interactions (events about known prospects)',
  }),
  mode: z.enum(['partial', 'atomic']).default('partial').openapi({
    description: 'partial: valid rows go in, bad rows are reported; atomic: all rows or none',
  }),
  // One schema for both forms (a JSON object, or its text in a query or form field), so that a text that is
  // not JSON says so instead of "expected record, received string".
  mapping: z
    .unknown()
    .transform((value, ctx): z.infer<typeof mappingSchema> | undefined => {
      if (value === undefined) return undefined;
      let parsed = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'is not valid JSON (expected an object of column → field or null)',
          });
          return z.NEVER;
        }
      }
      const mapping = mappingSchema.safeParse(parsed);
      if (!mapping.success) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of column → field (or null)' });
        return z.NEVER;
      }
      return mapping.data;
    })
    .optional()
    .openapi({
      description: 'JSON object: column header → field, "attributes.<name>", or null to ignore',
      type: 'string',
    }),
  autoMap: booleanish
    .default(true)
    .openapi({ description: 'Guess the fields of columns the mapping leaves out', type: 'boolean' }),
  keepUnmapped: booleanish.default(false).openapi({
    description: 'Keep unmapped columns as custom attributes (metadata for interactions)',
    type: 'boolean',
  }),
  delimiter: z
    .string()
    .transform((v) => (v === '\\t' || v.toLowerCase() === 'tab' ? '\t' : v))
    .pipe(z.string().length(1, { error: 'one character, or "tab"' }))
    .optional()
    .openapi({ description: 'Field delimiter; detected among ; , tab | when absent' }),
  encoding: z
    .string()
    .transform((v, ctx) => {
      const encoding = ENCODING_ALIASES[v.toLowerCase()];
      if (!encoding) {
        ctx.addIssue({ code: 'custom', message: `one of ${Object.keys(ENCODING_ALIASES).join(', ')}` });
        return z.NEVER;
      }
      return encoding;
    })
    .optional()
    .openapi({
      description: 'utf-8, windows-1252 (latin1), utf-16le…; detected when absent',
      type: 'string',
    }),
  defaultCountry: z
    .string()
    .regex(/^[A-Za-z]{2}$/, { error: 'a two-letter country code' })
    .transform((v) => v.toUpperCase())
    .refine((v) => normalizeCountry(v) === v, { error: 'names no country (e.g. FR, GB, US)' })
    .optional()
    .openapi({
      description: "Country of national phone numbers when a row has none (default: the organization's)",
    }),
  invalidContactPoints: z.enum(['reject', 'drop']).default('reject').openapi({
    description: 'An invalid phone or e-mail rejects its row (reject) or is left out with a warning (drop)',
  }),
  timeZone: z
    .string()
    .transform((v, ctx) => {
      const zone = normalizeTimeZone(v);
      if (zone) return zone;
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a time zone (e.g. Europe/Paris)` });
      return z.NEVER;
    })
    .optional()
    .openapi({
      type: 'string',
      description: 'Zone of dates without an offset (interactions), e.g. Europe/Paris',
    }),
  dateOrder: z
    .enum(['dmy', 'mdy'])
    .optional()
    .openapi({ description: 'How 03/04/2026 reads (interactions)' }),
  type: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(INTERACTION_TYPES, { error: `one of ${INTERACTION_TYPES.join(', ')}` }))
    .optional()
    .openapi({
      description:
        'Event type of the rows that give none, e.g. call_attempted for a dialer export without a type column (interactions)',
    }),
  async: booleanish
    .optional()
    .openapi({ description: 'Force a background job even for a small file', type: 'boolean' }),
});

export type ImportOptions = z.output<typeof importOptionsSchema>;
