import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does to one request. Faults model a bad rural link and a crashing gateway:
 * - `pass`: forward and relay the reply.
 * - `delay`: wait, then pass (with a short client timeout this also aborts a committed request).
 * - `drop`: close the client's connection without forwarding anything.
 * - `reset-request`: forward half of the request body, then reset both connections.
 * - `reset-reply`: forward, relay the reply's headers and half its body, then reset.
 * - `truncate`: forward, relay headers (full Content-Length) and half the body, then close cleanly.
 * - `status`: answer 500 or 503 (with Retry-After) without forwarding.
 * - `lose-reply`: forward, let the gateway commit and answer, then reset the client: the reply is lost.
 * - `kill-after-commit`: like `lose-reply`, but first kill the gateway (`onKill`): a crash after
 *   commit and before the reply reached the kiosk.
 * - `kill-before-commit`: kill the gateway before the request reaches it, then reset the client.
 * - `kill-during`: forward, and kill the gateway `ms` later, wherever its ingest has got to.
 * - `kill-mid-reply`: relay the reply's headers and half its body, kill the gateway, reset.
 * - `corrupt`: relay the reply with some of its bytes flipped (same length).
 * - `slow`: relay the reply `chunkBytes` at a time, one chunk every `everyMs`.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'reset-request' }
  | { kind: 'reset-reply' }
  | { kind: 'truncate' }
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 504; retryAfter?: string }
  | { kind: 'lose-reply' }
  | { kind: 'kill-after-commit' }
  | { kind: 'kill-before-commit' }
  | { kind: 'kill-during'; ms: number }
  | { kind: 'kill-mid-reply' }
  | { kind: 'corrupt' }
  | { kind: 'slow'; chunkBytes: number; everyMs: number };

export interface ProxiedRequest {
  method: string;
  url: string;
  /** 0-based count of requests this proxy has seen. */
  index: number;
}

export interface FaultProxyOptions {
  /** Where the gateway listens, e.g. `http://127.0.0.1:8787`. */
  upstream: string;
  /** Chooses the fault for each request; `pass` when absent. */
  decide?: (request: ProxiedRequest) => Fault;
  /** Kills the gateway for `kill-after-commit`; resolves once it is dead. */
  onKill?: () => Promise<void>;
}

export interface FaultProxy {
  url: string;
  /** Every request with the fault applied to it, in order. */
  readonly log: Array<ProxiedRequest & { fault: Fault['kind'] }>;
  setDecide(decide: (request: ProxiedRequest) => Fault): void;
  close(): Promise<void>;
}

interface UpstreamReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function reset(socket: Socket | null | undefined): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** An HTTP fault-injecting proxy on 127.0.0.1 in front of the gateway. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let decide = options.decide ?? ((): Fault => ({ kind: 'pass' }));
  const upstream = new URL(options.upstream);
  const log: FaultProxy['log'] = [];
  let index = 0;
  const sockets = new Set<Socket>();

  const forward = (
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    partial: boolean,
  ): Promise<UpstreamReply> =>
    new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path: url,
          headers: { ...headers, host: upstream.host, connection: 'close' },
          agent: false,
        },
        (response) => {
          readAll(response)
            .then((replyBody) =>
              resolve({
                status: response.statusCode ?? 502,
                headers: response.headers,
                body: replyBody,
              }),
            )
            .catch(reject);
        },
      );
      outgoing.on('error', reject);
      if (partial) {
        outgoing.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => {
          outgoing.destroy();
          reject(new Error('request reset by the fault proxy'));
        }, 5);
        return;
      }
      outgoing.end(body);
    });

  const relayHeaders = (reply: UpstreamReply): Record<string, string | string[]> => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      if (value !== undefined && !hopByHop.has(name)) out[name] = value;
    }
    out['content-length'] = String(reply.body.length);
    return out;
  };

  const server = http.createServer((req, res) => {
    const request: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', index };
    index += 1;
    const fault = decide(request);
    log.push({ ...request, fault: fault.kind });
    void (async () => {
      const body = await readAll(req);
      switch (fault.kind) {
        case 'drop':
          reset(req.socket);
          return;
        case 'status':
          res.writeHead(fault.status, {
            'content-type': 'application/json',
            ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
          });
          res.end(JSON.stringify({ error: 'injected', message: `fault proxy ${fault.status}` }));
          return;
        case 'reset-request':
          await forward(request.method, request.url, req.headers, body, true).catch(
            () => undefined,
          );
          reset(req.socket);
          return;
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
        case 'kill-before-commit':
          await options.onKill?.();
          reset(req.socket);
          return;
        case 'kill-during':
          setTimeout(() => void options.onKill?.(), fault.ms);
          break;
        default:
          break;
      }
      let reply: UpstreamReply;
      try {
        reply = await forward(request.method, request.url, req.headers, body, false);
      } catch {
        // The gateway is down: the kiosk sees a broken connection, as on a real link.
        reset(req.socket);
        return;
      }
      if (res.destroyed || req.socket.destroyed) return;
      switch (fault.kind) {
        case 'kill-after-commit':
          await options.onKill?.();
          reset(req.socket);
          return;
        case 'lose-reply':
          reset(req.socket);
          return;
        case 'reset-reply':
          res.writeHead(reply.status, relayHeaders(reply));
          res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () =>
            reset(req.socket),
          );
          return;
        case 'kill-mid-reply':
          res.writeHead(reply.status, relayHeaders(reply));
          res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => {
            void (options.onKill?.() ?? Promise.resolve()).then(() => reset(req.socket));
          });
          return;
        case 'corrupt': {
          const body = Buffer.from(reply.body);
          for (let i = 0; i < body.length; i += 7) body[i] = (body[i] ?? 0) ^ 0x5a;
          res.writeHead(reply.status, relayHeaders(reply));
          res.end(body);
          return;
        }
        case 'slow': {
          res.writeHead(reply.status, relayHeaders(reply));
          for (let at = 0; at < reply.body.length; at += fault.chunkBytes) {
            if (res.destroyed) return;
            res.write(reply.body.subarray(at, at + fault.chunkBytes));
            await new Promise((resolve) => setTimeout(resolve, fault.everyMs));
          }
          res.end();
          return;
        }
        case 'truncate':
          res.writeHead(reply.status, relayHeaders(reply));
          res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () =>
            req.socket.end(),
          );
          return;
        default:
          res.writeHead(reply.status, relayHeaders(reply));
          res.end(reply.body);
      }
    })().catch(() => reset(req.socket));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setDecide(next) {
      decide = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
