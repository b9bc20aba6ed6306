import type { PrinterState } from '../../../sync/bridge/device-payloads';

/**
 * Real-time status (`DLE EOT n`, n = 1..4). The printer answers each request with one byte even
 * when it is offline or its buffer is full, which is why it is the status query kiosks use.
 * Every reply byte has bits 0 and 7 clear and bits 1 and 4 set; anything else is not a status
 * byte (a stale job echo, line noise) and is refused instead of being guessed at.
 */
export const statusRequests = {
  printer: Uint8Array.of(0x10, 0x04, 1),
  offlineCause: Uint8Array.of(0x10, 0x04, 2),
  errorCause: Uint8Array.of(0x10, 0x04, 3),
  paperSensor: Uint8Array.of(0x10, 0x04, 4),
} as const;

export type StatusReplies = {
  printer: number | null;
  offlineCause: number | null;
  errorCause: number | null;
  paperSensor: number | null;
};

export interface ParsedStatus {
  state: Exclude<PrinterState, 'unknown'>;
  detail?: string;
  flags: {
    offline: boolean;
    coverOpen: boolean;
    paperFeedButton: boolean;
    paperEndStop: boolean;
    errorOccurred: boolean;
    recoverableError: boolean;
    autocutterError: boolean;
    unrecoverableError: boolean;
    autoRecoverableError: boolean;
    paperNearEnd: boolean;
    paperEnd: boolean;
  };
}

export function isStatusByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff && (value & 0x93) === 0x12;
}

const bit = (value: number | null, n: number): boolean =>
  value !== null && (value & (1 << n)) !== 0;

/**
 * Turns the four replies into one state for the operator, most urgent first: no answer or a
 * hardware error means offline; then cover open, paper out, paper low; else online.
 */
export function parsePrinterStatus(replies: StatusReplies): ParsedStatus {
  for (const [name, value] of Object.entries(replies)) {
    if (value !== null && !isStatusByte(value)) {
      return {
        state: 'offline',
        detail: `bad-status-byte:${name}:0x${value.toString(16).padStart(2, '0')}`,
        flags: parseFlags({
          printer: null,
          offlineCause: null,
          errorCause: null,
          paperSensor: null,
        }),
      };
    }
  }
  const flags = parseFlags(replies);
  if (replies.printer === null) return { state: 'offline', detail: 'no-reply', flags };
  if (flags.coverOpen) return { state: 'cover-open', flags };
  if (flags.paperEnd || flags.paperEndStop) return { state: 'paper-out', flags };
  if (flags.unrecoverableError) return { state: 'offline', detail: 'unrecoverable-error', flags };
  if (flags.autocutterError) return { state: 'offline', detail: 'autocutter-error', flags };
  if (flags.recoverableError || flags.errorOccurred) {
    return { state: 'offline', detail: 'recoverable-error', flags };
  }
  if (flags.offline) return { state: 'offline', detail: 'printer-offline', flags };
  if (flags.paperNearEnd) return { state: 'paper-low', flags };
  return { state: 'online', flags };
}

function parseFlags(replies: StatusReplies): ParsedStatus['flags'] {
  const { printer, offlineCause, errorCause, paperSensor } = replies;
  return {
    offline: bit(printer, 3),
    coverOpen: bit(offlineCause, 2),
    paperFeedButton: bit(offlineCause, 3),
    paperEndStop: bit(offlineCause, 5),
    errorOccurred: bit(offlineCause, 6),
    recoverableError: bit(errorCause, 2),
    autocutterError: bit(errorCause, 3),
    unrecoverableError: bit(errorCause, 5),
    autoRecoverableError: bit(errorCause, 6),
    // Near-end and end are each reported on two bits (one per sensor); either one counts.
    paperNearEnd: bit(paperSensor, 2) || bit(paperSensor, 3),
    paperEnd: bit(paperSensor, 5) || bit(paperSensor, 6),
  };
}
