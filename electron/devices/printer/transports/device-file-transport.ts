import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../../device-runtime';
import { createSerialRunner } from './transport';
import type { PrinterTransport } from './transport';

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

/**
 * A printer that is a character device: USB printer class (`usblp`) or a serial port. Jobs are
 * plain writes; status replies are read without blocking (O_NONBLOCK) so a silent printer cannot
 * hang a libuv thread.
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
    exchange: (requests, timeoutMs) =>
      serial(async () => {
        await prepare();
        let handle;
        try {
          handle = await open(device, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
        } catch {
          // A printer that was unplugged has no device file: that is "offline", not a crash.
          return requests.map(() => null);
        }
        const replies: Array<number | null> = [];
        const buffer = Buffer.alloc(16);
        try {
          for (const request of requests) {
            await handle.write(request);
            let reply: number | null = null;
            const deadline = Date.now() + timeoutMs;
            while (reply === null && Date.now() < deadline) {
              try {
                const { bytesRead } = await handle.read(buffer, 0, 1, null);
                if (bytesRead === 1) reply = buffer[0] ?? null;
                else await sleep(10);
              } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
                await sleep(10);
              }
            }
            replies.push(reply);
            if (reply === null) break;
          }
        } catch {
          // A write or read error on the device is the same as no answer.
        } finally {
          await handle.close();
        }
        while (replies.length < requests.length) replies.push(null);
        return replies;
      }),
  };
}
