import path from 'node:path';
import type { Browser } from 'playwright';
import type { BenchPageServer } from './browser-page';
import { benchSubmissions, commitDataset } from './dataset';
import type { BenchDataset } from './dataset';
import {
  drainBreakdown,
  drainWithEngine,
  drainWithWorkbox,
  enrolBenchKiosk,
  formatBreakdown,
  singleItemBodies,
} from './drain';
import type { DrainBreakdown, DrainResult } from './drain';
import { startBenchGateway } from './gateway';
import { createShapedNamespace, startLinkProxy } from './link';
import type { LinkProfile, Shaper } from './link';
import type { LinkEstimate } from '../../sync/client/link-policy';

/** One engine drain of a link profile: its time against the floors. */
export interface EngineRun {
  engine: DrainResult;
  /** The engine's request bytes at the link's rate, plus one round trip (ms). */
  floorMs: number;
  drainVsFloor: number;
  drainVsFloorWithoutResets: number;
  breakdown: DrainBreakdown;
  carried?: { upBytes: number; drainVsFloor: number };
}

export interface LinkDrain {
  profile: LinkProfile;
  /** The form answers both drains carried (dataset.ts). */
  dataset: BenchDataset;
  shaper: Shaper;
  engine: DrainResult;
  baseline: DrainResult;
  /** The engine's request bytes at the link's rate, plus one round trip (ms). */
  floorMs: number;
  /** Workbox's time per transaction over the engine's (both from this run, same link). */
  drainVsBaseline: number;
  /** The engine's drain time over the link floor. */
  drainVsFloor: number;
  /**
   * The same against a floor without the request bytes lost to resets: with the kernel's tbf
   * the proxy resets a request half a round trip after it starts, so those bytes hardly use the
   * link, yet the floor counts them.
   */
  drainVsFloorWithoutResets: number;
  /** Where the engine's time went beyond the floor (drain.ts). */
  breakdown: DrainBreakdown;
  /**
   * With tbf: the bytes the shaped link carried towards the gateway during the engine's drain
   * (headers and retransmissions included), and the drain time over the floor they make.
   */
  carried?: { upBytes: number; drainVsFloor: number };
  /**
   * Every engine drain of this profile, in the order run. The figures above are the median run's
   * (by time over the floor): one drain's time on a thin, lossy link moves by several per cent
   * with TCP's losses and timers alone, the same data and resets (see performance.md).
   */
  runs: EngineRun[];
  /**
   * With `warm`: after each of `runs`, a drain by a kiosk restarted with the link's pace that run
   * kept (the store's `link-estimate`: link-policy.ts `resume`), as a kiosk back from a power
   * cut starts; same link, same kind and number of transactions.
   */
  warmRuns?: EngineRun[];
}

/**
 * One link profile, end to end: the link (kernel tbf in a network namespace where the bench is
 * root, else the proxy's token bucket; delay and resets always by the link proxy), a fresh gateway
 * behind it, two kiosks' queues committed through the real commit path, then this engine's drain
 * and the Workbox background-sync baseline's drain of a sample of the same kind of data, one after
 * the other over the same link. Everything it started is stopped before it returns.
 */
