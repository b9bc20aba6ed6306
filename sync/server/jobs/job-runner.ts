import { randomUUID } from 'node:crypto';
import type { ClaimedJob, JobQueue } from './job-queue';

/**
 * Thrown by a handler to steer what happens to its job: `permanent` gives it up at once (a
 * webhook endpoint answered 410 Gone, a phone number that can never work); `retryAfterMs` asks
 * for a later retry than the back-off would choose (a Retry-After header).
 */
export class JobError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { permanent?: boolean; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'JobError';
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type JobHandler = (job: ClaimedJob) => Promise<void>;

/** How one queue's jobs are run. */
export interface QueueOptions {
  /** Jobs of this queue run at once in this process (default 4). */
  concurrency?: number;
  /** How long a claimed job is leased (default 60 s); keep it above the handler's own timeout. */
  leaseMs?: number;
  /** Retry back-off: exponential from `baseMs`, doubling per attempt, at most `capMs`. */
  retry?: { baseMs?: number; capMs?: number };
}

export interface JobRunnerOptions {
  jobs: JobQueue;
  /** This process's worker id (default: random); leases are held in its name. */
  worker?: string;
  /** How often to look for due jobs when idle (default 1 s). */
  pollMs?: number;
  /** Told of each attempt's outcome (the gateway logs it). */
  onOutcome?: (event: {
    queue: string;
    id: number;
    attempt: number;
    outcome: 'done' | 'retry' | 'dead' | 'lease-lost';
    error?: string;
  }) => void;
  random?: () => number;
  /** The clock retry times are computed from (default: the system clock). */
  now?: () => Date;
}

const DEFAULT_BASE_MS = 5_000;
const DEFAULT_CAP_MS = 6 * 3600_000;

/**
 * The delay before attempt `attempt + 1` after `attempt` failed: `baseMs · 2^(attempt-1)`, at
 * most `capMs`, with "equal jitter" (half fixed, half random) so retries from many jobs spread
 * out but never come sooner than half the schedule. With the defaults: about 5 s, 10 s, 20 s, …
 * up to 6 h; twelve attempts span about a day and a half.
 */
export function retryDelayMs(
  attempt: number,
  retry: QueueOptions['retry'] = {},
  random: () => number = Math.random,
): number {
  const base = retry.baseMs ?? DEFAULT_BASE_MS;
  const cap = retry.capMs ?? DEFAULT_CAP_MS;
  const full = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

interface Registered {
  handler: JobHandler;
  concurrency: number;
  leaseMs: number;
  retry: QueueOptions['retry'];
  running: number;
}

/**
 * Runs the handlers of registered queues against the durable queue: each process claims due
 * jobs under its own worker id, runs them (up to `concurrency` per queue), and marks each done,
 * or failed with a retry time from `retryDelayMs`, or dead after its last attempt. Several
 * gateway processes may run runners on one database; each job is leased to one of them.
 */
export class JobRunner {
  readonly worker: string;
  private readonly queues = new Map<string, Registered>();
  private readonly jobs: JobQueue;
  private readonly pollMs: number;
  private readonly options: JobRunnerOptions;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: JobRunnerOptions) {
    this.options = options;
    this.jobs = options.jobs;
    this.worker = options.worker ?? `worker-${randomUUID()}`;
    this.pollMs = options.pollMs ?? 1_000;
  }

  /** Registers the handler of `queue` (one per queue). */
  handle(queue: string, handler: JobHandler, options: QueueOptions = {}): this {
    if (this.queues.has(queue)) throw new Error(`queue ${queue} already has a handler`);
    this.queues.set(queue, {
      handler,
      concurrency: options.concurrency ?? 4,
      leaseMs: options.leaseMs ?? 60_000,
      retry: options.retry,
      running: 0,
    });
    return this;
  }

  /** Starts polling (and claims at once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.poke();
  }

  /** Looks for due jobs now (call after enqueueing in this process). */
  poke(): void {
    if (!this.started) return;
    void this.pump();
  }

  /** Stops claiming and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pumping;
    await Promise.all([...this.inFlight]);
  }

  /**
   * One round without the timer: claims what is due for every queue, runs it and waits for it.
   * Returns how many jobs ran. For tests and the CLI.
   */
  async runDue(): Promise<number> {
    let ran = 0;
    for (const [queue, registered] of this.queues) {
      const claimed = await this.jobs.claim(
        queue,
        this.worker,
        registered.concurrency,
        registered.leaseMs,
      );
      await Promise.all(claimed.map((job) => this.run(queue, registered, job)));
      ran += claimed.length;
    }
    return ran;
  }

  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        for (const [queue, registered] of this.queues) {
          if (!this.started) break;
          const free = registered.concurrency - registered.running;
          if (free <= 0) continue;
          let claimed: ClaimedJob[] = [];
          try {
            claimed = await this.jobs.claim(queue, this.worker, free, registered.leaseMs);
          } catch {
            // The database is unreachable for now; the next poll tries again.
            continue;
          }
          for (const job of claimed) {
            registered.running += 1;
            const running = this.run(queue, registered, job).finally(() => {
              registered.running -= 1;
              this.inFlight.delete(running);
              // A slot is free: more may be due.
              this.poke();
            });
            this.inFlight.add(running);
          }
          // A full batch means more may be waiting.
          if (claimed.length === free && claimed.length > 0) this.again = true;
        }
      } while (this.again && this.started);
    })().finally(() => {
      this.pumping = undefined;
      if (this.started) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.poke(), this.pollMs);
        this.timer.unref();
      }
    });
    return this.pumping;
  }

  private async run(queue: string, registered: Registered, job: ClaimedJob): Promise<void> {
    const report = this.options.onOutcome;
    try {
      await registered.handler(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof JobError && error.permanent;
      const delay =
        error instanceof JobError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : retryDelayMs(job.attempt, registered.retry, this.options.random);
      const at = (this.options.now?.() ?? new Date()).getTime();
      const retryAt = permanent ? null : new Date(at + delay);
      const state = await this.jobs.fail(job.id, this.worker, message, retryAt).catch(() => 'x');
      report?.({
        queue,
        id: job.id,
        attempt: job.attempt,
        outcome: state === 'dead' ? 'dead' : state === 'queued' ? 'retry' : 'lease-lost',
        error: message,
      });
      return;
    }
    const done = await this.jobs.complete(job.id, this.worker).catch(() => false);
    report?.({ queue, id: job.id, attempt: job.attempt, outcome: done ? 'done' : 'lease-lost' });
  }
}
