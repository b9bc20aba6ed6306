import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../sync/protocol/canonical-json';
import type { EcPublicJwk } from '../../sync/protocol/crypto-primitives';
import { signText } from '../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../sync/protocol/request-signature';
import { batchReplySchema } from '../../sync/protocol/wire';
import { batchReplyV2Schema } from '../../sync/protocol/wire-v2';
import { toBatchItems, toBatchV2 } from '../../sync/client/batch-items';
import { GatewayClient } from '../../sync/client/gateway-client';
import type { CommittedKiosk } from './dataset';

/**
 * The wire protocol a bench kiosk speaks: 2 is what kiosks send now (one signature over each
 * batch's chain head, one HPKE message for its personal fields); 1 is what kiosks still in the
 * field send (a signature and a sealed box per record), which gateways keep accepting.
 */
export type IngestProtocol = 1 | 2;

export interface IngestResult {
  store: 'sqlite' | 'postgres';
  protocol: IngestProtocol;
  /** Kiosks posting at the same time, each its own chain, one batch after another. */
  kiosks: number;
  /** Gateway processes the batches went to (each kiosk's batches in turn, as a balancer would). */
  gateways: number;
  transactions: number;
  /** After the untimed warm-up batches. */
  timedTransactions: number;
  batchSize: number;
  ms: number;
  perSecond: number;
  /**
   * Of `ms`, the time after the first kiosk had sent its last batch (fewer requests in flight
   * than kiosks from then on): the end of the window, where a gateway may wait for work.
   */
  tailMs: number;
  /** How the timed window's requests were spread over the gateway processes in time. */
  spread: GatewaySpread;
}

/** When a request was in flight at which gateway process (performance.now() ms). */
export interface Flight {
  gateway: number;
  start: number;
  end: number;
}

export interface GatewaySpread {
  /** Per gateway process: the share of the window with at least one request in flight there. */
  busy: number[];
  /** Per gateway process: requests in flight there, on average over the window. */
  inFlight: number[];
  /** The share of the window with a request in flight at every gateway process at once. */
  allBusy: number;
}

/**
 * How `flights` kept `gateways` processes busy between `from` and `to`: a process with nothing
 * in flight is waiting for work whatever its CPU could do, so two processes cannot do twice
 * one's work unless both have requests most of the time.
 */
export function spreadOf(
  flights: Flight[],
  gateways: number,
  from: number,
  to: number,
): GatewaySpread {
  const events = flights
    .flatMap((f) => [
      { at: Math.max(from, f.start), gateway: f.gateway, delta: 1 },
      { at: Math.min(to, f.end), gateway: f.gateway, delta: -1 },
    ])
    // Ends before starts at the same instant: a reply and the next request are not overlap.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Array<number>(gateways).fill(0);
  const busy = new Array<number>(gateways).fill(0);
  const area = new Array<number>(gateways).fill(0);
  let allBusy = 0;
  let last = from;
  for (const event of [...events, { at: to, gateway: -1, delta: 0 }]) {
    const span = Math.max(0, event.at - last);
    for (let g = 0; g < gateways; g += 1) {
      area[g] = (area[g] ?? 0) + (open[g] ?? 0) * span;
      if ((open[g] ?? 0) > 0) busy[g] = (busy[g] ?? 0) + span;
    }
    if (open.every((n) => n > 0)) allBusy += span;
    last = Math.max(last, event.at);
    if (event.gateway >= 0) open[event.gateway] = (open[event.gateway] ?? 0) + event.delta;
  }
  const window = Math.max(to - from, Number.EPSILON);
  return {
    busy: busy.map((b) => b / window),
    inFlight: area.map((a) => a / window),
    allBusy: allBusy / window,
  };
}

/** One kiosk's batches, built before anything is timed: sealed, canonical JSON, gzip'd. */
export interface Stream {
  kiosk: CommittedKiosk;
  token: string;
  protocol: IngestProtocol;
  path: string;
  bodies: Array<{ gz: Buffer; digest: string; items: number }>;
}

/** A batch request with its signature headers, ready to send (to whichever gateway process). */
interface SignedRequest {
  protocol: IngestProtocol;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Builds a kiosk's batches of `batchSize` records in `protocol` (v2 by default, as kiosks send
 * now), with its personal fields sealed to `gatewayKey`: all the client's CPU work (opening the
 * kiosk's copies, sealing, canonical JSON, gzip, digests) happens here, before any timing, so
 * the load generator does not compete with the gateway for the cores.
 */
