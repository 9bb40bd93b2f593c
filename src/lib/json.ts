/** The type a value has once sent as JSON: dates become ISO strings (Date.prototype.toJSON). */
export type Jsonify<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;
