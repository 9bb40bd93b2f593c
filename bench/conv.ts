import { readFileSync } from 'node:fs';
import { createConverter } from '../src/imports/converter';
import { csvRecords } from '../src/imports/csv-stream';
import type { CsvRecord } from '../src/imports/csv-tokenizer';
import { planColumns } from '../src/imports/plan';

/** Profiling aid (not part of npm run bench): parse and conversion speed of a file, without a database. */
const bytes = readFileSync(process.argv[2]!);
async function* open() {
  for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
}
for (let round = 0; round < 2; round++) {
  let t = performance.now();
  const records: CsvRecord[] = [];
  for await (const batch of csvRecords(open(), { encoding: 'utf-8' }, { delimiter: ',', bytesRead: 0 }))
    records.push(...batch);
  const parse = performance.now() - t;
  const planned = planColumns('prospects', records[0]!.fields);
  if ('errors' in planned) throw new Error('no plan');
  const convert = createConverter(planned.plan, {
    target: 'prospects',
    orgId: '01a22709-4079-7007-93dc-3ad69c4667f8',
    defaultCountry: 'FR',
    invalidContactPoints: 'reject',
    timeZone: 'Europe/Paris',
    dayFirst: true,
    now: new Date().toISOString(),
  });
  t = performance.now();
  const out = convert.convert(records.slice(1));
  const conversion = performance.now() - t;
  const n = records.length;
  console.log(
    `${n} records: parse ${((parse / n) * 1000).toFixed(2)} µs/row, convert ${((conversion / n) * 1000).toFixed(2)} µs/row (${out.records.length} ok)`,
  );
}
