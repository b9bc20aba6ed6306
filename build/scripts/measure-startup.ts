// Up in seconds: measures, side by side in one run, a git ref (default `main`; `none` for this
// tree alone) against this working tree:
//   - cold `npm start` to the first usable screen (the page's `data-ready`), with nothing changed
//     since the last start: a fresh process tree each time (npm, the launcher, the embedded
//     gateway, the build check, Chromium and the page), in kiosk mode (`--kiosk`, the screen
//     measured, the managed policy written, but into a private folder: nothing machine-wide) on a
//     real X server (Xvfb), read through Chromium's DevTools port; with its timeline, step by step
//     (the launcher's SERVICE_POINT_TRACE lines and the page's Navigation Timing), medians;
//   - the page's JS before the first screen: gzip -9 size of every script fetched before it (the
//     figure the issue names) and the bytes that went over the wire for them;
//   - navigation to the first interactive screen in the browser shell, fresh browser context
//     (no HTTP cache, no service worker), median of several runs.
// Usage: npx tsx build/scripts/measure-startup.ts [--before main|none] [--runs 5] [--page-runs 5]
//        [--display :90] [--ports 4980] [--windowed] [--no-page]
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
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import type { Browser } from 'playwright';
import WebSocket from 'ws';
import { chromiumPath, testChromiumArgs } from '../../tests/support/chromium-args';

const here = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    before: { type: 'string', default: 'main' },
    runs: { type: 'string', default: '5' },
    'page-runs': { type: 'string', default: '5' },
    display: { type: 'string', default: ':90' },
    ports: { type: 'string', default: '4980' },
    // A normal window instead of --kiosk (no screen measurement, no policy written).
    windowed: { type: 'boolean', default: false },
    // Only the starts: no page figures (initial JS, first interactive).
    'no-page': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const pageRuns = Number(values['page-runs']);
const basePort = Number(values.ports);
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
  /** When each line arrived (epoch ms), by index. */
  arrivals: number[];
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
  const arrivals: number[] = [];
  const take = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      arrivals.push(Date.now());
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    arrivals,
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

/** One start: its time to the first screen and its steps, each in ms from the spawn. */
interface TimedStart {
  ms: number;
  timeline: Record<string, number>;
}

/**
 * The page's own steps from its Navigation Timing (its origin is when Chromium began to
 * navigate from the launch page to the kiosk page) and Paint Timing, as epoch ms. It waits (up
 * to 10 s) for the first contentful paint: the page draws nothing before its first screen
 * (renderer/main.tsx renders once the runtime is up), so that paint is the first screen reaching
 * the display, which can come well after \`data-ready\` on a loaded machine.
 */
const pageTimingExpression = `(async () => {
  const origin = performance.timeOrigin;
  const firstPaint = () => performance.getEntriesByName('first-contentful-paint')[0];
  await new Promise((resolve) => {
    if (firstPaint()) return resolve();
    const observer = new PerformanceObserver(() => firstPaint() && resolve());
    observer.observe({ type: 'paint', buffered: true });
    setTimeout(resolve, 10000);
  });
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = firstPaint();
  const at = (ms) => (ms > 0 ? origin + ms : undefined);
  return {
    'page navigation started': origin,
    'page service worker started': nav ? at(nav.workerStart) : undefined,
    'page html received': nav ? at(nav.responseEnd) : undefined,
    'page scripts run (DOMContentLoaded)': nav ? at(nav.domContentLoadedEventEnd) : undefined,
    'page first paint': paint ? at(paint.startTime) : undefined,
    'page served by service worker': navigator.serviceWorker?.controller ? 1 : 0,
  };
})().then(JSON.stringify)`;

/**
 * One `npm start` on the X display, timed from the spawn to the page's first screen
 * (`document.body.dataset.ready === 'true'`), read over DevTools every 25 ms. Each start is a
 * fresh process tree (npm, node, Chromium), stopped with its whole group afterwards.
 */
