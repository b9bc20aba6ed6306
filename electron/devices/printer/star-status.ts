import type { ParsedStatus } from './printer-status';

/**
 * Star printers' automatic status (ASB), as Star's "STAR Line Mode Command Specifications" and
 * "StarPRNT Command Specifications" define it (Appendix: Automatic Status). `ESC ACK SOH`
 * (1B 06 01) asks for it in real time, in both command modes; the printer answers with 7 to 31
 * bytes: header 1 (its own length, bits 1-3 and 5-6; bit 0 set), header 2 (ASB version), then
 * printer status 1..n. Bits 0 and 4 are clear in every byte but header 1 (bit 0 set); bit 7 is
 * clear except in header 2, where it flags an extended block.
 *
 * - status 1 (3rd byte): bit 6 offline by switch, bit 5 cover open, bit 3 offline, bit 1 ETB
 *   executed
 * - status 2 (4th): bit 6 stopped by head temperature, bit 5 unrecoverable error, bit 3 cutter
 *   error, bit 2 mechanical error
 * - status 3 (5th): bit 6 receive buffer overflow, bit 3 black mark error, bit 2 presenter
 *   paper jam, bit 1 head up
 * - status 4 (6th): bit 3 receipt paper end, bit 2 receipt paper near end
 * - status 6 (8th, ASB version 3 and later): the ETB counter (bits 1-3, 5-6), which the `ETB`
 *   command (0x17) raises by one when the printer reaches it in the job: how a job's completion
 *   is confirmed.
 */
export const starStatusRequest = Uint8Array.of(0x1b, 0x06, 0x01);
/** ETB: counted by the printer when it has processed everything sent before it. */
export const starEndOfJob = Uint8Array.of(0x17);

/** The 5-bit number Star spreads over bits 1-3 and 5-6 (ASB length, version, ETB counter). */
export function starSpreadNumber(byte: number): number {
  return ((byte >> 1) & 0x07) | ((byte >> 2) & 0x18);
}

export interface StarAsb {
  bytes: Uint8Array;
  status: ParsedStatus;
  /** The ETB counter (0-31); absent before ASB version 3 (fewer than 8 bytes). */
  etbCounter?: number;
  etbExecuted: boolean;
}

export type StarAsbResult =
  | { ok: true; asb: StarAsb; rest: Uint8Array }
  | { ok: false; reason: 'incomplete' | 'bad-header' | 'bad-byte'; at?: number };

const isHeader1 = (byte: number): boolean => (byte & 0x91) === 0x01;
const isStatusByte = (byte: number): boolean => (byte & 0x91) === 0x00;

/**
 * Reads the last complete ASB from what the printer sent (an ASB it pushed by itself may come
 * first). Anything that is not an ASB is refused, not guessed at.
 */
export function parseStarAsb(received: Uint8Array): StarAsbResult {
  let start = -1;
  for (let i = 0; i < received.length; i += 1) {
    const byte = received[i] ?? 0;
    if (!isHeader1(byte)) continue;
    const length = starSpreadNumber(byte);
    if (length >= 7 && i + length <= received.length) start = i;
  }
  if (start < 0) {
    const first = received[0];
    if (first === undefined) return { ok: false, reason: 'incomplete' };
    if (!isHeader1(first)) return { ok: false, reason: 'bad-header', at: 0 };
    return { ok: false, reason: 'incomplete' };
  }
  const length = starSpreadNumber(received[start] ?? 0);
  const bytes = received.slice(start, start + length);
  for (let i = 1; i < bytes.length; i += 1) {
    const byte = bytes[i] ?? 0xff;
    // Header 2 may set bit 7 ("ASB status expansion"); every status byte has it clear.
    const ok = i === 1 ? (byte & 0x11) === 0 : isStatusByte(byte);
    if (!ok) return { ok: false, reason: 'bad-byte', at: start + i };
  }
  const bit = (index: number, n: number): boolean => ((bytes[index] ?? 0) & (1 << n)) !== 0;
  const flags: ParsedStatus['flags'] = {
    offline: bit(2, 3) || bit(2, 6),
    coverOpen: bit(2, 5) || bit(4, 1),
    paperFeedButton: false,
    paperEndStop: false,
    errorOccurred: bit(4, 2) || bit(4, 3),
    recoverableError: bit(3, 6),
    autocutterError: bit(3, 3),
    unrecoverableError: bit(3, 5) || bit(3, 2),
    autoRecoverableError: bit(3, 6),
    paperNearEnd: bit(5, 2),
    paperEnd: bit(5, 3),
  };
  let status: ParsedStatus;
  if (flags.coverOpen) status = { state: 'cover-open', flags };
  else if (flags.paperEnd) status = { state: 'paper-out', flags };
  else if (flags.unrecoverableError)
    status = { state: 'offline', detail: 'unrecoverable-error', flags };
  else if (flags.autocutterError) status = { state: 'offline', detail: 'autocutter-error', flags };
  else if (flags.recoverableError) status = { state: 'offline', detail: 'head-temperature', flags };
  else if (flags.errorOccurred) status = { state: 'offline', detail: 'recoverable-error', flags };
  else if (flags.offline) status = { state: 'offline', detail: 'printer-offline', flags };
  else if (flags.paperNearEnd) status = { state: 'paper-low', flags };
  else status = { state: 'online', flags };
  const asb: StarAsb = { bytes, status, etbExecuted: bit(2, 1) };
  if (bytes.length >= 8) asb.etbCounter = starSpreadNumber(bytes[7] ?? 0);
  return { ok: true, asb, rest: received.slice(start + length) };
}
