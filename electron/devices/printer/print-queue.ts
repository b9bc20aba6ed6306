import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PrintJobReply, PrinterState } from '../../../sync/bridge/device-payloads';
import { receiptContentSchema } from '../../../sync/bridge/receipt-content';
import type { ReceiptContent } from '../../../sync/bridge/receipt-content';
import { DeviceError, isUncertainOutcome } from '../device-runtime';
import type { DeviceClock, DeviceLogger } from '../device-runtime';
import { canPrint } from './status-service';

/** Whatever finally puts a receipt on paper (ESC/POS printer, simulated printer). */
export interface ReceiptSink {
  /**
   * Puts the receipt on paper; resolves once the printer confirmed it. Throws `job-interrupted`
   * or `job-unconfirmed` (see `isUncertainOutcome`) when it may or may not have printed.
   */
  print(job: { jobId: string; content: ReceiptContent; duplicate?: boolean }): Promise<void>;
}

const jobRecordSchema = z
  .object({
    jobId: z.string().min(1).max(200),
    state: z.enum(['queued', 'printing', 'printed', 'held', 'uncertain']),
    /** Dropped once printed: the id alone is enough to refuse a duplicate. */
    content: z.optional(receiptContentSchema),
    reason: z.string().max(200).optional(),
    /** Printed again after an uncertain first print: the paper says "copy". */
    duplicate: z.boolean().optional(),
    attempts: z.number().int().min(0),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .strict();
export type PrintJobRecord = z.infer<typeof jobRecordSchema>;

const queueFileSchema = z
  .object({ version: z.literal(1), jobs: z.array(jobRecordSchema) })
  .strict();

export interface PrintQueueOptions {
  /** The queue's state file lives here, so a restart neither loses nor repeats a receipt. */
  dataDir: string;
  sink: ReceiptSink;
  /** Asked right before each job; a printer that is not ready holds the job. */
  pollStatus: () => Promise<{ state: PrinterState; detail?: string }>;
  clock: DeviceClock;
  logger: DeviceLogger;
  /** While jobs are held, how often to offer them again (besides on a status change). */
  retryMs?: number;
  /** Printed job ids kept to refuse duplicates. */
  keepPrinted?: number;
}

export interface PrintQueue {
  /** Adds a receipt (idempotent by job id) and prints it if the printer is ready. */
  submit(content: ReceiptContent): Promise<PrintJobReply>;
  /** Offers held jobs to the printer again; also run by the retry timer. */
  retryHeld(): Promise<void>;
  /**
   * An officer's or operator's answer for a job whose outcome is unknown (a crash mid-print, a
   * connection that broke, a printer that did not confirm). `print-again` prints it marked as a
   * copy.
   */
  resolveUncertain(jobId: string, decision: 'was-printed' | 'print-again'): Promise<PrintJobReply>;
  jobs(): readonly PrintJobRecord[];
  counts(): { held: number; uncertain: number; queued: number };
  stop(): void;
}

export function printJobId(content: Pick<ReceiptContent, 'txId' | 'copy'>): string {
  return `${content.txId}#${content.copy}`;
}

/**
 * A persisted print queue keyed by job id. A job is marked `printing` on disk before its bytes
 * go out and `printed` after; a crash in between leaves it `uncertain` for an operator instead
 * of printing it again on its own. A printer that is not ready holds jobs; they are offered
 * again on a timer and whenever the caller reports the printer ready.
 */
export function createPrintQueue(options: PrintQueueOptions): PrintQueue {
  const { clock, logger } = options;
  const file = path.join(options.dataDir, 'print-queue.json');
  const retryMs = options.retryMs ?? 15_000;
  const keepPrinted = options.keepPrinted ?? 1000;
  const jobs = load();
  let draining: Promise<void> | undefined;
  let retryTimer: unknown;
  let stopped = false;

  function load(): PrintJobRecord[] {
    mkdirSync(options.dataDir, { recursive: true });
    if (!existsSync(file)) return [];
    let parsed;
    try {
      parsed = queueFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')) as unknown);
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      // Keep the unreadable file for support rather than deleting evidence of lost receipts.
      const aside = `${file}.corrupt-${clock.now()}`;
      renameSync(file, aside);
      logger.log('error', 'printer.queue-file-corrupt', { movedTo: aside });
      return [];
    }
    return parsed.data.jobs.map((job) => {
      if (job.state !== 'printing') return job;
      logger.log('warn', 'printer.job-uncertain', { jobId: job.jobId });
      return { ...job, state: 'uncertain' as const, reason: 'interrupted-while-printing' };
    });
  }

  function persist(): void {
    const printed = jobs.filter((job) => job.state === 'printed');
    if (printed.length > keepPrinted) {
      const drop = new Set(printed.slice(0, printed.length - keepPrinted));
      for (let i = jobs.length - 1; i >= 0; i -= 1) {
        const job = jobs[i];
        if (job && drop.has(job)) jobs.splice(i, 1);
      }
    }
    const temp = `${file}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, jobs }), { mode: 0o600 });
    renameSync(temp, file);
  }

  function update(job: PrintJobRecord, changes: Partial<PrintJobRecord>): void {
    Object.assign(job, changes, { updatedAt: clock.now() });
    if (changes.reason === undefined && 'reason' in changes) delete job.reason;
    persist();
  }

  function reply(job: PrintJobRecord): PrintJobReply {
    return { jobId: job.jobId, state: job.state };
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer !== undefined) return;
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      void drain();
    }, retryMs);
  }

  async function runDrain(): Promise<void> {
    for (;;) {
      const next = jobs.find((job) => job.state === 'queued' || job.state === 'held');
      if (!next) return;
      const status = await options.pollStatus();
      if (!canPrint(status.state)) {
        for (const job of jobs) {
          if (job.state === 'queued' || job.state === 'held') {
            job.state = 'held';
            job.reason = status.detail ? `${status.state}:${status.detail}` : status.state;
            job.updatedAt = clock.now();
          }
        }
        persist();
        logger.log('warn', 'printer.jobs-held', {
          state: status.state,
          held: jobs.filter((job) => job.state === 'held').length,
        });
        scheduleRetry();
        return;
      }
      const content = next.content;
      if (!content) {
        update(next, { state: 'uncertain', reason: 'content-missing' });
        continue;
      }
      update(next, { state: 'printing', attempts: next.attempts + 1, reason: undefined });
      try {
        await options.sink.print({
          jobId: next.jobId,
          content,
          ...(next.duplicate ? { duplicate: true } : {}),
        });
      } catch (error) {
        const code = error instanceof DeviceError ? error.code : 'print-failed';
        if (isUncertainOutcome(error)) {
          // Some or all of it may be on paper: printing it again on its own could hand the
          // citizen two receipts, not printing it could leave none. A person decides.
          update(next, { state: 'uncertain', reason: code });
          logger.log('warn', 'printer.job-uncertain', { jobId: next.jobId, reason: code });
          continue;
        }
        update(next, { state: 'held', reason: code });
        logger.log('warn', 'printer.job-held', { jobId: next.jobId, reason: code });
        scheduleRetry();
        return;
      }
      update(next, { state: 'printed', content: undefined });
      logger.log('info', 'printer.job-printed', { jobId: next.jobId, attempts: next.attempts });
    }
  }

  function drain(): Promise<void> {
    draining ??= runDrain().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  return {
    async submit(content) {
      const jobId = printJobId(content);
      const existing = jobs.find((job) => job.jobId === jobId);
      if (existing) {
        logger.log('info', 'printer.job-duplicate', { jobId, state: existing.state });
        if (existing.state === 'held') await drain();
        return reply(existing);
      }
      const now = clock.now();
      const job: PrintJobRecord = {
        jobId,
        state: 'queued',
        content,
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      };
      jobs.push(job);
      persist();
      // Drain until this job has an outcome; a drain already in flight may have ended just
      // before the job was added.
      while (job.state === 'queued') await drain();
      return reply(job);
    },
    retryHeld: () => drain(),
    async resolveUncertain(jobId, decision) {
      const job = jobs.find((candidate) => candidate.jobId === jobId);
      if (!job || job.state !== 'uncertain') {
        throw new DeviceError('unknown-job', `no uncertain print job ${jobId}`);
      }
      if (decision === 'was-printed') update(job, { state: 'printed', content: undefined });
      else {
        update(job, { state: 'queued', reason: undefined, duplicate: true });
        const isQueued = (): boolean => (job.state as PrintJobRecord['state']) === 'queued';
        while (isQueued()) await drain();
      }
      return reply(job);
    },
    jobs: () => jobs.map((job) => ({ ...job })),
    counts: () => ({
      held: jobs.filter((job) => job.state === 'held').length,
      uncertain: jobs.filter((job) => job.state === 'uncertain').length,
      queued: jobs.filter((job) => job.state === 'queued').length,
    }),
    stop() {
      stopped = true;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}