async function timedStart(
  tree: Tree,
  dataDir: string,
  ports: number[],
  options: { settle?: boolean } = {},
): Promise<TimedStart> {
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
    SERVICE_POINT_TRACE: '1',
    // The policy is written as at a site, but into the data folder, never machine-wide.
    SERVICE_POINT_POLICY_DIR: path.join(dataDir, 'policy'),
    ...(values.windowed ? { SERVICE_POINT_WINDOWED: '1' } : {}),
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
        if (ready === 'true') {
          const readySeen = Date.now() - started;
          const timeline: Record<string, number> = {};
          kiosk.lines.forEach((line, index) => {
            const trace = /\[service-point\] trace (\d+) (.+)$/.exec(line);
            if (trace) timeline[trace[2] ?? ''] ??= Number(trace[1]) - started;
            else if (timeline['first line printed'] === undefined) {
              timeline['first line printed'] = (kiosk.arrivals[index] ?? started) - started;
            }
          });
          const reply = (await call(
            'Runtime.evaluate',
            { expression: pageTimingExpression, returnByValue: true, awaitPromise: true },
            sessionId,
          )) as { result?: { value?: unknown } };
          const page = JSON.parse(String(reply.result?.value ?? '{}')) as Record<string, number>;
          for (const [step, at] of Object.entries(page)) {
            if (typeof at !== 'number') continue;
            timeline[step] = step === 'page served by service worker' ? at : at - started;
          }
          timeline['page first screen (data-ready seen)'] = readySeen;
          // On the display: its first paint, when that came after data-ready was seen.
          const ms = Math.round(Math.max(readySeen, timeline['page first paint'] ?? readySeen));
          timeline['first usable screen on the display'] = ms;
          if (options.settle) {
            // A kiosk that has run: its service worker installed (once the kiosk is quiet after
            // its first screen), so the next starts load the page as a site's kiosk does.
            await call(
              'Runtime.evaluate',
              {
                expression:
                  'Promise.race([navigator.serviceWorker.ready.then(() => true), ' +
                  'new Promise((r) => setTimeout(() => r(false), 30000))])',
                awaitPromise: true,
                returnByValue: true,
              },
              sessionId,
            );
          }
          return { ms, timeline };
        }
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
  /** Each step's median over the starts, ms from the spawn of `npm start`. */
  timeline: Array<{ step: string; medianMs: number; runs: number }>;
  page?: PageFigures;
}

/** Each step's median over the runs, in the order of those medians. */
function medianTimeline(starts: TimedStart[]): TreeFigures['timeline'] {
  const steps = new Map<string, number[]>();
  for (const start of starts) {
    for (const [step, at] of Object.entries(start.timeline)) {
      steps.set(step, [...(steps.get(step) ?? []), at]);
    }
  }
  return [...steps]
    .map(([step, at]) => ({ step, medianMs: median(at), runs: at.length }))
    .sort((a, b) => a.medianMs - b.medianMs);
}