export async function drainOverLink(input: {
  profile: LinkProfile;
  dataset: BenchDataset;
  drain: number;
  baseline: number;
  browser: Browser;
  pageServer: BenchPageServer;
  dataDir: string;
  random: () => number;
  /** How many times the engine drains (each a fresh kiosk with its own queue); default 1. */
  engineRuns?: number;
  /** After each engine drain, a kiosk restarted with the pace it kept drains too (`warmRuns`). */
  warm?: boolean;
  log: (message: string) => void;
  /** Registers a cleanup step for an interrupted run (SIGINT, an uncaught error). */
  onCleanup: (step: () => Promise<void> | void) => void;
}): Promise<LinkDrain> {
  const { profile, log } = input;
  const suffix = Math.random().toString(36).slice(2, 8);
  const engineRuns = Math.max(1, input.engineRuns ?? 1);
  const engineKiosks = Array.from(
    { length: engineRuns },
    (_, i) => `bench-e-${profile.id}-${input.dataset.slice(0, 4)}-${suffix}-${i + 1}`,
  );
  const baselineKiosk = `bench-w-${profile.id}-${input.dataset.slice(0, 4)}-${suffix}`;
  const ns = createShapedNamespace(profile);
  const stops: Array<() => Promise<void> | void> = [];
  if (ns) {
    stops.push(() => ns.teardown());
    input.onCleanup(() => ns.teardown());
  }
  const shaper: Shaper = ns ? 'tbf' : 'proxy-token-bucket';
  try {
    log(
      `link ${profile.id}: ${profile.rateKbit} kbit/s by ${shaper}, ${profile.rttMs} ms RTT, ${profile.resetRate * 100}% resets`,
    );
    const gateway = await startBenchGateway({
      dataDir: path.join(input.dataDir, `drain-gateway-${profile.id}-${input.dataset}`),
      host: ns ? ns.address : '127.0.0.1',
      tokens: [
        ...engineKiosks.map((kioskId, i) => ({ kioskId, token: `bench-engine-${i + 1}` })),
        ...(input.warm
          ? engineKiosks.map((kioskId, i) => ({
              kioskId: `${kioskId}-warm`,
              token: `bench-warm-${i + 1}`,
            }))
          : []),
        { kioskId: baselineKiosk, token: 'bench-baseline' },
      ],
      ...(ns ? { prefix: ns.exec } : {}),
    });
    stops.unshift(() => gateway.stop());
    input.onCleanup(() => gateway.stop());
    const proxy = await startLinkProxy({
      upstreamHost: gateway.host,
      upstreamPort: gateway.port,
      settings: profile,
      tokenBucket: !ns,
      random: input.random,
    });
    stops.unshift(() => proxy.close());
    input.onCleanup(() => proxy.close());

    log(
      `committing ${input.baseline} transactions (baseline), ${input.dataset} data, through the real commit path`,
    );
    const submission = benchSubmissions[input.dataset];
    const baselineData = await commitDataset(baselineKiosk, input.baseline, {
      extractableKey: true,
      submission,
    });
    const bodies = await singleItemBodies({
      kiosk: baselineData,
      gatewayUrl: gateway.url,
      token: 'bench-baseline',
      count: input.baseline,
    });

    const bytesPerSecond = (profile.rateKbit * 1000) / 8;
    const runs: EngineRun[] = [];
    const warmRuns: EngineRun[] = [];
    const drains = engineKiosks.flatMap((engineKiosk, i) => [
      { engineKiosk, i, warm: false },
      ...(input.warm ? [{ engineKiosk: `${engineKiosk}-warm`, i, warm: true }] : []),
    ]);
    let kept: LinkEstimate | undefined;
    for (const { engineKiosk, i, warm } of drains) {
      const token = warm ? `bench-warm-${i + 1}` : `bench-engine-${i + 1}`;
      const run = `${engineRuns > 1 ? ` (run ${i + 1} of ${engineRuns})` : ''}${warm ? ' (restarted with the pace the last drain kept)' : ''}`;
      log(
        `committing ${input.drain} transactions (engine${run}), ${input.dataset} data, through the real commit path`,
      );
      const engineData = await commitDataset(engineKiosk, input.drain, { submission });
      // The kiosk was online before (enrolled, config cached): the drain times a link that comes
      // back, not a kiosk's first contact.
      await enrolBenchKiosk({ kiosk: engineData, gatewayUrl: gateway.url, token });
      if (warm) {
        // Kept by the last drain over this link that kept one (a drain whose probe was lost to
        // a reset has no least round trip, so keeps none): what a kiosk restarted now reads.
        if (kept) await engineData.store.writeSetting('link-estimate', { ...kept, at: Date.now() });
        else log('no drain over this link has kept its pace yet: this one starts cold');
      }
      log(`engine drain of ${input.drain} over ${profile.id}${run}`);
      const carriedBefore = ns?.carriedUp();
      const engine = await drainWithEngine({
        kiosk: engineData,
        token,
        link: proxy,
        total: input.drain,
      });
      const carriedUp =
        ns && carriedBefore !== undefined ? ns.carriedUp() - carriedBefore : undefined;
      const breakdown = drainBreakdown(engine, profile);
      if (carriedUp !== undefined) {
        log(
          `the link carried ${carriedUp} B towards the gateway for ${engine.up} B of requests (+${(((carriedUp - engine.up) / engine.up) * 100).toFixed(1)} %: IP/TCP headers, retransmissions)`,
        );
      }
      log(
        `engine: ${(engine.ms / 1000).toFixed(1)} s, ${engine.requests} requests, ${engine.resets} resets\n  ${formatBreakdown(breakdown)}`,
      );
      kept = (await engineData.store.readSetting('link-estimate')) ?? kept;
      engineData.db.close();
      const floorMs = (engine.up / bytesPerSecond) * 1000 + profile.rttMs;
      (warm ? warmRuns : runs).push({
        engine,
        floorMs,
        drainVsFloor: engine.ms / floorMs,
        drainVsFloorWithoutResets:
          engine.ms / (((engine.up - engine.wasted) / bytesPerSecond) * 1000 + profile.rttMs),
        breakdown,
        ...(carriedUp !== undefined
          ? {
              carried: {
                upBytes: carriedUp,
                drainVsFloor: engine.ms / ((carriedUp / bytesPerSecond) * 1000 + profile.rttMs),
              },
            }
          : {}),
      });
    }
    const median = [...runs].sort((a, b) => a.drainVsFloor - b.drainVsFloor)[
      Math.floor((runs.length - 1) / 2)
    ]!;
    if (runs.length > 1) {
      log(
        `engine over ${profile.id}: time/floor ${runs.map((r) => r.drainVsFloor.toFixed(3)).join(', ')}; median ${median.drainVsFloor.toFixed(3)}`,
      );
    }
    if (warmRuns.length > 0) {
      const warmMedian = [...warmRuns].sort((a, b) => a.drainVsFloor - b.drainVsFloor)[
        Math.floor((warmRuns.length - 1) / 2)
      ]!;
      log(
        `engine over ${profile.id}, restarted with the kept pace: time/floor ${warmRuns.map((r) => r.drainVsFloor.toFixed(3)).join(', ')}; median ${warmMedian.drainVsFloor.toFixed(3)} (without reset bytes ${warmMedian.drainVsFloorWithoutResets.toFixed(3)})`,
      );
    }

    log(`Workbox baseline drain of ${input.baseline} over ${profile.id}`);
    const context = await input.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${input.pageServer.url}/baseline.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const baseline = await drainWithWorkbox({
      page,
      kiosk: baselineData,
      bodies,
      batchesUrl: `${proxy.url}/v1/kiosks/${baselineKiosk}/batches`,
      link: proxy,
    });
    log(
      `baseline: ${(baseline.ms / 1000).toFixed(1)} s, ${baseline.requests} requests, ${baseline.resets} resets`,
    );
    await context.close();
    baselineData.db.close();

    const perTx = (d: DrainResult): number => d.ms / d.transactions;
    return {
      profile,
      dataset: input.dataset,
      shaper,
      baseline,
      ...median,
      drainVsBaseline: perTx(baseline) / perTx(median.engine),
      runs,
      ...(warmRuns.length > 0 ? { warmRuns } : {}),
    };
  } finally {
    for (const stop of stops) {
      try {
        await stop();
      } catch {
        // best effort: the run's cleanup tries again
      }
    }
  }
}
