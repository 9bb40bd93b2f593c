import type { Job, JobProgress } from '../../db/schema';

/** A job as the API shows it; `live` is the fresher progress of a job running in this process. */
export function presentJob(job: Job, live?: JobProgress) {
  const progress = live && job.status === 'running' ? live : job.progress;
  const percent =
    job.status === 'succeeded'
      ? 100
      : progress.bytesTotal
        ? Math.min(99, Math.floor((progress.bytesDone / progress.bytesTotal) * 100))
        : null;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    params: job.params,
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
