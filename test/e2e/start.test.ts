import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

async function until(check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiede-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the database, prints the admin key once, serves the API, and keeps data across restarts', async () => {
    const port = await freePort();
    const first = start({ DATA_DIR: dataDir, PORT: String(port) });
    await until(() => first.output().includes('admin api key: '));
    const key = /admin api key: (tdk_\S+)/.exec(first.output())![1]!;
    await until(async () => (await fetch(`http://localhost:${port}/readyz`).catch(() => null))?.ok === true);
    const created = await fetch(`http://localhost:${port}/v1/prospects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lastName: 'Persistant', contactPoints: [{ value: '01 23 45 67 89' }] }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = start({ DATA_DIR: dataDir, PORT: String(port) });
    try {
      await until(
        async () => (await fetch(`http://localhost:${port}/readyz`).catch(() => null))?.ok === true,
      );
      const fetched = await fetch(`http://localhost:${port}/v1/prospects/${id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(((await fetched.json()) as { lastName: string }).lastName).toBe('Persistant');
      expect(second.output()).not.toContain('admin api key');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);

  it('stops at start-up on a bad setting, naming it', async () => {
    const bad = start({ DATA_DIR: dataDir, PORT: 'eighty', LOG_LEVEL: 'chatty' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('PORT="eighty"');
    expect(bad.output()).toContain('LOG_LEVEL="chatty"');
  });
});
