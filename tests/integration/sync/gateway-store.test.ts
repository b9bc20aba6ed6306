import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../sync/server/postgres-store';
import { openSqliteStore } from '../../../sync/server/sqlite-store';
import type { GatewayStore } from '../../../sync/server/store';
import { makeChain } from './chain-fixture';

interface Backend {
  name: string;
  open: () => Promise<GatewayStore>;
  cleanup: () => void;
}

const sqliteDir = mkdtempSync(path.join(tmpdir(), 'sp-store-'));
const backends: Backend[] = [
  {
    name: 'SQLite',
    open: async () => openSqliteStore(path.join(sqliteDir, 'gateway.sqlite')),
    cleanup: () => rmSync(sqliteDir, { recursive: true, force: true }),
  },
];
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  backends.push({
    name: 'PostgreSQL',
    open: () => openPostgresStore(databaseUrl),
    cleanup: () => undefined,
  });
} else {
  console.log(
    'gateway-store: PostgreSQL tests skipped: DATABASE_URL is not set ' +
      '(eval "$(bash build/scripts/start-postgres.sh)" to run them)',
  );
}

const heartbeat = {
  sentAt: '2026-11-23T06:00:00.000Z',
  queueDepth: 2,
  oldestQueuedAt: 1_700_000_000_000,
  rejected: 0,
  deadLetters: 0,
  lastDeliveryAt: null,
  appVersion: '0.1.0',
};

describe.each(backends)('the gateway store on $name', (backend) => {
  let store: GatewayStore;
  const kiosk = (): string => `store-${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
    backend.cleanup();
  });

  async function enrolled(n: number) {
    const kioskId = kiosk();
    const chain = await makeChain(kioskId, n);
    await store.addEnrolmentToken(kioskId, `hash-${kioskId}`);
    expect(await store.enrol(kioskId, `hash-${kioskId}`, chain.publicKey)).toBe('enrolled');
    return { kioskId, ...chain };
  }

  it('enrols a kiosk once per token and recognises the same key coming back', async () => {
    const { kioskId, publicKey } = await enrolled(0);
    expect(await store.enrol(kioskId, `hash-${kioskId}`, publicKey)).toBe('already-enrolled');
    const other = (await makeChain(kioskId, 0)).publicKey;
    expect(await store.enrol(kioskId, `hash-${kioskId}`, other)).toBe('bad-token');
    expect(await store.enrol(kiosk(), 'no-such-token', publicKey)).toBe('bad-token');
  });

  it('accepts a batch once and answers duplicate to every replay, never storing a second row', async () => {
    const { kioskId, records } = await enrolled(3);
    const items = records.map((record) => ({ record }));
    const first = await store.applyBatch(kioskId, items);
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(first.head.seq).toBe(3);
    const again = await store.applyBatch(kioskId, items);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
    expect(await store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('holds records after a gap as awaiting and chains them when the gap is filled', async () => {
    const { kioskId, records } = await enrolled(4);
    const [r1, r2, r3, r4] = records;
    if (!r1 || !r2 || !r3 || !r4) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1 }, { record: r3 }, { record: r4 }]);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 2 });
    expect((await store.getKiosk(kioskId))?.head.seq).toBe(1);
    const filled = await store.applyBatch(kioskId, [{ record: r2 }]);
    expect(filled.head).toEqual({ seq: 4, hash: r4.hash });
    expect(await store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });
  });

  it('rejects a changed record under a known transaction id and raises a tamper alert', async () => {
    const { kioskId, records } = await enrolled(2);
    const [r1, r2] = records;
    if (!r1 || !r2) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1 }]);
    const forged = { ...r1, hash: r2.hash };
    const reply = await store.applyBatch(kioskId, [{ record: forged }]);
    expect(reply.results[0]).toMatchObject({ status: 'rejected', reason: 'conflicting-duplicate' });
    const seqClash = { ...r2, seq: 1 };
    const clash = await store.applyBatch(kioskId, [{ record: seqClash }]);
    expect(clash.results[0]).toMatchObject({ status: 'rejected', reason: 'seq-conflict' });
    expect((await store.listTamperAlerts(kioskId)).map((a) => a.kind)).toEqual([
      'conflicting-duplicate',
      'seq-conflict',
    ]);
  });

  it('flags a record whose prevHash does not continue the chain', async () => {
    const { kioskId, records } = await enrolled(2);
    const [r1, r2] = records;
    if (!r1 || !r2) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1 }]);
    const reply = await store.applyBatch(kioskId, [
      { record: { ...r2, prevHash: 'f'.repeat(64) } },
    ]);
    expect(reply.results[0]).toMatchObject({ status: 'rejected', reason: 'chain-mismatch' });
    expect((await store.listTamperAlerts(kioskId)).map((a) => a.kind)).toEqual(['chain-mismatch']);
    expect((await store.getKiosk(kioskId))?.head.seq).toBe(1);
  });

  it('accepts a request nonce once per kiosk', async () => {
    const kioskId = kiosk();
    expect(await store.useNonce(kioskId, 'nonce-aaaaaaaaaaaaaaaa', Date.now())).toBe(true);
    expect(await store.useNonce(kioskId, 'nonce-aaaaaaaaaaaaaaaa', Date.now())).toBe(false);
    expect(await store.useNonce(kiosk(), 'nonce-aaaaaaaaaaaaaaaa', Date.now())).toBe(true);
  });

  it('keeps the first value of a setting, so gateways sharing a database share one key', async () => {
    const key = `setting-${crypto.randomUUID()}`;
    expect(await store.putSettingIfAbsent(key, 'first')).toBe('first');
    expect(await store.putSettingIfAbsent(key, 'second')).toBe('first');
    expect(await store.getSetting(key)).toBe('first');
  });

  it('keeps the latest heartbeat, finds records by receipt reference and returns sealed personal data', async () => {
    const { kioskId, records } = await enrolled(1);
    const [r1] = records;
    if (!r1) throw new Error('fixture');
    const sealed = {
      alg: 'ECDH-ES+HKDF-SHA256+A256GCM' as const,
      epk: { kty: 'EC' as const, crv: 'P-256' as const, x: 'x'.repeat(43), y: 'y'.repeat(43) },
      iv: 'AAAAAAAAAAAAAAAA',
      ct: 'c'.repeat(40),
    };
    await store.applyBatch(kioskId, [{ record: r1, personal: sealed }]);
    expect(await store.readPersonal(kioskId, 1)).toEqual(sealed);
    await store.recordHeartbeat(kioskId, heartbeat, '2026-11-23T06:00:01.000Z');
    await store.recordHeartbeat(
      kioskId,
      { ...heartbeat, queueDepth: 0 },
      '2026-11-23T06:05:00.000Z',
    );
    expect(await store.lastHeartbeat(kioskId)).toEqual({
      beat: { ...heartbeat, queueDepth: 0 },
      receivedAt: '2026-11-23T06:05:00.000Z',
    });
    const found = await store.findByRefs([r1.body.ref, 'ZZZZ-ZZZZ-Z']);
    expect(found).toEqual([
      expect.objectContaining({ ref: r1.body.ref, serviceId: 'birth-certificate-replacement' }),
    ]);
  });
});
