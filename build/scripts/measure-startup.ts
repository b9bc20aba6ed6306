// Up in seconds: measures, side by side in one run, a git ref (default `main`) against this
// working tree:
//   - cold `npm start` to the first usable screen (the page's `data-ready`), with nothing changed
//     since the last start: the launcher, the embedded gateway, the build step, Chromium and the
//     page, on a real X server (Xvfb), read through Chromium's DevTools port;
//   - the page's JS before the first screen: gzip -9 size of every script fetched before it (the
//     figure the issue names) and the bytes that went over the wire for them;
//   - navigation to the first interactive screen in the browser shell, fresh browser context
//     (no HTTP cache, no service worker), median of several runs.
// Usage: npx tsx build/scripts/measure-startup.ts [--before main] [--runs 3] [--page-runs 5]
//        [--display :90] [--ports 4980]
// Timings depend on the machine and its load: read the ratios, never put them in a test.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import type { Browser } from 'playwright';
import WebSocket from 'ws';

const here = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    before: { type: 'string', default: 'main' },
    runs: { type: 'string', default: '3' },
    'page-runs': { type: 'string', default: '5' },
    display: { type: 'string', default: ':90' },
    ports: { type: 'string', default: '4980' },
  },
});
const runs = Number(values.runs);
const pageRuns = Number(values['page-runs']);
const basePort = Number(values.ports);
const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const log = (line: string): void => console.log(`[measure-startup] ${line}`);

interface Tree {
  label: string;
  root: string;
}

/** The `before` ref as a plain tree (git archive) sharing this tree's node_modules. */
function checkoutRef(ref: string): Tree {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-measure-before-'));
  execFileSync('bash', ['-c', `git -C "${here}" archive "${ref}" | tar -x -C "${root}"`]);
  symlinkSync(path.join(here, 'node_modules'), path.join(root, 'node_modules'));
  return { label: `before (${ref})`, root };
}

