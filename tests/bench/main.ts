import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  measureCommitLatency,
  measureHeap,
  measureStartup,
  privateRendererCopy,
} from './browser-benches';
import { launchChromium, startBenchPageServer } from './browser-page';
import { commitDataset } from './dataset';
import type { CommittedKiosk } from './dataset';
import { drainWithEngine, drainWithWorkbox, singleItemBodies } from './drain';
import type { DrainResult } from './drain';
import { formBytes, formSubmission } from './form-data';
import { measureWireBytes, wireFigures, wireSummary } from './wire-bytes';
import { startBenchGateway } from './gateway';
import { measureIngest } from './ingest';
import type { IngestResult } from './ingest';
import { createShapedNamespace, governmentLink, startLinkProxy } from './link';
import type { Shaper } from './link';
import { drainChart, table } from './report';
import type { Figure } from './report';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = path.join(root, 'tests', 'artifacts');

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    drain: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    'npm run bench [-- --quick] [-- --no-build]\n' +
      '  --quick     small sizes (a minute or two), for iterating\n' +
      '  --no-build  use the existing dist/renderer instead of building it\n' +
      '  --drain <n> / --baseline <n>  override the drain sizes (engine / Workbox sample)\n' +
      'Set DATABASE_URL to also measure gateway ingest on PostgreSQL.\n',
  );
  process.exit(0);
}
const quick = values.quick;
const sizes = quick
  ? {
      drain: 400,
      baseline: 100,
      depths: [0, 1000, 5000],
      samples: 100,
      heap: [10, 200] as const,
      startupRuns: 3,
      ingestBatch: 200,
    }
  : {
      drain: 10_000,
      baseline: 1_000,
      depths: [0, 10_000, 50_000],
      samples: 1000,
      heap: [10, 1000] as const,
      startupRuns: 7,
      ingestBatch: 500,
    };