/** The load averages over 1, 5 and 15 minutes (the machine is shared: figures move with them). */
function loadAverage(): string {
  return `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/**
 * Every tree's starts, interleaved (before, after, before, after …) so that the machine's load,
 * which moves over minutes, weighs on both alike; then each tree's page figures.
 */
async function measureTrees(trees: Tree[], browser: Browser | undefined): Promise<TreeFigures[]> {
  const slots = trees.map((tree, slot) => ({
    tree,
    ports: [0, 1, 2].map((i) => basePort + slot * 3 + i),
    dataDir: mkdtempSync(path.join(tmpdir(), 'sp-measure-data-')),
    firstStartMs: NaN,
    starts: [] as TimedStart[],
  }));
  try {
    for (const slot of slots) {
      log(`${slot.tree.label}: first start (builds what it needs)`);
      slot.firstStartMs = (
        await timedStart(slot.tree, slot.dataDir, slot.ports, { settle: true })
      ).ms;
    }
    for (let i = 0; i < runs; i += 1) {
      for (const slot of slots) {
        const start = await timedStart(slot.tree, slot.dataDir, slot.ports);
        slot.starts.push(start);
        log(
          `${slot.tree.label}: start ${i + 1}/${runs}, nothing changed since the last: ` +
            `${start.ms} ms (${loadAverage()})`,
        );
      }
    }
    const figures: TreeFigures[] = [];
    for (const slot of slots) {
      const tree: TreeFigures = {
        label: slot.tree.label,
        firstStartMs: slot.firstStartMs,
        startsMs: slot.starts.map((start) => start.ms),
        timeline: medianTimeline(slot.starts),
      };
      if (browser) {
        log(`${slot.tree.label}: the page, ${pageRuns} fresh browser contexts`);
        tree.page = await measurePage(
          slot.tree,
          browser,
          path.join(slot.dataDir, 'page'),
          slot.ports,
        );
      }
      figures.push(tree);
    }
    return figures;
  } finally {
    for (const slot of slots) rmSync(slot.dataDir, { recursive: true, force: true });
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
  const before = values.before === 'none' ? undefined : checkoutRef(values.before);
  const after: Tree = { label: 'after (this tree)', root: here };
  const browser = values['no-page']
    ? undefined
    : await chromium.launch({
        executablePath: chromiumPath,
        args: [...testChromiumArgs],
      });
  const loadBefore = loadAverage();
  let results: TreeFigures[];
  try {
    results = await measureTrees(before ? [before, after] : [after], browser);
  } finally {
    await browser?.close();
    xvfb?.kill('SIGTERM');
    if (before) rmSync(before.root, { recursive: true, force: true });
  }
  const loadAfter = loadAverage();
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (pick: (tree: TreeFigures) => number | undefined): string => {
    const [b, a] = results.map(pick);
    return results.length === 2 && b !== undefined && a !== undefined
      ? `${(b / a).toFixed(2)}×`
      : '';
  };
  type Row = [string, (tree: TreeFigures) => number | undefined, (n: number) => string, string];
  const figures: Row[] = [
    ['npm start → first screen, nothing changed (median)', (t) => median(t.startsMs), s, '≤ 5 s'],
    ['npm start → first screen, first start in a fresh data dir', (t) => t.firstStartMs, s, ''],
    ['initial JS before the first screen, gzip -9', (t) => t.page?.initialJsGzip, kb, '≤ 120 KB'],
    ['initial JS over the wire (Resource Timing)', (t) => t.page?.initialJsWire, kb, ''],
    ['all JS in the build, gzip -9', (t) => t.page?.allJsGzip, kb, ''],
    [
      'navigation → first interactive screen, browser shell (median)',
      (t) => (t.page ? median(t.page.firstInteractiveMs) : undefined),
      (n) => `${Math.round(n)} ms`,
      '≤ 1 s',
    ],
  ];
  const header = ['figure', ...results.map((r) => r.label), ...(before ? ['ratio'] : []), 'target'];
  const rows = figures
    .filter(([, pick]) => results.every((r) => pick(r) !== undefined))
    .map(([name, pick, show, target]) => [
      name,
      ...results.map((r) => show(pick(r) ?? NaN)),
      ...(before ? [ratio(pick)] : []),
      target,
    ]);
  // The timeline: each step's median time from the spawn of `npm start`, per tree.
  const steps = [...new Set(results.flatMap((r) => r.timeline.map((t) => t.step)))];
  const at = (tree: TreeFigures, step: string): number | undefined =>
    tree.timeline.find((t) => t.step === step)?.medianMs;
  const order = (step: string): number => at(results.at(-1) as TreeFigures, step) ?? Infinity;
  steps.sort((x, y) => order(x) - order(y));
  const timelineRows = steps.map((step) => [
    step,
    ...results.map((r) => {
      const ms = at(r, step);
      return ms === undefined
        ? '—'
        : step.includes('served by')
          ? String(ms)
          : `${Math.round(ms)} ms`;
    }),
  ]);
  const table = (head: string[], body: string[][]): void => {
    const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i]?.length ?? 0)));
    const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    console.log('');
    console.log(line(head));
    for (const r of body) console.log(line(r));
  };
  table(header, rows);
  table(['step (median, from the npm start spawn)', ...results.map((r) => r.label)], timelineRows);
  console.log('');
  for (const r of results) console.log(`starts (ms), ${r.label}: ${r.startsMs.join(', ')}`);
  for (const r of results) {
    if (r.page) {
      console.log(
        `first interactive (ms), ${r.label}: ${r.page.firstInteractiveMs.map(Math.round).join(', ')}`,
      );
    }
  }
  const last = results.at(-1);
  if (last?.page) console.log(`initial scripts after: ${last.page.initialJsFiles.join(', ')}`);
  console.log(`${loadBefore} before the run, ${loadAfter} after (1, 5, 15 minutes)`);
  const resultsDir = path.join(here, 'tests', 'artifacts');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    path.join(resultsDir, 'startup.json'),
    `${JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        load: { before: loadBefore, after: loadAfter },
        mode: values.windowed ? 'windowed' : 'kiosk',
        ...(results.length === 2
          ? { before: results[0], after: results[1] }
          : { after: results[0] }),
      },
      null,
      1,
    )}\n`,
  );
  const left = policiesLeft().filter((file) => !policiesBefore.includes(file));
  if (left.length > 0) throw new Error(`managed policies left behind: ${left.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`[measure-startup] ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
