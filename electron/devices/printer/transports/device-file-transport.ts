import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../../device-runtime';
import { createSerialRunner } from './transport';
import type { PrinterLink, PrinterTransport } from './transport';

export interface DeviceFileTransportOptions {
  /** `/dev/usb/lp0` (usblp) or a serial port such as `/dev/ttyUSB0`. */
  device: string;
  label?: string;
  /** Runs once before the first use (the serial transport sets the line speed here). */
  prepare?: () => Promise<void>;
}

function failure(device: string, error: unknown): DeviceError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DeviceError('transport-failed', `${device}: ${code}`, { cause: error });
}

/** How long a printer may refuse more data (buffer full, paper being loaded) before the link counts as lost. */
const sendStallMs = 30_000;

/** An open device file as a `PrinterLink`: writes until all is taken, reads without blocking. */
function fileLink(handle: FileHandle, device: string): PrinterLink {
  let lost = false;
  const received: number[] = [];
  const buffer = Buffer.alloc(64);
  const readAvailable = async (): Promise<void> => {
    try {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      received.push(...buffer.subarray(0, bytesRead));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') lost = true;
    }
  };
  return {
    lost: () => lost,
    async send(bytes) {
      let offset = 0;
      let stalledSince = Date.now();
      while (offset < bytes.length) {
        try {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
          offset += bytesWritten;
          stalledSince = Date.now();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          // A full printer buffer (non-blocking write) is waited out, up to a point.
          if (code === 'EAGAIN' && Date.now() - stalledSince < sendStallMs) {
            await sleep(10);
            continue;
          }
          lost = true;
          throw new DeviceError('link-lost', `${device}: ${code}`, {
            cause: error,
            bytesSent: offset,
          });
        }
      }
    },
    async receive(enough, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await readAvailable();
        if (lost || enough(Uint8Array.from(received)) || Date.now() >= deadline) break;
        await sleep(10);
      }
      return Uint8Array.from(received.splice(0));
    },
  };
}

/**
 * A printer that is a character device: USB printer class (`usblp`) or a serial port. Replies are
 * read without blocking (O_NONBLOCK) so a silent printer cannot hang a libuv thread.
 */
export function createDeviceFileTransport(options: DeviceFileTransportOptions): PrinterTransport {
  const { device } = options;
  const serial = createSerialRunner();
  let prepared = false;
  const prepare = async (): Promise<void> => {
    if (prepared || !options.prepare) return;
    await options.prepare();
    prepared = true;
  };
  const converse = <T>(talk: (link: PrinterLink) => Promise<T>): Promise<T> =>
    serial(async () => {
      await prepare();
      let handle: FileHandle;
      try {
        handle = await open(device, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
      } catch (error) {
        // An unplugged printer has no device file: nothing was sent.
        throw failure(device, error);
      }
      try {
        return await talk(fileLink(handle, device));
      } finally {
        await handle.close();
      }
    });
  return {
    description: `${options.label ?? 'device'} ${device}`,
    write: (job) =>
      serial(async () => {
        await prepare();
        let handle;
        try {
          handle = await open(device, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY);
        } catch (error) {
          throw failure(device, error);
        }
        try {
          let offset = 0;
          while (offset < job.length) {
            const { bytesWritten } = await handle.write(job, offset, job.length - offset);
            offset += bytesWritten;
          }
        } catch (error) {
          throw failure(device, error);
        } finally {
          await handle.close();
        }
      }),
    converse,
  };
}
