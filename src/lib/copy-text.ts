/** A value as COPY's text format writes it: \N for null, backslash escapes for the separators. */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value)
        ? `{${value.join(',')}}`
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  return copyEscape(text);
}

/** Text as a field of COPY's text format: backslashes, tabs and line ends escaped. */
export function copyEscape(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => COPY_ESCAPES[c]!) : text;
}

/**
 * JSON text as a field of COPY's text format. JSON writes no tab or line end as such (it escapes them with a
 * backslash), so only its backslashes need doubling: found by a search for one character, cheaper than
 * copyEscape's pattern over a million reasons a rescoring writes.
 */
export function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
