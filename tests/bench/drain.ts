import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright';
import { canonicalJson } from '../../sync/protocol/canonical-json';
import { toBatchItems } from '../../sync/client/batch-items';
import { SyncEngine } from '../../sync/client/engine';
import type { FetchLike } from '../../sync/client/gateway-client';
import { GatewayClient } from '../../sync/client/gateway-client';
import type { GatewayConfigCache } from '../../sync/client/store/outbox-store';
import type { BenchApi } from './browser/bench-page';
import type { SwReply } from './browser/sw-messages';
import type { CommittedKiosk } from './dataset';
import type { LinkCounters, LinkProxy } from './link';

export interface DrainResult {
  transactions: number;
  ms: number;
  up: number;
  down: number;
  requests: number;
  connections: number;
  resets: number;
  wasted: number;
  failedAttempts: number;
  /** [ms since start, transactions delivered] */
  progress: Array<[number, number]>;
  /** The delivered items' canonical JSON, one stream, gzip'd: what the protocol must carry. */
  payloadGzipBytes?: number;
  /** The engine's every HTTP exchange, in the order they started (the drain breakdown's input). */
  exchanges?: Exchange[];
}

/** One HTTP exchange the engine made, timed from the drain's start (ms). */
export interface Exchange {
  kind: 'batch' | 'probe' | 'other';
  startMs: number;
  endMs: number;
  /** Request body bytes (gzip'd), 0 for a GET. */
  bytes: number;
  /** Records in the batch (batches only). */
  records?: number;
  /** 'ok', or why it failed (the HTTP status or the error's message). */
  outcome: string;
}

/** Where an engine drain's time went beyond the link floor (ms, except counts and bytes). */
export interface DrainBreakdown {
  totalMs: number;
  floorMs: number;
  batches: number;
  /** Batch bytes at the link's rate: the floor's transfer part. */
  transferMs: number;
  /** Time with no batch on the wire: start-up (probe, enrolment, config), gaps, back-offs. */
  idleMs: number;
  /** Before the first batch left: probe, enrolment, config. */
  startupMs: number;
  /** Between a failed batch and the next batch leaving (back-off, probe, new connection). */
  recoveryMs: number;
  /** Between an answered batch and the next batch leaving. */
  gapMs: number;
  /** Batch exchanges' time beyond their bytes at the rate (RTT, handshake, gateway, reply). */
  exchangeExtraMs: number;
  /** Failed batch attempts, their time on the wire and their bytes. */
  failedBatches: number;
  failedMs: number;
  failedBytes: number;
  /** Why batches failed, with how many times each. */
  failures: Record<string, number>;
  /** Answered batches' mean records and bytes; the first few batches' bytes (the ramp). */
  meanRecords: number;
  meanBytes: number;
  rampBytes: number[];
}

/**
 * The breakdown of an engine drain against its link floor: time with at least one batch on the
 * wire is split into the bytes' transfer and the rest of those exchanges (round trip, handshake,
 * gateway work, the reply); time with none is split into start-up, recovery after a failure, and
 * gaps between an answer and the next batch.
 */
