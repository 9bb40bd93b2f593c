import { Agent, request } from 'node:http';

export interface LoadResult {
  sent: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Requests per second actually completed. */
  rate: number;
}

/**
 * An open-loop load: one request every 1/rate s, evenly spaced, whatever the answers, over keep-alive
 * connections. Latency counts from when a request was due, so a slow server cannot hide its queue
 * (coordinated omission). autocannon's fixed rate fires every connection's timer at once: at 300/s over
 * 20 connections that is bursts of 20, and the burst, not the server, sets the percentiles.
 */
export async function openLoop(options: {
  port: number;
  rate: number;
  seconds: number;
  paths: string[];
  headers?: Record<string, string>;
  /** POSTs these bodies in turn (JSON) instead of GETting. */
  bodies?: string[];
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // From when it was due, or from when it left if a timer fired a fraction of a millisecond early.
    const from = Math.min(due, performance.now());
    const path = options.paths[i % options.paths.length]!;
    const body = options.bodies?.[i % options.bodies.length];
    const headers = body ? { ...options.headers, 'content-type': 'application/json' } : options.headers;
    pending.push(
      new Promise<void>((resolve) => {
        const req = request(
          { host: '127.0.0.1', port: options.port, path, agent, headers, method: body ? 'POST' : 'GET' },
          (res) => {
            res.resume();
            res.on('end', () => {
              if ((res.statusCode ?? 500) >= 400) errors++;
              latencies.push(performance.now() - from);
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) /
    100;
  return {
    sent: total,
    errors,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
    rate: Math.round(latencies.length / elapsed),
  };
}

/** A closed loop: `concurrency` callers, each sending its next request when the last one answered. */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  send: (i: number) => Promise<unknown>,
) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await send(done++);
    }),
  );
  return Math.round(done / ((performance.now() - started) / 1000));
}
