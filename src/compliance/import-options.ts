import { SUPPRESSION_CHANNELS } from '../../db/schema';
import { AppError, type FieldError } from '../http/errors';
import { unknownNames } from '../http/query-keys';

const OPTIONS = ['channel', 'reason', 'source'] as const;
type Option = (typeof OPTIONS)[number];
type SuppressionChannel = (typeof SUPPRESSION_CHANNELS)[number];

export interface SuppressionImportDefaults {
  channel: SuppressionChannel;
  reason: string;
  source: string;
}

/**
 * What a suppression import applies to the lines that do not say: from the query or the multipart form,
 * either way. A misspelt field (`chanel=phone`) is refused rather than dropped, since the import would
 * then suppress every channel; an option given both ways, differently, is refused rather than guessed.
 */
export function suppressionImportDefaults(
  query: Record<string, string>,
  fields: Record<string, string>,
  filename?: string,
): SuppressionImportDefaults {
  const errors: FieldError[] = unknownNames(Object.keys(fields), OPTIONS, {
    where: 'form:',
    what: 'a field of this import (beside the file)',
  });
  const given: Partial<Record<Option, { value: string; field: string }>> = {};
  for (const option of OPTIONS) {
    const inQuery = query[option];
    const inForm = fields[option];
    if (inQuery !== undefined && inForm !== undefined && inQuery !== inForm)
      errors.push({
        field: `form:${option}`,
        message: `"${inForm}" here but "${inQuery}" in the query: give it once`,
      });
    const value = inForm ?? inQuery;
    if (value !== undefined)
      given[option] = { value, field: inForm !== undefined ? `form:${option}` : `query:${option}` };
  }
  const channel = given.channel?.value ?? 'all';
  if (!(SUPPRESSION_CHANNELS as readonly string[]).includes(channel))
    errors.push({
      field: given.channel!.field,
      message: `"${channel}" is not ${SUPPRESSION_CHANNELS.join(', ')}`,
    });
  for (const option of ['reason', 'source'] as const) {
    const text = given[option];
    if (text && (text.value.trim() === '' || text.value.length > 500))
      errors.push({ field: text.field, message: 'between 1 and 500 characters' });
  }
  if (errors.length > 0)
    throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  return {
    channel: channel as SuppressionChannel,
    reason: given.reason?.value.trim() ?? 'imported list',
    source: given.source?.value.trim() ?? filename ?? 'CSV import',
  };
}
