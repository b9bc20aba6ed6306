import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEscPosSink } from '../../../electron/devices/printer/escpos-printer';
import { createPrintQueue, printJobId } from '../../../electron/devices/printer/print-queue';
import { createPrinterStatusService } from '../../../electron/devices/printer/status-service';
import { createTcpTransport } from '../../../electron/devices/printer/transports/tcp-transport';
import { systemDeviceClock } from '../../../electron/devices/device-runtime';
import { createKioskDevices } from '../../../electron/devices/kiosk-devices';
import { devicesConfigSchema } from '../../../kiosk-config/devices-schema';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeEscPos, printedText } from '../../support/escpos-decoder';
import {
  assistedReceipt,
  createRecordingLogger,
  sampleReceipt,
} from '../../unit/electron/devices/support/device-test-kit';

/**
 * A raw TCP 9100 test printer on 127.0.0.1 (a fake: no printer can be attached here), answering
 * as an Epson printer does: `DLE EOT n` at once with the status bytes the test sets, and
 * `GS r 1` once it reaches it in the data (the kiosk's confirmation that the job was processed).
 * Each connection's other bytes are kept as a job. `dropAfter` makes it reset the connection
 * after that many bytes of a job; `confirm: false` makes it take jobs without ever answering.
 */
async function startTestPrinter() {
  const printer = {
    jobs: [] as Buffer[],
    status: [0x12, 0x12, 0x12, 0x12],
    dropAfter: undefined as number | undefined,
    confirm: true,
    port: 0,
    server: undefined as unknown as net.Server,
  };
  printer.server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    let jobBytes = 0;
    let dropped = false;
    socket.on('data', (chunk) => {
      if (dropped) return;
      let rest = Buffer.from(chunk);
      // Real-time status requests are answered at once, between or during jobs.
      for (;;) {
        const at = rest.findIndex((b, i) => b === 0x10 && rest[i + 1] === 0x04);
        if (at < 0 || at + 2 >= rest.length) break;
        socket.write(Buffer.of(printer.status[(rest[at + 2] ?? 1) - 1] ?? 0x12));
        rest = Buffer.concat([rest.subarray(0, at), rest.subarray(at + 3)]);
      }
      if (rest.length === 0) return;
      if (printer.dropAfter !== undefined && jobBytes + rest.length > printer.dropAfter) {
        chunks.push(rest.subarray(0, printer.dropAfter - jobBytes));
        dropped = true;
        printer.jobs.push(Buffer.concat(chunks));
        socket.resetAndDestroy();
        return;
      }
      jobBytes += rest.length;
      chunks.push(rest);
      const all = Buffer.concat(chunks);
      if (printer.confirm && all.subarray(-3).equals(Buffer.of(0x1d, 0x72, 0x01))) {
        socket.write(Buffer.of(0x00));
      }
    });
    socket.on('end', () => {
      if (!dropped && chunks.length > 0) printer.jobs.push(Buffer.concat(chunks));
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => printer.server.listen(0, '127.0.0.1', resolve));
  printer.port = (printer.server.address() as net.AddressInfo).port;
  return printer;
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

describe('raw TCP 9100 printer on 127.0.0.1', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('receives a real receipt job whose bytes decode back to the receipt', async () => {
    const printer = await startTestPrinter();
    cleanups.push(() => printer.server.close());
    const transport = createTcpTransport({ host: '127.0.0.1', port: printer.port });
    const content = sampleReceipt({ language: 'es' });
    await createEscPosSink(transport, { model: 'epson-tm-t88vi' }).print({
      jobId: 'job-1',
      content,
    });
    await waitFor(() => printer.jobs.length === 1);
    const receipt = decodeEscPos(printer.jobs[0] ?? Buffer.alloc(0));
    expect(printedText(receipt)).toContain(content.service.title);
    expect(printedText(receipt)).toContain('¿Qué hacer ahora?');
    expect(receipt.qrCodes[0]?.data).toBe(`SP:${content.ref}`);
    expect(receipt.cuts).toEqual(['partial']);
    // After the cut, the kiosk asks GS r 1: the printer answers once it has processed the job.
    expect(receipt.statusRequests).toEqual([1]);
  });

  it('reads the printer status over the same port', async () => {
    const printer = await startTestPrinter();
    cleanups.push(() => printer.server.close());
    const status = createPrinterStatusService({
      transport: createTcpTransport({ host: '127.0.0.1', port: printer.port }),
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
      intervalMs: 60_000,
    });
    expect((await status.poll()).state).toBe('online');
    printer.status = [0x12, 0x12, 0x12, 0x1e];
    expect((await status.poll()).state).toBe('paper-low');
    printer.status = [0x1a, 0x32, 0x12, 0x72];
    expect((await status.poll()).state).toBe('paper-out');
  });

  it('holds an assisted receipt while the printer is out of paper and prints it exactly once after', async () => {
    const printer = await startTestPrinter();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-tcp-'));
    cleanups.push(() => printer.server.close());
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const transport = createTcpTransport({ host: '127.0.0.1', port: printer.port });
    const status = createPrinterStatusService({
      transport,
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
      intervalMs: 60_000,
    });
    const queue = createPrintQueue({
      dataDir,
      sink: createEscPosSink(transport, { model: 'epson-tm-t88vi' }),
      pollStatus: () => status.poll(),
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
      retryMs: 60_000,
    });
    cleanups.push(() => queue.stop());
    printer.status = [0x1a, 0x32, 0x12, 0x72];
    expect((await queue.submit(assistedReceipt())).state).toBe('held');
    printer.status = [0x12, 0x12, 0x12, 0x12];
    await queue.retryHeld();
    await queue.retryHeld();
    await queue.submit(assistedReceipt());
    await waitFor(() => printer.jobs.length >= 1);
    expect(printer.jobs).toHaveLength(1);
  });

  it('reports a printer that is not listening as offline', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const status = createPrinterStatusService({
      transport: createTcpTransport({ host: '127.0.0.1', port, timeoutMs: 1000 }),
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
      intervalMs: 60_000,
    });
    expect(await status.poll()).toMatchObject({ state: 'offline', detail: 'transport-failed' });
  });

  async function queueFor(
    printer: Awaited<ReturnType<typeof startTestPrinter>>,
    confirmTimeoutMs = 2000,
  ) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-tcp-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const transport = createTcpTransport({ host: '127.0.0.1', port: printer.port });
    const status = createPrinterStatusService({
      transport,
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
      intervalMs: 60_000,
    });
    const logger = createRecordingLogger();
    const queue = createPrintQueue({
      dataDir,
      sink: createEscPosSink(transport, { model: 'epson-tm-t88vi', confirmTimeoutMs }),
      pollStatus: () => status.poll(),
      clock: systemDeviceClock,
      logger,
      retryMs: 60_000,
    });
    cleanups.push(() => queue.stop());
    return { queue, logger };
  }

  it('records a job as uncertain, not printed, when the printer drops the connection after 40 bytes', async () => {
    const printer = await startTestPrinter();
    cleanups.push(() => printer.server.close());
    printer.dropAfter = 40;
    const { queue, logger } = await queueFor(printer);
    const content = sampleReceipt({ language: 'en' });
    expect(await queue.submit(content)).toMatchObject({ state: 'uncertain' });
    expect(queue.counts()).toMatchObject({ uncertain: 1, held: 0 });
    expect(queue.jobs()[0]).toMatchObject({ reason: 'job-interrupted' });
    expect(printer.jobs[0]?.length).toBe(40);
    expect(logger.entries.map((entry) => entry.event)).toContain('printer.job-uncertain');
    // Asking again does not print it on its own: a person decides.
    expect(await queue.submit(content)).toMatchObject({ state: 'uncertain' });
    expect(printer.jobs).toHaveLength(1);

    // The officer decides to print it again: it prints once, and says it is a copy.
    printer.dropAfter = undefined;
    expect(await queue.resolveUncertain(printJobId(content), 'print-again')).toMatchObject({
      state: 'printed',
    });
    await waitFor(() => printer.jobs.length === 2);
    const text = printedText(decodeEscPos(printer.jobs[1] ?? Buffer.alloc(0)));
    expect(text).toContain('COPY - the first print may have failed');
    expect(text).toContain(content.ref);
  });

  it('records a job the printer took whole but never confirmed as uncertain', async () => {
    const printer = await startTestPrinter();
    cleanups.push(() => printer.server.close());
    printer.confirm = false;
    const { queue } = await queueFor(printer, 300);
    expect(await queue.submit(sampleReceipt())).toMatchObject({ state: 'uncertain' });
    expect(queue.jobs()[0]).toMatchObject({ reason: 'job-unconfirmed' });
    await waitFor(() => printer.jobs.length === 1);
    // The whole job did arrive; only its printing went unconfirmed.
    expect(decodeEscPos(printer.jobs[0] ?? Buffer.alloc(0)).cuts).toEqual(['partial']);
  });

  it('lets the officer record an uncertain job as printed after checking the paper', async () => {
    const printer = await startTestPrinter();
    cleanups.push(() => printer.server.close());
    printer.confirm = false;
    const { queue } = await queueFor(printer, 200);
    const content = sampleReceipt();
    await queue.submit(content);
    expect(await queue.resolveUncertain(printJobId(content), 'was-printed')).toMatchObject({
      state: 'printed',
    });
    expect(queue.counts().uncertain).toBe(0);
    await waitFor(() => printer.jobs.length === 1);
    expect(printer.jobs).toHaveLength(1);
  });

  it('polls a Star TSP100IV on port 9100 with ESC ACK SOH and confirms its job by the ETB counter', async () => {
    // A Star printer fake: answers ESC ACK SOH with a 9-byte automatic status block whose ETB
    // counter (status 6) goes up when it reaches ETB in the data; ignores DLE EOT, as Star does.
    let etb = 0;
    let paperEnd = false;
    const spread = (n: number): number => ((n & 0x07) << 1) | ((n & 0x18) << 2);
    const received: number[] = [];
    const server = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        for (const byte of chunk) {
          received.push(byte);
          const n = received.length;
          if (byte === 0x17) etb += 1;
          if (n >= 3 && received[n - 3] === 0x1b && received[n - 2] === 0x06 && byte === 0x01) {
            socket.write(
              Buffer.of(
                0x23,
                0x86,
                paperEnd ? 0x08 : 0,
                0,
                0,
                paperEnd ? 0x0c : 0,
                0,
                spread(etb),
                0,
              ),
            );
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'sp-star-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const devices = await createKioskDevices({
      config: devicesConfigSchema.parse({
        printer: {
          transport: {
            kind: 'tcp',
            host: '127.0.0.1',
            port: (server.address() as net.AddressInfo).port,
          },
          model: 'star-tsp100iv',
        },
        cardReader: { kind: 'none' },
      }),
      dataDir: dir,
      clock: systemDeviceClock,
      logger: createRecordingLogger(),
    });
    cleanups.push(() => devices.stop());
    paperEnd = true;
    expect((await devices.refreshPrinterStatus()).state).toBe('paper-out');
    paperEnd = false;
    expect((await devices.refreshPrinterStatus()).state).toBe('online');
    expect(await devices.print(sampleReceipt())).toMatchObject({ state: 'printed' });
    expect(etb).toBe(1);
    // Never Epson's DLE EOT.
    expect(received.some((byte, i) => byte === 0x10 && received[i + 1] === 0x04)).toBe(false);
  });
});
