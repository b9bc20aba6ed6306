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
import type { BenchDataset, CommittedKiosk } from './dataset';
import { formBytes, formSubmission } from './form-data';
import { measureWireBytes, wireFigures, wireSummary } from './wire-bytes';
import { startBenchGateway } from './gateway';
import { measureIngest } from './ingest';
import type { IngestResult } from './ingest';
import { governmentLink, thinLink } from './link';
import type { LinkProfile } from './link';
import { drainOverLink } from './link-drain';
import type { LinkDrain } from './link-drain';
import { drainChart, table } from './report';
import type { Figure } from './report';
import { describeCase, measureScaleOut, postgresUnusable } from './scale-out';
import type { ScaleOut } from './scale-out';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = path.join(root, 'tests', 'artifacts');

const allParts = ['drain', 'thin', 'wire', 'commit', 'heap', 'startup', 'ingest', 'scale'] as const;
type Part = (typeof allParts)[number];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    drain: { type: 'string' },
    baseline: { type: 'string' },
    'thin-drain': { type: 'string' },
    'thin-baseline': { type: 'string' },
    'drain-runs': { type: 'string' },
    warm: { type: 'boolean' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    'npm run bench [-- --quick] [-- --no-build] [-- --only drain,thin,...]\n' +
      '  --quick     small sizes (a few minutes), for iterating\n' +
      '  --no-build  use the existing dist/renderer instead of building it\n' +
      '  --drain <n> / --baseline <n>  override the 256 kbit/s drain sizes (engine / Workbox sample)\n' +
      '  --thin-drain <n> / --thin-baseline <n>  the same for the 64 kbit/s link\n' +
      '  --drain-runs <n>  engine drains of the realistic data per link (median reported;\n' +
      '              3 in a full run, 1 with --quick); the random data drains once\n' +
      '  --warm      after each realistic drain, a kiosk restarted with the link pace that\n' +
      '              drain kept drains too (logged beside it; the figures stay the cold drains)\n' +
      `  --only <parts>  run only these parts (${allParts.join(', ')}); the summary line then\n` +
      '              says "nan" for what was not measured\n' +
      'Set DATABASE_URL (eval "$(bash build/scripts/start-postgres.sh)") to also measure gateway\n' +
      'ingest on PostgreSQL and two gateway processes against one (scale-out).\n',
  );
  process.exit(0);
}
const parts = new Set<Part>(
  values.only
    ? values.only.split(',').map((p) => {
        const part = p.trim() as Part;
        if (!allParts.includes(part)) {
          process.stderr.write(`bench: unknown part "${p}" (parts: ${allParts.join(', ')})\n`);
          process.exit(2);
        }
        return part;
      })
    : allParts,
);
const quick = values.quick;
const sizes = quick
  ? {
      drain: 400,
      baseline: 100,
      realisticBaseline: 50,
      thinDrain: 150,
      thinBaseline: 20,
      thinRealisticBaseline: 10,
      depths: [0, 1000, 5000],
      samples: 100,
      heap: [10, 200] as const,
      startupRuns: 3,
      ingestBatch: 200,
      ingestPerKiosk: 300,
      scaleKiosks: 16,
      scalePerKiosk: 1_000,
      scaleBatch: 200,
      scalePairs: 2,
    }
  : {
      drain: 10_000,
      baseline: 1_000,
      // Workbox's time per tx is its round trips whatever the answers, so the realistic data's
      // sample is smaller (the drain itself is the same size on both datasets).
      realisticBaseline: 300,
      thinDrain: 2_000,
      thinBaseline: 150,
      thinRealisticBaseline: 60,
      depths: [0, 10_000, 50_000],
      samples: 1000,
      heap: [10, 1000] as const,
      startupRuns: 7,
      ingestBatch: 500,
      ingestPerKiosk: 2_500,
      scaleKiosks: 16,
      scalePerKiosk: 1_500,
      scaleBatch: 500,
      scalePairs: 3,
    };
if (values.drain) sizes.drain = Number(values.drain);
if (values.baseline) sizes.baseline = Number(values.baseline);
if (values['thin-drain']) sizes.thinDrain = Number(values['thin-drain']);
if (values['thin-baseline']) sizes.thinBaseline = Number(values['thin-baseline']);

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

