import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright';
import { createBridgeRouter } from '../../sync/bridge/router';
import { startBrowserShellHost } from '../../electron/browser-shell/host';
import { createFileKeyCustody } from '../../electron/services/key-custody';
import { createKioskServices } from '../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../electron/services/load-config';
import type { BenchApi, LatencyAtDepth } from './browser/bench-page';
import { startBenchGateway } from './gateway';

type WithBench = { bench: BenchApi };

/** Commit latency in Chromium (real IndexedDB) at each queue depth, both durabilities. */
export async function measureCommitLatency(
  browser: Browser,
  pageUrl: string,
  depths: number[],
  samples: number,
): Promise<LatencyAtDepth[]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${pageUrl}/commit.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  const result = await page.evaluate(
    (o) => (window as unknown as WithBench).bench.commitLatency(o),
    { kioskId: `bench-commit-${Date.now()}`, depths, samples },
  );
  await context.close();
  return result;
}

export interface HeapResult {
  sessionsA: number;
  sessionsB: number;
  heapA: number;
  heapB: number;
  growth: number;
}

/** JS heap (after forced GC) after `a` sessions and after `b` sessions in the same page. */
export async function measureHeap(
  browser: Browser,
  pageUrl: string,
  a: number,
  b: number,
): Promise<HeapResult> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${pageUrl}/memory.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  const cdp = await context.newCDPSession(page);
  const kioskId = `bench-heap-${Date.now()}`;
  const heap = async (): Promise<number> => {
    for (let i = 0; i < 3; i += 1) await cdp.send('HeapProfiler.collectGarbage');
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return usage.usedSize;
  };
  const run = (from: number, count: number): Promise<unknown> =>
    page.evaluate((o) => (window as unknown as WithBench).bench.runSessions(o), {
      kioskId,
      from,
      count,
    });
  await run(0, a);
  const heapA = await heap();
  await run(a, b - a);
  const heapB = await heap();
  await context.close();
  return { sessionsA: a, sessionsB: b, heapA, heapB, growth: heapB - heapA };
}

export interface StartupResult {
  runs: number[];
  medianMs: number;
  initialJsGzipBytes: number;
  initialJsFiles: string[];
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const builtRenderer = path.join(root, 'dist', 'renderer');

/**
 * Builds the renderer (unless `build` is false) and copies the build to a private directory:
 * other test runs on this machine rebuild `dist/renderer` at any moment, emptying it first.
 */
export function privateRendererCopy(build: boolean): string {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (build) {
      execFileSync(
        'npx',
        ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
    }
    const copy = mkdtempSync(path.join(tmpdir(), 'sp-bench-renderer-'));
    try {
      cpSync(builtRenderer, copy, { recursive: true });
      if (existsSync(path.join(copy, 'index.html'))) return copy;
    } catch {
      // the build was being replaced while we copied it: build again
    }
    rmSync(copy, { recursive: true, force: true });
  }
  throw new Error('could not get a complete renderer build (dist/renderer kept changing)');
}

/** The JS the first screen needs: index.html's module scripts and module preloads, gzip'd. */
export function initialJsSize(rendererDir: string): { bytes: number; files: string[] } {
  const html = readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const match of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) files.add(match[1] ?? '');
  for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) {
    files.add(match[1] ?? '');
  }
  let bytes = 0;
  for (const file of files) {
    bytes += gzipSync(readFileSync(path.join(rendererDir, file.replace(/^\.?\//, '')))).length;
  }
  return { bytes, files: [...files] };
}

/**
 * Start-up: the browser shell host serves the built renderer; each run is a fresh browser
 * context (no HTTP cache, no service worker) navigating to the kiosk page, timed from navigation
 * start to the first interactive screen (`document.body.dataset.ready === 'true'`).
 */
export async function measureStartup(
  browser: Browser,
  runs: number,
  rendererDir: string,
): Promise<StartupResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-bench-startup-'));
  const config = loadKioskConfig();
  const gateway = await startBenchGateway({
    dataDir,
    host: '127.0.0.1',
    tokens: [{ kioskId: config.site.kioskId, token: 'bench-startup' }],
  });
  const services = createKioskServices({
    config,
    shell: 'browser',
    appVersion: 'bench',
    gatewayUrl: gateway.url,
    enrolmentToken: 'bench-startup',
    simulatedDevices: ['printer', 'card-reader'],
    keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
  });
  const host = await startBrowserShellHost({
    rendererDir,
    router: createBridgeRouter(services),
    connectSources: [gateway.url],
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(() => {
        const observer = new MutationObserver(() => {
          if (document.body?.dataset.ready === 'true') {
            (window as unknown as { readyAt: number }).readyAt = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document, {
          attributes: true,
          subtree: true,
          attributeFilter: ['data-ready'],
        });
      });
      await page.goto(`${host.url}#bridge-token=${host.token}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, {
        timeout: 30_000,
      });
      times.push(await page.evaluate(() => (window as unknown as { readyAt: number }).readyAt));
      await context.close();
    }
  } finally {
    await host.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((x, y) => x - y);
  const size = initialJsSize(rendererDir);
  return {
    runs: times,
    medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    initialJsGzipBytes: size.bytes,
    initialJsFiles: size.files,
  };
}
