import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../sync/protocol/canonical-json';
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
}

interface Stream {
  kiosk: CommittedKiosk;
  path: string;
  bodies: Array<{ gz: Buffer; digest: string; items: number }>;
}

/** Enrols the kiosk and builds its batches: records with personal fields sealed to this gateway. */
async function prepareStream(
  gatewayUrl: string,
  kiosk: CommittedKiosk,
  token: string,
  batchSize: number,
): Promise<Stream> {
  const client = new GatewayClient({
    baseUrl: gatewayUrl,
    kioskId: kiosk.kioskId,
    signingKey: kiosk.keys.privateKey,
  });
  await client.enrol(token, kiosk.keys.publicKey);
  const config = await client.getConfig();
  if (!config) throw new Error('no gateway config');
  const gatewayKey = config.config.gatewayKey;
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
  return { kiosk, path: `/v1/kiosks/${kiosk.kioskId}/batches`, bodies };
}

/**
 * Posts batches [from, to) of a stream one after another, batch `i` to gateway `i mod n` (so a
 * kiosk's chain continues across processes); returns how many were accepted.
 */
async function post(
  gatewayUrls: string[],
  stream: Stream,
  from: number,
  to: number,
): Promise<number> {
  const { kiosk, path } = stream;
  let accepted = 0;
  for (let index = from; index < to; index += 1) {
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
    const response = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
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
    const reply = batchReplySchema.parse(await response.json());
    accepted += reply.results.filter((r) => r.status === 'accepted').length;
  }
  return accepted;
}

/**
 * Gateway ingest: each kiosk's records (sealed to this gateway, gzip'd, in batches) are posted
 * straight to the gateway process on 127.0.0.1, one batch after another per kiosk, the kiosks at
 * the same time. The figure is verified and stored transactions per second (hash, device
 * signature, sealed personal fields opened and checked against the digest, chain placement,
 * commit). The first tenth of each kiosk's batches warms the gateway up and is not timed.
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
    streams.push(await prepareStream(first, kiosk, token, input.batchSize));
  }
  const warmup = (stream: Stream): number => Math.max(1, Math.floor(stream.bodies.length / 10));
  let accepted = (
    await Promise.all(streams.map((stream) => post(input.gatewayUrls, stream, 0, warmup(stream))))
  ).reduce((a, b) => a + b, 0);
  const started = performance.now();
  const timed = await Promise.all(
    streams.map((stream) => post(input.gatewayUrls, stream, warmup(stream), stream.bodies.length)),
  );
  const ms = performance.now() - started;
  const timedTransactions = timed.reduce((a, b) => a + b, 0);
  accepted += timedTransactions;
  const total = streams.reduce((n, s) => n + s.bodies.reduce((m, b) => m + b.items, 0), 0);
  if (accepted !== total) throw new Error(`ingest: ${accepted} of ${total} accepted`);
  return {
    store: input.store,
    kiosks: streams.length,
    gateways: input.gatewayUrls.length,
    transactions: total,
    timedTransactions,
    batchSize: input.batchSize,
    ms,
    perSecond: (timedTransactions / ms) * 1000,
  };
}
