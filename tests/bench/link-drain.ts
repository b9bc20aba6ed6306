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
  log: (message: string) => void;
  /** Registers a cleanup step for an interrupted run (SIGINT, an uncaught error). */
  onCleanup: (step: () => Promise<void> | void) => void;
}): Promise<LinkDrain> {
  const { profile, log } = input;
  const suffix = Math.random().toString(36).slice(2, 8);
  const engineKiosk = `bench-e-${profile.id}-${input.dataset.slice(0, 4)}-${suffix}`;
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
        { kioskId: engineKiosk, token: 'bench-engine' },
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
      `committing ${input.drain} transactions (engine) and ${input.baseline} (baseline), ${input.dataset} data, through the real commit path`,
    );
    const submission = benchSubmissions[input.dataset];
    const engineData = await commitDataset(engineKiosk, input.drain, { submission });
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

    // Both kiosks were online before (enrolled, config cached): the drain times a link that
    // comes back, not a kiosk's first contact.
    await enrolBenchKiosk({ kiosk: engineData, gatewayUrl: gateway.url, token: 'bench-engine' });
    log(`engine drain of ${input.drain} over ${profile.id}`);
    const carriedBefore = ns?.carriedUp();
    const engine = await drainWithEngine({
      kiosk: engineData,
      token: 'bench-engine',
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
    engineData.db.close();

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

    const bytesPerSecond = (profile.rateKbit * 1000) / 8;
    const floorMs = (engine.up / bytesPerSecond) * 1000 + profile.rttMs;
    const perTx = (d: DrainResult): number => d.ms / d.transactions;
    return {
      profile,
      dataset: input.dataset,
      shaper,
      engine,
      baseline,
      floorMs,
      drainVsBaseline: perTx(baseline) / perTx(engine),
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
