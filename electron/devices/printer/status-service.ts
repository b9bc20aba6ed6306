import type { PrinterState } from '../../../sync/bridge/device-payloads';
import { DeviceError } from '../device-runtime';
import type { DeviceClock, DeviceLogger } from '../device-runtime';
import { escPosProtocol } from './printer-protocol';
import type { PrinterProtocol } from './printer-protocol';
import type { PrinterTransport } from './transports/transport';

export interface PrinterStatusReading {
  state: PrinterState;
  detail?: string;
  /** Clock time of the reading; `null` before the first poll. */
  checkedAt: number | null;
}

export interface PrinterStatusService {
  current(): PrinterStatusReading;
  /** Asks the printer now (also what the timer does). Concurrent calls share one query. */
  poll(): Promise<PrinterStatusReading>;
  /** Called when the state or detail changes, including the first reading. */
  subscribe(listener: (reading: PrinterStatusReading) => void): () => void;
  start(): void;
  stop(): void;
}

export interface PrinterStatusServiceOptions {
  transport: PrinterTransport;
  clock: DeviceClock;
  logger: DeviceLogger;
  intervalMs: number;
  /** How this printer family is asked (Epson DLE EOT by default, Star ASB for Star models). */
  protocol?: PrinterProtocol;
  /** How long to wait for each status reply. */
  replyTimeoutMs?: number;
}

/** States in which a job may be sent; everything else holds jobs until the printer is ready. */
export function canPrint(state: PrinterState): boolean {
  return state === 'online' || state === 'paper-low' || state === 'unknown';
}

/** Polls the printer's real-time status on the clock and tells subscribers when it changes. */
export function createPrinterStatusService(
  options: PrinterStatusServiceOptions,
): PrinterStatusService {
  const { transport, clock, logger } = options;
  const listeners = new Set<(reading: PrinterStatusReading) => void>();
  let reading: PrinterStatusReading = { state: 'unknown', checkedAt: null };
  let inFlight: Promise<PrinterStatusReading> | undefined;
  let timer: unknown;
  let running = false;

  const publish = (next: PrinterStatusReading): void => {
    const changed = next.state !== reading.state || next.detail !== reading.detail;
    reading = next;
    if (!changed) return;
    logger.log(next.state === 'online' ? 'info' : 'warn', 'printer.status', {
      state: next.state,
      detail: next.detail,
      transport: transport.description,
    });
    for (const listener of listeners) listener(next);
  };

  const protocol = options.protocol ?? escPosProtocol;
  const query = async (): Promise<PrinterStatusReading> => {
    if (!transport.converse) {
      return { state: 'unknown', detail: 'no-back-channel', checkedAt: clock.now() };
    }
    try {
      const parsed = await transport.converse((link) =>
        protocol.readStatus(link, options.replyTimeoutMs ?? 500),
      );
      return parsed.detail === undefined
        ? { state: parsed.state, checkedAt: clock.now() }
        : { state: parsed.state, detail: parsed.detail, checkedAt: clock.now() };
    } catch (error) {
      const code = error instanceof DeviceError ? error.code : 'transport-failed';
      return { state: 'offline', detail: code, checkedAt: clock.now() };
    }
  };

  const poll = (): Promise<PrinterStatusReading> => {
    inFlight ??= query()
      .then((next) => {
        publish(next);
        return next;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const schedule = (): void => {
    if (!running) return;
    timer = clock.setTimeout(() => {
      void poll().finally(schedule);
    }, options.intervalMs);
  };

  return {
    current: () => reading,
    poll,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (running) return;
      running = true;
      void poll().finally(schedule);
    },
    stop() {
      running = false;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
