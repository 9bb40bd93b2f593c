import { csvRecords } from '../imports/csv-stream';
import { detectedEncoding, headerIndex, sniff, TITLE_LINES, Utf8Census } from '../imports/encoding';

export interface Table {
  columns: string[];
  rows: string[][];
  /** What reading left out, for the reader to hear: title lines, rows longer than the header. */
  warnings?: string[];
}

/**
 * A whole CSV file as a table, read by the import's own rules: BOM or byte census for the encoding
 * (UTF-8, UTF-16, Windows-1252, or both mixed), the delimiter detected from the first lines, quoted
 * fields, an Excel "sep=" line, a title line or two above the header. Blank lines are skipped; short rows
 * are padded. Rows with more fields than the header (an unquoted decimal comma, say) are left out: which
 * of their fields is which column is anyone's guess, their outcome included.
 */
export async function readTable(bytes: Uint8Array): Promise<Table> {
  const sniffed = sniff(bytes.subarray(0, 4096));
  if (sniffed.kind === 'refused') throw new Error(sniffed.reason);
  const census = new Utf8Census();
  census.feed(bytes);
  census.finish();
  const encoding = detectedEncoding(sniffed.encoding, census);
  const rows: { line: number; fields: string[] }[] = [];
  async function* once() {
    yield bytes; // the decoder drops a byte-order mark
  }
  for await (const records of csvRecords(once(), { encoding }, { delimiter: '', bytesRead: 0 })) {
    for (const record of records) {
      if (record.fields.every((f) => f.trim() === '')) continue;
      rows.push({ line: record.line, fields: record.fields.map((f) => f.trim()) });
    }
  }
  const at = headerIndex(rows.slice(0, 1 + TITLE_LINES).map((r) => r.fields));
  const [header, ...data] = rows.slice(at);
  if (!header) throw new Error('the file is empty');
  const warnings: string[] = [];
  if (at > 0)
    warnings.push(
      `line ${header.line} is the header: the ${at === 1 ? 'line' : `${at} lines`} above it (a title?) left out`,
    );
  const width = header.fields.length;
  const longer = data.filter((r) => r.fields.length > width && r.fields.slice(width).some((f) => f !== ''));
  if (longer.length > 0)
    warnings.push(
      `${longer.length} ${longer.length === 1 ? 'row has' : 'rows have'} more fields than the header's ${width} (line ${longer[0]!.line} first: an unquoted decimal comma?), left out`,
    );
  const left = new Set(longer);
  const kept = data.filter((r) => !left.has(r)).map((r) => r.fields.slice(0, width));
  for (const row of kept) while (row.length < width) row.push('');
  return { columns: header.fields, rows: kept, ...(warnings.length > 0 ? { warnings } : {}) };
}
