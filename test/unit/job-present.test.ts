import { describe, expect, it } from 'vitest';
import type { Job, JobProgress } from '../../db/schema';
import { presentJob } from '../../src/jobs/present';

const job = (status: Job['status'], progress: JobProgress) =>
  ({
    id: 'j',
    kind: 'rescore',
    status,
    params: {},
    progress,
    result: null,
    error: null,
    attempts: 1,
    createdAt: new Date(0),
    startedAt: new Date(0),
    finishedAt: null,
  }) as unknown as Job;

describe('a job’s percent', () => {
  it('follows the bytes of a file, else the rows of a rescoring, and is 100 only once succeeded', () => {
    const percent = (status: Job['status'], progress: JobProgress) =>
      presentJob(job(status, progress)).progress.percent;
    expect(percent('running', { rowsDone: 10, rowsTotal: 1000, bytesDone: 250, bytesTotal: 1000 })).toBe(25);
    expect(percent('running', { rowsDone: 14_988, rowsTotal: 20_000, bytesDone: 0, bytesTotal: null })).toBe(
      74,
    );
    expect(percent('running', { rowsDone: 20_000, rowsTotal: 20_000, bytesDone: 0, bytesTotal: null })).toBe(
      99,
    );
    expect(percent('running', { rowsDone: 5, rowsTotal: null, bytesDone: 0, bytesTotal: null })).toBeNull();
    expect(percent('succeeded', { rowsDone: 5, rowsTotal: null, bytesDone: 0, bytesTotal: null })).toBe(100);
  });
});