export function drainBreakdown(
  result: DrainResult,
  link: { rateKbit: number; rttMs: number },
): DrainBreakdown {
  const exchanges = result.exchanges ?? [];
  const bytesPerMs = (link.rateKbit * 1000) / 8 / 1000;
  const batches = exchanges.filter((e) => e.kind === 'batch');
  let busy = 0;
  let coveredTo = 0;
  let startupMs = 0;
  let recoveryMs = 0;
  let gapMs = 0;
  let previous: Exchange | undefined;
  for (const batch of batches) {
    if (batch.startMs > coveredTo) {
      const idle = batch.startMs - coveredTo;
      if (!previous) startupMs += idle;
      else if (previous.outcome === 'ok') gapMs += idle;
      else recoveryMs += idle;
    }
    const from = Math.max(batch.startMs, coveredTo);
    if (batch.endMs > from) busy += batch.endMs - from;
    coveredTo = Math.max(coveredTo, batch.endMs);
    if (!previous || batch.endMs >= previous.endMs) previous = batch;
  }
  const ok = batches.filter((b) => b.outcome === 'ok');
  const failed = batches.filter((b) => b.outcome !== 'ok');
  const allBytes = batches.reduce((n, b) => n + b.bytes, 0);
  const transferMs = allBytes / bytesPerMs;
  const tail = Math.max(0, result.ms - coveredTo);
  return {
    totalMs: result.ms,
    floorMs: result.up / bytesPerMs + link.rttMs,
    batches: batches.length,
    transferMs,
    idleMs: result.ms - busy,
    startupMs,
    recoveryMs,
    gapMs: gapMs + tail,
    exchangeExtraMs: busy - transferMs,
    failedBatches: failed.length,
    failedMs: failed.reduce((n, b) => n + b.endMs - b.startMs, 0),
    failedBytes: failed.reduce((n, b) => n + b.bytes, 0),
    failures: failed.reduce<Record<string, number>>(
      (why, b) => ({ ...why, [b.outcome]: (why[b.outcome] ?? 0) + 1 }),
      {},
    ),
    meanRecords: ok.reduce((n, b) => n + (b.records ?? 0), 0) / Math.max(1, ok.length),
    meanBytes: ok.reduce((n, b) => n + b.bytes, 0) / Math.max(1, ok.length),
    rampBytes: batches.slice(0, 6).map((b) => b.bytes),
  };
}

/** The breakdown as one log line per part, in seconds. */
export function formatBreakdown(b: DrainBreakdown): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return [
    `total ${s(b.totalMs)} = floor ${s(b.floorMs)} × ${(b.totalMs / b.floorMs).toFixed(2)}`,
    `${b.batches} batches (${b.failedBatches} failed, ${b.failedBytes} B and ${s(b.failedMs)} on the wire), mean ${b.meanRecords.toFixed(0)} records / ${b.meanBytes.toFixed(0)} B; first: ${b.rampBytes.join(', ')} B`,
    ...(b.failedBatches > 0 ? [`failures: ${JSON.stringify(b.failures)}`] : []),
    `batch bytes at the rate ${s(b.transferMs)}; exchanges beyond that (RTT, handshake, gateway, reply) ${s(b.exchangeExtraMs)}`,
    `no batch on the wire ${s(b.idleMs)}: start-up ${s(b.startupMs)}, after failures ${s(b.recoveryMs)}, between answered batches ${s(b.gapMs)}`,
  ].join('\n  ');
}

function delta(before: LinkCounters, after: LinkCounters) {
  return {
    up: after.up - before.up,
    down: after.down - before.down,
    requests: after.requests - before.requests,
    connections: after.connections - before.connections,
    resets: after.resets - before.resets,
    wasted: after.wasted - before.wasted,
  };
}

/**
 * This project's engine (Node, fake-indexeddb, WebCrypto) drains the kiosk's queue through the
 * link proxy, from the first probe (enrolment included) to the last item acknowledged.
 */
