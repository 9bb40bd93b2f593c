import { parentPort, workerData } from 'node:worker_threads';
import { type ConvertOptions, createConverter, type RouterCommand } from './converter';
import type { CsvRecord } from './csv-tokenizer';
import type { ColumnPlan } from './plan';

/** A worker thread that converts batches while the import's thread writes the previous ones. */
const { plan, options } = workerData as { plan: ColumnPlan; options: ConvertOptions };
const converter = createConverter(plan, options);

parentPort!.on('message', (message: CsvRecord[] | { command: RouterCommand }) => {
  if (!Array.isArray(message)) {
    converter.command(message.command);
    return;
  }
  try {
    parentPort!.postMessage({ ok: converter.convert(message) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
