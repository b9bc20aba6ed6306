import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A port held by this process until the server that will use it is ready, with the connections
 * made to it meanwhile kept waiting, unread (never refused), for that server.
 */
export interface PortReservation {
  port: number;
  /** Stops listening (frees the port for the real server); held connections stay held. */
  release(): Promise<void>;
  /** Gives every held connection to `server` (listening now) as if it had just connected. */
  handOver(server: Server): void;
  /** Closes every held connection (the real server did not start). */
  dropHeld(): void;
}

/**
 * Binds `host:port` at once, so a busy port is refused before anything else starts (the kiosk
 * window, a gateway that takes a second to load), and keeps it until `release`. A client that
 * connects meanwhile (the kiosk page probing its gateway) is held, its request unread
 * (`pauseOnConnect`), and answered by the real server once it is handed over: the page sees a
 * slow first reply instead of a refused connection. Rejects with the listen error (`EADDRINUSE`,
 * `EACCES`), to be worded by `listenError`.
 */
export function reservePort(host: string, port: number): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    let held: Socket[] = [];
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      held.push(socket);
      socket.once('close', () => (held = held.filter((s) => s !== socket)));
    });
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      let released: Promise<void> | undefined;
      resolve({
        port: address && typeof address === 'object' ? address.port : port,
        release() {
          // Not close()'s callback: that waits for every connection the reservation took,
          // including the held ones, which only the real server will answer.
          released ??= new Promise((done) => {
            server.close();
            setImmediate(done);
          });
          return released;
        },
        handOver(target) {
          for (const socket of held.splice(0)) {
            socket.removeAllListeners('close');
            target.emit('connection', socket);
            socket.resume();
          }
        },
        dropHeld() {
          for (const socket of held.splice(0)) socket.destroy();
        },
      });
    });
  });
}
