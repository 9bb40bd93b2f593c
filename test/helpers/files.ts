import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/csv/${name}`, import.meta.url)));
}

/** A body for app.request(): the bytes as they are on disk. */
export function bytes(buffer: Buffer | string): Uint8Array {
  return new Uint8Array(typeof buffer === 'string' ? Buffer.from(buffer) : buffer);
}

/** A multipart/form-data body with the file and the given fields, as a browser form sends it. */
export function multipart(
  file: Buffer | string,
  fields: Record<string, string> = {},
  filename = 'export.csv',
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes(file)], { type: 'text/csv' }), filename);
  return form;
}