const perTx = (d: LinkDrain['engine']): number => d.ms / d.transactions;

function linkNote(drain: LinkDrain): string {
  return drain.shaper === 'tbf'
    ? 'bandwidth by kernel tbf on a veth pair into a network namespace; delay and resets by the link proxy'
    : 'bandwidth, delay and resets by the link proxy';
}

function linkTitle(profile: LinkProfile): string {
  return `${profile.rateKbit} kbit/s, ${profile.rttMs} ms RTT, ${profile.resetRate * 100}% resets`;
}

/** The drain figures of one link profile; `prefix` is `drain` (the WAN) or `thin.drain`. */
function drainFigures(drain: LinkDrain, prefix: string): Figure[] {
  const { engine, baseline, floorMs, profile } = drain;
  const linkInfo = { link: { ...profile, shaper: drain.shaper } };
  const sampled = baseline.transactions < engine.transactions;
  const on = ` (${profile.rateKbit} kbit/s, ${drain.dataset} data)`;
  return [
    {
      id: `${prefix}.engine.time`,
      label: `drain${on}: engine, ${engine.transactions} tx`,
      value: engine.ms / 1000,
      unit: 's',
      ...linkInfo,
      transactions: engine.transactions,
      requests: engine.requests,
      connections: engine.connections,
      resets: engine.resets,
      failedAttempts: engine.failedAttempts,
      breakdown: drain.breakdown,
      notes: 'SyncEngine in Node (fake-indexeddb, WebCrypto), renderer settings',
    },
    {
      id: `${prefix}.baseline.time`,
      label: `drain${on}: Workbox, ${baseline.transactions} tx${sampled ? ' (sample)' : ''}`,
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
      id: `${prefix}.floor.time`,
      label: `drain${on}: link floor (engine bytes / rate + RTT)`,
      value: floorMs / 1000,
      unit: 's',
      ...linkInfo,
    },
    {
      id: `${prefix}.engine.per-tx`,
      label: `drain${on}: engine per tx`,
      value: perTx(engine),
      unit: 'ms/tx',
      ...linkInfo,
    },
    {
      id: `${prefix}.baseline.per-tx`,
      label: `drain${on}: Workbox per tx`,
      value: perTx(baseline),
      unit: 'ms/tx',
      ...linkInfo,
    },
    {
      id: `${prefix}.engine.bytes-per-tx`,
      label: `wire${on}: engine bytes per tx (up+down), resets included`,
      value: (engine.up + engine.down) / engine.transactions,
      unit: 'B/tx',
      up: engine.up / engine.transactions,
      down: engine.down / engine.transactions,
      ...linkInfo,
    },
    {
      id: `${prefix}.baseline.bytes-per-tx`,
      label: `wire${on}: Workbox bytes per tx (up+down), resets included`,
      value: (baseline.up + baseline.down) / baseline.transactions,
      unit: 'B/tx',
      up: baseline.up / baseline.transactions,
      down: baseline.down / baseline.transactions,
      ...linkInfo,
    },
    {
      id: `${prefix}.vs-baseline`,
      label: `drain${on}: Workbox/engine time per tx${sampled ? ' (sample)' : ''}`,
      value: drain.drainVsBaseline,
      unit: '×',
      target: '≥ 20×',
      met: drain.drainVsBaseline >= 20,
      ...linkInfo,
    },
    {
      id: `${prefix}.vs-floor`,
      label: `drain${on}: engine/floor${drain.runs.length > 1 ? `, median of ${drain.runs.length} drains` : ''}`,
      value: drain.drainVsFloor,
      unit: '×',
      target: '≤ 1.1×',
      met: drain.drainVsFloor <= 1.1,
      ...linkInfo,
      runs: drain.runs.map((run) => ({
        seconds: run.engine.ms / 1000,
        vsFloor: run.drainVsFloor,
        resets: run.engine.resets,
        ...(run.carried ? { vsCarriedFloor: run.carried.drainVsFloor } : {}),
      })),
    },
    ...(drain.runs.length > 1
      ? drain.runs.map((run, i) => ({
          id: `${prefix}.vs-floor.run-${i + 1}`,
          label: `drain${on}: engine/floor, drain ${i + 1} of ${drain.runs.length} (${run.engine.resets} resets)`,
          value: run.drainVsFloor,
          unit: '×',
          ...linkInfo,
        }))
      : []),
    {
      id: `${prefix}.vs-floor-without-resets`,
      label: `drain${on}: engine/floor, floor without the bytes lost to resets`,
      value: drain.drainVsFloorWithoutResets,
      unit: '×',
      wastedBytes: engine.wasted,
      notes:
        'the proxy resets a request half a round trip after it starts, so with tbf its bytes hardly cross the link; the floor above still counts them',
      ...linkInfo,
    },
    ...(drain.carried
      ? [
          {
            id: `${prefix}.vs-carried-floor`,
            label: `drain${on}: engine/floor of the bytes the link carried`,
            value: drain.carried.drainVsFloor,
            unit: '×',
            carriedUpBytes: drain.carried.upBytes,
            notes:
              "the floor from the kernel's count of what the shaped link carried towards the gateway (IP/TCP headers and retransmissions included), where the floor above counts HTTP bytes only",
            ...linkInfo,
          },
        ]
      : []),
  ];
}

