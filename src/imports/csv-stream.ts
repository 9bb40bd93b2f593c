import { type CsvRecord, CsvTokenizer } from './csv-tokenizer';
import { decoderFor, detectDelimiter, type TextEncoding } from './encoding';

export interface CsvStreamOptions {
  encoding: TextEncoding;
  /** Detected from the first lines when absent. */
  delimiter?: string;
}

export interface CsvStreamMeta {
  delimiter: string;
  bytesRead: number;
}

const SAMPLE_CHARS = 64 * 1024;

/**
 * Decodes bytes and yields CSV records chunk by chunk, so that a file of any size is read in constant
 * memory. An Excel "sep=;" first line sets the delimiter and is not a record.
 */
export async function* csvRecords(
  bytes: AsyncIterable<Uint8Array>,
  options: CsvStreamOptions,
  meta: CsvStreamMeta,
): AsyncGenerator<CsvRecord[]> {
  const decoder = decoderFor(options.encoding);
  let tokenizer: CsvTokenizer | undefined;
  let pending = '';
  let first = true;
  const feed = (text: string): CsvRecord[] => {
    const out: CsvRecord[] = [];
    if (!tokenizer) {
      pending += text;
      // Only detection needs a sample: with the delimiter given, records come from the first chunk.
      if (pending.length < SAMPLE_CHARS && !options.delimiter) return out;
      text = pending;
      pending = '';
      tokenizer = open(text);
    }
    tokenizer.push(text, out);
    return dropSepLine(out);
  };
  const open = (sample: string): CsvTokenizer => {
    meta.delimiter = options.delimiter ?? detectDelimiter(sample);
    return new CsvTokenizer(meta.delimiter);
  };
  const dropSepLine = (records: CsvRecord[]): CsvRecord[] => {
    if (first && records.length > 0) {
      first = false;
      if (records[0]!.line === 1 && /^sep=.?$/i.test(records[0]!.fields.join(meta.delimiter)))
        return records.slice(1);
    }
    return records;
  };

  for await (const chunk of bytes) {
    meta.bytesRead += chunk.byteLength;
    const records = feed(decoder.decode(chunk, { stream: true }));
    if (records.length > 0) yield records;
  }
  const tail = decoder.decode();
  const out: CsvRecord[] = [];
  if (!tokenizer) {
    tokenizer = open(pending + tail);
    tokenizer.push(pending + tail, out);
  } else if (tail) {
    tokenizer.push(tail, out);
  }
  tokenizer.end(out);
  const last = dropSepLine(out);
  if (last.length > 0) yield last;
}
