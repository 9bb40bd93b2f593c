import type { Jsonify } from '../lib/json';

/**
 * A row as the API shows it, without what belongs to storage (org id, dedupe key). Dates stay Dates:
 * JSON.stringify writes them as ISO strings, which is what the type says; no deep copy per response.
 */
export function present<T extends object>(row: T): Jsonify<Omit<T, 'orgId' | 'dedupeKey'>> {
  const { orgId: _org, dedupeKey: _key, ...rest } = row as T & { orgId?: unknown; dedupeKey?: unknown };
  return rest as unknown as Jsonify<Omit<T, 'orgId' | 'dedupeKey'>>;
}
