import { existsSync } from 'node:fs';
import type {
  CardRead,
  PrintJobReply,
  PrinterStatus,
  UncertainDecision,
  UncertainPrintJob,
  WaitingPrintJob,
} from '../../sync/bridge/device-payloads';
import { receiptContentSchema } from '../../sync/bridge/receipt-content';
import type { ReceiptContentInput } from '../../sync/bridge/receipt-content';
import type { DevicesConfig } from '../../kiosk-config/devices-schema';
import { createHidCardReader } from './card-reader/hid-card-reader';
import type { HidApi, HidCardReader } from './card-reader/hid-card-reader';
import type { DeviceClock, DeviceLogger } from './device-runtime';
import { createEscPosSink } from './printer/escpos-printer';
import { createPrintQueue } from './printer/print-queue';
import { printerCapabilities, resolvePrinterLayout } from './printer/printer-models';
import { protocolFor } from './printer/printer-protocol';
import type { PrintQueue, ReceiptSink } from './printer/print-queue';
import { findReceiptFonts } from './printer/receipt-fonts';
import { canPrint, createPrinterStatusService } from './printer/status-service';
import type { PrinterStatusService } from './printer/status-service';
import { createPrinterTransport } from './printer/transports/create-transport';
import type { PrinterTransport } from './printer/transports/transport';
import { createSimulatedCardReader } from './simulated/simulated-card-reader';
import type { SimulatedCardReader } from './simulated/simulated-card-reader';
import { createSimulatedPrinter } from './simulated/simulated-printer';
import type { SimulatedPrinter } from './simulated/simulated-printer';

export interface KioskDevices {
  /** Which devices are simulated, for `kiosk:info` and the operator screen. */
  readonly simulated: Array<'printer' | 'card-reader'>;
  /** Parses the receipt (it may come straight off the bridge) and queues it. */
  print(content: ReceiptContentInput): Promise<PrintJobReply>;
  printerStatus(): PrinterStatus;
  /** Receipts whose print the printer did not confirm. */
  uncertainJobs(): UncertainPrintJob[];
  /** Receipts waiting for the printer (queued, held, or being printed), oldest first. */
  waitingJobs(): WaitingPrintJob[];
  /** An officer's or operator's decision on one of them. */
  resolveUncertain(jobId: string, decision: UncertainDecision): Promise<PrintJobReply>;
  /** Asks the printer now instead of waiting for the next poll (after the operator acts). */
  refreshPrinterStatus(): Promise<PrinterStatus>;
  onPrinterStatus(listener: (status: PrinterStatus) => void): () => void;
  onCardRead(listener: (read: CardRead) => void): () => void;
  readonly queue: PrintQueue;
  readonly simulatedPrinter?: SimulatedPrinter;
  readonly simulatedCardReader?: SimulatedCardReader;
  start(): void;
  stop(): void;
}

export interface KioskDevicesOptions {
  config: DevicesConfig;
  /** Print queue state and simulated printouts are kept here. */
  dataDir: string;
  clock: DeviceClock;
  logger: DeviceLogger;
  /** node-hid, or recorded reports in tests; loaded on demand when absent. */
  hid?: HidApi;
  fontDir?: string;
  lpCommand?: string;
}

async function loadNodeHid(logger: DeviceLogger): Promise<HidApi | undefined> {
  try {
    const module = (await import('node-hid')) as unknown as HidApi & { default?: HidApi };
    return typeof module.devices === 'function' ? module : module.default;
  } catch (error) {
    logger.log('error', 'card-reader.node-hid-unavailable', { message: (error as Error).message });
    return undefined;
  }
}

function hardwareMissing(config: DevicesConfig['printer']['transport']): boolean {
  return (config.kind === 'usb' || config.kind === 'serial') && !existsSync(config.device);
}

/**
 * Creates the kiosk's printer and card reader from the `devices` config; the shell does this
 * once at start and hands the result to the bridge services.
 * Where the configured hardware is absent at start (and `simulateWhenMissing` is on), the
 * simulated device stands in and is listed in `simulated`.
 */
