import { csvRecords } from '../imports/csv-stream';
import { detectedEncoding, sniff, Utf8Census } from '../imports/encoding';

export interface Table {
  columns: string[];
  rows: string[][];
}

/**
 * A whole CSV file as a table, read by the import's own rules: BOM or byte census for the encoding
 * (UTF-8, UTF-16, Windows-1252), the delimiter detected from the first lines, quoted fields, an Excel
 * "sep=" line. Blank lines are skipped; short rows are padded.
 */
export async function readTable(bytes: Uint8Array): Promise<Table> {
  const sniffed = sniff(bytes.subarray(0, 4096));
  if (sniffed.kind === 'refused') throw new Error(sniffed.reason);
  const census = new Utf8Census();
  census.feed(bytes);
  census.finish();
  const encoding = detectedEncoding(sniffed.encoding, census);
  const rows: string[][] = [];
  async function* once() {
    yield bytes; // the decoder drops a byte-order mark
  }
  for await (const records of csvRecords(once(), { encoding }, { delimiter: '', bytesRead: 0 })) {
    for (const record of records) {
      if (record.fields.every((f) => f.trim() === '')) continue;
      rows.push(record.fields.map((f) => f.trim()));
    }
  }
  const [header, ...data] = rows;
  if (!header) throw new Error('the file is empty');
  for (const row of data) while (row.length < header.length) row.push('');
  return { columns: header, rows: data };
}