export async function drainWithEngine(input: {
  kiosk: CommittedKiosk;
  token: string;
  link: LinkProxy;
  total: number;
  /** The highest batch protocol the engine may use (default: the latest the gateway speaks). */
  maxProtocol?: 1 | 2;
}): Promise<DrainResult> {
  const { kiosk, link } = input;
  const progress: Array<[number, number]> = [];
  let delivered = 0;
  let startedAt = 0;
  let failedAttempts = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const exchanges: Exchange[] = [];
  /**
   * Each batch's request body, with its exchange and whether it was delivered. What the bodies
   * hold (records, payload) is read after the drain: parsing them in the fetch would be the
   * bench's work on the engine's thread, in its timing.
   */
  const batchBodies: Array<{ exchange: Exchange; body: ArrayBuffer; delivered: boolean }> = [];
  const timedFetch: FetchLike = async (url, init) => {
    const kind = url.endsWith('/batches') ? 'batch' : url.endsWith('/health') ? 'probe' : 'other';
    const body = init?.body as ArrayBuffer | undefined;
    const exchange: Exchange = {
      kind,
      startMs: performance.now() - startedAt,
      endMs: NaN,
      bytes: body?.byteLength ?? 0,
      outcome: 'pending',
    };
    const entry = kind === 'batch' && body ? { exchange, body, delivered: false } : undefined;
    if (entry) batchBodies.push(entry);
    exchanges.push(exchange);
    try {
      const response = await fetch(url, init);
      if (entry) entry.delivered = response.ok;
      // The engine reads the reply at once; the exchange ends with its body.
      await response.clone().arrayBuffer();
      exchange.outcome = response.ok
        ? 'ok'
        : `${response.status} ${(await response.clone().text()).slice(0, 120)}`;
      return response;
    } catch (error) {
      // undici's "fetch failed" says why only in its cause (a reset, a closed socket, an abort).
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      exchange.outcome = `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
      throw error;
    } finally {
      exchange.endMs = performance.now() - startedAt;
    }
  };
  const observingFetch: FetchLike = async (url, init) => {
    const response = await timedFetch(url, init);
    if (url.endsWith('/batches') && response.ok) {
      const reply = (await response.clone().json()) as {
        results?: Array<{ status: string }>;
        accepted?: Array<[number, number]>;
        duplicate?: Array<[number, number]>;
      };
      const inRanges = (ranges: Array<[number, number]> = []): number =>
        ranges.reduce((n, [from, to]) => n + to - from + 1, 0);
      delivered += reply.results
        ? reply.results.filter((r) => r.status !== 'rejected').length
        : inRanges(reply.accepted) + inRanges(reply.duplicate);
      progress.push([performance.now() - startedAt, delivered]);
      if (delivered >= input.total) resolveDone();
    }
    return response;
  };
  // The renderer's settings (renderer/app/kiosk-runtime.ts).
  const engine = new SyncEngine({
    store: kiosk.store,
    kioskId: kiosk.kioskId,
    keys: kiosk.keys,
    gatewayUrl: link.url,
    enrolmentToken: input.token,
    dataKey: kiosk.dataKey,
    appVersion: 'bench',
    periodicMs: 15_000,
    backoffCapMs: 60_000,
    fetch: observingFetch,
    ...(input.maxProtocol ? { maxProtocol: input.maxProtocol } : {}),
  });
  engine.subscribe((status) => {
    if (status.state === 'waiting') failedAttempts += 1;
  });
  const before = link.counters();
  startedAt = performance.now();
  progress.push([0, 0]);
  engine.start();
  await done;
  // The last reply has arrived; the drain ends when the engine has applied it.
  for (let wait = 0; (await kiosk.store.countQueued()) > 0; wait += 1) {
    if (wait > 500) throw new Error('the engine did not apply the last reply');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const ms = performance.now() - startedAt;
  // The run ends after its last pass (it keeps the link's pace, sends a heartbeat): let it, as a
  // kiosk that goes on running would, before the store is closed.
  for (let wait = 0; engine.status.state === 'syncing' && wait < 1_000; wait += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  engine.stop();
  const payload: string[] = [];
  for (const { exchange, body, delivered } of batchBodies) {
    const sent = JSON.parse(gunzipSync(Buffer.from(body)).toString('utf8')) as {
      items?: unknown[];
      segments?: Array<{ records: unknown[] }>;
      personal?: unknown;
    };
    // v1 items, or v2 segments' records and the batch's sealed personal fields.
    const items = sent.items ?? sent.segments?.flatMap((segment) => segment.records) ?? [];
    exchange.records = items.length;
    if (!delivered) continue;
    for (const item of items) payload.push(canonicalJson(item));
    if (sent.personal) payload.push(canonicalJson(sent.personal));
  }
  return {
    transactions: input.total,
    ms,
    ...delta(before, link.counters()),
    failedAttempts,
    progress,
    payloadGzipBytes: gzipSync(payload.join('\n')).length,
    exchanges,
  };
}

/**
 * The Workbox baseline's requests: one single-item batch per transaction (the gateway's batch
 * endpoint with one item), personal fields sealed to the gateway exactly as the engine does.
 */
/**
 * Enrols a bench kiosk and caches the gateway's config in its store, with the protocol its probe
 * agreed, as a kiosk that has been online before has them: a drain measures a link that comes back, not a kiosk's first day (the
 * Workbox baseline's kiosk is enrolled the same way before its drain). Returns the gateway key.
 */
export async function enrolBenchKiosk(input: {
  kiosk: CommittedKiosk;
  gatewayUrl: string;
  token: string;
}): Promise<GatewayConfigCache['gatewayKey']> {
  const { kiosk } = input;
  const client = new GatewayClient({
    baseUrl: input.gatewayUrl,
    kioskId: kiosk.kioskId,
    signingKey: kiosk.keys.privateKey,
  });
  if (!(await client.probe())) throw new Error('the bench gateway does not answer its probe');
  await client.enrol(input.token, kiosk.keys.publicKey);
  const config = await client.getConfig();
  if (!config) throw new Error('no gateway config');
  await kiosk.store.writeSetting('enrolled', true);
  await kiosk.store.writeSetting('gateway-config', {
    ...(config.etag !== undefined ? { etag: config.etag } : {}),
    gatewayKey: config.config.gatewayKey,
    checkedAt: Date.now(),
    protocol: client.protocol,
  });
  return config.config.gatewayKey;
}

export async function singleItemBodies(input: {
  kiosk: CommittedKiosk;
  gatewayUrl: string;
  token: string;
  count: number;
}): Promise<string[]> {
  const { kiosk } = input;
  const gatewayKey = await enrolBenchKiosk(input);
  const { items } = await toBatchItems(await kiosk.store.queued(input.count), {
    dataKey: kiosk.dataKey,
    gatewayKey: async () => gatewayKey,
  });
  return items.map((item) => canonicalJson({ batchId: crypto.randomUUID(), items: [item] }));
}

/**
 * Workbox background sync in a Chromium service worker drains the same kind of queue through
 * the same link. Replay runs in steps of at most a minute (Chromium stops a service worker event
 * that runs for five); a failed replay is retried at once, not after Chromium's sync back-off.
 */
export async function drainWithWorkbox(input: {
  page: Page;
  kiosk: CommittedKiosk;
  bodies: string[];
  batchesUrl: string;
  link: LinkProxy;
}): Promise<DrainResult> {
  const { page, kiosk, bodies, link } = input;
  if (!kiosk.privateJwk) throw new Error('the baseline kiosk needs an extractable key');
  const call = (message: Parameters<BenchApi['sw']>[0]): Promise<SwReply> =>
    page.evaluate((m) => (window as unknown as { bench: BenchApi }).bench.sw(m), message);
  await page.evaluate(() =>
    (window as unknown as { bench: BenchApi }).bench.registerWorker('/workbox-sw.js'),
  );
  const setup = await call({ type: 'setup', kioskId: kiosk.kioskId, privateJwk: kiosk.privateJwk });
  if (!setup.ok) throw new Error(setup.error);
  for (let i = 0; i < bodies.length; i += 200) {
    const reply = await call({
      type: 'enqueue',
      url: input.batchesUrl,
      bodies: bodies.slice(i, i + 200),
    });
    if (!reply.ok) throw new Error(reply.error);
  }
  const progress: Array<[number, number]> = [[0, 0]];
  let failedAttempts = 0;
  const before = link.counters();
  const startedWall = Date.now();
  const startedAt = performance.now();
  for (;;) {
    const reply = await call({ type: 'replay-step', maxMs: 60_000 });
    if (!reply.ok) throw new Error(reply.error);
    for (const [at, count] of reply.progress ?? []) progress.push([at - startedWall, count]);
    if (reply.failed) failedAttempts += 1;
    if (reply.left === 0) break;
  }
  const ms = performance.now() - startedAt;
  return {
    transactions: bodies.length,
    ms,
    ...delta(before, link.counters()),
    failedAttempts,
    progress,
  };
}
