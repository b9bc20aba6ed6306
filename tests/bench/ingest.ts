import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../sync/protocol/canonical-json';
import { signText } from '../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../sync/protocol/request-signature';
import { importSealingPublicKey, sealTo } from '../../sync/protocol/sealed-box';
import { batchReplySchema } from '../../sync/protocol/wire';
import type { BatchItem } from '../../sync/protocol/wire';
import { decryptLocal } from '../../sync/client/data-key';
import { GatewayClient } from '../../sync/client/gateway-client';
import type { CommittedKiosk } from './dataset';

export interface IngestResult {
  store: 'sqlite' | 'postgres';
  transactions: number;
  /** After the untimed warm-up batches. */
  timedTransactions: number;
  batchSize: number;
  ms: number;
  perSecond: number;
}

/**
 * Gateway ingest: the kiosk's records (sealed to this gateway, gzip'd, in batches) are posted
 * straight to the gateway process on 127.0.0.1 one batch after another; the figure is verified
 * and stored transactions per second (hash, device signature, sealed personal fields opened and
 * checked against the digest, chain placement, commit).
 */
export async function measureIngest(input: {
  store: 'sqlite' | 'postgres';
  gatewayUrl: string;
  kiosk: CommittedKiosk;
  token: string;
  batchSize: number;
}): Promise<IngestResult> {
  const { kiosk } = input;
  const client = new GatewayClient({
    baseUrl: input.gatewayUrl,
    kioskId: kiosk.kioskId,
    signingKey: kiosk.keys.privateKey,
  });
  await client.enrol(input.token, kiosk.keys.publicKey);
  const config = await client.getConfig();
  if (!config) throw new Error('no gateway config');
  const gatewayKey = await importSealingPublicKey(config.config.gatewayKey);
  const rows = await kiosk.db.outbox.orderBy('seq').toArray();
  const items: BatchItem[] = [];
  for (const row of rows) {
    items.push(
      row.personalLocal
        ? {
            record: row.record,
            personal: await sealTo(
              gatewayKey,
              await decryptLocal(kiosk.dataKey, row.personalLocal, row.txId),
              row.txId,
            ),
          }
        : { record: row.record },
    );
  }
  const path = `/v1/kiosks/${kiosk.kioskId}/batches`;
  const bodies: Array<{ gz: Buffer; digest: string }> = [];
  for (let i = 0; i < items.length; i += input.batchSize) {
    const text = canonicalJson({
      batchId: crypto.randomUUID(),
      items: items.slice(i, i + input.batchSize),
    });
    bodies.push({ gz: gzipSync(text), digest: await sha256Hex(text) });
  }
  // The first batches warm the gateway up (JIT, statement caches) and are not timed.
  const warmup = Math.max(1, Math.floor(bodies.length / 10));
  let started = performance.now();
  let accepted = 0;
  let timedItems = 0;
  for (const [index, body] of bodies.entries()) {
    if (index === warmup) {
      started = performance.now();
      timedItems = 0;
    }
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
    const response = await fetch(`${input.gatewayUrl}${path}`, {
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
    timedItems += reply.results.length;
  }
  const ms = performance.now() - started;
  if (accepted !== items.length) {
    throw new Error(`ingest: ${accepted} of ${items.length} accepted`);
  }
  return {
    store: input.store,
    transactions: items.length,
    timedTransactions: timedItems,
    batchSize: input.batchSize,
    ms,
    perSecond: (timedItems / ms) * 1000,
  };
}