export async function createKioskDevices(options: KioskDevicesOptions): Promise<KioskDevices> {
  const { config, clock, logger } = options;
  const simulated: Array<'printer' | 'card-reader'> = [];

  // Printer.
  let transport: PrinterTransport | undefined;
  let simulatedPrinter: SimulatedPrinter | undefined;
  let sink: ReceiptSink;
  const wantSimulatedPrinter =
    config.printer.transport.kind === 'simulated' ||
    (config.simulateWhenMissing && hardwareMissing(config.printer.transport));
  if (wantSimulatedPrinter) {
    if (config.printer.transport.kind !== 'simulated') {
      logger.log('warn', 'printer.missing-using-simulated', {
        kind: config.printer.transport.kind,
      });
    }
    simulatedPrinter = createSimulatedPrinter({
      dataDir: options.dataDir,
      fonts: findReceiptFonts(options.fontDir),
      logger,
    });
    transport = simulatedPrinter.statusTransport;
    sink = simulatedPrinter;
    simulated.push('printer');
  } else {
    transport = createPrinterTransport(
      config.printer.transport,
      options.lpCommand ? { lpCommand: options.lpCommand } : {},
    );
    if (!transport) throw new Error('unreachable: a non-simulated printer has a transport');
    const layout = resolvePrinterLayout(config.printer.model, config.printer.columns);
    if (layout.override) {
      logger.log('warn', 'printer.columns-override', {
        model: layout.model.id,
        configured: layout.override.configured,
        modelColumns: layout.override.model,
      });
    }
    sink = createEscPosSink(transport, { model: layout.model.id, columns: layout.columns });
  }
  const status: PrinterStatusService = createPrinterStatusService({
    transport,
    // Each family is asked its own way: Epson DLE EOT, Star automatic status (ESC ACK SOH).
    protocol: protocolFor(
      simulatedPrinter ? 'esc-pos' : printerCapabilities(config.printer.model).family,
    ),
    clock,
    logger,
    intervalMs: config.printer.statusPollSeconds * 1000,
  });
  const queue = createPrintQueue({
    dataDir: options.dataDir,
    sink,
    pollStatus: () => status.poll(),
    clock,
    logger,
  });
  const statusListeners = new Set<(status: PrinterStatus) => void>();
  const printerStatus = (): PrinterStatus => {
    const reading = status.current();
    const counts = queue.counts();
    return {
      state: reading.state,
      ...(reading.detail ? { detail: reading.detail } : {}),
      checkedAt: reading.checkedAt === null ? null : new Date(reading.checkedAt).toISOString(),
      simulated: simulatedPrinter !== undefined,
      heldJobs: counts.held,
      uncertainJobs: counts.uncertain,
    };
  };
  status.subscribe((reading) => {
    if (canPrint(reading.state) && queue.counts().held > 0) void queue.retryHeld();
    const snapshot = printerStatus();
    for (const listener of statusListeners) listener(snapshot);
  });

  // Card reader.
  const readListeners = new Set<(read: CardRead) => void>();
  const emitRead = (read: CardRead): void => {
    for (const listener of readListeners) listener(read);
  };
  let hidReader: HidCardReader | undefined;
  let simulatedCardReader: SimulatedCardReader | undefined;
  const reader = config.cardReader;
  if (reader.kind === 'hid') {
    const hid = options.hid ?? (await loadNodeHid(logger));
    if (hid) {
      hidReader = createHidCardReader({
        hid,
        vendorId: reader.vendorId,
        productId: reader.productId,
        format: reader.format,
        officerIssuer: config.officerCardIssuer,
        clock,
        logger,
        onRead: emitRead,
      });
    }
    const present =
      hid
        ?.devices()
        .some((d) => d.vendorId === reader.vendorId && d.productId === reader.productId) ?? false;
    if (!present && config.simulateWhenMissing) {
      logger.log('warn', 'card-reader.missing-using-simulated', {});
      simulatedCardReader = createSimulatedCardReader({
        officerIssuer: config.officerCardIssuer,
        clock,
        logger,
      });
    }
  } else if (reader.kind === 'simulated') {
    simulatedCardReader = createSimulatedCardReader({
      officerIssuer: config.officerCardIssuer,
      clock,
      logger,
    });
  }
  if (simulatedCardReader) {
    simulatedCardReader.onRead(emitRead);
    simulated.push('card-reader');
  }

  return {
    simulated,
    print: (content) => queue.submit(receiptContentSchema.parse(content)),
    printerStatus,
    uncertainJobs: () =>
      queue
        .jobs()
        .filter((job) => job.state === 'uncertain')
        .map((job) => ({
          jobId: job.jobId,
          ...(job.content ? { ref: job.content.ref, copy: job.content.copy } : {}),
          ...(job.reason ? { reason: job.reason } : {}),
          since: new Date(job.updatedAt).toISOString(),
        })),
    waitingJobs: () =>
      queue
        .jobs()
        // A job being printed has not come out yet either: it still waits.
        .filter((job) => job.state === 'queued' || job.state === 'held' || job.state === 'printing')
        .map((job) => ({
          jobId: job.jobId,
          ...(job.content ? { ref: job.content.ref, copy: job.content.copy } : {}),
          since: new Date(job.createdAt).toISOString(),
        })),
    async resolveUncertain(jobId, decision) {
      const reply = await queue.resolveUncertain(jobId, decision);
      logger.log('info', 'printer.uncertain-resolved', { jobId, decision, state: reply.state });
      const snapshot = printerStatus();
      for (const listener of statusListeners) listener(snapshot);
      return reply;
    },
    refreshPrinterStatus: () => status.poll().then(printerStatus),
    onPrinterStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onCardRead(listener) {
      readListeners.add(listener);
      return () => readListeners.delete(listener);
    },
    queue,
    ...(simulatedPrinter ? { simulatedPrinter } : {}),
    ...(simulatedCardReader ? { simulatedCardReader } : {}),
    start() {
      status.start();
      hidReader?.start();
      // Jobs left queued or held by the last run are offered as soon as the printer answers.
      void queue.retryHeld();
    },
    stop() {
      status.stop();
      queue.stop();
      hidReader?.stop();
    },
  };
}
