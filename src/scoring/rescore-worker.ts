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
function told(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? error.message;
  return error.cause === undefined ? text : `${text}\ncaused by: ${told(error.cause)}`;
}

async function walk(data: WorkerSegment & { run: number }): Promise<void> {
  const { run: id, url, at, ...run } = data;
  const controller = new AbortController();
  stops.set(id, controller);
  try {
    // Reading, writing and the next read at once: three connections.
    const database = await openDatabase({ url, poolSize: 3 });
    try {
      const scorings = await scoringsOf(systemCtx(database.db, data.orgId), data.campaignId);
      const segment = await rescoreSegment({
        ...run,
        database,
        scorings,
        at: new Date(at),
        signal: controller.signal,
        onCommit: (progress) => send({ run: id, progress }),
      });
      send({ run: id, done: segment });
    } finally {
      await database.close();
    }
  } catch (error) {
    // A job taken over by another process is no failure: the parent stops quietly, as the runner does.
    if (error instanceof JobLost) send({ run: id, lost: error.jobId });
    else send({ run: id, error: told(error) });
  } finally {
    stops.delete(id);
    // The outcomes read are free text that can name someone: none is kept once the segment is walked.
    forgetOutcomeReadings();
  }
}
