import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerCode } from '../../src/lib/worker-code';

describe('the code a worker thread runs', () => {
  it('is its source bundled once into JavaScript next to the packages it imports', async () => {
    const source = new URL('../../src/scoring/train-worker.ts', import.meta.url);
    const code = await workerCode(source);
    expect(fileURLToPath(code)).toMatch(/node_modules\/\.cache\/tiede\/train-worker\.[0-9a-f]+\.mjs$/);
    expect(existsSync(code)).toBe(true);
    const text = readFileSync(code, 'utf8');
    // The service's own modules are in it; the packages stay imports that node_modules resolves.
    expect(text).toContain('parentPort');
    expect(text).toMatch(/from "drizzle-orm"/);
    expect(await workerCode(source)).toBe(code);
  });

  it('starts through the TypeScript loader where the bundle cannot be made', async () => {
    const code = await workerCode(new URL('file:///nowhere/missing-worker.ts'));
    expect(code.href).toBe('file:///nowhere/missing-worker.mjs');
  });
});
