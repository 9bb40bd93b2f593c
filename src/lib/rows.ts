/**
 * A row PostgreSQL sent as JSON (to_jsonb) in the shape drizzle gives: camelCase keys, timestamps as
 * Dates. Only the row's own keys change; JSON columns inside (attributes, metadata) are left as they are.
 */
export function rowFromJson<T>(json: Record<string, unknown>): T {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const name = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    row[name] = key.endsWith('_at') && typeof value === 'string' ? new Date(value) : value;
  }
  return row as T;
}
