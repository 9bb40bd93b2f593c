import { type Jsonify, jsonify } from '../lib/json';

/** A row as the API shows it: dates as ISO strings, without what belongs to storage (org id, dedupe key). */
export function present<T extends object>(row: T): Jsonify<Omit<T, 'orgId' | 'dedupeKey'>> {
  const { orgId: _org, dedupeKey: _key, ...rest } = row as T & { orgId?: unknown; dedupeKey?: unknown };
  return jsonify(rest) as Jsonify<Omit<T, 'orgId' | 'dedupeKey'>>;
}
