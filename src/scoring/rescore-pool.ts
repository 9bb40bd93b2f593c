import { Worker } from 'node:worker_threads';
import { JobLost } from '../jobs/service';
import type { Segment, SegmentRun } from './rescore-segment';

/**
 * The worker threads that walk a full rescoring's segments, kept between rescorings. A thread starting
 * anew loaded the service's modules through the TypeScript loader (with a loader thread of its own) and
 * ran the scoring cold: on a benchmark of 200,000 people, each thread spent 1.3–1.4 s of CPU doing so,
 * every rescoring. Threads asked for beyond those kept (two rescorings at once) stop after their segment.
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

const idle: Worker[] = [];
/** How many idle threads are kept (the most any rescoring asked for). */
let kept = 0;
let runs = 0;

function spawn(): Worker {
  const worker = new Worker(new URL('./rescore-worker.mjs', import.meta.url), {
    // Two 16 MB semi-spaces: against two of 8 MB, a mass change took about 7% less of the service's CPU, for
    // 40 MB more at the peak; with a 128 MB young generation it collected ten times as often. An old
    // generation of 96 MB cost as much CPU and peaked 30 MB higher.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
  });
  // An idle thread never keeps the process alive (see release).
  worker.unref();
  worker.on('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  });
  // Reported to the run it was on, if any (below); an idle thread's error only ends it.
  worker.on('error', () => {});
  return worker;
}

function release(worker: Worker): void {
  if (idle.length < kept) {
    worker.unref();
    idle.push(worker);
  } else void worker.terminate();
}

/** Keeps `count` threads ready: started now, so that the first rescoring does not load them. */
export function keepRescoringWorkers(count: number): void {
  kept = Math.max(kept, count);
  while (idle.length < kept) idle.push(spawn());
}

/** The idle threads' ids, oldest kept first. */
export const idleRescoringWorkers = (): number[] => idle.map((worker) => worker.threadId);

/** Stops the idle threads, and keeps none from now on (the service stopping). */
export async function stopRescoringWorkers(): Promise<void> {
  kept = 0;
  await Promise.all(idle.splice(0).map((worker) => worker.terminate()));
}

/** Runs a segment on a thread of the pool: its own heap and connections, the event loop left free. */
export function segmentInWorker(
  url: string,
  run: Omit<SegmentRun, 'database' | 'scorings'>,
): Promise<Segment> {
  const { signal, onCommit, ...data } = run;
  const worker = idle.pop() ?? spawn();
  // Busy, it keeps the process alive as any work in progress does (a script awaiting a rescoring).
  worker.ref();
  const id = ++runs;
  return new Promise<Segment>((resolve, reject) => {
    const stop = () => worker.postMessage({ stop: id } satisfies ToWorker);
    const settle = (outcome: () => void, keep: boolean) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal.removeEventListener('abort', stop);
      if (keep) release(worker);
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
    signal.addEventListener('abort', stop, { once: true });
    worker.postMessage({
      start: { ...data, run: id, url, at: run.at.toISOString() },
    } satisfies ToWorker);
  });
}
