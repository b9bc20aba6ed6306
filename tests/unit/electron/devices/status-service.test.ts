import { describe, expect, it } from 'vitest';
import type { PrinterTransport } from '../../../../electron/devices/printer/transports/transport';
import { createPrinterStatusService } from '../../../../electron/devices/printer/status-service';
import {
  createManualClock,
  createRecordingLogger,
  scriptedTransport,
} from './support/device-test-kit';

function scriptedPrinter(initial: Array<number | null>) {
  const printer = { replies: initial, asked: 0 };
  const { transport, conversations } = scriptedTransport((request) => {
    const reply = printer.replies[(request[2] ?? 1) - 1] ?? null;
    return reply === null ? null : [reply];
  });
  Object.defineProperty(printer, 'asked', { get: conversations });
  return { printer, transport };
}

describe('printer status service', () => {
  it('polls on the clock and reports each change once', async () => {
    const { printer, transport } = scriptedPrinter([0x12, 0x12, 0x12, 0x12]);
    const clock = createManualClock();
    const logger = createRecordingLogger();
    const service = createPrinterStatusService({ transport, clock, logger, intervalMs: 5000 });
    const seen: string[] = [];
    service.subscribe((reading) => seen.push(reading.state));
    service.start();
    await service.poll();
    expect(seen).toEqual(['online']);

    printer.replies = [0x1a, 0x32, 0x12, 0x72];
    clock.advance(5000);
    await service.poll();
    expect(seen).toEqual(['online', 'paper-out']);

    clock.advance(5000);
    await service.poll();
    expect(seen).toEqual(['online', 'paper-out']);
    expect(printer.asked).toBeGreaterThanOrEqual(3);
    service.stop();
    expect(clock.pending()).toBe(0);
  });

  it('reads a printer that does not answer as offline', async () => {
    const { transport } = scriptedPrinter([null, null, null, null]);
    const service = createPrinterStatusService({
      transport,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({ state: 'offline', detail: 'no-reply' });
  });

  it('reads a transport that fails as offline with its error code', async () => {
    const transport: PrinterTransport = {
      description: 'broken',
      write: async () => undefined,
      converse: async () => {
        const { DeviceError } = await import('../../../../electron/devices/device-runtime');
        throw new DeviceError('transport-failed', 'ECONNREFUSED');
      },
    };
    const service = createPrinterStatusService({
      transport,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({ state: 'offline', detail: 'transport-failed' });
  });

  it('says "unknown" for a transport with no back channel rather than guessing online', async () => {
    const service = createPrinterStatusService({
      transport: { description: 'cups', write: async () => undefined },
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({ state: 'unknown', detail: 'no-back-channel' });
  });

  it('shares one query between concurrent polls', async () => {
    const { printer, transport } = scriptedPrinter([0x12, 0x12, 0x12, 0x12]);
    const service = createPrinterStatusService({
      transport,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    await Promise.all([service.poll(), service.poll(), service.poll()]);
    expect(printer.asked).toBe(1);
  });
});
