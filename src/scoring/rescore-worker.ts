import { parentPort } from 'node:worker_threads';
import { systemCtx } from '../context';
import { openDatabase } from '../db';
import { JobLost } from '../jobs/service';
import { forgetOutcomeReadings } from './engagement';
import type { FromWorker, ToWorker, WorkerSegment } from './rescore-pool';
import { rescoreSegment } from './rescore-segment';
import { scoringsOf } from './score-writes';

/**
 * A thread of the rescoring pool (rescore-pool.ts): walks the segments it is given, one after another,
 * each on connections of its own, and stays for the next rescoring.
 */
const port = parentPort!;
const stops = new Map<number, AbortController>();
const send = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if ('stop' in message) stops.get(message.stop)?.abort();
  else void walk(message.start);
});

/** An error as the parent reports it: its stack, and what caused it (a failed query's own error, say). */
function told(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? error.message;
  return error.cause === undefined || depth >= 5
    ? text
    : `${text}\ncaused by: ${told(error.cause, depth + 1)}`;
}

/**
 * Walks a segment. Its end is told once its connections are closed, so that the thread's next segment never
 * shares the database with them; a failure is told first, so that the other segments stop at once (a close
 * waits for the queries in flight, up to five seconds).
 */
async function walk(data: WorkerSegment & { run: number }): Promise<void> {
  const { run: id, url, at, ...run } = data;
  const controller = new AbortController();
  stops.set(id, controller);
  const end = (ending: FromWorker) => {
    stops.delete(id);
    // The outcomes read are free text that can name someone: none is kept once the segment is walked.
    forgetOutcomeReadings();
    send(ending);
  };
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    // Reading, writing and the next read at once: three connections.
    database = await openDatabase({ url, poolSize: 3 });
    const scorings = await scoringsOf(systemCtx(database.db, data.orgId), data.campaignId);
    const segment = await rescoreSegment({
      ...run,
      database,
      scorings,
      at: new Date(at),
      signal: controller.signal,
      onCommit: (progress) => send({ run: id, progress }),
    });
    await database.close().catch(() => {});
    database = undefined;
    end({ run: id, done: segment });
  } catch (error) {
    // A job taken over by another process is no failure: the parent stops quietly, as the runner does.
    end(error instanceof JobLost ? { run: id, lost: error.jobId } : { run: id, error: told(error) });
    await database?.close().catch(() => {});
  }
}