export async function buildStream(
  kiosk: CommittedKiosk,
  token: string,
  gatewayKey: EcPublicJwk,
  batchSize: number,
  protocol: IngestProtocol = 2,
): Promise<Stream> {
  const rows = await kiosk.store.queued(await kiosk.store.countQueued());
  const sealing = { dataKey: kiosk.dataKey, gatewayKey: async () => gatewayKey };
  const texts: Array<{ text: string; items: number }> = [];
  if (protocol === 2) {
    for (let i = 0; i < rows.length; i += batchSize) {
      const { request, rows: sent } = await toBatchV2(rows.slice(i, i + batchSize), sealing, {
        batchId: crypto.randomUUID(),
        kioskId: kiosk.kioskId,
      });
      if (request) texts.push({ text: canonicalJson(request), items: sent.length });
    }
  } else {
    const { items } = await toBatchItems(rows, sealing);
    for (let i = 0; i < items.length; i += batchSize) {
      const batch = items.slice(i, i + batchSize);
      texts.push({
        text: canonicalJson({ batchId: crypto.randomUUID(), items: batch }),
        items: batch.length,
      });
    }
  }
  const bodies: Stream['bodies'] = [];
  for (const { text, items } of texts) {
    bodies.push({ gz: gzipSync(text), digest: await sha256Hex(text), items });
  }
  const id = encodeURIComponent(kiosk.kioskId);
  return { kiosk, token, protocol, path: `/v${protocol}/kiosks/${id}/batches`, bodies };
}

/** Enrols the stream's kiosk at a gateway; returns the gateway's sealing key from its config. */
export async function enrolStream(gatewayUrl: string, stream: Stream): Promise<EcPublicJwk> {
  const client = new GatewayClient({
    baseUrl: gatewayUrl,
    kioskId: stream.kiosk.kioskId,
    signingKey: stream.kiosk.keys.privateKey,
  });
  await client.enrol(stream.token, stream.kiosk.keys.publicKey);
  const config = await client.getConfig();
  if (!config) throw new Error('no gateway config');
  return config.config.gatewayKey;
}

/**
 * Signs batches [from, to) of a stream (a fresh nonce and timestamp each). Done before the timer
 * starts: the signature window (5 minutes) is far longer than a timed run. The signature covers
 * the path, not the host, so any gateway process may take the request.
 */
async function signRequests(stream: Stream, from: number, to: number): Promise<SignedRequest[]> {
  const { kiosk, path } = stream;
  const requests: SignedRequest[] = [];
  for (let index = from; index < Math.min(to, stream.bodies.length); index += 1) {
    const body = stream.bodies[index];
    if (!body) break;
    const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const timestamp = Date.now();
    const signature = await signText(
      kiosk.keys.privateKey,
      requestSigningText({
        method: 'POST',
        path,
        kioskId: kiosk.kioskId,
        timestamp,
        nonce,
        digest: body.digest,
      }),
    );
    requests.push({
      protocol: stream.protocol,
      path,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        [signatureHeaders.kiosk]: kiosk.kioskId,
        [signatureHeaders.timestamp]: String(timestamp),
        [signatureHeaders.nonce]: nonce,
        [signatureHeaders.digest]: body.digest,
        [signatureHeaders.signature]: signature,
      },
      body: new Uint8Array(body.gz),
    });
  }
  return requests;
}

/**
 * A per-request round-robin balancer over `count` gateway processes (nginx's default): each
 * request, in the order they are sent, goes to the next process, whichever kiosk sends it.
 */
export function roundRobin(count: number): () => number {
  let next = 0;
  return () => {
    const gateway = next;
    next = (next + 1) % count;
    return gateway;
  };
}

/**
 * Sends signed requests one after another, each to the gateway process `route` picks as it is
 * sent (so a kiosk's chain continues across processes); returns how many records were accepted
 * and notes each request's time in flight in `flights`. Node's fetch keeps connections alive,
 * so a kiosk's batches to one process reuse one connection.
 */
