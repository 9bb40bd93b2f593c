import { readFileSync } from 'node:fs';
import { apiImport } from './import';
import { freshDatabase, startServer } from './lib';

/** Memory aid (not part of npm run bench): the server's resident memory during an import, sampled. */
const db = await freshDatabase('tiede_mem');
const server = await startServer({ DATABASE_URL: db.url, JOB_POLL_MS: '100' });
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024;
const samples: number[] = [];
const timer = setInterval(() => samples.push(Math.round(rss())), 250);
const result = await apiImport(server, process.argv[2]!);
clearInterval(timer);
console.log(
  `${Math.round(result.ms)} ms, peak ${server.peakMb().toFixed(0)} MB; rss every 250 ms:`,
  samples.join(' '),
);
await server.stop();
await db.drop();
