import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import type { Browser } from 'playwright';
import { chromiumPath, testChromiumArgs } from '../support/chromium-args';

const here = fileURLToPath(new URL('.', import.meta.url));

export const chromiumArgs = [...testChromiumArgs];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...extraArgs],
  });
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [`${here}browser/${entry}`],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  return result.outputFiles[0]?.text ?? '';
}

export interface BenchPageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the bench page and the Workbox baseline's service worker on 127.0.0.1. */
export async function startBenchPageServer(): Promise<BenchPageServer> {
  const [page, worker] = await Promise.all([bundle('bench-page.ts'), bundle('workbox-sw.ts')]);
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head>' +
    '<body><script src="/bench.js"></script></body></html>';
  const server: Server = createServer((request, response) => {
    const send = (type: string, body: string): void => {
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.url === '/bench.js') send('text/javascript', page);
    else if (request.url === '/workbox-sw.js') send('text/javascript', worker);
    else send('text/html', html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
