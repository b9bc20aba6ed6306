/**
 * What every device service is given instead of reaching for globals: a clock it can be tested
 * with, a structured logger, and coded errors. The shapes match the main process's `Clock` and
 * `ShellLogger`, so the shells pass theirs straight in.
 */
export interface DeviceClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type DeviceLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Card data must never be passed to a logger: log codes, kinds and counts only. */
export interface DeviceLogger {
  log(level: DeviceLogLevel, event: string, detail?: Record<string, unknown>): void;
}

export const systemDeviceClock: DeviceClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Polls and retries must not keep the process alive once the kiosk decides to quit.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const silentDeviceLogger: DeviceLogger = { log: () => undefined };

export type DeviceErrorCode =
  | 'fonts-missing'
  | 'transport-failed'
  | 'transport-timeout'
  | 'cups-failed'
  | 'serial-setup-failed'
  | 'render-failed'
  | 'bad-status-byte'
  | 'queue-file-corrupt'
  | 'unknown-job'
  | 'already-created'
  /** The printer or cable dropped the connection while it was in use. */
  | 'link-lost'
  /** A job's connection broke part-way: some of it may have printed. */
  | 'job-interrupted'
  /** All of a job was sent but the printer never confirmed it printed it. */
  | 'job-unconfirmed';

export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  /** For `link-lost` / `job-interrupted`: how many bytes the connection took before it broke. */
  readonly bytesSent?: number;
  constructor(
    code: DeviceErrorCode,
    message: string,
    options?: { cause?: unknown; bytesSent?: number },
  ) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
    if (options?.bytesSent !== undefined) this.bytesSent = options.bytesSent;
  }
}

/** A job whose outcome only a person can decide: it may or may not have printed. */
export function isUncertainOutcome(error: unknown): boolean {
  return (
    error instanceof DeviceError &&
    (error.code === 'job-interrupted' || error.code === 'job-unconfirmed')
  );
}
