import type { SuppressionScope } from '../../db/schema';
import type { Ctx } from '../context';
import type { FieldError } from '../http/errors';
import { csvRecords } from '../imports/csv-stream';
import type { TextEncoding } from '../imports/encoding';
import { normalizeSuppression, type SuppressionChannel } from './suppression-values';
import { insertSuppressions, type NewSuppression } from './suppressions';

/** A do-not-contact list read from a CSV file, its columns found by their names. */

const CHANNELS = new Set(['phone', 'sms', 'email', 'all']);
const VALUE_COLUMNS =
  /^(value|valeur|phone|t[ée]l[ée]?phone|tel|mobile|portable|number|num[ée]ro|e-?mail|courriel|mail|address|adresse|domain|domaine)$/i;

const CHANNEL_COLUMNS = /^(channel|canal|kanal)$/i;
const REASON_COLUMNS = /^(reason|motif|raison|cause|grund)$/i;
const SOURCE_COLUMNS = /^(source|origine|provenance|quelle)$/i;
const SCOPE_COLUMNS = /^(scope|port[ée]e|type)$/i;

export interface SuppressionImport {
  created: number;
  existing: number;
  rejected: FieldError[];
}

/**
 * Imports a do-not-contact list from CSV: a column with the number, address or domain (value, phone,
 * email, domain, téléphone…), and optionally channel, reason and source; a file of bare values works
 * too. Bad lines are reported by line and the rest imported.
 */
export async function importSuppressions(
  ctx: Ctx,
  bytes: AsyncIterable<Uint8Array>,
  options: {
    encoding: TextEncoding;
    defaults: { channel: SuppressionChannel; reason: string; source: string };
    defaultCountry: string;
  },
): Promise<SuppressionImport> {
  const entries: NewSuppression[] = [];
  const rejected: FieldError[] = [];
  let columns: { value: number; channel: number; reason: number; source: number; scope: number } | undefined;
  for await (const records of csvRecords(
    bytes,
    { encoding: options.encoding },
    { delimiter: '', bytesRead: 0 },
  )) {
    for (const record of records) {
      const fields = record.fields.map((f) => f.trim());
      if (fields.every((f) => f === '')) continue;
      if (!columns) {
        const names = fields.map((f) => f.toLowerCase());
        const value = names.findIndex((n) => VALUE_COLUMNS.test(n));
        if (value !== -1) {
          columns = {
            value,
            channel: names.findIndex((n) => CHANNEL_COLUMNS.test(n)),
            reason: names.findIndex((n) => REASON_COLUMNS.test(n)),
            source: names.findIndex((n) => SOURCE_COLUMNS.test(n)),
            scope: names.findIndex((n) => SCOPE_COLUMNS.test(n)),
          };
          continue;
        }
        columns = { value: 0, channel: -1, reason: -1, source: -1, scope: -1 };
      }
      const value = fields[columns.value] ?? '';
      const given = (columns.channel >= 0 && fields[columns.channel]?.toLowerCase()) || undefined;
      // The request's channel is a default for values it fits: an address in a phone list is an e-mail.
      const channel =
        given ??
        (value.includes('@') && options.defaults.channel !== 'all' ? 'email' : options.defaults.channel);
      if (!CHANNELS.has(channel)) {
        rejected.push({
          line: record.line,
          field: 'channel',
          message: `"${channel}" is not phone, sms, email or all`,
        });
        continue;
      }
      const scopeText = columns.scope >= 0 ? fields[columns.scope] : '';
      const scope: SuppressionScope =
        scopeText === 'email_domain' || scopeText === 'external_id'
          ? scopeText
          : !value.includes('@') && value.includes('.') && !/\d/.test(value)
            ? 'email_domain'
            : 'contact_point';
      const normalized = normalizeSuppression({ scope, value }, options.defaultCountry);
      if ('message' in normalized) {
        rejected.push({ line: record.line, field: 'value', message: normalized.message });
        continue;
      }
      entries.push({
        ...normalized,
        channel: channel as SuppressionChannel,
        reason: (columns.reason >= 0 && fields[columns.reason]) || options.defaults.reason,
        source: (columns.source >= 0 && fields[columns.source]) || options.defaults.source,
      });
    }
  }
  const results = await insertSuppressions(ctx, entries);
  const created = results.filter((r) => r.created).length;
  return { created, existing: results.length - created, rejected };
}
