import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db';
import { rescoreSegment, type Segment, scoringsOf } from './rescore';

/** One segment of a full rescoring, on its own thread and connections (see rescoreJobHandler). */
const data = workerData as {
  url: string;
  orgId: string;
  jobId: string;
  campaignId: string;
  version: string;
  index: number;
  segment: Segment;
  at: string;
  chunk: number;
};
const port = parentPort!;
const controller = new AbortController();
port.on('message', (message) => {
  if (message === 'stop') controller.abort();
});
// Reading, writing and the next read at once: three connections.
const database = await openDatabase({ url: data.url, poolSize: 3 });
try {
  const ctx = { db: database.db, orgId: data.orgId, actor: { keyId: null, role: 'admin' as const } };
  const scorings = await scoringsOf(ctx, data.campaignId);
  const segment = await rescoreSegment({
    database,
    orgId: data.orgId,
    jobId: data.jobId,
    campaignId: data.campaignId,
    version: data.version,
    index: data.index,
    segment: data.segment,
    scorings,
    at: new Date(data.at),
    chunk: data.chunk,
    signal: controller.signal,
    onCommit: (progress) => port.postMessage({ progress }),
  });
  port.postMessage({ done: segment });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
} finally {
  await database.close();
  port.close();
}
