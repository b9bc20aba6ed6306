/**
 * The gateway's durable job queue: one table in the gateway's own database (SQLite or
 * PostgreSQL, migration 0002-job-queue), so a job enqueued in the same transaction as the data it
 * is about is never lost and never runs for data that was rolled back. Every gateway process on
 * one database shares it; a claimed job is leased to one worker, and a lease that runs out (the
 * worker crashed) makes the job claimable again, so delivery is at least once.
 *
 * Jobs are run by a JobRunner (job-runner.ts), which retries failures with back-off.
 */

/** What to enqueue. `payload` is stored as JSON: keep personal data out of it (store a key). */
export interface JobSpec {
  /** The kind of work, e.g. `agency-webhook`, `sms-send`: a runner handler is registered per queue. */
  queue: string;
  payload: unknown;
  /**
   * Idempotency key, unique within the queue while the job's row is kept (done jobs are kept
   * for `JOB_RETENTION_DAYS`): enqueueing the same key again adds nothing and returns the
   * existing job's id with `created: false`.
   */
  key?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Attempts before the job is given up as `dead` (default 12). */
  maxAttempts?: number;
}

export type JobState = 'queued' | 'active' | 'done' | 'dead';

/** A job leased to a worker by `claim`. */
export interface ClaimedJob {
  id: number;
  queue: string;
  key: string | null;
  payload: unknown;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Epoch ms when the lease ends; finish or fail the job before then. */
  lockedUntil: number;
  createdAt: string;
}

export interface JobRow {
  id: number;
  queue: string;
  key: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export const DEFAULT_MAX_ATTEMPTS = 12;
export const JOB_RETENTION_DAYS = 30;

export interface JobQueue {
  /** Adds jobs (one transaction); per spec, its id and whether it is new (false: key known). */
  enqueue(specs: JobSpec[]): Promise<Array<{ id: number; created: boolean }>>;
  /**
   * Leases up to `limit` due jobs of `queue` to `worker` for `leaseMs`, oldest due first:
   * queued jobs whose `runAt` has come, and active jobs whose lease ran out. Two workers never
   * get the same job from one call to the next (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite:
   * one writer at a time). Each claim counts as an attempt.
   */
  claim(queue: string, worker: string, limit: number, leaseMs: number): Promise<ClaimedJob[]>;
  /** Marks a leased job done; false when the lease was lost (another worker has it now). */
  complete(id: number, worker: string): Promise<boolean>;
  /**
   * Records a failed attempt: the job runs again at `retryAt`, or is `dead` when `retryAt` is
   * null or its attempts are used up. Returns the new state, or undefined when the lease was lost.
   */
  fail(
    id: number,
    worker: string,
    error: string,
    retryAt: Date | null,
  ): Promise<'queued' | 'dead' | undefined>;
  /** One job by id. */
  get(id: number): Promise<JobRow | undefined>;
  /** Jobs of a queue, newest first (the dashboard, tests). */
  list(queue: string, options?: { state?: JobState; limit?: number }): Promise<JobRow[]>;
  /** How many jobs per queue and state. */
  counts(): Promise<Array<{ queue: string; state: JobState; count: number }>>;
  /** Deletes done and dead jobs finished before `before`; returns how many. */
  purgeFinished(before: Date): Promise<number>;
}