if (values.drain) sizes.drain = Number(values.drain);
if (values.baseline) sizes.baseline = Number(values.baseline);

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const link = governmentLink;
  const bytesPerSecond = (link.rateKbit * 1000) / 8;
  const suffix = Math.random().toString(36).slice(2, 8);
  const engineKiosk = `bench-e-${suffix}`;
  const baselineKiosk = `bench-w-${suffix}`;
  const tokens = [
    { kioskId: engineKiosk, token: 'bench-engine' },
    { kioskId: baselineKiosk, token: 'bench-baseline' },
  ];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-bench-'));
  const figures: Figure[] = [];
  const cleanups: Array<() => Promise<void> | void> = [
    () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch {
        // best effort
      }
    }
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  // An error thrown outside the awaited chain (a stream's 'error' event) still removes the
  // network namespace and stops the gateways before the process ends.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench failed: ${error.stack ?? String(error)}\n`);
    void cleanup().then(() => process.exit(1));
  });

  try {
    // ---- 1. drain -------------------------------------------------------------------------
    const ns = createShapedNamespace(link);
    if (ns) cleanups.push(() => ns.teardown());
    const shaper: Shaper = ns ? 'tbf' : 'proxy-token-bucket';
    log(
      `link: ${link.rateKbit} kbit/s by ${shaper}, ${link.rttMs} ms RTT, ${link.resetRate * 100}% resets`,
    );
    const gateway = await startBenchGateway({
      dataDir: path.join(dataDir, 'drain-gateway'),
      host: ns ? ns.address : '127.0.0.1',
      tokens,
      ...(ns ? { prefix: ns.exec } : {}),
    });
    cleanups.push(() => gateway.stop());
    const proxy = await startLinkProxy({
      upstreamHost: gateway.host,
      upstreamPort: gateway.port,
      settings: link,
      tokenBucket: !ns,
      random: seeded(20_250_601),
    });
    cleanups.push(() => proxy.close());

    log(
      `committing ${sizes.drain} transactions (engine) and ${sizes.baseline} (baseline) through the real commit path`,
    );
    const engineData = await commitDataset(engineKiosk, sizes.drain);
    const baselineData = await commitDataset(baselineKiosk, sizes.baseline, {
      extractableKey: true,
    });
    const bodies = await singleItemBodies({
      kiosk: baselineData,
      gatewayUrl: gateway.url,
      token: 'bench-baseline',
      count: sizes.baseline,
    });

    log(`engine drain of ${sizes.drain}`);
    const engine = await drainWithEngine({
      kiosk: engineData,
      token: 'bench-engine',
      link: proxy,
      total: sizes.drain,
    });
    log(
      `engine: ${(engine.ms / 1000).toFixed(1)} s, ${engine.requests} requests, ${engine.resets} resets`,
    );

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const pageServer = await startBenchPageServer();
    cleanups.push(() => pageServer.close());
    log(`Workbox baseline drain of ${sizes.baseline}`);
    const baselinePage = await (await browser.newContext()).newPage();
    await baselinePage.goto(`${pageServer.url}/baseline.html`);
    await baselinePage.waitForFunction(() => document.body.dataset.ready === 'true');
    const baseline = await drainWithWorkbox({
      page: baselinePage,
      kiosk: baselineData,
      bodies,
      batchesUrl: `${proxy.url}/v1/kiosks/${baselineKiosk}/batches`,
      link: proxy,
    });
    log(
      `baseline: ${(baseline.ms / 1000).toFixed(1)} s, ${baseline.requests} requests, ${baseline.resets} resets`,
    );
    await baselinePage.context().close();
    await proxy.close();
    await gateway.stop();

    const perTx = (d: DrainResult): number => d.ms / d.transactions;
    const floorMs = (engine.up / bytesPerSecond) * 1000 + link.rttMs;
    const drainVsBaseline = perTx(baseline) / perTx(engine);
    const drainVsFloor = engine.ms / floorMs;
    const linkInfo = { link: { ...link, shaper } };
    const sampled = baseline.transactions < engine.transactions;
    figures.push(
      {
        id: 'drain.engine.time',
        label: `drain: engine, ${engine.transactions} tx`,
        value: engine.ms / 1000,
        unit: 's',
        ...linkInfo,
        transactions: engine.transactions,
        requests: engine.requests,
        connections: engine.connections,
        resets: engine.resets,
        failedAttempts: engine.failedAttempts,
        notes: 'SyncEngine in Node (fake-indexeddb, WebCrypto), renderer settings',
      },
      {
        id: 'drain.baseline.time',
        label: `drain: Workbox, ${baseline.transactions} tx${sampled ? ' (sample)' : ''}`,
        value: baseline.ms / 1000,
        unit: 's',
        ...linkInfo,
        transactions: baseline.transactions,
        requests: baseline.requests,
        connections: baseline.connections,
        resets: baseline.resets,
        failedAttempts: baseline.failedAttempts,
        projectedFullSeconds: (perTx(baseline) * engine.transactions) / 1000,
        notes:
          'workbox-background-sync Queue in a Chromium service worker, one single-item batch per tx',
      },
      {
        id: 'drain.floor.time',
        label: 'drain: link floor (engine bytes / rate + RTT)',
        value: floorMs / 1000,
        unit: 's',
        ...linkInfo,
      },
      {
        id: 'drain.engine.per-tx',
        label: 'drain: engine per tx',
        value: perTx(engine),
        unit: 'ms/tx',
        ...linkInfo,
      },
      {
        id: 'drain.baseline.per-tx',
        label: 'drain: Workbox per tx',
        value: perTx(baseline),
        unit: 'ms/tx',
        ...linkInfo,
      },
      {
        id: 'drain.engine.bytes-per-tx',
        label: 'wire: engine bytes per tx (up+down)',
        value: (engine.up + engine.down) / engine.transactions,
        unit: 'B/tx',
        up: engine.up / engine.transactions,
        down: engine.down / engine.transactions,
        ...linkInfo,
      },
      {
        id: 'drain.baseline.bytes-per-tx',
        label: 'wire: Workbox bytes per tx (up+down)',
        value: (baseline.up + baseline.down) / baseline.transactions,
        unit: 'B/tx',
        up: baseline.up / baseline.transactions,
        down: baseline.down / baseline.transactions,
        ...linkInfo,
      },
      {
        id: 'drain.vs-baseline',
        label: `drain: Workbox/engine time per tx${sampled ? ' (sample)' : ''}`,
        value: drainVsBaseline,
        unit: '×',
        target: '≥ 20×',
        met: drainVsBaseline >= 20,
        ...linkInfo,
      },
      {
        id: 'drain.vs-floor',
        label: 'drain: engine/floor',
        value: drainVsFloor,
        unit: '×',
        target: '≤ 1.3×',
        met: drainVsFloor <= 1.3,
        ...linkInfo,
      },
    );

    // ---- 3a. bytes per transaction: protocol v1 against v2, random and realistic data -------
    const wireCount = quick ? 200 : 1000;
    log(`wire bytes: protocol v1 against v2 on random and realistic data (${wireCount} tx each)`);
    const wireRuns = await measureWireBytes({ count: wireCount, link, log });
    figures.push(...wireFigures(wireRuns, link));

    // ---- 3. wire efficiency ------------------------------------------------------------------
    const payload = engine.payloadGzipBytes ?? NaN;
    const overhead = (engine.up + engine.down) / payload - 1;
    const overheadClean = (engine.up + engine.down - engine.wasted) / payload - 1;
    figures.push(
      {
        id: 'wire.overhead',
        label: 'wire: protocol bytes / gzip payload − 1',
        value: overhead * 100,
        unit: '%',
        target: '≤ 15%',
        met: overhead <= 0.15,
        protocolBytes: engine.up + engine.down,
        payloadGzipBytes: payload,
        notes:
          'engine drain, everything on the wire both ways (headers, replies, probes, heartbeat, bytes lost to resets)',
      },
      {
        id: 'wire.overhead-without-resets',
        label: 'wire: same, less bytes lost to resets',
        value: overheadClean * 100,
        unit: '%',
        wastedBytes: engine.wasted,
      },
    );

    // ---- 2, 5. commit latency and memory in Chromium ------------------------------------------
    log(`commit latency at depths ${sizes.depths.join(', ')} (${sizes.samples} samples each)`);
    const latency = await measureCommitLatency(
      browser,
      pageServer.url,
      sizes.depths,
      sizes.samples,
    );
    for (const row of latency) {
      figures.push({
        id: `commit.${row.durability}.depth-${row.depth}.p50`,
        label: `commit p50, ${row.durability}, depth ${row.depth}`,
        value: row.p50,
        unit: 'ms',
        samples: row.samples,
      });
      const isTarget = row.depth === sizes.depths[sizes.depths.length - 1];
      figures.push({
        id: `commit.${row.durability}.depth-${row.depth}.p99`,
        label: `commit p99, ${row.durability}, depth ${row.depth}`,
        value: row.p99,
        unit: 'ms',
        samples: row.samples,
        ...(isTarget ? { target: '≤ 20 ms', met: row.p99 <= 20 } : {}),
      });
    }
    log(`heap after ${sizes.heap[0]} and ${sizes.heap[1]} sessions`);
    const heap = await measureHeap(browser, pageServer.url, sizes.heap[0], sizes.heap[1]);
    figures.push(
      {
        id: 'memory.heap-a',
        label: `heap after ${heap.sessionsA} sessions`,
        value: heap.heapA / 1e6,
        unit: 'MB',
      },
      {
        id: 'memory.heap-b',
        label: `heap after ${heap.sessionsB} sessions`,
        value: heap.heapB / 1e6,
        unit: 'MB',
      },
      {
        id: 'memory.growth',
        label: `heap growth ${heap.sessionsA}→${heap.sessionsB} sessions`,
        value: heap.growth / 1e6,
        unit: 'MB',
        target: '≤ 5 MB',
        met: heap.growth <= 5e6,
        notes: 'session = reducer start→end, durable commit, receipt read-back of personal fields',
      },
    );

    // ---- 4. start-up and size ------------------------------------------------------------------
    log(values['no-build'] ? 'copying dist/renderer' : 'building the renderer (vite)');
    const rendererDir = privateRendererCopy(!values['no-build']);
    cleanups.push(() => rmSync(rendererDir, { recursive: true, force: true }));
    log(`start-up, ${sizes.startupRuns} cold navigations`);
    const startup = await measureStartup(browser, sizes.startupRuns, rendererDir);
    figures.push(
      {
        id: 'startup.first-interactive',
        label: 'start-up: navigation → first interactive (median)',
        value: startup.medianMs,
        unit: 'ms',
        target: '≤ 1500 ms',
        met: startup.medianMs <= 1500,
        runs: startup.runs,
      },
      {
        id: 'startup.initial-js',
        label: 'initial JS, gzip',
        value: startup.initialJsGzipBytes / 1024,
        unit: 'KiB',
        target: '≤ 250 KB',
        met: startup.initialJsGzipBytes <= 250 * 1000,
        files: startup.initialJsFiles,
      },
    );
    await browser.close();

    // ---- 6. gateway ingest -----------------------------------------------------------------------
    const ingestStores: Array<{ store: 'sqlite' | 'postgres'; databaseUrl?: string }> = [
      { store: 'sqlite' },
    ];
    if (process.env.DATABASE_URL)
      ingestStores.push({ store: 'postgres', databaseUrl: process.env.DATABASE_URL });
    const ingests: IngestResult[] = [];
    const perKiosk = quick ? 300 : 2_500;
    for (const target of ingestStores) {
      // Fresh kiosk ids (an unseen chain each) with the same form data as the drain.
      const ids = ['a', 'b', 'c'].map((k) => `bench-i-${target.store.slice(0, 2)}${k}-${suffix}`);
      const ingestGateway = await startBenchGateway({
        dataDir: path.join(dataDir, `ingest-${target.store}`),
        host: '127.0.0.1',
        tokens: ids.map((kioskId, i) => ({ kioskId, token: `bench-ingest-${suffix}-${i}` })),
        ...(target.databaseUrl ? { databaseUrl: target.databaseUrl } : {}),
      });
      try {
        const data: CommittedKiosk[] = [];
        for (const id of ids) data.push(await commitDataset(id, perKiosk));
        const entry = (i: number) => ({ kiosk: data[i]!, token: `bench-ingest-${suffix}-${i}` });
        log(`gateway ingest on ${target.store}: one kiosk, then two at once, ${perKiosk} tx each`);
        for (const kiosks of [[entry(0)], [entry(1), entry(2)]]) {
          ingests.push(
            await measureIngest({
              store: target.store,
              gatewayUrl: ingestGateway.url,
              kiosks,
              batchSize: sizes.ingestBatch,
            }),
          );
        }
        for (const kiosk of data) kiosk.db.close();
      } finally {
        await ingestGateway.stop();
      }
    }
    for (const result of ingests) {
      const capacity = result.kiosks > 1;
      figures.push({
        id: `ingest.${result.store}${capacity ? '' : '.one-kiosk'}`,
        label: `gateway ingest, ${result.store}, ${result.kiosks === 1 ? 'one kiosk' : `${result.kiosks} kiosks at once`}`,
        value: result.perSecond,
        unit: 'tx/s',
        ...(result.store === 'sqlite' && capacity
          ? { target: '≥ 3000 tx/s', met: result.perSecond >= 3000 }
          : {}),
        kiosks: result.kiosks,
        transactions: result.transactions,
        timedTransactions: result.timedTransactions,
        batchSize: result.batchSize,
        cores: cpus().length,
      });
    }
    if (!ingests.some((r) => r.store === 'postgres')) {
      figures.push({
        id: 'ingest.postgres',
        label: 'gateway ingest, postgres',
        value: NaN,
        unit: 'tx/s',
        notes: 'not measured: DATABASE_URL is not set',
      });
    }

    // ---- output ---------------------------------------------------------------------------------
    mkdirSync(artifacts, { recursive: true });
    const commitP99 =
      latency.find(
        (r) => r.durability === 'relaxed' && r.depth === sizes.depths[sizes.depths.length - 1],
      )?.p99 ?? NaN;
    const formKb = formBytes(formSubmission(0)) / 1000;
    const report = {
      mode: quick ? 'quick' : 'full',
      at: new Date().toISOString(),
      machine: { cores: cpus().length, model: cpus()[0]?.model ?? '', load: process.platform },
      link: {
        ...link,
        shaper,
        note:
          shaper === 'tbf'
            ? 'bandwidth by kernel tbf on a veth pair into a network namespace; delay and resets by the link proxy'
            : 'bandwidth, delay and resets by the link proxy',
      },
      dataset: {
        engineTransactions: engine.transactions,
        baselineTransactions: baseline.transactions,
        formKilobytes: formKb,
        personalFields: 6,
      },
      runSeconds: (Date.now() - runStarted) / 1000,
      figures,
      wire: wireRuns,
      drainProgress: { engine: engine.progress, baseline: baseline.progress },
    };
    writeFileSync(path.join(artifacts, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    const chart = drainChart(
      'Drain over a 256 kbit/s, 300 ms RTT link with 2% resets',
      [
        {
          name: `this engine: ${engine.transactions} tx in ${(engine.ms / 1000).toFixed(0)} s`,
          colour: '#1f6feb',
          points: engine.progress,
          total: engine.transactions,
        },
        {
          name: `Workbox background sync: ${baseline.transactions} tx in ${(baseline.ms / 1000).toFixed(0)} s${sampled ? ' (sample)' : ''}`,
          colour: '#d1242f',
          points: baseline.progress,
          total: baseline.transactions,
        },
        {
          name: `link floor for the engine's bytes: ${(floorMs / 1000).toFixed(0)} s`,
          colour: '#777777',
          points: [
            [0, 0],
            [floorMs, engine.transactions],
          ],
          total: engine.transactions,
          dashed: true,
        },
      ],
      `bandwidth by ${shaper}; ${sampled ? `Workbox ran a ${baseline.transactions}-tx sample of the same data (projected full drain ${((perTx(baseline) * engine.transactions) / 60000).toFixed(0)} min)` : 'same data'}`,
    );
    writeFileSync(path.join(artifacts, 'bench-drain.svg'), chart);

    process.stdout.write(
      `\nService Point benchmarks (${report.mode}; link ${link.rateKbit} kbit/s via ${shaper}, ${link.rttMs} ms RTT, ${link.resetRate * 100}% resets; ${cpus().length} cores)\n\n`,
    );
    process.stdout.write(`${table(figures)}\n\n`);
    process.stdout.write(
      `wrote tests/artifacts/bench.json and tests/artifacts/bench-drain.svg in ${report.runSeconds.toFixed(0)} s\n`,
    );
    process.stdout.write(`${wireSummary(wireRuns)}\n`);
    process.stdout.write(
      `drain_vs_baseline=${drainVsBaseline.toFixed(1)} drain_vs_floor=${drainVsFloor.toFixed(2)} commit_p99_ms=${commitP99.toFixed(2)}\n`,
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
