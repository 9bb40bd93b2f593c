import { Worker } from 'node:worker_threads';
import { workerCode } from '../lib/worker-code';
import { type Converted, type ConvertOptions, createConverter, type RouterCommand } from './converter';
import type { CsvRecord } from './csv-tokenizer';
import type { ColumnPlan } from './plan';

export interface BatchConverter {
  /** Converts a batch; with a worker, several may be in flight and come back in order. */
  convert(batch: CsvRecord[]): Promise<Converted>;
  /** Reaches the converter before any batch sent after it. */
  command(command: RouterCommand): void;
  close(): Promise<void>;
}

/**
 * Converts on a worker thread for large files, so that parsing and normalizing the next batches
 * (phones above all) overlaps the database writes of the current one; inline for small files, where
 * starting a worker would cost more than it saves.
 */
export async function openConverter(
  plan: ColumnPlan,
  options: ConvertOptions,
  threaded: boolean,
): Promise<BatchConverter> {
  if (!threaded) {
    const converter = createConverter(plan, options);
    return {
      convert: async (batch) => converter.convert(batch),
      command: (command) => converter.command(command),
      close: async () => {},
    };
  }
  const code = await workerCode(new URL('./convert-worker.ts', import.meta.url));
  const worker = new Worker(code, {
    workerData: { plan, options },
    // Batches are bounded: a small heap keeps the worker from growing where collecting would do. 128 MB
    // and a young generation of two 8 MB semi-spaces (24 MB): what the import's peak memory was measured
    // with, npm start's flags having given the worker that whatever it asked, until main.ts cleared them.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 24 },
  });
  const waiting: { resolve: (c: Converted) => void; reject: (e: Error) => void }[] = [];
  const failAll = (error: Error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('message', (message: { ok?: Converted; error?: string }) => {
    const next = waiting.shift();
    if (!next) return;
    if (message.ok) next.resolve(message.ok);
    else next.reject(new Error(`conversion failed: ${message.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    if (code !== 0) failAll(new Error(`the conversion worker stopped (exit code ${code})`));
  });
  return {
    convert: (batch) =>
      new Promise<Converted>((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(batch);
      }),
    command: (command) => worker.postMessage({ command }),
    close: async () => {
      await worker.terminate();
    },
  };
}
