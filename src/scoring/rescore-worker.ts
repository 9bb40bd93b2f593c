import { parentPort, workerData } from 'node:worker_threads';
import { systemCtx } from '../context';
import { openDatabase } from '../db';
import { JobLost } from '../jobs/service';
import { rescoreSegment, type WorkerSegment } from './rescore';
import { scoringsOf } from './score-writes';

/** One segment of a full rescoring, on its own thread and connections (see rescoreJobHandler). */
const data = workerData as WorkerSegment;
const port = parentPort!;
const controller = new AbortController();
port.on('message', (message) => {
  if (message === 'stop') controller.abort();
});
// Reading, writing and the next read at once: three connections.
const database = await openDatabase({ url: data.url, poolSize: 3 });
try {
  const { url: _url, at, ...run } = data;
  const scorings = await scoringsOf(systemCtx(database.db, data.orgId), data.campaignId);
  const segment = await rescoreSegment({
    ...run,
    database,
    scorings,
    at: new Date(at),
    signal: controller.signal,
    onCommit: (progress) => port.postMessage({ progress }),
  });
  port.postMessage({ done: segment });
} catch (error) {
  // A job taken over by another process is no failure: the parent stops quietly, as the runner does.
  if (error instanceof JobLost) port.postMessage({ lost: error.jobId });
  else port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
} finally {
  await database.close();
  port.close();
}
