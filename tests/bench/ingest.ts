import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../sync/protocol/canonical-json';
import type { EcPublicJwk } from '../../sync/protocol/crypto-primitives';
import { signText } from '../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../sync/protocol/request-signature';
import { batchReplySchema } from '../../sync/protocol/wire';
import { toBatchItems } from '../../sync/client/batch-items';
import { GatewayClient } from '../../sync/client/gateway-client';
import type { CommittedKiosk } from './dataset';

export interface IngestResult {
  store: 'sqlite' | 'postgres';
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
}

/** One kiosk's batches, built before anything is timed: sealed, canonical JSON, gzip'd. */
export interface Stream {
  kiosk: CommittedKiosk;
  token: string;
  path: string;
  bodies: Array<{ gz: Buffer; digest: string; items: number }>;
}

/** A batch request with its signature headers, ready to send. */
interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Builds a kiosk's v1 batches with its personal fields sealed to `gatewayKey`: all the client's
 * CPU work (opening the kiosk's copies, sealing, canonical JSON, gzip, digests) happens here,
 * before any timing, so the load generator does not compete with the gateway for the cores.
 */
export async function buildStream(
  kiosk: CommittedKiosk,
  token: string,
  gatewayKey: EcPublicJwk,
  batchSize: number,
): Promise<Stream> {
  const { items } = await toBatchItems(await kiosk.store.queued(await kiosk.store.countQueued()), {
    dataKey: kiosk.dataKey,
    gatewayKey: async () => gatewayKey,
  });
  const bodies: Stream['bodies'] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const text = canonicalJson({ batchId: crypto.randomUUID(), items: batch });
    bodies.push({ gz: gzipSync(text), digest: await sha256Hex(text), items: batch.length });
  }
  return { kiosk, token, path: `/v1/kiosks/${kiosk.kioskId}/batches`, bodies };
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
 * Signs batches [from, to) of a stream (a fresh nonce and timestamp each), batch `i` addressed
 * to gateway `i mod n` (so a kiosk's chain continues across processes). Done before the timer
 * starts: the signature window (5 minutes) is far longer than a timed run.
 */
async function signRequests(
  gatewayUrls: string[],
  stream: Stream,
  from: number,
  to: number,
): Promise<SignedRequest[]> {
  const { kiosk, path } = stream;
  const requests: SignedRequest[] = [];
  for (let index = from; index < Math.min(to, stream.bodies.length); index += 1) {
    const body = stream.bodies[index];
    const gatewayUrl = gatewayUrls[index % gatewayUrls.length];
    if (!body || !gatewayUrl) break;
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
      url: `${gatewayUrl}${path}`,
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
 * Sends signed requests one after another; returns how many records were accepted. Node's
 * fetch keeps connections alive, so a kiosk's batches reuse one connection.
 */
async function send(requests: SignedRequest[]): Promise<number> {
  let accepted = 0;
  for (const request of requests) {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const reply = batchReplySchema.parse(await response.json());
    accepted += reply.results.filter((r) => r.status === 'accepted').length;
  }
  return accepted;
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
  const warm = await Promise.all(
    streams.map((stream) => signRequests(gatewayUrls, stream, 0, warmup(stream))),
  );
  let accepted = (await Promise.all(warm.map((requests) => send(requests)))).reduce(
    (a, b) => a + b,
    0,
  );
  const timedRequests = await Promise.all(
    streams.map((stream) =>
      signRequests(gatewayUrls, stream, warmup(stream), stream.bodies.length),
    ),
  );
  await input.onTimed?.('start');
  const started = performance.now();
  const finished: number[] = [];
  const timed = await Promise.all(
    timedRequests.map((requests) =>
      send(requests).then((accepted) => {
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
    kiosks: streams.length,
    gateways: gatewayUrls.length,
    transactions: total,
    timedTransactions,
    batchSize: input.batchSize,
    ms,
    perSecond: (timedTransactions / ms) * 1000,
    tailMs: started + ms - Math.min(...finished),
  };
}

/**
 * Gateway ingest: each kiosk's records (sealed to this gateway, gzip'd, in batches) are posted
 * straight to the gateway process on 127.0.0.1, one batch after another per kiosk, the kiosks at
 * the same time. The figure is verified and stored transactions per second (hash, device
 * signature, sealed personal fields opened and checked against the digest, chain placement,
 * commit). The batches are built and signed before the timer starts; the first tenth of each
 * kiosk's batches warms the gateway up and is not timed.
 */
export async function measureIngest(input: {
  store: 'sqlite' | 'postgres';
  /** One gateway, or several processes on one database (batches spread over them in turn). */
  gatewayUrls: string[];
  kiosks: Array<{ kiosk: CommittedKiosk; token: string }>;
  batchSize: number;
}): Promise<IngestResult> {
  const [first] = input.gatewayUrls;
  if (!first) throw new Error('ingest needs a gateway');
  const streams: Stream[] = [];
  for (const { kiosk, token } of input.kiosks) {
    const unbuilt: Stream = { kiosk, token, path: '', bodies: [] };
    const gatewayKey = await enrolStream(first, unbuilt);
    streams.push(await buildStream(kiosk, token, gatewayKey, input.batchSize));
  }
  return postStreams({
    store: input.store,
    gatewayUrls: input.gatewayUrls,
    streams,
    batchSize: input.batchSize,
  });
}