function drainSvg(drain: LinkDrain): string {
  const { engine, baseline, floorMs, profile } = drain;
  const sampled = baseline.transactions < engine.transactions;
  return drainChart(
    `Drain over a ${linkTitle(profile)} link (${profile.label})`,
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
    `${drain.dataset} answers; bandwidth by ${drain.shaper}; ${sampled ? `Workbox ran a ${baseline.transactions}-tx sample of the same data (projected full drain ${((perTx(baseline) * engine.transactions) / 60000).toFixed(0)} min)` : 'same data'}`,
  );
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const suffix = Math.random().toString(36).slice(2, 8);
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
    // ---- 1. drain, over each link profile -------------------------------------------------
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const pageServer = await startBenchPageServer();
    cleanups.push(() => pageServer.close());
    const random = seeded(20_250_601);
    // The realistic data (the issue's) drains three times in a full run and reports the median
    // drain: one drain's time over the floor moves by several per cent run to run on its own.
    const realisticRuns = values['drain-runs'] ? Number(values['drain-runs']) : quick ? 1 : 3;
    if (!Number.isInteger(realisticRuns) || realisticRuns < 1 || realisticRuns > 9) {
      throw new Error(
        `--drain-runs must be a whole number from 1 to 9, not ${values['drain-runs']}`,
      );
    }
    const engineRuns = (dataset: BenchDataset): number =>
      dataset === 'realistic' ? realisticRuns : 1;
    const overLink = (
      profile: LinkProfile,
      dataset: BenchDataset,
      drain: number,
      baseline: number,
    ) =>
      drainOverLink({
        profile,
        dataset,
        drain,
        baseline,
        engineRuns: engineRuns(dataset),
        warm: values.warm === true && dataset === 'realistic',
        browser,
        pageServer,
        dataDir,
        random,
        log,
        onCleanup: (step) => cleanups.push(step),
      });
    // Each link drains the realistic answers (the issue's data) and the random ones (the worst
    // case for bytes), the engine the same number of each; figure ids: drain.realistic.*,
    // drain.* (random, as before), thin.drain.realistic.*, thin.drain.*.
    const wanRealistic = parts.has('drain')
      ? await overLink(governmentLink, 'realistic', sizes.drain, sizes.realisticBaseline)
      : undefined;
    if (wanRealistic) figures.push(...drainFigures(wanRealistic, 'drain.realistic'));
    const wan = parts.has('drain')
      ? await overLink(governmentLink, 'random', sizes.drain, sizes.baseline)
      : undefined;
    if (wan) figures.push(...drainFigures(wan, 'drain'));
    const thinRealistic = parts.has('thin')
      ? await overLink(thinLink, 'realistic', sizes.thinDrain, sizes.thinRealisticBaseline)
      : undefined;
    if (thinRealistic) figures.push(...drainFigures(thinRealistic, 'thin.drain.realistic'));
    const thin = parts.has('thin')
      ? await overLink(thinLink, 'random', sizes.thinDrain, sizes.thinBaseline)
      : undefined;
    if (thin) figures.push(...drainFigures(thin, 'thin.drain'));

    // ---- 3a. bytes per transaction: protocol v1 against v2, random and realistic data ------
    const wireCount = quick ? 200 : 1000;
    const wireRuns = parts.has('wire')
      ? await measureWireBytes({ count: wireCount, link: governmentLink, log })
      : [];
    figures.push(...wireFigures(wireRuns, governmentLink));

    // ---- 3. wire efficiency ------------------------------------------------------------------
    if (wan) {
      const { engine } = wan;
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
    }

    // ---- 2, 5. commit latency and memory in Chromium ------------------------------------------
    const latency = parts.has('commit')
      ? await (async () => {
          log(
            `commit latency at depths ${sizes.depths.join(', ')} (${sizes.samples} samples each)`,
          );
          return measureCommitLatency(browser, pageServer.url, sizes.depths, sizes.samples);
        })()
      : [];
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
    if (parts.has('heap')) {
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
          notes:
            'session = reducer start→end, durable commit, receipt read-back of personal fields',
        },
      );
    }

    // ---- 4. start-up and size ------------------------------------------------------------------
    if (parts.has('startup')) {
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
          target: '≤ 1000 ms',
          met: startup.medianMs <= 1000,
          runs: startup.runs,
        },
        {
          id: 'startup.initial-js',
          label: 'initial JS, gzip',
          value: startup.initialJsGzipBytes / 1024,
          unit: 'KiB',
          target: '≤ 120 KB',
          met: startup.initialJsGzipBytes <= 120 * 1000,
          files: startup.initialJsFiles,
        },
      );
    }
    await browser.close();

    // ---- 6. gateway ingest -----------------------------------------------------------------------
    const ingestStores: Array<{ store: 'sqlite' | 'postgres'; databaseUrl?: string }> = [];
    if (parts.has('ingest')) {
      ingestStores.push({ store: 'sqlite' });
      if (process.env.DATABASE_URL)
        ingestStores.push({ store: 'postgres', databaseUrl: process.env.DATABASE_URL });
    }
    const ingests: IngestResult[] = [];
    const perKiosk = sizes.ingestPerKiosk;
    for (const target of ingestStores) {
      // Fresh kiosk ids (an unseen chain each) with the same form data as the drain: per
      // protocol, one kiosk alone, then two at once. v2 is what kiosks send now; v1 is what
      // kiosks still in the field send.
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'].map(
        (k) => `bench-i-${target.store.slice(0, 2)}${k}-${suffix}`,
      );
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
        for (const [protocol, first] of [
          [2, 0],
          [1, 3],
        ] as const) {
          log(
            `gateway ingest on ${target.store}, protocol v${protocol}: one kiosk, then two at once, ${perKiosk} tx each`,
          );
          for (const kiosks of [[entry(first)], [entry(first + 1), entry(first + 2)]]) {
            ingests.push(
              await measureIngest({
                store: target.store,
                gatewayUrls: [ingestGateway.url],
                kiosks,
                batchSize: sizes.ingestBatch,
                protocol,
              }),
            );
          }
        }
        for (const kiosk of data) kiosk.db.close();
      } finally {
        await ingestGateway.stop();
      }
    }
    for (const result of ingests) {
      const capacity = result.kiosks > 1;
      // The target applies to what kiosks send now (v2), two kiosks at once (the capacity).
      const v1 = result.protocol === 1;
      figures.push({
        id: `ingest.${result.store}${v1 ? '.v1' : ''}${capacity ? '' : '.one-kiosk'}`,
        label: `gateway ingest, ${result.store}, v${result.protocol}, ${result.kiosks === 1 ? 'one kiosk' : `${result.kiosks} kiosks at once`}`,
        value: result.perSecond,
        unit: 'tx/s',
        ...(result.store === 'sqlite' && capacity && !v1
          ? { target: '≥ 3000 tx/s', met: result.perSecond >= 3000 }
          : {}),
        protocol: result.protocol,
        kiosks: result.kiosks,
        transactions: result.transactions,
        timedTransactions: result.timedTransactions,
        batchSize: result.batchSize,
        cores: cpus().length,
      });
    }
    if (parts.has('ingest') && !ingests.some((r) => r.store === 'postgres')) {
      figures.push({
        id: 'ingest.postgres',
        label: 'gateway ingest, postgres',
        value: NaN,
        unit: 'tx/s',
        notes: 'not measured: DATABASE_URL is not set',
      });
    }

    // ---- 7. scale out: two gateway processes on one PostgreSQL against one ------------------------
    let scale: ScaleOut | undefined;
    let scaleSkipped: string | undefined;
    if (parts.has('scale')) {
      const databaseUrl = process.env.DATABASE_URL;
      if (!databaseUrl) {
        scaleSkipped =
          'DATABASE_URL is not set (eval "$(bash build/scripts/start-postgres.sh)" to measure it)';
      } else {
        const unusable = await postgresUnusable(databaseUrl);
        if (unusable) {
          scaleSkipped = `PostgreSQL at DATABASE_URL is not usable: ${unusable}`;
        } else {
          scale = await measureScaleOut({
            databaseUrl,
            kiosks: sizes.scaleKiosks,
            perKiosk: sizes.scalePerKiosk,
            batchSize: sizes.scaleBatch,
            pairs: sizes.scalePairs,
            dataDir,
            log,
          });
        }
      }
      if (scaleSkipped) log(`scale-out skipped: ${scaleSkipped}`);
    }
    if (scale) {
      for (const result of [scale.one, scale.two]) {
        figures.push({
          id: `scale.postgres.gateways-${result.gateways}`,
          label: `gateway ingest, postgres, ${result.gateways} gateway process${result.gateways > 1 ? 'es' : ''}, ${result.kiosks} kiosks`,
          value: result.perSecond,
          unit: 'tx/s',
          gateways: result.gateways,
          cpuCores: result.cpu,
          spread: result.spread,
          backends: result.backends,
          kiosks: result.kiosks,
          transactions: result.transactions,
          timedTransactions: result.timedTransactions,
          batchSize: result.batchSize,
          cores: cpus().length,
          notes: describeCase(result),
        });
      }
      const { ceiling } = scale;
      figures.push({
        id: 'scale.postgres.ratio',
        label: 'scale-out: two gateway processes / one (median)',
        value: scale.ratio,
        unit: '×',
        target: '≥ 1.6×',
        met: scale.ratio >= 1.6,
        cores: cpus().length,
        ratios: scale.ratios,
        cases: scale.cases.map((c) => ({
          gateways: c.gateways,
          perSecond: c.perSecond,
          cpuCores: c.cpu,
          spread: c.spread,
          backends: c.backends,
        })),
        ceiling,
        loadAverage: scale.loadAverage,
        notes:
          `median of ${scale.ratios.map((r) => r.toFixed(2)).join(', ')} (order 1,2,1,2,…; same batches, fresh database each); ` +
          `CPU per tx: gateway ${ceiling.gatewayMsPerTx.toFixed(3)} ms (event loop ${ceiling.gatewayLoopMsPerTx.toFixed(3)}), PostgreSQL ${ceiling.databaseMsPerTx.toFixed(3)} ms, bench ${ceiling.benchMsPerTx.toFixed(3)} ms; ` +
          `ceiling on ${ceiling.cores} idle cores ${ceiling.ratio.toFixed(2)}× (${ceiling.oneProcessMax.toFixed(0)} → ${ceiling.twoProcessMax.toFixed(0)} tx/s); load average ${scale.loadAverage.before.toFixed(1)} → ${scale.loadAverage.after.toFixed(1)}`,
      });
    } else if (parts.has('scale')) {
      figures.push({
        id: 'scale.postgres.ratio',
        label: 'scale-out: two gateway processes / one',
        value: NaN,
        unit: '×',
        target: '≥ 1.6×',
        notes: `not measured: ${scaleSkipped ?? 'unknown'}`,
      });
    }

    // ---- output ---------------------------------------------------------------------------------
    mkdirSync(artifacts, { recursive: true });
    const commitP99 =
      latency.find(
        (r) => r.durability === 'relaxed' && r.depth === sizes.depths[sizes.depths.length - 1],
      )?.p99 ?? NaN;
    const formKb = formBytes(formSubmission(0)) / 1000;
    const drains = [wanRealistic, wan, thinRealistic, thin].filter(
      (d): d is LinkDrain => d !== undefined,
    );
    const report = {
      mode: quick ? 'quick' : 'full',
      at: new Date().toISOString(),
      machine: { cores: cpus().length, model: cpus()[0]?.model ?? '', load: process.platform },
      links: [wan ?? wanRealistic, thin ?? thinRealistic]
        .filter((d): d is LinkDrain => d !== undefined)
        .map((d) => ({ ...d.profile, shaper: d.shaper, note: linkNote(d) })),
      dataset: {
        engineTransactions: wan?.engine.transactions,
        baselineTransactions: wan?.baseline.transactions,
        thinEngineTransactions: thin?.engine.transactions,
        thinBaselineTransactions: thin?.baseline.transactions,
        realisticBaselineTransactions: wanRealistic?.baseline.transactions,
        thinRealisticBaselineTransactions: thinRealistic?.baseline.transactions,
        formKilobytes: formKb,
        personalFields: 6,
      },
      runSeconds: (Date.now() - runStarted) / 1000,
      figures,
      wire: wireRuns,
      drainProgress: Object.fromEntries(
        drains.map((d) => [
          d.dataset === 'random' ? d.profile.id : `${d.profile.id}.${d.dataset}`,
          { engine: d.engine.progress, baseline: d.baseline.progress },
        ]),
      ),
    };
    writeFileSync(path.join(artifacts, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    const charts: string[] = [];
    for (const drain of drains) {
      const name = [
        drain.profile.id === 'wan' ? '' : `-${drain.profile.id}`,
        drain.dataset === 'random' ? '' : `-${drain.dataset}`,
      ].join('');
      const file = `bench-drain${name}.svg`;
      writeFileSync(path.join(artifacts, file), drainSvg(drain));
      charts.push(`tests/artifacts/${file}`);
    }

    const linksLine = [wan ?? wanRealistic, thin ?? thinRealistic]
      .filter((d): d is LinkDrain => d !== undefined)
      .map((d) => `${d.profile.id}: ${linkTitle(d.profile)} via ${d.shaper}`)
      .join('; ');
    process.stdout.write(
      `\nService Point benchmarks (${report.mode}; ${linksLine || 'no drain'}; ${cpus().length} cores)\n\n`,
    );
    process.stdout.write(`${table(figures)}\n\n`);
    process.stdout.write(
      `wrote tests/artifacts/bench.json${charts.map((c) => ` and ${c}`).join('')} in ${report.runSeconds.toFixed(0)} s\n`,
    );
    if (wireRuns.length > 0) process.stdout.write(`${wireSummary(wireRuns)}\n`);
    const fixed = (value: number | undefined, digits: number): string =>
      value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : 'nan';
    // The issue's keys first, on the realistic data (the drain's answers as the catalogue's
    // fields have them, the data the issue asks for): drains on both links, and bytes_per_tx
    // from the wire part (protocol v2 at 256 kbit/s, no resets: bytes, not luck). Then the same
    // drains on the random answers gzip can barely shrink (`_random`), bytes with resets.
    const realisticV2 = wireRuns.find((r) => r.dataset === 'realistic' && r.protocol === 2);
    const bytesPerTx = realisticV2?.bytesPerTx ?? NaN;
    const randomBytesPerTx = wan
      ? (wan.engine.up + wan.engine.down) / wan.engine.transactions
      : NaN;
    process.stdout.write(
      [
        `drain_vs_baseline=${fixed(wanRealistic?.drainVsBaseline, 1)}`,
        `drain_vs_floor=${fixed(wanRealistic?.drainVsFloor, 2)}`,
        `commit_p99_ms=${fixed(commitP99, 2)}`,
        `bytes_per_tx=${fixed(bytesPerTx, 0)}`,
        `thin_drain_vs_baseline=${fixed(thinRealistic?.drainVsBaseline, 1)}`,
        `thin_drain_vs_floor=${fixed(thinRealistic?.drainVsFloor, 2)}`,
        `drain_vs_baseline_random=${fixed(wan?.drainVsBaseline, 1)}`,
        `drain_vs_floor_random=${fixed(wan?.drainVsFloor, 2)}`,
        `thin_drain_vs_baseline_random=${fixed(thin?.drainVsBaseline, 1)}`,
        `thin_drain_vs_floor_random=${fixed(thin?.drainVsFloor, 2)}`,
        `bytes_per_tx_random=${fixed(randomBytesPerTx, 0)}`,
      ].join(' ') + '\n',
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
