import { parentPort, workerData } from 'node:worker_threads';
import type { InputChunk } from './inputs';
import { fitSample, HistorySample, type TrainerData } from './training';

/** A model's training on a thread of its own (see trainOnWorker): chunks of people in, the fit out. */
const { successTypes, dates, needed } = workerData as TrainerData;
const port = parentPort!;
const sample = new HistorySample(successTypes, dates);
port.on('message', (message: { chunk?: InputChunk; end?: true }) => {
  try {
    if (message.chunk) sample.add(message.chunk);
    if (message.end) port.postMessage({ fit: fitSample(sample, successTypes, needed) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
