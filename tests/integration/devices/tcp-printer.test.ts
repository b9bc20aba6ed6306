import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEscPosSink } from '../../../electron/devices/printer/escpos-printer';
import { createPrintQueue } from '../../../electron/devices/printer/print-queue';
import { createPrinterStatusService } from '../../../electron/devices/printer/status-service';
import { createTcpTransport } from '../../../electron/devices/printer/transports/tcp-transport';
import { systemDeviceClock } from '../../../electron/devices/device-runtime';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeEscPos, printedText } from '../../support/escpos-decoder';
import {
  createRecordingLogger,
  sampleReceipt,
} from '../../unit/electron/devices/support/device-test-kit';

/**
 * A raw TCP 9100 test printer on 127.0.0.1: keeps each connection's bytes as a job and answers
 * DLE EOT n with the status bytes the test sets, as an Epson-compatible printer does.
 */
async function startTestPrinter() {
  const printer = {
    jobs: [] as Buffer[],
    status: [0x12, 0x12, 0x12, 0x12],
    port: 0,
    server: undefined as unknown as net.Server,
  };
  printer.server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      // Real-time status requests are answered at once, between or during jobs.
      if (chunk.length === 3 && chunk[0] === 0x10 && chunk[1] === 0x04) {
        socket.write(Buffer.of(printer.status[(chunk[2] ?? 1) - 1] ?? 0x12));
        return;
      }
      chunks.push(chunk);
    });
    socket.on('end', () => {
      if (chunks.length > 0) printer.jobs.push(Buffer.concat(chunks));
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
    expect(receipt.qrCodes[0]?.data).toBe(content.ref);
    expect(receipt.cuts).toEqual(['partial']);
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

  it('holds a receipt while the printer is out of paper and prints it exactly once after', async () => {
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
    expect((await queue.submit(sampleReceipt())).state).toBe('held');
    printer.status = [0x12, 0x12, 0x12, 0x12];
    await queue.retryHeld();
    await queue.retryHeld();
    await queue.submit(sampleReceipt());
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
});
