import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrinterState } from '../../../../sync/bridge/device-payloads';
import type { ReceiptContent } from '../../../../sync/bridge/receipt-content';
import { createPrintQueue } from '../../../../electron/devices/printer/print-queue';
import type { PrintQueueOptions } from '../../../../electron/devices/printer/print-queue';
import type { LayoutOptions } from '../../../../electron/devices/printer/receipt-layout';
import {
  assistedReceipt,
  createManualClock,
  createRecordingLogger,
  sampleReceipt,
} from './support/device-test-kit';

function fakePrinter() {
  const printer = {
    state: 'online' as PrinterState,
    failNextWrite: false,
    printed: [] as string[],
    contents: [] as ReceiptContent[],
    /** Whether each printed job was marked as a copy (`duplicate`). */
    copies: [] as boolean[],
    /** What the queue asked each paper to say beyond its content. */
    marks: [] as LayoutOptions[],
    sink: {
      print: async ({
        jobId,
        content,
        marks = {},
      }: {
        jobId: string;
        content: ReceiptContent;
        marks?: LayoutOptions;
      }) => {
        if (printer.failNextWrite) {
          printer.failNextWrite = false;
          throw new Error('EPIPE');
        }
        printer.printed.push(jobId);
        printer.contents.push(content);
        printer.copies.push(marks.duplicate === true);
        printer.marks.push(marks);
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

  it('holds an assisted job while the printer is out of paper and prints it once paper is back', async () => {
    const printer = fakePrinter();
    printer.state = 'paper-out';
    const { queue, clock } = queueWith(printer);
    const reply = await queue.submit(assistedReceipt());
    expect(reply).toMatchObject({ state: 'held', printer: 'paper-out' });
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

  it('keeps an assisted job whose write failed and offers it again on the retry timer', async () => {
    const printer = fakePrinter();
    printer.failNextWrite = true;
    const { queue, clock, logger } = queueWith(printer);
    const reply = await queue.submit(assistedReceipt());
    expect(reply.state).toBe('held');
    expect(logger.entries.map((e) => e.event)).toContain('printer.job-held');
    clock.advance(10_000);
    await queue.retryHeld();
    expect(printer.printed).toEqual([reply.jobId]);
  });

  it('keeps a held job across a restart for a person to answer: printed now (not as a copy) or not at all', async () => {
    const printer = fakePrinter();
    printer.state = 'cover-open';
    const before = queueWith(printer);
    const reply = await before.queue.submit(assistedReceipt());
    const reprint = await before.queue.submit(assistedReceipt({ copy: 2 }));
    expect([reply.state, reprint.state]).toEqual(['held', 'held']);
    before.queue.stop();

    // After the restart nothing comes out by itself, though the printer is ready: whoever asked
    // for them may have gone.
    printer.state = 'online';
    const after = queueWith(printer);
    expect(after.queue.jobs()).toMatchObject([
      { jobId: reply.jobId, state: 'uncertain', reason: 'waiting-at-restart' },
      { jobId: reprint.jobId, state: 'uncertain', reason: 'waiting-at-restart' },
    ]);
    expect(after.logger.entries.map((e) => e.event)).toContain('printer.job-waiting-at-restart');
    // Counted as held (kept back), not as receipts that may be on paper.
    expect(after.queue.counts()).toEqual({ held: 2, uncertain: 0, queued: 0 });
    await after.queue.retryHeld();
    await after.queue.submit(assistedReceipt());
    expect(printer.printed).toEqual([]);

    // The officer prints the first now: as it was, not marked as a copy (nothing was on paper).
    expect((await after.queue.resolveUncertain(reply.jobId, 'print-again')).state).toBe('printed');
    expect(printer.printed).toEqual([reply.jobId]);
    expect(printer.copies).toEqual([false]);
    // ... and not the second: it ends not printed, its content gone from the file.
    const declined = await after.queue.resolveUncertain(reprint.jobId, 'do-not-print');
    expect(declined.state).toBe('not-printed');
    expect(after.queue.jobs()[1]).toMatchObject({ state: 'not-printed', reason: 'not-wanted' });
    const file = JSON.parse(readFileSync(path.join(dataDir, 'print-queue.json'), 'utf8')) as {
      jobs: unknown[];
    };
    expect(file.jobs[1]).not.toHaveProperty('content');
    await after.queue.retryHeld();
    expect(printer.printed).toEqual([reply.jobId]);
    await expect(after.queue.resolveUncertain(reprint.jobId, 'print-again')).rejects.toThrow(
      /no uncertain print job/,
    );
  });

  it('prints an uncertain job again as a copy', async () => {
    const content = assistedReceipt();
    const jobId = `${content.txId}#${content.copy}`;
    writeFileSync(
      path.join(dataDir, 'print-queue.json'),
      JSON.stringify({
        version: 1,
        jobs: [
          {
            jobId,
            state: 'uncertain',
            reason: 'job-interrupted',
            content,
            attempts: 1,
            createdAt: 1,
            updatedAt: 1,
          },
        ],
      }),
    );
    const printer = fakePrinter();
    const { queue } = queueWith(printer);
    expect((await queue.resolveUncertain(jobId, 'print-again')).state).toBe('printed');
    expect(printer.copies).toEqual([true]);
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

  describe("a self-service citizen's own receipt prints now or not at all", () => {
    const queueFile = () => path.join(dataDir, 'print-queue.json');
    const saved = () => readFileSync(queueFile(), 'utf8');

    it('is not printed, and not kept, when the printer is out of paper; paper back prints nothing', async () => {
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue, clock, logger } = queueWith(printer);
      const reply = await queue.submit(sampleReceipt());
      // The reply says why, for the screen to say out of paper (not "not working").
      expect(reply).toEqual({
        jobId: `${sampleReceipt().txId}#1`,
        state: 'not-printed',
        printer: 'paper-out',
      });
      expect(queue.counts()).toEqual({ held: 0, uncertain: 0, queued: 0 });
      expect(queue.jobs()).toMatchObject([{ state: 'not-printed', reason: 'paper-out' }]);
      expect(logger.entries.map((e) => e.event)).toContain('printer.job-not-printed');
      // Its content (reference, payment reference, names) is gone from the state file.
      expect(saved()).toContain('"state":"not-printed"');
      expect(saved()).not.toContain('7K3M-Q9XD-N');
      expect(saved()).not.toContain('MM-88231');
      expect(queue.jobs()[0]?.content).toBeUndefined();

      // Paper is back: nothing comes out by itself, neither on the timer nor when told.
      printer.state = 'online';
      clock.advance(60_000);
      await queue.retryHeld();
      expect(printer.printed).toEqual([]);
    });

    it('is not printed when the print fails with nothing on paper, and is not retried', async () => {
      const printer = fakePrinter();
      printer.failNextWrite = true;
      const { queue, clock } = queueWith(printer);
      // No printer state to name: the reply says only that it was not printed.
      expect(await queue.submit(sampleReceipt())).toEqual({
        jobId: `${sampleReceipt().txId}#1`,
        state: 'not-printed',
      });
      expect(queue.jobs()).toMatchObject([{ state: 'not-printed', reason: 'print-failed' }]);
      expect(saved()).not.toContain('7K3M-Q9XD-N');
      clock.advance(60_000);
      await queue.retryHeld();
      expect(printer.printed).toEqual([]);
    });

    it('prints once when the same citizen asks again and the printer is ready now', async () => {
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue } = queueWith(printer);
      expect((await queue.submit(sampleReceipt())).state).toBe('not-printed');
      // Still out of paper on the second tap: again not printed, still nothing kept.
      expect((await queue.submit(sampleReceipt())).state).toBe('not-printed');
      expect(saved()).not.toContain('7K3M-Q9XD-N');

      printer.state = 'online';
      const again = sampleReceipt({ issuedAt: '2026-11-14T16:31:00.000Z' });
      expect(await queue.submit(again)).toEqual({
        jobId: `${again.txId}#1`,
        state: 'printed',
      });
      expect(printer.printed).toEqual([`${again.txId}#1`]);
      // The receipt the citizen asked for just now is the one printed.
      expect(printer.contents[0]?.issuedAt).toBe('2026-11-14T16:31:00.000Z');
      expect(queue.jobs()).toMatchObject([{ state: 'printed', attempts: 1 }]);
      expect(queue.jobs()[0]).not.toHaveProperty('reason');
      // Once printed it is a duplicate like any other.
      expect((await queue.submit(sampleReceipt())).state).toBe('printed');
      await queue.retryHeld();
      expect(printer.printed).toHaveLength(1);
    });

    it("marks a reprint as the first paper when the citizen's own copy never printed", async () => {
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue } = queueWith(printer);
      expect((await queue.submit(sampleReceipt())).state).toBe('not-printed');
      // An officer reprints it (copy 2) once paper is back: nothing of copy 1 is on paper.
      printer.state = 'online';
      expect((await queue.submit(sampleReceipt({ copy: 2 }))).state).toBe('printed');
      expect(printer.marks).toEqual([{ noEarlierCopyPrinted: true }]);
      // Copy 3: copy 2 is on paper, so it is a reprint like any other.
      expect((await queue.submit(sampleReceipt({ copy: 3 }))).state).toBe('printed');
      expect(printer.marks[1]).toEqual({});
    });

    it('marks a reprint as a reprint when the original printed, or when nothing is known of it', async () => {
      const printer = fakePrinter();
      const { queue } = queueWith(printer);
      await queue.submit(sampleReceipt());
      await queue.submit(sampleReceipt({ copy: 2 }));
      // Another receipt whose copy 1 this queue never saw (another kiosk's, or forgotten).
      const other = sampleReceipt({ copy: 2 });
      await queue.submit({ ...other, txId: '9c9c9c9c-1a2b-4c3d-8e9f-0a1b2c3d4e5f' });
      expect(printer.marks).toEqual([{}, {}, {}]);
    });

    it('holds assisted receipts and reprints behind it and prints only those when paper is back', async () => {
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue, clock } = queueWith(printer);
      const assisted = assistedReceipt({
        transaction: {
          txId: '4a1d9b2f-7b8c-4d3e-8f90-1b2c3d4e5f60',
          ref: 'ASST-0001',
          channel: 'assisted',
          fee: { amountMinor: 0, currency: 'BZD' },
          language: 'en',
        },
      });
      const reprint = sampleReceipt({ copy: 2 });
      expect((await queue.submit(assisted)).state).toBe('held');
      expect((await queue.submit(reprint)).state).toBe('held');
      expect((await queue.submit(sampleReceipt())).state).toBe('not-printed');
      expect(queue.counts().held).toBe(2);
      expect(saved()).toContain('ASST-0001');

      printer.state = 'online';
      clock.advance(10_000);
      await queue.retryHeld();
      expect(printer.printed).toEqual([`${assisted.txId}#1`, `${reprint.txId}#2`]);
      expect(queue.counts().held).toBe(0);
    });

    it('a print error on a held job settles the citizen receipt behind it too, without a loop', async () => {
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue } = queueWith(printer);
      expect((await queue.submit(assistedReceipt({ copy: 2 }))).state).toBe('held');
      printer.state = 'online';
      printer.failNextWrite = true;
      expect((await queue.submit(sampleReceipt())).state).toBe('not-printed');
      expect(printer.printed).toEqual([]);
      expect(queue.counts().held).toBe(1);
    });

    it('an uncertain one printed again as a copy waits for the printer like any other', async () => {
      const content = sampleReceipt();
      writeFileSync(
        queueFile(),
        JSON.stringify({
          version: 1,
          jobs: [
            {
              jobId: `${content.txId}#1`,
              state: 'uncertain',
              content,
              reason: 'job-interrupted',
              attempts: 1,
              createdAt: 1,
              updatedAt: 1,
            },
          ],
        }),
      );
      const printer = fakePrinter();
      printer.state = 'paper-out';
      const { queue } = queueWith(printer);
      expect((await queue.resolveUncertain(`${content.txId}#1`, 'print-again')).state).toBe('held');
      printer.state = 'online';
      await queue.retryHeld();
      expect(printer.printed).toEqual([`${content.txId}#1`]);
    });

    it('keeps the not-printed state across a restart, printing nothing on its own', async () => {
      const printer = fakePrinter();
      printer.state = 'offline';
      const before = queueWith(printer);
      await before.queue.submit(sampleReceipt());
      before.queue.stop();
      const file = JSON.parse(saved()) as { jobs: unknown[] };
      expect(file.jobs).toEqual([
        {
          jobId: `${sampleReceipt().txId}#1`,
          state: 'not-printed',
          reason: 'offline',
          attempts: 0,
          createdAt: expect.any(Number),
          updatedAt: expect.any(Number),
        },
      ]);

      printer.state = 'online';
      const after = queueWith(printer);
      expect(after.queue.jobs()).toMatchObject([{ state: 'not-printed', reason: 'offline' }]);
      await after.queue.retryHeld();
      expect(printer.printed).toEqual([]);
      expect((await after.queue.submit(sampleReceipt())).state).toBe('printed');
      expect(printer.printed).toHaveLength(1);
    });

    it('does not print a citizen receipt an older kiosk left held in its file', async () => {
      const citizen = sampleReceipt();
      const assisted = assistedReceipt({ copy: 3 });
      const job = (content: ReceiptContent) => ({
        jobId: `${content.txId}#${content.copy}`,
        state: 'held',
        content,
        reason: 'paper-out',
        attempts: 0,
        createdAt: 1,
        updatedAt: 1,
      });
      writeFileSync(
        queueFile(),
        JSON.stringify({ version: 1, jobs: [job(citizen), job(assisted)] }),
      );
      const printer = fakePrinter();
      const { queue, logger } = queueWith(printer);
      expect(logger.entries.map((e) => e.event)).not.toContain('printer.queue-file-corrupt');
      expect(queue.jobs()).toMatchObject([
        { state: 'not-printed', reason: 'restarted' },
        { state: 'uncertain', reason: 'waiting-at-restart' },
      ]);
      // The citizen's receipt is gone from the file at once; the assisted one waits for a person.
      expect(JSON.parse(saved())).toMatchObject({
        jobs: [{ state: 'not-printed' }, { state: 'uncertain', content: { copy: 3 } }],
      });
      expect(JSON.parse(saved()).jobs[0]).not.toHaveProperty('content');
      await queue.retryHeld();
      expect(printer.printed).toEqual([]);
    });
  });
});
