import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { BridgeRouter } from '../../sync/bridge/router';
import { contentSecurityPolicy } from './content-security-policy';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Browser features the kiosk page never uses: off, with no prompt. */
export const permissionsPolicy = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'display-capture=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'bluetooth=()',
  'midi=()',
  'payment=()',
  'idle-detection=()',
  'clipboard-read=()',
  'publickey-credentials-get=()',
  'window-management=()',
  'local-fonts=()',
].join(', ');

/** Text types the build precompresses (renderer/vite.config.ts writes `.br` and `.gz` beside). */
const compressibleTypes = /^(text\/|application\/(json|manifest\+json)|image\/svg\+xml)/;

/**
 * The encoding to answer with, from the request's Accept-Encoding (RFC 9110, 12.5.3): brotli
 * when accepted, else gzip, else none; `q=0` refuses an encoding, `*` accepts any not named.
 */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    // A weight that does not parse counts as a refusal.
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const weight = (name: string): number => weights.get(name) ?? weights.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return undefined;
}

const callSchema = z.object({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  request: z.unknown().optional(),
});

export interface BrowserShellHost {
  url: string;
  token: string;
  server: Server;
  /** Pushes an event to every connected page. */
  emit(event: string, payload: unknown): void;
  close(): Promise<void>;
}

export interface BrowserShellHostOptions {
  rendererDir: string;
  router: BridgeRouter;
  port?: number;
  /** Origins the page may call besides itself (the gateway), for the CSP. */
  connectSources?: string[];
  token?: string;
  /** Told when a page has connected with the token (the launch page can then be deleted). */
  onPageConnected?: () => void;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The browser shell's host: serves the built renderer on 127.0.0.1 and the bridge router over a
 * WebSocket that only accepts connections carrying this launch's token from the same origin.
 */
export async function startBrowserShellHost(
  options: BrowserShellHostOptions,
): Promise<BrowserShellHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = path.resolve(options.rendererDir);
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`renderer not built: ${path.join(root, 'index.html')} is missing`);
  }
  const csp = contentSecurityPolicy(options.connectSources ?? []);

  const serveFile = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      // Malformed percent-encoding: a bad request, never an exception that ends the host.
      response.writeHead(400).end();
      return;
    }
    let file = path.resolve(root, `.${pathname}`);
    if (!file.startsWith(root + path.sep) && file !== root) {
      response.writeHead(403).end();
      return;
    }
    const isFile = (candidate: string): boolean => {
      try {
        return statSync(candidate).isFile();
      } catch {
        return false;
      }
    };
    if (!isFile(file)) {
      // Single-page app: unknown paths get the shell; missing assets get 404.
      if (path.extname(file)) {
        response.writeHead(404).end();
        return;
      }
      file = path.join(root, 'index.html');
    }
    const type = mimeTypes[path.extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control':
        file.endsWith('index.html') || file.endsWith('sw.js')
          ? 'no-cache'
          : 'public, max-age=31536000, immutable',
    };
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = csp;
      // Powerful features are switched off for the page, so a prompt can never appear on a
      // kiosk screen (Chromium in --kiosk mode would otherwise show permission bubbles).
      headers['permissions-policy'] = permissionsPolicy;
    }
    // Text files go out precompressed when the build made a smaller copy and the browser takes
    // it; caches are told the answer depends on Accept-Encoding.
    let served = file;
    if (compressibleTypes.test(type)) {
      headers.vary = 'Accept-Encoding';
      const encoding = chooseEncoding(request.headers['accept-encoding']);
      const suffix = encoding === 'br' ? '.br' : encoding === 'gzip' ? '.gz' : undefined;
      if (encoding && suffix && isFile(`${file}${suffix}`)) {
        served = `${file}${suffix}`;
        headers['content-encoding'] = encoding;
      }
    }
    // The file may vanish between the check and the read (a rebuild): answer 404, stay up.
    const stream = createReadStream(served);
    stream.once('open', () => {
      response.writeHead(200, headers);
      stream.pipe(response);
    });
    stream.once('error', () => {
      if (response.headersSent) response.destroy();
      else response.writeHead(404).end();
    });
  };

  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    serveFile(request, response);
  });
  const sockets = new Set<WebSocket>();
  let connections = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const address = server.address() as AddressInfo;
    const origin = request.headers.origin;
    const allowedOrigins = [`http://127.0.0.1:${address.port}`, `http://localhost:${address.port}`];
    const offered = url.searchParams.get('token') ?? '';
    if (
      url.pathname !== '/bridge' ||
      !sameToken(offered, token) ||
      !origin ||
      !allowedOrigins.includes(origin)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      // One connection is one page load: the page opens one socket and a reload closes it.
      connections += 1;
      const caller = { page: `connection ${connections}`, alive: () => ws.readyState === ws.OPEN };
      options.onPageConnected?.();
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let raw: unknown;
        try {
          raw = JSON.parse(String(data));
        } catch {
          raw = undefined;
        }
        const parsed = callSchema.safeParse(raw);
        if (!parsed.success) {
          // Answer the caller's id when there is one, so its promise does not hang.
          const id = (raw as { id?: unknown } | undefined)?.id;
          const reply = { ok: false, error: { code: 'bad-request', message: 'malformed call' } };
          ws.send(JSON.stringify({ id: typeof id === 'number' ? id : -1, reply }));
          return;
        }
        const call = parsed.data;
        void options.router.handle(call.channel, call.request, caller).then((reply) => {
          ws.send(JSON.stringify({ id: call.id, reply }));
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    server,
    emit(event, payload) {
      const message = JSON.stringify({ event, payload });
      for (const ws of sockets) ws.send(message);
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The host is going away: keep-alive sockets, and those a browser opens ahead of a request
      // it may never send (preconnect), go now; close() alone waits for them to time out, up to
      // a minute (Node's headersTimeout), and a kiosk stopping would hang that long.
      server.closeAllConnections();
      await closed;
    },
  };
}
