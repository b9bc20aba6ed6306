import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  WAITING_AT_RESTART,
  printJobStates,
  printerStates,
} from '../../../sync/bridge/device-payloads';
import type {
  PrintJobReply,
  PrinterState,
  UncertainDecision,
} from '../../../sync/bridge/device-payloads';
import { receiptContentSchema } from '../../../sync/bridge/receipt-content';
import type { ReceiptContent } from '../../../sync/bridge/receipt-content';
import { DeviceError, isUncertainOutcome } from '../device-runtime';
import type { DeviceClock, DeviceLogger } from '../device-runtime';
import { canPrint } from './status-service';
import type { LayoutOptions } from './receipt-layout';

/** Whatever finally puts a receipt on paper (ESC/POS printer, simulated printer). */
export interface ReceiptSink {
  /**
   * Puts the receipt on paper; resolves once the printer confirmed it. Throws `job-interrupted`
   * or `job-unconfirmed` (see `isUncertainOutcome`) when it may or may not have printed.
   */
  print(job: { jobId: string; content: ReceiptContent; marks?: LayoutOptions }): Promise<void>;
}

const jobRecordSchema = z
  .object({
    jobId: z.string().min(1).max(200),
    state: z.enum(printJobStates),
    /** Dropped once printed or not printed: the id alone is enough to refuse a duplicate. */
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
  /**
   * Asked right before each job; a printer that is not ready holds the job (or, for a citizen's
   * own receipt, does not print it: see `printsNowOrNever`).
   */
  pollStatus: () => Promise<{ state: PrinterState; detail?: string }>;
  clock: DeviceClock;
  logger: DeviceLogger;
  /** While jobs are held, how often to offer them again (besides on a status change). */
  retryMs?: number;
  /** Printed job ids kept to refuse duplicates (and as many not-printed ones). */
  keepPrinted?: number;
}

export interface PrintQueue {
  /**
   * Adds a receipt (idempotent by job id) and prints it if the printer is ready. A job that was
   * `not-printed` is offered again: nothing of it is on paper, so it is not a duplicate.
   */
  submit(content: ReceiptContent): Promise<PrintJobReply>;
  /** Offers held jobs to the printer again; also run by the retry timer. */
  retryHeld(): Promise<void>;
  /**
   * An officer's or operator's answer for a job whose outcome is unknown (a crash mid-print, a
   * connection that broke, a printer that did not confirm) or that was waiting as the kiosk
   * restarted (`WAITING_AT_RESTART`). `print-again` prints it, marked as a copy unless it was
   * waiting (nothing of it is on paper); `was-printed` records it printed; `do-not-print` ends it
   * `not-printed` (reason `not-wanted`, its content dropped). Throws `unknown-job` for a job
   * that is not uncertain.
   */
  resolveUncertain(jobId: string, decision: UncertainDecision): Promise<PrintJobReply>;
  jobs(): readonly PrintJobRecord[];
  /**
   * Jobs by what they wait for: `held` (for the printer, or for a person's answer after a
   * restart), `uncertain` (the printer did not confirm them), `queued`.
   */
  counts(): { held: number; uncertain: number; queued: number };
  stop(): void;
}

export function printJobId(content: Pick<ReceiptContent, 'txId' | 'copy'>): string {
  return `${content.txId}#${content.copy}`;
}

/**
 * A self-service citizen's original receipt is printed while the citizen stands at the kiosk or
 * not at all: held, it would come out by itself once paper is back, into the hands of whoever
 * is at the kiosk then. An assisted receipt (an officer is at the counter) and an officer's
 * reprint (copy 2, 3, …) wait for the printer instead, as does an operator's "print a copy" of
 * an uncertain job (`duplicate`): a person is there to hand it over.
 */
export function printsNowOrNever(
  job: Pick<PrintJobRecord, 'duplicate'> & {
    content?: Pick<ReceiptContent, 'channel' | 'copy'> | undefined;
  },
): boolean {
  return job.content?.channel === 'self-service' && job.content.copy === 1 && !job.duplicate;
}

/** Whether a job's reason names a printer state (`paper-out`), as `cannotPrintNow` records it. */
function isPrinterState(value: string | undefined): value is PrinterState {
  return (printerStates as readonly string[]).includes(value ?? '');
}

/**
 * A persisted print queue keyed by job id. A job is marked `printing` on disk before its bytes
 * go out and `printed` after; a crash in between leaves it `uncertain` for an operator instead
 * of printing it again on its own. A printer that is not ready (or a print that failed with
 * nothing on paper) holds jobs; they are offered again on a timer and whenever the caller reports
 * the printer ready. A self-service original is not held but ends `not-printed`, its content
 * dropped (see `printsNowOrNever`).
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
    let settled = false;
    const loaded = parsed.data.jobs.map((job): PrintJobRecord => {
      if (job.state === 'printing') {
        logger.log('warn', 'printer.job-uncertain', { jobId: job.jobId });
        return { ...job, state: 'uncertain', reason: 'interrupted-while-printing' };
      }
      if ((job.state === 'queued' || job.state === 'held') && printsNowOrNever(job)) {
        // Waiting from before a restart (or from a version that held them): the citizen has
        // gone, so it is not printed for the next person at the kiosk.
        settled = true;
        logger.log('warn', 'printer.job-not-printed', { jobId: job.jobId, reason: 'restarted' });
        const notPrinted: PrintJobRecord = { ...job, state: 'not-printed', reason: 'restarted' };
        delete notPrinted.content;
        return notPrinted;
      }
      if (job.state === 'queued' || job.state === 'held') {
        // An officer's reprint or an assisted receipt waiting from before a restart: the officer
        // who asked may have gone, so it does not come out by itself into whoever's hands are at
        // the printer; an officer or operator prints it now, or not at all.
        settled = true;
        logger.log('warn', 'printer.job-waiting-at-restart', { jobId: job.jobId });
        return { ...job, state: 'uncertain', reason: WAITING_AT_RESTART };
      }
      return job;
    });
    if (settled) persistJobs(loaded);
    return loaded;
  }

  function persistJobs(list: PrintJobRecord[]): void {
    for (const state of ['printed', 'not-printed'] as const) {
      const finished = list.filter((job) => job.state === state);
      if (finished.length <= keepPrinted) continue;
      const drop = new Set(finished.slice(0, finished.length - keepPrinted));
      for (let i = list.length - 1; i >= 0; i -= 1) {
        const job = list[i];
        if (job && drop.has(job)) list.splice(i, 1);
      }
    }
    const temp = `${file}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, jobs: list }), { mode: 0o600 });
    renameSync(temp, file);
  }

  function persist(): void {
    persistJobs(jobs);
  }

  function update(job: PrintJobRecord, changes: Partial<PrintJobRecord>): void {
    Object.assign(job, changes, { updatedAt: clock.now() });
    if (changes.reason === undefined && 'reason' in changes) delete job.reason;
    persist();
  }

  function reply(job: PrintJobRecord): PrintJobReply {
    // A job held or not printed because the printer was not ready carries its state as the
    // reason's first part (`paper-out`, `paper-out:detail`); a failed print carries an error code.
    const printer = job.reason?.split(':')[0];
    const waiting = job.state === 'held' || job.state === 'not-printed';
    return waiting && isPrinterState(printer)
      ? { jobId: job.jobId, state: job.state, printer }
      : { jobId: job.jobId, state: job.state };
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer !== undefined) return;
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      void drain();
    }, retryMs);
  }

  /**
   * The printer cannot print now: every waiting job is held for later, except a self-service
   * original, which is not printed (its content dropped: it holds personal data).
   */
  function cannotPrintNow(reason: string): void {
    const now = clock.now();
    let held = 0;
    for (const job of jobs) {
      if (job.state !== 'queued' && job.state !== 'held') continue;
      if (printsNowOrNever(job)) {
        job.state = 'not-printed';
        delete job.content;
        logger.log('warn', 'printer.job-not-printed', { jobId: job.jobId, reason });
      } else {
        job.state = 'held';
        held += 1;
      }
      job.reason = reason;
      job.updatedAt = now;
    }
    persist();
    if (held > 0) {
      logger.log('warn', 'printer.jobs-held', { reason, held });
      scheduleRetry();
    }
  }

  /**
   * What the paper says about the job beyond its content: a copy after an uncertain print
   * (`duplicate`), or a reprint none of whose earlier copies reached paper: every copy 1 … n-1 of
   * the receipt is still on record here and ended `not-printed`.
   */
  function marksFor(job: PrintJobRecord, content: ReceiptContent): LayoutOptions {
    const marks: LayoutOptions = {};
    if (job.duplicate) marks.duplicate = true;
    if (content.copy > 1) {
      const earlier = Array.from({ length: content.copy - 1 }, (_, i) =>
        jobs.find((other) => other.jobId === printJobId({ txId: content.txId, copy: i + 1 })),
      );
      if (earlier.every((other) => other?.state === 'not-printed')) {
        marks.noEarlierCopyPrinted = true;
      }
    }
    return marks;
  }

  async function runDrain(): Promise<void> {
    for (;;) {
      const next = jobs.find((job) => job.state === 'queued' || job.state === 'held');
      if (!next) return;
      const status = await options.pollStatus();
      if (!canPrint(status.state)) {
        cannotPrintNow(status.detail ? `${status.state}:${status.detail}` : status.state);
        return;
      }
      const content = next.content;
      if (!content) {
        update(next, { state: 'uncertain', reason: 'content-missing' });
        continue;
      }
      update(next, { state: 'printing', attempts: next.attempts + 1, reason: undefined });
      try {
        await options.sink.print({ jobId: next.jobId, content, marks: marksFor(next, content) });
      } catch (error) {
        const code = error instanceof DeviceError ? error.code : 'print-failed';
        if (isUncertainOutcome(error)) {
          // Some or all of it may be on paper: printing it again on its own could hand the
          // citizen two receipts, not printing it could leave none. A person decides.
          update(next, { state: 'uncertain', reason: code });
          logger.log('warn', 'printer.job-uncertain', { jobId: next.jobId, reason: code });
          continue;
        }
        // Nothing of it is on paper: it and every job behind it wait (or, for a citizen's own
        // receipt, are not printed), rather than being offered again at once in a loop.
        next.state = 'held';
        cannotPrintNow(code);
        if (next.state === 'held') {
          logger.log('warn', 'printer.job-held', { jobId: next.jobId, reason: code });
        }
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
      if (existing?.state === 'not-printed') {
        // Nothing of it is on paper: the citizen, still at the kiosk, asks again.
        logger.log('info', 'printer.job-offered-again', { jobId, reason: existing.reason });
        update(existing, { state: 'queued', content, reason: undefined });
        const isQueued = (): boolean => (existing.state as PrintJobRecord['state']) === 'queued';
        while (isQueued()) await drain();
        return reply(existing);
      }
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
      else if (decision === 'do-not-print') {
        logger.log('info', 'printer.job-not-printed', { jobId, reason: 'not-wanted' });
        update(job, { state: 'not-printed', reason: 'not-wanted', content: undefined });
      } else {
        // Waiting at a restart, nothing of it is on paper: it prints as it was, not as a copy.
        const duplicate = job.reason !== WAITING_AT_RESTART || job.duplicate === true;
        update(job, { state: 'queued', reason: undefined, duplicate });
        const isQueued = (): boolean => (job.state as PrintJobRecord['state']) === 'queued';
        while (isQueued()) await drain();
      }
      return reply(job);
    },
    jobs: () => jobs.map((job) => ({ ...job })),
    counts: () => {
      const waiting = (job: PrintJobRecord): boolean =>
        job.state === 'uncertain' && job.reason === WAITING_AT_RESTART;
      return {
        // Kept back: for the printer, or (waiting at a restart) for a person's answer.
        held: jobs.filter((job) => job.state === 'held' || waiting(job)).length,
        // The printer did not confirm them: they may be on paper.
        uncertain: jobs.filter((job) => job.state === 'uncertain' && !waiting(job)).length,
        queued: jobs.filter((job) => job.state === 'queued').length,
      };
    },
    stop() {
      stopped = true;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}
