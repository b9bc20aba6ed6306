import type { CardRead } from '../../../sync/bridge/device-payloads';
import type { DeviceClock, DeviceLogger } from '../device-runtime';
import { parseCardRead, parseSwipe, rejectRead } from './card-parsers';
import { createKeyboardReportDecoder } from './hid-keyboard-report';
import { decodeIdTechReport, decodeMagTekReport, recogniseReport } from './magstripe-hid-report';

/** What the reader needs of node-hid; node-hid itself fits, and tests pass recorded reports. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
}

/**
 * What the reader's reports are: boot keyboard reports (keyboard mode), MagTek's 337-byte swipe
 * report, or ID TECH's formatted swipe report (HID mode). `auto` tells them apart by length.
 */
export type HidReportFormat = 'auto' | 'keyboard' | 'magtek' | 'idtech';
export interface HidHandle {
  on(event: string, listener: (value: unknown) => void): unknown;
  close(): void;
}
export interface HidApi {
  devices(): HidDeviceInfo[];
  HID: new (path: string) => HidHandle;
}

export interface HidCardReaderOptions {
  hid: HidApi;
  vendorId: number;
  productId: number;
  officerIssuer: string;
  clock: DeviceClock;
  logger: DeviceLogger;
  onRead: (read: CardRead) => void;
  /** How to read the reports (default `auto`). */
  format?: HidReportFormat;
  onConnectionChange?: (connected: boolean) => void;
  /** How often to look for the reader while it is unplugged (and to notice it was). */
  pollMs?: number;
  /** A swipe that has not ended (Enter) this long after its first character is partial. */
  readTimeoutMs?: number;
}

export interface HidCardReader {
  start(): void;
  stop(): void;
  isConnected(): boolean;
}

/**
 * A HID card reader or scanner, read through hidraw: in keyboard mode its key reports are turned
 * back into characters here (US usages, whatever the desktop's layout); in HID mode (MagTek,
 * ID TECH) each swipe is one report whose tracks are read directly. Unplugging is noticed from the device's error event or its absence from the
 * device list; the same poll reopens it when it comes back. Logs never carry card data: only
 * the kind of read or the reject code.
 */
export function createHidCardReader(options: HidCardReaderOptions): HidCardReader {
  const { hid, clock, logger } = options;
  const pollMs = options.pollMs ?? 2000;
  const readTimeoutMs = options.readTimeoutMs ?? 1500;
  let handle: HidHandle | undefined;
  let openPath: string | undefined;
  let pollTimer: unknown;
  let readTimer: unknown;
  let running = false;
  let buffer = '';
  let garbled = false;
  let decodeKeys = createKeyboardReportDecoder();
  const format = options.format ?? 'auto';

  const resetRead = (): void => {
    buffer = '';
    garbled = false;
    if (readTimer !== undefined) clock.clearTimeout(readTimer);
    readTimer = undefined;
  };

  const deliver = (read: CardRead): void => {
    logger.log(read.kind === 'rejected' ? 'warn' : 'info', 'card-reader.read', {
      kind: read.kind,
      ...(read.kind === 'rejected' ? { code: read.code } : {}),
    });
    options.onRead(read);
  };

  const finishRead = (): void => {
    const text = buffer;
    const wasGarbled = garbled;
    resetRead();
    if (wasGarbled) deliver(rejectRead('garbled-read', 'hid'));
    else {
      deliver(
        parseCardRead(text, 'hid', {
          officerIssuer: options.officerIssuer,
          now: new Date(clock.now()),
        }),
      );
    }
  };

  const parseOptions = () => ({
    officerIssuer: options.officerIssuer,
    now: new Date(clock.now()),
  });

  /** One HID-mode report: a whole swipe. */
  const onSwipeReport = (report: Uint8Array, kind: 'magtek' | 'idtech'): void => {
    const decoded = kind === 'magtek' ? decodeMagTekReport(report) : decodeIdTechReport(report);
    if (!decoded.ok) {
      deliver(rejectRead('garbled-read', 'hid'));
      return;
    }
    if (decoded.text !== undefined && decoded.text.length > 0) {
      deliver(parseCardRead(decoded.text, 'hid', parseOptions()));
      return;
    }
    deliver(parseSwipe(decoded.tracks, 'hid', parseOptions()));
  };

  const onReport = (value: unknown): void => {
    if (!(value instanceof Uint8Array)) return;
    const kind = format === 'auto' ? recogniseReport(value) : format;
    if (kind === 'magtek' || kind === 'idtech') {
      onSwipeReport(value, kind);
      return;
    }
    for (const event of decodeKeys(value)) {
      if (event.kind === 'release') continue;
      if (event.kind === 'enter') {
        finishRead();
        continue;
      }
      if (buffer.length === 0 && !garbled) {
        readTimer = clock.setTimeout(() => {
          readTimer = undefined;
          resetRead();
          deliver(rejectRead('partial-read', 'hid'));
        }, readTimeoutMs);
      }
      if (event.kind === 'invalid') garbled = true;
      // Longer than both tracks together: not a card, and not worth holding in memory.
      else if (buffer.length < 200) buffer += event.char;
      else garbled = true;
    }
  };

  const disconnect = (reason: string): void => {
    if (!handle) return;
    try {
      handle.close();
    } catch {
      // Already gone with the device.
    }
    handle = undefined;
    openPath = undefined;
    resetRead();
    decodeKeys = createKeyboardReportDecoder();
    logger.log('warn', 'card-reader.disconnected', { reason });
    options.onConnectionChange?.(false);
  };

  const scan = (): void => {
    let found: HidDeviceInfo | undefined;
    try {
      found = hid
        .devices()
        .find(
          (device) =>
            device.vendorId === options.vendorId &&
            device.productId === options.productId &&
            typeof device.path === 'string',
        );
    } catch {
      found = undefined;
    }
    if (handle) {
      if (!found || found.path !== openPath) disconnect('unplugged');
      else return;
    }
    if (!found?.path) return;
    try {
      const opened = new hid.HID(found.path);
      handle = opened;
      openPath = found.path;
      opened.on('data', onReport);
      opened.on('error', () => {
        if (handle === opened) disconnect('device-error');
      });
      logger.log('info', 'card-reader.connected', {
        vendorId: options.vendorId,
        productId: options.productId,
      });
      options.onConnectionChange?.(true);
    } catch (error) {
      logger.log('warn', 'card-reader.open-failed', {
        code: (error as NodeJS.ErrnoException).code ?? 'open-failed',
      });
    }
  };

  const schedule = (): void => {
    if (!running) return;
    pollTimer = clock.setTimeout(() => {
      scan();
      schedule();
    }, pollMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      scan();
      schedule();
    },
    stop() {
      running = false;
      if (pollTimer !== undefined) clock.clearTimeout(pollTimer);
      pollTimer = undefined;
      disconnect('stopped');
    },
    isConnected: () => handle !== undefined,
  };
}
