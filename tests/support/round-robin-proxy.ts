import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** How many requests went to each upstream, in the order given. */
  readonly counts: number[];
  /** Every request: method, path and the upstream index it went to. */
  readonly log: Array<{ method: string; url: string; upstream: number }>;
  close(): Promise<void>;
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * A load balancer as plain as they come, for tests: an HTTP proxy on 127.0.0.1 that sends each
 * request to the next upstream in turn (per request, not per connection, so a kiosk's
 * keep-alive connection still alternates), streaming bodies both ways and adding
 * `X-Forwarded-For`. An upstream that cannot be reached is answered 502, as a real balancer
 * would; nothing is retried here.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('a round-robin proxy needs an upstream');
  const counts = upstreams.map(() => 0);
  const log: RoundRobinProxy['log'] = [];
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  const server = http.createServer((request, response) => {
    const index = next;
    next = (next + 1) % upstreams.length;
    counts[index] = (counts[index] ?? 0) + 1;
    log.push({ method: request.method ?? 'GET', url: request.url ?? '/', upstream: index });
    const target = new URL(request.url ?? '/', upstreams[index]);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
    }
    headers.host = target.host;
    headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
    const upstream = http.request(target, { method: request.method, headers, agent }, (reply) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(reply.headers)) {
        if (!hopByHop.has(name) && value !== undefined) out[name] = value;
      }
      response.writeHead(reply.statusCode ?? 502, out);
      reply.pipe(response);
    });
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('upstream unreachable');
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    log,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