async function send(
  requests: SignedRequest[],
  gatewayUrls: string[],
  route: () => number,
  flights: Flight[],
): Promise<number> {
  let accepted = 0;
  for (const request of requests) {
    const gateway = route();
    const start = performance.now();
    const response = await fetch(`${gatewayUrls[gateway] ?? ''}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const body: unknown = await response.json();
    flights.push({ gateway, start, end: performance.now() });
    accepted += acceptedIn(request.protocol, body);
  }
  return accepted;
}

/** How many records a batch reply says were accepted (a v2 reply gives seq ranges). */
function acceptedIn(protocol: IngestProtocol, body: unknown): number {
  if (protocol === 1) {
    return batchReplySchema.parse(body).results.filter((r) => r.status === 'accepted').length;
  }
  return batchReplyV2Schema
    .parse(body)
    .accepted.reduce((n, [from, to]) => n + Math.max(0, to - from + 1), 0);
}

/**
 * Posts every stream's batches, the kiosks at the same time and each kiosk's batches one after
 * another: first the untimed warm-up (the first tenth of each kiosk's batches), then the rest,
 * timed. Every request of a phase is signed before that phase starts, and connections are
 * kept alive, so in the timed window the bench only writes bytes and reads replies. `onTimed`
 * is called just before and just after the timed window (CPU snapshots). Throws unless every
 * record is accepted exactly once.
 */
export async function postStreams(input: {
  store: 'sqlite' | 'postgres';
  gatewayUrls: string[];
  streams: Stream[];
  batchSize: number;
  onTimed?: (phase: 'start' | 'end') => Promise<void> | void;
}): Promise<IngestResult> {
  const { streams, gatewayUrls } = input;
  const warmup = (stream: Stream): number => Math.max(1, Math.floor(stream.bodies.length / 10));
  const route = roundRobin(gatewayUrls.length);
  const warm = await Promise.all(streams.map((stream) => signRequests(stream, 0, warmup(stream))));
  let accepted = (
    await Promise.all(warm.map((requests) => send(requests, gatewayUrls, route, [])))
  ).reduce((a, b) => a + b, 0);
  const timedRequests = await Promise.all(
    streams.map((stream) => signRequests(stream, warmup(stream), stream.bodies.length)),
  );
  await input.onTimed?.('start');
  const started = performance.now();
  const finished: number[] = [];
  const flights: Flight[] = [];
  const timed = await Promise.all(
    timedRequests.map((requests) =>
      send(requests, gatewayUrls, route, flights).then((accepted) => {
        finished.push(performance.now());
        return accepted;
      }),
    ),
  );
  const ms = performance.now() - started;
  await input.onTimed?.('end');
  const timedTransactions = timed.reduce((a, b) => a + b, 0);
  accepted += timedTransactions;
  const total = streams.reduce((n, s) => n + s.bodies.reduce((m, b) => m + b.items, 0), 0);
  if (accepted !== total) throw new Error(`ingest: ${accepted} of ${total} accepted`);
  return {
    store: input.store,
    protocol: streams[0]?.protocol ?? 2,
    kiosks: streams.length,
    gateways: gatewayUrls.length,
    transactions: total,
    timedTransactions,
    batchSize: input.batchSize,
    ms,
    perSecond: (timedTransactions / ms) * 1000,
    tailMs: started + ms - Math.min(...finished),
    spread: spreadOf(flights, gatewayUrls.length, started, started + ms),
  };
}

/**
 * Gateway ingest: each kiosk's records (sealed to this gateway, gzip'd, in batches) are posted
 * straight to the gateway process on 127.0.0.1, one batch after another per kiosk, the kiosks at
 * the same time, in `protocol`. The figure is verified and stored transactions per second (each
 * record's hash and chain link; the device signature, over each record in v1, over each batch's
 * chain head in v2; the sealed personal fields opened and their digest checked (v1) or derived
 * (v2); chain placement; commit). The batches are built and signed before the timer starts; the first tenth of each
 * kiosk's batches warms the gateway up and is not timed.
 */
export async function measureIngest(input: {
  store: 'sqlite' | 'postgres';
  /** One gateway, or several processes on one database (batches spread over them in turn). */
  gatewayUrls: string[];
  kiosks: Array<{ kiosk: CommittedKiosk; token: string }>;
  batchSize: number;
  protocol: IngestProtocol;
}): Promise<IngestResult> {
  const [first] = input.gatewayUrls;
  if (!first) throw new Error('ingest needs a gateway');
  const streams: Stream[] = [];
  for (const { kiosk, token } of input.kiosks) {
    const unbuilt: Stream = { kiosk, token, protocol: input.protocol, path: '', bodies: [] };
    const gatewayKey = await enrolStream(first, unbuilt);
    streams.push(await buildStream(kiosk, token, gatewayKey, input.batchSize, input.protocol));
  }
  return postStreams({
    store: input.store,
    gatewayUrls: input.gatewayUrls,
    streams,
    batchSize: input.batchSize,
  });
}
