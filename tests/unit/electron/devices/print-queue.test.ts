import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrinterState } from '../../../../sync/bridge/device-payloads';
import type { ReceiptContent } from '../../../../sync/bridge/receipt-content';
import { createPrintQueue } from '../../../../electron/devices/printer/print-queue';
import type { PrintQueueOptions } from '../../../../electron/devices/printer/print-queue';
import { createManualClock, createRecordingLogger, sampleReceipt } from './support/device-test-kit';

function fakePrinter() {
  const printer = {
    state: 'online' as PrinterState,
    failNextWrite: false,
    printed: [] as string[],
    sink: {
      print: async ({ jobId }: { jobId: string; content: ReceiptContent }) => {
        if (printer.failNextWrite) {
          printer.failNextWrite = false;
          throw new Error('EPIPE');
        }
        printer.printed.push(jobId);
      },
    },
    pollStatus: async () => ({ state: printer.state }),
  };
  return printer;
}

describe('print queue', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-queue-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  function queueWith(
    printer: ReturnType<typeof fakePrinter>,
    extra: Partial<PrintQueueOptions> = {},
  ) {
    const clock = createManualClock();
    const logger = createRecordingLogger();
    const queue = createPrintQueue({
      dataDir,
      sink: printer.sink,
      pollStatus: printer.pollStatus,
      clock,
      logger,
      retryMs: 10_000,
      ...extra,
    });
    return { queue, clock, logger };
  }

  it('prints a receipt when the printer is ready', async () => {
    const printer = fakePrinter();
    const { queue } = queueWith(printer);
    const reply = await queue.submit(sampleReceipt());
    expect(reply).toEqual({ jobId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f#1', state: 'printed' });
    expect(printer.printed).toEqual([reply.jobId]);
  });

  it('holds a job while the printer is out of paper and prints it once paper is back', async () => {
    const printer = fakePrinter();
    printer.state = 'paper-out';
    const { queue, clock } = queueWith(printer);
    const reply = await queue.submit(sampleReceipt());
    expect(reply.state).toBe('held');
    expect(printer.printed).toEqual([]);
    expect(queue.counts().held).toBe(1);

    printer.state = 'online';
    clock.advance(10_000);
    await queue.retryHeld();
    expect(printer.printed).toEqual([reply.jobId]);
    expect(queue.counts().held).toBe(0);
  });

  it('never prints the same job twice, however often it is submitted or retried', async () => {
    const printer = fakePrinter();
    const { queue } = queueWith(printer);
    const content = sampleReceipt();
    await queue.submit(content);
    await queue.submit(content);
    await Promise.all([queue.submit(content), queue.retryHeld(), queue.retryHeld()]);
    expect(printer.printed).toHaveLength(1);
  });

  it('prints concurrent submissions once each, in order', async () => {
    const printer = fakePrinter();
    const { queue } = queueWith(printer);
    const first = sampleReceipt({ copy: 1 });
    const second = sampleReceipt({ copy: 2 });
    const replies = await Promise.all([queue.submit(first), queue.submit(second)]);
    expect(replies.map((r) => r.state)).toEqual(['printed', 'printed']);
    expect(printer.printed).toEqual([`${first.txId}#1`, `${first.txId}#2`]);
  });

  it('keeps a job whose write failed and offers it again on the retry timer', async () => {
    const printer = fakePrinter();
    printer.failNextWrite = true;
    const { queue, clock, logger } = queueWith(printer);
    const reply = await queue.submit(sampleReceipt());
    expect(reply.state).toBe('held');
    expect(logger.entries.map((e) => e.event)).toContain('printer.job-held');
    clock.advance(10_000);
    await queue.retryHeld();
    expect(printer.printed).toEqual([reply.jobId]);
  });

  it('survives a restart: a held job is still there and prints once', async () => {
    const printer = fakePrinter();
    printer.state = 'cover-open';
    const before = queueWith(printer);
    const reply = await before.queue.submit(sampleReceipt());
    before.queue.stop();

    printer.state = 'online';
    const after = queueWith(printer);
    expect(after.queue.counts().held).toBe(1);
    await after.queue.retryHeld();
    await after.queue.submit(sampleReceipt());
    expect(printer.printed).toEqual([reply.jobId]);
  });

  it('does not reprint by itself a job that was mid-print when the kiosk stopped', async () => {
    const content = sampleReceipt();
    writeFileSync(
      path.join(dataDir, 'print-queue.json'),
      JSON.stringify({
        version: 1,
        jobs: [
          {
            jobId: `${content.txId}#1`,
            state: 'printing',
            content,
            attempts: 1,
            createdAt: 1,
            updatedAt: 1,
          },
        ],
      }),
    );
    const printer = fakePrinter();
    const { queue, logger } = queueWith(printer);
    await queue.retryHeld();
    expect(printer.printed).toEqual([]);
    expect(queue.counts().uncertain).toBe(1);
    expect(logger.entries.map((e) => e.event)).toContain('printer.job-uncertain');

    const reply = await queue.resolveUncertain(`${content.txId}#1`, 'print-again');
    expect(reply.state).toBe('printed');
    expect(printer.printed).toHaveLength(1);
  });

  it('sets an unreadable queue file aside instead of crashing or deleting it', async () => {
    writeFileSync(path.join(dataDir, 'print-queue.json'), '{"version":1,"jobs":[{"jobId":');
    const printer = fakePrinter();
    const { queue, logger } = queueWith(printer);
    expect(queue.jobs()).toEqual([]);
    expect(logger.entries.map((e) => e.event)).toContain('printer.queue-file-corrupt');
    expect(readdirSync(dataDir).some((name) => name.startsWith('print-queue.json.corrupt-'))).toBe(
      true,
    );
    expect((await queue.submit(sampleReceipt())).state).toBe('printed');
  });

  it('keeps only the id of a printed job on disk, not the receipt', async () => {
    const printer = fakePrinter();
    const { queue } = queueWith(printer);
    await queue.submit(sampleReceipt());
    const saved = readFileSync(path.join(dataDir, 'print-queue.json'), 'utf8');
    expect(saved).toContain('"state":"printed"');
    expect(saved).not.toContain('MM-88231');
  });
});