interface Started {
  child: ChildProcess;
  lines: string[];
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** `npm start` in its own process group, its output collected. */
function npmStart(tree: Tree, env: NodeJS.ProcessEnv): Started {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: tree.root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const take = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const line of lines) {
          const match = pattern.exec(line);
          if (match) return match;
        }
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `no line matching ${pattern} (exit ${String(child.exitCode)}):\n${lines.join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      try {
        process.kill(-(child.pid ?? 0), 'SIGTERM');
      } catch {
        return;
      }
      const killed = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), 15_000)),
      ]);
      if (killed) log('npm start did not stop within 15 s: killed');
      // Anything left in the group (a browser the launcher did not stop) goes too.
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // the group is gone
      }
      await exited;
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * A browser wrapper that opens Chromium's DevTools port, so the page can be watched. The kiosk
 * profile turns DevTools off (chromium-profile.ts); for the measurement only, the wrapper turns
 * them back on in the profile the launcher has just written, before Chromium reads it.
 */
function chromiumWithDevTools(dir: string, port: number): string {
  const file = path.join(dir, 'chromium-devtools.sh');
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      'for arg in "$@"; do case "$arg" in --user-data-dir=*) profile="${arg#--user-data-dir=}";; esac; done',
      'prefs="$profile/Default/Preferences"',
      '[ -f "$prefs" ] && sed -i \'s/"devtools":{"availability":2}/"devtools":{"availability":1}/\' "$prefs"',
      `exec "${chromiumPath}" --remote-debugging-port=${port} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

/**
 * One `npm start` on the X display, timed from the spawn to the page's first screen
 * (`document.body.dataset.ready === 'true'`), read over DevTools every 25 ms.
 */
async function timedStart(tree: Tree, dataDir: string, ports: number[]): Promise<number> {
  const [pagePort, gatewayPort, devtoolsPort] = ports as [number, number, number];
  const wrapper = chromiumWithDevTools(dataDir, devtoolsPort);
  const started = Date.now();
  const kiosk = npmStart(tree, {
    ...process.env,
    DISPLAY: values.display,
    SERVICE_POINT_PORT: String(pagePort),
    SERVICE_POINT_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    SERVICE_POINT_DATA_DIR: dataDir,
    SERVICE_POINT_SHELL: 'browser',
    // A window, not --kiosk: no machine-wide managed policy is installed for a measurement.
    SERVICE_POINT_WINDOWED: '1',
    SERVICE_POINT_POLICY_DIR: path.join(dataDir, 'policy'),
    CHROME_PATH: wrapper,
  });
  try {
    const pageUrl = (await kiosk.waitFor(/url: (http:\/\/127\.0\.0\.1:\d+\/)/, 120_000))[1] ?? '';
    const deadline = Date.now() + 120_000;
    const fail = (what: string): never => {
      throw new Error(`${what}:\n${kiosk.lines.join('\n')}`);
    };
    // The kiosk's page, from DevTools' target list (the launch page navigates to it).
    let target: string | undefined;
    while (!target) {
      if (Date.now() > deadline) fail('no kiosk page in DevTools');
      const list = (await fetch(`http://127.0.0.1:${devtoolsPort}/json/list`)
        .then((r) => r.json())
        .catch(() => [])) as Array<{ type: string; url: string; id: string }>;
      target = list.find((t) => t.type === 'page' && t.url.startsWith(pageUrl))?.id;
      if (!target) await new Promise((r) => setTimeout(r, 25));
    }
    const version = (await fetch(`http://127.0.0.1:${devtoolsPort}/json/version`).then((r) =>
      r.json(),
    )) as { webSocketDebuggerUrl: string };
    const devtools = new WebSocket(version.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      devtools.once('open', resolve);
      devtools.once('error', reject);
    });
    try {
      let id = 0;
      const call = (
        method: string,
        params: Record<string, unknown>,
        sessionId?: string,
      ): Promise<Record<string, unknown>> =>
        new Promise((resolve) => {
          id += 1;
          const mine = id;
          const onMessage = (data: Buffer): void => {
            const reply = JSON.parse(String(data)) as {
              id?: number;
              result?: Record<string, unknown>;
            };
            if (reply.id !== mine) return;
            devtools.off('message', onMessage);
            resolve(reply.result ?? {});
          };
          devtools.on('message', onMessage);
          devtools.send(
            JSON.stringify({ id: mine, method, params, ...(sessionId ? { sessionId } : {}) }),
          );
        });
      const { sessionId } = (await call('Target.attachToTarget', {
        targetId: target,
        flatten: true,
      })) as { sessionId: string };
      const readyState = async (): Promise<string> => {
        const reply = (await call(
          'Runtime.evaluate',
          { expression: "document.body?.dataset.ready ?? ''", returnByValue: true },
          sessionId,
        )) as { result?: { value?: unknown } };
        return String(reply.result?.value ?? '');
      };
      for (;;) {
        const ready = await readyState();
        if (ready === 'true') return Date.now() - started;
        if (ready === 'error') fail('the page showed its out-of-service screen');
        if (Date.now() > deadline) fail('no first screen');
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      devtools.close();
    }
  } finally {
    await kiosk.stop();
  }
}

interface PageFigures {
  firstInteractiveMs: number[];
  /** gzip -9 of the scripts fetched before the first screen. */
  initialJsGzip: number;
  /** Bytes over the wire for those scripts (Resource Timing transferSize, headers included). */
  initialJsWire: number;
  initialJsFiles: string[];
  /** Every script in the build, gzip -9 (what the page would fetch if it fetched everything). */
  allJsGzip: number;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** The page in fresh browser contexts against the tree's own browser shell host. */
async function measurePage(
  tree: Tree,
  browser: Browser,
  dataDir: string,
  ports: number[],
): Promise<PageFigures> {
  const [pagePort, gatewayPort] = ports as [number, number];
  const kiosk = npmStart(tree, {
    ...process.env,
    DISPLAY: '',
    SERVICE_POINT_PORT: String(pagePort),
    SERVICE_POINT_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    SERVICE_POINT_DATA_DIR: dataDir,
    SERVICE_POINT_SHELL: 'browser',
  });
  try {
    const url = (await kiosk.waitFor(/open this address in a browser[^:]*: (\S+)/, 180_000))[1];
    if (!url) throw new Error('no page address');
    const times: number[] = [];
    let scripts: Array<{ name: string; transferSize: number }> = [];
    for (let i = 0; i < pageRuns; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        const observer = new MutationObserver(() => {
          if (document.body?.dataset.ready === 'true') {
            (window as unknown as { readyAt: number }).readyAt = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document, { attributes: true, subtree: true });
      });
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, {
        timeout: 60_000,
      });
      const result = await page.evaluate(() => {
        const readyAt = (window as unknown as { readyAt: number }).readyAt;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        return {
          readyAt,
          scripts: resources
            .filter((r) => r.name.endsWith('.js') && r.responseEnd <= readyAt)
            .map((r) => ({ name: new URL(r.name).pathname, transferSize: r.transferSize })),
        };
      });
      times.push(result.readyAt);
      scripts = result.scripts;
      await context.close();
    }
    const dist = path.join(tree.root, 'dist', 'renderer');
    const gz = (file: string): number => gzipSync(readFileSync(file), { level: 9 }).length;
    return {
      firstInteractiveMs: times,
      initialJsGzip: scripts.reduce((sum, s) => sum + gz(path.join(dist, s.name)), 0),
      initialJsWire: scripts.reduce((sum, s) => sum + s.transferSize, 0),
      initialJsFiles: scripts.map((s) => s.name),
      allJsGzip: listFiles(path.join(dist, 'assets'))
        .filter((file) => file.endsWith('.js'))
        .reduce((sum, file) => sum + gz(file), 0),
    };
  } finally {
    await kiosk.stop();
  }
}

interface TreeFigures {
  label: string;
  firstStartMs: number;
  startsMs: number[];
  page: PageFigures;
}

async function measureTree(tree: Tree, browser: Browser, slot: number): Promise<TreeFigures> {
  const ports = [0, 1, 2].map((i) => basePort + slot * 3 + i);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-measure-data-'));
  try {
    log(`${tree.label}: first start (builds what it needs)`);
    const firstStartMs = await timedStart(tree, dataDir, ports);
    const startsMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      log(`${tree.label}: start ${i + 1}/${runs}, nothing changed since the last`);
      startsMs.push(await timedStart(tree, dataDir, ports));
    }
    log(`${tree.label}: the page, ${pageRuns} fresh browser contexts`);
    const page = await measurePage(tree, browser, path.join(dataDir, 'page'), ports);
    return { label: tree.label, firstStartMs, startsMs, page };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function policiesLeft(): string[] {
  const dir = '/etc/chromium/policies/managed';
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function main(): Promise<void> {
  const policiesBefore = policiesLeft();
  const xvfb = existsSync(`/tmp/.X11-unix/X${values.display.slice(1)}`)
    ? undefined
    : spawn('Xvfb', [values.display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
        stdio: 'ignore',
      });
  await new Promise((r) => setTimeout(r, xvfb ? 1000 : 0));
  const before = checkoutRef(values.before);
  const after: Tree = { label: 'after (this tree)', root: here };
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const results: TreeFigures[] = [];
  try {
    results.push(await measureTree(before, browser, 0));
    results.push(await measureTree(after, browser, 1));
  } finally {
    await browser.close();
    xvfb?.kill('SIGTERM');
    rmSync(before.root, { recursive: true, force: true });
  }
  const [b, a] = results as [TreeFigures, TreeFigures];
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const rows: Array<[string, string, string, string, string]> = [
    [
      'npm start → first screen, nothing changed (median)',
      s(median(b.startsMs)),
      s(median(a.startsMs)),
      `${(median(b.startsMs) / median(a.startsMs)).toFixed(2)}×`,
      '≤ 5 s',
    ],
    [
      'npm start → first screen, first start in a fresh data dir',
      s(b.firstStartMs),
      s(a.firstStartMs),
      `${(b.firstStartMs / a.firstStartMs).toFixed(2)}×`,
      '',
    ],
    [
      'initial JS before the first screen, gzip -9',
      kb(b.page.initialJsGzip),
      kb(a.page.initialJsGzip),
      `${(b.page.initialJsGzip / a.page.initialJsGzip).toFixed(2)}×`,
      '≤ 120 KB',
    ],
    [
      'initial JS over the wire (Resource Timing)',
      kb(b.page.initialJsWire),
      kb(a.page.initialJsWire),
      `${(b.page.initialJsWire / a.page.initialJsWire).toFixed(2)}×`,
      '',
    ],
    ['all JS in the build, gzip -9', kb(b.page.allJsGzip), kb(a.page.allJsGzip), '', ''],
    [
      'navigation → first interactive screen, browser shell (median)',
      `${Math.round(median(b.page.firstInteractiveMs))} ms`,
      `${Math.round(median(a.page.firstInteractiveMs))} ms`,
      `${(median(b.page.firstInteractiveMs) / median(a.page.firstInteractiveMs)).toFixed(2)}×`,
      '≤ 1 s',
    ],
  ];
  const widths = [0, 1, 2, 3, 4].map((i) =>
    Math.max(
      ...[['figure', b.label, a.label, 'ratio', 'target'], ...rows].map((r) => r[i]?.length ?? 0),
    ),
  );
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log('');
  console.log(line(['figure', b.label, a.label, 'ratio', 'target']));
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log(`starts (ms): before ${b.startsMs.join(', ')}; after ${a.startsMs.join(', ')}`);
  console.log(
    `first interactive (ms): before ${b.page.firstInteractiveMs.map(Math.round).join(', ')}; ` +
      `after ${a.page.firstInteractiveMs.map(Math.round).join(', ')}`,
  );
  console.log(`initial scripts after: ${a.page.initialJsFiles.join(', ')}`);
  const resultsDir = path.join(here, 'tests', 'artifacts');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    path.join(resultsDir, 'startup.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), before: b, after: a }, null, 1)}\n`,
  );
  const left = policiesLeft().filter((file) => !policiesBefore.includes(file));
  if (left.length > 0) throw new Error(`managed policies left behind: ${left.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`[measure-startup] ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
