import { spawn } from 'node:child_process';
import { DeviceError } from '../../device-runtime';
import { createSerialRunner } from './transport';
import type { PrinterTransport } from './transport';

export interface CupsTransportOptions {
  queue: string;
  /** `lp` from cups-client; injectable so tests can stand in for a CUPS server. */
  lpCommand?: string;
  timeoutMs?: number;
}

/**
 * A CUPS queue with `-o raw`, so CUPS passes the ESC/POS bytes through untouched. CUPS gives no
 * real-time status back, so this transport has no `exchange`: the status reads "unknown".
 */
export function createCupsTransport(options: CupsTransportOptions): PrinterTransport {
  const lp = options.lpCommand ?? 'lp';
  const serial = createSerialRunner();
  return {
    description: `cups ${options.queue}`,
    write: (job) =>
      serial(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(lp, ['-d', options.queue, '-o', 'raw', '-t', 'receipt', '-'], {
              stdio: ['pipe', 'ignore', 'pipe'],
              timeout: options.timeoutMs ?? 15_000,
            });
            let stderr = '';
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (chunk: string) => {
              stderr = (stderr + chunk).slice(-500);
            });
            child.once('error', (error: NodeJS.ErrnoException) => {
              reject(
                new DeviceError(
                  'cups-failed',
                  `cups ${options.queue}: ${error.code ?? error.message}`,
                ),
              );
            });
            child.once('close', (code, signal) => {
              if (code === 0) resolve();
              else {
                reject(
                  new DeviceError(
                    'cups-failed',
                    `cups ${options.queue}: lp ${signal ? `killed (${signal})` : `exited ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`,
                  ),
                );
              }
            });
            child.stdin.on('error', () => undefined);
            child.stdin.end(job);
          }),
      ),
  };
}
