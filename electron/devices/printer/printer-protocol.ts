import { DeviceError } from '../device-runtime';
import type { PrinterFamily } from './printer-models';
import { parsePrinterStatus, statusRequests } from './printer-status';
import type { ParsedStatus } from './printer-status';
import { parseStarAsb, starEndOfJob, starStatusRequest } from './star-status';
import type { PrinterLink } from './transports/transport';

/**
 * How one printer family is asked for its status and how it confirms a job, over a `PrinterLink`.
 * Epson ESC/POS: real-time `DLE EOT n` (one byte each) for status; `GS r 1` after the job, which
 * the printer answers only when it has processed everything before it. Star (StarPRNT and Star
 * Line mode): `ESC ACK SOH` for the automatic status block; `ETB` after the job, whose counter in
 * the status block goes up once the printer has processed the job.
 */
export interface PrinterProtocol {
  readonly family: PrinterFamily;
  /** Asks for the status; `null` state details when the printer did not answer in time. */
  readStatus(link: PrinterLink, timeoutMs: number): Promise<ParsedStatus>;
  /**
   * Sends a job and waits for the printer to confirm it. Throws `job-interrupted` when the link
   * broke during or after the job (some of it may have printed) and `job-unconfirmed` when the
   * job went out whole but no confirmation came: in both cases only a person can tell.
   */
  sendJob(link: PrinterLink, job: Uint8Array, confirmTimeoutMs: number): Promise<void>;
}

const noReply = (): ParsedStatus =>
  parsePrinterStatus({ printer: null, offlineCause: null, errorCause: null, paperSensor: null });

function interrupted(error: unknown, jobLength: number): DeviceError {
  const sent = error instanceof DeviceError ? error.bytesSent : undefined;
  return new DeviceError(
    'job-interrupted',
    `the connection broke after ${sent ?? 'some'} of ${jobLength} bytes`,
    { cause: error, ...(sent !== undefined ? { bytesSent: sent } : {}) },
  );
}

/** `GS r 1`: paper sensor status, transmitted when the printer reaches it in the data. */
export const escPosProcessedRequest = Uint8Array.of(0x1d, 0x72, 0x01);
/** A `GS r` reply has bits 4 and 7 clear (a `DLE EOT` reply has bit 4 set). */
const isTransmitStatusReply = (byte: number): boolean => (byte & 0x90) === 0;

export const escPosProtocol: PrinterProtocol = {
  family: 'esc-pos',
  async readStatus(link, timeoutMs) {
    const requests = [
      statusRequests.printer,
      statusRequests.offlineCause,
      statusRequests.errorCause,
      statusRequests.paperSensor,
    ];
    const replies: Array<number | null> = [];
    for (const request of requests) {
      try {
        await link.send(request);
      } catch {
        break;
      }
      const reply = await link.receive((bytes) => bytes.length >= 1, timeoutMs);
      const byte = reply[reply.length - 1];
      replies.push(byte ?? null);
      // A printer that did not answer once will not answer the rest either.
      if (byte === undefined) break;
    }
    if (replies.length === 0 || replies[0] === null) return noReply();
    return parsePrinterStatus({
      printer: replies[0] ?? null,
      offlineCause: replies[1] ?? null,
      errorCause: replies[2] ?? null,
      paperSensor: replies[3] ?? null,
    });
  },
  async sendJob(link, job, confirmTimeoutMs) {
    try {
      await link.send(job);
      await link.send(escPosProcessedRequest);
    } catch (error) {
      throw interrupted(error, job.length);
    }
    const reply = await link.receive(
      (bytes) => bytes.some((byte) => isTransmitStatusReply(byte)),
      confirmTimeoutMs,
    );
    if ([...reply].some((byte) => isTransmitStatusReply(byte))) return;
    if (link.lost()) throw interrupted(undefined, job.length);
    throw new DeviceError(
      'job-unconfirmed',
      `the printer took all ${job.length} bytes but did not confirm it printed them`,
    );
  },
};

async function readAsb(link: PrinterLink, timeoutMs: number) {
  await link.send(starStatusRequest);
  const received = await link.receive((bytes) => parseStarAsb(bytes).ok, timeoutMs);
  return parseStarAsb(received);
}

export const starProtocol: PrinterProtocol = {
  family: 'star',
  async readStatus(link, timeoutMs) {
    let result;
    try {
      result = await readAsb(link, timeoutMs);
    } catch {
      return noReply();
    }
    if (result.ok) return result.asb.status;
    if (result.reason === 'incomplete') return noReply();
    const status = noReply();
    return { ...status, detail: `bad-status-bytes:asb-${result.reason}` };
  },
  async sendJob(link, job, confirmTimeoutMs) {
    let before;
    try {
      before = await readAsb(link, Math.min(confirmTimeoutMs, 2000));
      await link.send(job);
      await link.send(starEndOfJob);
    } catch (error) {
      throw interrupted(error, job.length);
    }
    const counterBefore = before.ok ? before.asb.etbCounter : undefined;
    const deadline = Date.now() + confirmTimeoutMs;
    while (Date.now() < deadline && !link.lost()) {
      let after;
      try {
        after = await readAsb(link, Math.max(1, Math.min(1000, deadline - Date.now())));
      } catch (error) {
        throw interrupted(error, job.length);
      }
      if (after.ok) {
        const { etbCounter, etbExecuted } = after.asb;
        if (etbCounter !== undefined && counterBefore !== undefined) {
          if (etbCounter !== counterBefore) return;
        } else if (etbExecuted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (link.lost()) throw interrupted(undefined, job.length);
    throw new DeviceError(
      'job-unconfirmed',
      `the printer took all ${job.length} bytes but did not count the job's end (ETB)`,
    );
  },
};

export function protocolFor(family: PrinterFamily): PrinterProtocol {
  return family === 'star' ? starProtocol : escPosProtocol;
}
