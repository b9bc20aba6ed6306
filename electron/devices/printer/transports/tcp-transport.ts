import net from 'node:net';
import { DeviceError } from '../../device-runtime';
import { createSerialRunner } from './transport';
import type { PrinterLink, PrinterTransport } from './transport';

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** How long to wait for the connection and for the printer to take the bytes. */
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
 * One TCP connection as a `PrinterLink`. The printer closing or resetting the connection marks
 * the link lost at once; a write the OS refuses after that rejects with `link-lost`.
 */
function socketLink(socket: net.Socket, label: string, timeoutMs: number): PrinterLink {
  const received: number[] = [];
  let lostReason: string | undefined;
  let wake: (() => void) | undefined;
  const markLost = (reason: string): void => {
    lostReason ??= reason;
    wake?.();
  };
  socket.on('data', (chunk: Buffer) => {
    received.push(...chunk);
    wake?.();
  });
  socket.on('end', () => markLost('closed by printer'));
  socket.on('close', () => markLost('closed'));
  socket.on('error', (error: NodeJS.ErrnoException) => markLost(error.code ?? error.message));
  return {
    lost: () => lostReason !== undefined,
    send: (bytes) =>
      new Promise<void>((resolve, reject) => {
        const fail = (reason: string): void =>
          reject(
            new DeviceError('link-lost', `${label}: ${reason}`, {
              bytesSent: Math.max(0, socket.bytesWritten - before),
            }),
          );
        const before = socket.bytesWritten;
        if (lostReason !== undefined) {
          fail(lostReason);
          return;
        }
        const timer = setTimeout(() => {
          socket.destroy();
          fail('printer did not take the data');
        }, timeoutMs);
        socket.write(bytes, (error) => {
          clearTimeout(timer);
          if (error) fail((error as NodeJS.ErrnoException).code ?? error.message);
          else resolve();
        });
      }),
    receive: (enough, waitMs) =>
      new Promise<Uint8Array>((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          wake = undefined;
          resolve(Uint8Array.from(received.splice(0)));
        };
        const check = (): void => {
          if (lostReason !== undefined || enough(Uint8Array.from(received))) finish();
        };
        const timer = setTimeout(finish, waitMs);
        wake = check;
        check();
      }),
  };
}

/**
 * Raw TCP ("port 9100"). One connection per job or status check: many printers accept only one
 * client at a time, so holding a connection open would lock out the status poll and other tools.
 */
export function createTcpTransport(options: TcpTransportOptions): PrinterTransport {
  const { host, port } = options;
  const label = `tcp ${host}:${port}`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const serial = createSerialRunner();
  const converse = <T>(talk: (link: PrinterLink) => Promise<T>): Promise<T> =>
    serial(async () => {
      const socket = await connect(host, port, timeoutMs);
      try {
        return await talk(socketLink(socket, label, timeoutMs));
      } finally {
        // End rather than destroy: a reset could drop bytes the OS has not sent yet.
        socket.end();
        socket.setTimeout(timeoutMs, () => socket.destroy());
        socket.unref();
      }
    });
  return {
    description: label,
    write: (job) => converse((link) => link.send(job)),
    converse,
  };
}
