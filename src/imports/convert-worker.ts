import { parentPort, workerData } from 'node:worker_threads';
import { type ConvertOptions, createConverter } from './converter';
import type { CsvRecord } from './csv-tokenizer';
import type { ColumnPlan } from './plan';

/** A worker thread that converts batches while the import's thread writes the previous ones. */
const { plan, options } = workerData as { plan: ColumnPlan; options: ConvertOptions };
const convert = createConverter(plan, options);

parentPort!.on('message', (batch: CsvRecord[]) => {
  try {
    parentPort!.postMessage({ ok: convert(batch) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
