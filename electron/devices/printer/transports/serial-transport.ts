import { execFile } from 'node:child_process';
import { DeviceError } from '../../device-runtime';
import { createDeviceFileTransport } from './device-file-transport';
import type { PrinterTransport } from './transport';

export interface SerialTransportOptions {
  device: string;
  baudRate: number;
  /** `stty` from coreutils; injectable for tests. */
  sttyCommand?: string;
}

/**
 * A serial receipt printer. The port is set to raw 8N1 at the configured speed with `stty`
 * (always present on Linux) so no native serial library is needed; the rest is a device file.
 */
export function createSerialTransport(options: SerialTransportOptions): PrinterTransport {
  const stty = options.sttyCommand ?? 'stty';
  return createDeviceFileTransport({
    device: options.device,
    label: 'serial',
    prepare: () =>
      new Promise<void>((resolve, reject) => {
        execFile(
          stty,
          [
            '-F',
            options.device,
            String(options.baudRate),
            'cs8',
            '-cstopb',
            '-parenb',
            'raw',
            '-echo',
          ],
          { timeout: 5000 },
          (error, _stdout, stderr) => {
            if (error) {
              reject(
                new DeviceError(
                  'serial-setup-failed',
                  `serial ${options.device}: cannot set ${options.baudRate} baud (${String(stderr).trim() || error.message})`,
                ),
              );
            } else resolve();
          },
        );
      }),
  });
}
