import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Job, JobProgress } from '../../db/schema';
import type { Database } from '../db';
import {
  attemptTrail,
  claimJob,
  extendLease,
  failAbandonedUploads,
  finishJob,
  type JobEnd,
  JobLost,
  releaseJob,
  saveProgress,
} from './service';

/** What a job handler gets: its job, a way to report progress, and a signal to stop at the next checkpoint. */
export interface JobContext {
  job: Job;
  database: Database;
  signal: AbortSignal;
  progress(progress: JobProgress): void;
}

export type JobHandler = (context: JobContext) => Promise<JobEnd & { status: 'succeeded' | 'failed' }>;

export interface RunnerOptions {
  concurrency: number;
  pollMs: number;
  leaseSeconds: number;
  /**
   * Attempts in a row that lost their lease without moving the checkpoint on, after which a job that keeps
   * crashing its process is failed instead of retried. Attempts handed back at shutdown do not count.
   */
  maxAttempts?: number;
}

/** How often a runner looks for abandoned uploads. */
const CLEANUP_EVERY_MS = 5 * 60_000;

/**
 * Polls the jobs table and runs what it claims. Any number of processes may run one: claims use
 * FOR UPDATE SKIP LOCKED, and a lease that is not renewed (a dead process) lets another resume the job.
 */
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Progress of jobs running here, fresher than the table while a transaction holds their writes. */
  private readonly liveProgress = new Map<string, JobProgress>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private polling = false;
  /** When abandoned uploads were last looked for (at the first poll, then every CLEANUP_EVERY_MS). */
  private cleaned = 0;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  start(): void {
    if (this.options.concurrency === 0) return;
    this.stopped = false;
    this.cleaned = 0;
    this.schedule(0);
  }

  /** Looks for work now, e.g. right after a job was queued. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  progressOf(jobId: string): JobProgress | undefined {
    return this.liveProgress.get(jobId);
  }

  /** Stops claiming, asks running jobs to stop at their next checkpoint and hands them back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { controller } of this.running.values()) controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    if (Date.now() - this.cleaned > CLEANUP_EVERY_MS) {
      this.cleaned = Date.now();
      void failAbandonedUploads(this.database.db).catch((error) =>
        this.logger.warn({ err: error }, 'cleanup failed'),
      );
    }
    try {
      while (!this.stopped && this.running.size < this.options.concurrency) {
        const job = await claimJob(
          this.database.db,
          this.workerId,
          this.options.leaseSeconds,
          [...this.handlers.keys()],
          [...this.running.keys()],
        );
        if (!job) break;
        this.launch(job);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'job poll failed');
    } finally {
      this.polling = false;
      if (!this.stopped) this.schedule(this.options.pollMs);
    }
  }

  private launch(job: Job): void {
    const controller = new AbortController();
    const done = this.execute(job, controller).finally(() => {
      this.running.delete(job.id);
      this.liveProgress.delete(job.id);
      this.wake();
    });
    this.running.set(job.id, { controller, done });
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
    const { db } = this.database;
    const log = this.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const maxAttempts = this.options.maxAttempts ?? 3;
    if (attemptTrail(job).stalled >= maxAttempts) {
      log.error('job abandoned after repeated attempts');
      await finishJob(db, job.id, this.workerId, {
        status: 'failed',
        error: {
          code: 'TOO_MANY_ATTEMPTS',
          message: `stopped after ${maxAttempts} attempts in a row that ended without progress`,
        },
      });
      return;
    }
    const handler = this.handlers.get(job.kind)!;
    let lastSaved = 0;
    let unsaved: JobProgress | undefined;
    let saving: NodeJS.Timeout | undefined;
    const heartbeat = setInterval(
      () =>
        void extendLease(db, job.id, this.workerId, this.options.leaseSeconds)
          .then((kept) => {
            if (!kept) controller.abort();
          })
          .catch((error) => log.warn({ err: error }, 'lease renewal failed')),
      (this.options.leaseSeconds * 1000) / 3,
    );
    heartbeat.unref?.();
    try {
      log.info('job started');
      const outcome = await handler({
        job,
        database: this.database,
        signal: controller.signal,
        progress: (progress) => {
          this.liveProgress.set(job.id, progress);
          // On a server, progress is also written for other processes to read, at most once a second and
          // the last of a second's reports at its end; on PGlite a write here would wait behind the job's
          // own transaction, and the live copy above is what readers get.
          if (!this.database.concurrent) return;
          unsaved = progress;
          if (saving) return;
          saving = setTimeout(
            () => {
              saving = undefined;
              lastSaved = Date.now();
              const latest = unsaved!;
              unsaved = undefined;
              void saveProgress(db, job.id, this.workerId, latest).catch(() => {});
            },
            Math.max(0, 1000 - (Date.now() - lastSaved)),
          );
          saving.unref?.();
        },
      });
      if (controller.signal.aborted && outcome.status !== 'succeeded') {
        await releaseJob(db, job.id, this.workerId);
        log.info('job handed back before it finished');
        return;
      }
      if (await finishJob(db, job.id, this.workerId, outcome))
        log.info({ status: outcome.status }, 'job finished');
      else log.warn('another process took the job over before this one finished it: its ending stands');
    } catch (error) {
      if (controller.signal.aborted) {
        await releaseJob(db, job.id, this.workerId).catch(() => {});
        return;
      }
      if (error instanceof JobLost) {
        log.warn('job taken over by another process while this one stalled; its last batch rolled back');
        return;
      }
      log.error({ err: error }, 'job failed');
      await finishJob(db, job.id, this.workerId, {
        status: 'failed',
        error: { code: 'INTERNAL', message: 'the job stopped on an unexpected error; see the server logs' },
      }).catch(() => {});
    } finally {
      clearInterval(heartbeat);
      clearTimeout(saving);
    }
  }
}
