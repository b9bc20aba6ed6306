import net from 'node:net';
import { DeviceError } from '../../device-runtime';
import { createSerialRunner } from './transport';
import type { PrinterTransport } from './transport';

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** How long to wait for the connection and for the printer to take the job. */
  timeoutMs?: number;
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DeviceError('transport-timeout', `tcp ${host}:${port}: no connection`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DeviceError('transport-failed', `tcp ${host}:${port}: ${error.code ?? error.message}`),
      );
    });
  });
}

/**
 * Raw TCP ("port 9100"). One connection per job or status check: many printers accept only one
 * client at a time, so holding a connection open would lock out the status poll and other tools.
 */
export function createTcpTransport(options: TcpTransportOptions): PrinterTransport {
  const { host, port } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const serial = createSerialRunner();
  return {
    description: `tcp ${host}:${port}`,
    write: (job) =>
      serial(async () => {
        const socket = await connect(host, port, timeoutMs);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new DeviceError('transport-timeout', `tcp ${host}:${port}: job not taken`));
          }, timeoutMs);
          socket.once('error', (error: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            reject(
              new DeviceError(
                'transport-failed',
                `tcp ${host}:${port}: ${error.code ?? error.message}`,
              ),
            );
          });
          // Done once the whole job is handed to the OS: waiting for the printer to close too
          // would turn a slow printer into a "failed" job that is then printed a second time.
          socket.end(job, () => {
            clearTimeout(timer);
            resolve();
          });
          socket.resume();
          socket.setTimeout(timeoutMs, () => socket.destroy());
        });
      }),
    exchange: (requests, replyTimeoutMs) =>
      serial(async () => {
        const socket = await connect(host, port, timeoutMs);
        const received: number[] = [];
        let waiter: (() => void) | undefined;
        socket.on('data', (chunk: Buffer) => {
          received.push(...chunk);
          waiter?.();
        });
        socket.on('error', () => waiter?.());
        const replies: Array<number | null> = [];
        try {
          for (const request of requests) {
            socket.write(request);
            const reply = await new Promise<number | null>((resolve) => {
              const take = (): boolean => {
                if (received.length === 0) return false;
                clearTimeout(timer);
                waiter = undefined;
                resolve(received.shift() ?? null);
                return true;
              };
              const timer = setTimeout(() => {
                waiter = undefined;
                resolve(null);
              }, replyTimeoutMs);
              waiter = () => void take();
              take();
            });
            replies.push(reply);
            // A printer that did not answer once will not answer the rest either.
            if (reply === null) break;
          }
        } finally {
          socket.destroy();
        }
        while (replies.length < requests.length) replies.push(null);
        return replies;
      }),
  };
}
