import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { JobLost } from '../jobs/service';
import { workerCode } from '../lib/worker-code';
import type { Segment, SegmentRun } from './rescore-segment';

/**
 * The worker threads that walk a full rescoring's segments.
 *
 * A thread runs the worker's code bundled once per process into JavaScript (workerCode): started through
 * the TypeScript loader, each had taken 0.9 s of CPU and 120 MB, against 0.27 s and 50 MB.
 *
 * A thread that walked a segment is kept for the next rescoring for IDLE_MS, then stopped: a campaign
 * made, its profile changed and a model activated within minutes reuse the same threads, warm, while
 * a service that does not rescore holds none (two kept threads are about 100 MB).
 */

/** What a worker receives of a segment's run: what can cross threads, the instant as text. */
export type WorkerSegment = Omit<SegmentRun, 'database' | 'scorings' | 'signal' | 'onCommit' | 'at'> & {
  url: string;
  at: string;
};

/** Parent to worker: walk a segment, or stop the one of that run. */
export type ToWorker = { start: WorkerSegment & { run: number } } | { stop: number };
/** Worker to parent, about one run. */
export type FromWorker = { run: number } & (
  | { progress: Segment }
  | { done: Segment }
  | { lost: string }
  | { error: string }
);

export const IDLE_MS = 5 * 60_000;

interface Kept {
  worker: Worker;
  /** Stops it once idle for IDLE_MS. */
  expiry: NodeJS.Timeout;
}
const idle: Kept[] = [];
let runs = 0;
let stopped = false;

const SOURCE = new URL('./rescore-worker.ts', import.meta.url);

async function spawn(): Promise<Worker> {
  const worker = new Worker(await workerCode(SOURCE), {
    // Two 16 MB semi-spaces: against two of 8 MB, a mass change took about 7% less of the service's CPU, for
    // 40 MB more at the peak; with a 128 MB young generation it collected ten times as often. An old
    // generation of 96 MB cost as much CPU and peaked 30 MB higher.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
  });
  // A thread that fails while idle leaves the pool (and is never handed a run); one on a run fails it.
  worker.on('error', () => leaveIdle(worker));
  worker.on('exit', () => leaveIdle(worker));
  return worker;
}

/** Takes a thread off the idle list, if it is there, with its expiry. */
function leaveIdle(worker: Worker): void {
  const at = idle.findIndex((kept) => kept.worker === worker);
  if (at >= 0) clearTimeout(idle.splice(at, 1)[0]!.expiry);
}

/** Keeps a thread that walked its segment, idle: it never keeps the process alive, and stops in IDLE_MS. */
function release(worker: Worker): void {
  if (stopped) {
    void worker.terminate();
    return;
  }
  worker.unref();
  // Off the list before it stops, so that no run is handed a thread on its way out.
  const expiry = setTimeout(() => {
    leaveIdle(worker);
    void worker.terminate();
  }, IDLE_MS);
  expiry.unref();
  idle.push({ worker, expiry });
}

function take(): Worker | undefined {
  const kept = idle.pop();
  if (kept) clearTimeout(kept.expiry);
  return kept?.worker;
}

/**
 * While segments are walked, every heap of the process may grow to twice what a full collection left live
 * before the next one. V8 sizes that growth from a heap's ceiling, and under the threads' 128 MB it let a
 * thread's old generation grow from about 30 MB to 45: a full collection for every chunk of 5,000 people,
 * whose text and rows alone fill that. Twice: a first scoring of a million people took 15–19 s of the
 * service's CPU instead of 20–28. The flag is the process's (V8 has no such setting per thread), so it is
 * set for the runs only: left on, an import's threads grew with it past 400 MB.
 */
let walking = 0;
function walkingSegments(change: 1 | -1): void {
  walking += change;
  if (change === 1 && walking === 1) setFlagsFromString('--heap-growing-percent=100');
  if (walking === 0) setFlagsFromString('--heap-growing-percent=0');
}

/** The idle threads' ids, oldest kept first. */
export const idleRescoringWorkers = (): number[] => idle.map((kept) => kept.worker.threadId);

/** Stops the idle threads, and keeps none from now on (the service stopping). */
export async function stopRescoringWorkers(): Promise<void> {
  stopped = true;
  await Promise.all(
    idle.splice(0).map((kept) => {
      clearTimeout(kept.expiry);
      return kept.worker.terminate();
    }),
  );
}

/**
 * Runs a segment on a thread of the pool: its own heap and connections, the event loop left free. Busy, the
 * thread keeps the process alive as any work in progress does (a script awaiting a rescoring).
 */
export async function segmentInWorker(
  url: string,
  run: Omit<SegmentRun, 'database' | 'scorings'>,
): Promise<Segment> {
  const { signal, onCommit, ...data } = run;
  const worker = take() ?? (await spawn());
  worker.ref();
  const id = ++runs;
  walkingSegments(1);
  return new Promise<Segment>((resolve, reject) => {
    const stop = () => worker.postMessage({ stop: id } satisfies ToWorker);
    const settle = (outcome: () => void, keep: boolean) => {
      walkingSegments(-1);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal.removeEventListener('abort', stop);
      if (keep) release(worker);
      else void worker.terminate();
      outcome();
    };
    const onMessage = (message: FromWorker) => {
      if (message.run !== id) return;
      if ('progress' in message) onCommit(message.progress);
      else if ('done' in message) settle(() => resolve(message.done), true);
      else if ('lost' in message) settle(() => reject(new JobLost(message.lost)), true);
      else settle(() => reject(new Error(`rescoring worker: ${message.error}`)), true);
    };
    const onError = (error: Error) => settle(() => reject(error), false);
    const onExit = (code: number) =>
      settle(() => reject(new Error(`the rescoring worker stopped (exit code ${code})`)), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    try {
      worker.postMessage({ start: { ...data, run: id, url, at: run.at.toISOString() } } satisfies ToWorker);
    } catch (error) {
      settle(() => reject(error), true);
      return;
    }
    // A stop asked for before the run began is passed on at once: an abort event fires only once.
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
