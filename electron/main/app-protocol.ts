import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-origin';
import {
  OUT_OF_SERVICE_PATH,
  OUT_OF_SERVICE_STYLE_PATH,
  outOfServiceCss,
  outOfServiceHtml,
} from './out-of-service-page';

export { APP_ORIGIN, APP_SCHEME } from './app-origin';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

/** Must run before `ready`: app:// is standard, secure and may register a service worker. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        allowServiceWorkers: true,
      },
    },
  ]);
}

export interface AppProtocolOptions {
  /** The page's Content-Security-Policy, sent with every response (also set by onHeadersReceived). */
  contentSecurityPolicy?: string;
}

/** Serves the built renderer from `rootDir`; nothing outside it is reachable. */
export function registerAppProtocol(
  protocol: Pick<Protocol, 'handle'>,
  rootDir: string,
  options: AppProtocolOptions = {},
): void {
  const root = path.resolve(rootDir);
  const respond = (body: BodyInit | null, status: number, type?: string): Response => {
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (type) headers['content-type'] = type;
    if (options.contentSecurityPolicy)
      headers['content-security-policy'] = options.contentSecurityPolicy;
    return new Response(body, { status, headers });
  };
  protocol.handle(APP_SCHEME, async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return respond('bad request', 400);
    }
    if (url.hostname.toLowerCase() !== APP_HOST) return respond('not found', 404);
    if (url.pathname === OUT_OF_SERVICE_PATH) return respond(outOfServiceHtml, 200, types['.html']);
    if (url.pathname === OUT_OF_SERVICE_STYLE_PATH)
      return respond(outOfServiceCss, 200, types['.css']);
    let file: string;
    try {
      file = path.resolve(root, `.${decodeURIComponent(url.pathname)}`);
    } catch {
      return respond('bad request', 400);
    }
    if (file !== root && !file.startsWith(root + path.sep)) return respond('forbidden', 403);
    if (!path.extname(file)) file = path.join(root, 'index.html');
    try {
      const body = await readFile(file);
      return respond(body, 200, types[path.extname(file)] ?? 'application/octet-stream');
    } catch {
      return respond('not found', 404);
    }
  });
}
