/** The type a value has once sent as JSON: dates become ISO strings. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

/** Converts dates to ISO strings, deeply, so that a response matches its schema's types. */
export function jsonify<T>(value: T): Jsonify<T> {
  return convert(value) as Jsonify<T>;
}

function convert(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = convert(inner);
    return out;
  }
  return value;
}
