import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import { generateDeviceKeyPair, signText } from '../../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../../sync/protocol/encoding';
import type { PersonalPayload } from '../../../sync/protocol/personal-fields';
import { GENESIS_HASH } from '../../../sync/protocol/records';
import type { TransactionRecord } from '../../../sync/protocol/records';
import { requestSigningText, signatureHeaders } from '../../../sync/protocol/request-signature';
import { sealTo } from '../../../sync/protocol/sealed-box';
import type { BatchItem, BatchReply } from '../../../sync/protocol/wire';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import type { StoreLocation } from '../../../sync/server/db/gateway-store';
import { signTransaction } from '../../support/chain-fixture';
import { launchGatewayChild } from '../../support/gateway-process';
import { postgresUrl } from './store-backends';

const databaseUrl = postgresUrl('two-gateway-ingest');

/** Just over two of the store's 500-row INSERTs, so a write boundary falls inside each batch. */
const RECORDS = 1_001;

const payload = (i: number): PersonalPayload => ({
  salt: `s${String(i).padStart(21, '0')}`,
  fields: { fullName: `Citizen ${i}`, dateOfBirth: '1990-04-01' },
});

interface Backend {
  name: string;
  /** Gateway CLI arguments and the store location the test reads back. */
  args: string[];
  env: { databaseUrl?: string };
  location: StoreLocation;
  cleanup: () => void;
}

function backends(): Backend[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-two-gw-'));
  const list: Backend[] = [
    {
      name: 'one SQLite file',
      args: ['--data', dir],
      env: {},
      location: { sqliteFile: path.join(dir, 'gateway.sqlite') },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  if (databaseUrl) {
    list.push({
      name: 'one PostgreSQL database',
      args: ['--data', dir],
      env: { databaseUrl },
      location: { databaseUrl },
      cleanup: () => undefined,
    });
  }
  return list;
}

/**
 * The ingest path as a scaled-out site runs it: two real gateway processes on one database, one
 * kiosk whose overlapping batches (each over 500 records, sealed personal fields, signed
 * requests) reach both processes at once, as a load balancer spreading a kiosk's retries would.
 */
describe.each(backends())('two gateway processes on $name', (backend) => {
  const kioskId = `two-gw-${crypto.randomUUID().slice(0, 8)}`;
  const token = `token-${kioskId}`;
  let children: ChildProcess[] = [];
  let urls: string[] = [];
  let keys: CryptoKeyPair;
  let records: TransactionRecord[] = [];
  let items: BatchItem[] = [];

  beforeAll(async () => {
    const launched = await Promise.all(
      [0, 1].map(() =>
        launchGatewayChild(
          ['--port', '0', '--sms-off', ...backend.args, '--enrol-token', `${kioskId}:${token}`],
          {
            ...(backend.env.databaseUrl ? { databaseUrl: backend.env.databaseUrl } : {}),
            timeoutMs: 60_000,
          },
        ),
      ),
    );
    children = launched.map((gateway) => gateway.child);
    urls = launched.map((gateway) => gateway.url);
    keys = await generateDeviceKeyPair();
    const client = new GatewayClient({
      baseUrl: urls[0] ?? '',
      kioskId,
      signingKey: keys.privateKey,
    });
    await client.enrol(token, keys.publicKey);
    const config = await client.getConfig();
    if (!config) throw new Error('no config');
    let head = { seq: 0, hash: GENESIS_HASH };
    for (let i = 0; i < RECORDS; i += 1) {
      const record = await signTransaction(keys, kioskId, head, { personal: payload(i) });
      records.push(record);
      items.push({
        record,
        personal: await sealTo(
          config.config.gatewayKey,
          canonicalJson(payload(i)),
          record.body.txId,
        ),
      });
      head = { seq: record.seq, hash: record.hash };
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    backend.cleanup();
    records = [];
    items = [];
  });

  const clientOf = (url: string): GatewayClient =>
    new GatewayClient({ baseUrl: url, kioskId, signingKey: keys.privateKey, timeoutMs: 60_000 });

  it("store one kiosk's overlapping batches, sent to both at once, exactly once each with an intact chain", async () => {
    const [a, b] = urls.map(clientOf);
    if (!a || !b) throw new Error('two gateways');
    const send = (client: GatewayClient, from: number, to: number): Promise<BatchReply> =>
      client.postBatch({ batchId: crypto.randomUUID(), items: items.slice(from, to) });
    const replies = await Promise.all([
      send(a, 0, 600),
      send(b, 400, RECORDS),
      send(b, 0, RECORDS),
      send(a, 0, RECORDS),
    ]);
    const results = replies.flatMap((reply) => reply.results);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const accepted = results.filter((r) => r.status === 'accepted').map((r) => r.id);
    // Every record accepted once, by one of the four requests; every other sight a duplicate.
    expect(accepted.length).toBe(RECORDS);
    expect(new Set(accepted)).toEqual(new Set(records.map((r) => r.body.txId)));
    expect(results.length - accepted.length).toBe(600 + 601 + 2 * RECORDS - RECORDS);

    const store = await openGatewayStore(backend.location);
    try {
      expect(await store.countRecords(kioskId)).toEqual({ chained: RECORDS, awaiting: 0 });
      const stored = await store.listRecords(kioskId);
      expect(stored.map((r) => r.seq)).toEqual(records.map((r) => r.seq));
      expect(stored.map((r) => r.hash)).toEqual(records.map((r) => r.hash));
      expect((await store.getKiosk(kioskId))?.head).toEqual({
        seq: RECORDS,
        hash: records[RECORDS - 1]?.hash,
      });
      // Each record keeps its own sealed personal fields, across the INSERTs' boundaries.
      for (const i of [0, 499, 500, 999, 1000]) {
        expect(await store.readPersonal(kioskId, i + 1)).toEqual(items[i]?.personal);
      }
      expect(await store.listTamperAlerts(kioskId)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuse a signed request replayed to the other process (the nonce is shared)', async () => {
    const body = canonicalJson({ batchId: crypto.randomUUID(), items: items.slice(0, 3) });
    const requestPath = `/v1/kiosks/${kioskId}/batches`;
    const digest = await sha256Hex(body);
    const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const timestamp = Date.now();
    const signature = await signText(
      keys.privateKey,
      requestSigningText({ method: 'POST', path: requestPath, kioskId, timestamp, nonce, digest }),
    );
    const post = (url: string | undefined) =>
      fetch(`${url ?? ''}${requestPath}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [signatureHeaders.kiosk]: kioskId,
          [signatureHeaders.timestamp]: String(timestamp),
          [signatureHeaders.nonce]: nonce,
          [signatureHeaders.digest]: digest,
          [signatureHeaders.signature]: signature,
        },
        body,
      });
    const first = await post(urls[0]);
    expect(first.status).toBe(200);
    const replayed = await post(urls[1]);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { message: string }).message).toBe('replayed');
  });
});
