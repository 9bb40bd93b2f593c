import type { Job, JobProgress } from '../../db/schema';

/** A job as the API shows it; `live` is the fresher progress of a job running in this process. */
export function presentJob(job: Job, live?: JobProgress) {
  const progress = live && job.status === 'running' ? live : job.progress;
  // By the bytes read where they are known (an import's file), else by the rows (a rescoring's people).
  const share = progress.bytesTotal
    ? progress.bytesDone / progress.bytesTotal
    : progress.rowsTotal
      ? progress.rowsDone / progress.rowsTotal
      : null;
  const percent =
    job.status === 'succeeded' ? 100 : share === null ? null : Math.min(99, Math.floor(share * 100));
  // The runner's account of earlier attempts (see claimJob) is its own, not what the job was asked to do.
  const { attempt: _trail, ...params } = job.params;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    params,
    progress: { ...progress, percent },
    result: job.result,
    error: job.error ?? null,
    attempts: job.attempts,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    links: {
      self: `/v1/jobs/${job.id}`,
      ...(job.kind === 'import' ? { rejections: `/v1/jobs/${job.id}/rejections` } : {}),
    },
  };
}
