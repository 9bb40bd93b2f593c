import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';

export const ROOT = new URL('..', import.meta.url).pathname;

/** A fresh database on the server of BENCH_DATABASE_URL (default: the local test server). */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `${prefix}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      if (!process.env.BENCH_KEEP) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      else console.log(`kept ${name}`);
      await admin.end();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The node arguments of `npm start`, so that the benchmark measures the service as it is started. */
function startArguments(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (process.env.BENCH_TRACE_GC) args.unshift('--trace-gc');
  // A CPU profile of the service, written to that folder when it stops.
  if (process.env.BENCH_CPU_PROF) args.unshift('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  if (command !== 'node') throw new Error('npm start is expected to run node');
  return args;
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  adminKey: string;
  orgId: string;
  /** Peak resident memory of the server process so far, in MB (VmHWM). */
  peakMb(): number;
  stop(): Promise<void>;
}

/** Starts the service as `npm start` does, on a server database, and waits until it is ready. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, startArguments(), {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
    if (process.env.BENCH_TRACE_GC) process.stderr.write(d);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok && output.includes('admin api key')) break;
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await sleep(100);
  }
  const adminKey = /admin api key: (tdk_\S+)/.exec(output)![1]!;
  const me = await fetch(`http://127.0.0.1:${port}/v1/organization`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  const orgId = ((await me.json()) as { id: string }).id;
  return {
    child,
    port,
    adminKey,
    orgId,
    peakMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function seconds(ms: number) {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function report(title: string, lines: [string, string][]) {
  const width = Math.max(...lines.map(([k]) => k.length));
  process.stdout.write(`\n${title}\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
}

/** CPU seconds (user and system) a process has used so far (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the whole machine has used so far, on all its cores (Linux). */
export function machineCpuSeconds(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq!) / 100;
}
