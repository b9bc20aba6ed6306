import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import type { ChainRecord } from '../../../sync/protocol/records';
import type { GatewayStore } from '../../../sync/server/store';
import { NONCE_TTL_MS } from '../../../sync/server/store';
import { makeChain } from '../../support/chain-fixture';
import { storeBackends } from './store-backends';

const backends = storeBackends('gateway-store');
const databaseUrl = process.env.DATABASE_URL;

const heartbeat = {
  sentAt: '2026-11-23T06:00:00.000Z',
  queueDepth: 2,
  oldestQueuedAt: 1_700_000_000_000,
  rejected: 0,
  deadLetters: 0,
  lastDeliveryAt: null,
  appVersion: '0.1.0',
};

const asItems = (records: ChainRecord[]) => records.map((record) => ({ record }));

describe.each(backends)('the gateway store on $name', (backend) => {
  let store: GatewayStore;
  const kiosk = (): string => `store-${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    store = await openGatewayStore(backend.location);
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

  it('refuses to issue a token already issued to another kiosk, and takes the same one again', async () => {
    const first = kiosk();
    const second = kiosk();
    await store.addEnrolmentToken(first, `hash-${first}`);
    await store.addEnrolmentToken(first, `hash-${first}`);
    await expect(store.addEnrolmentToken(second, `hash-${first}`)).rejects.toThrow(
      `enrolment token for ${second} refused: that token is already issued to another kiosk`,
    );
    const { publicKey } = await makeChain(second, 0);
    expect(await store.enrol(second, `hash-${first}`, publicKey)).toBe('bad-token');
    expect(await store.enrol(first, `hash-${first}`, publicKey)).toBe('enrolled');
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

  it('places a batch of thousands of records, held after a gap, and links them all when it closes', async () => {
    // Unsigned stand-ins are enough here: the store places records, ingest has verified them.
    const { kioskId, records: signed } = await enrolled(1);
    const [r1] = signed;
    if (!r1) throw new Error('fixture');
    const records: ChainRecord[] = [r1];
    for (let seq = 2; seq <= 1_202; seq += 1) {
      const prev = records[records.length - 1];
      records.push({
        ...r1,
        seq,
        prevHash: prev?.hash ?? '',
        hash: seq.toString(16).padStart(64, '0'),
        body: { ...r1.body, txId: crypto.randomUUID(), ref: `BZ${seq}-BULK` },
      });
    }
    const [, r2, ...rest] = records;
    if (!r2) throw new Error('fixture');
    const held = await store.applyBatch(kioskId, asItems([r1, ...rest]));
    expect(held.results.filter((r) => r.status === 'accepted')).toHaveLength(1_201);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 1_200 });
    const again = await store.applyBatch(kioskId, asItems(rest));
    expect(new Set(again.results.map((r) => r.status))).toEqual(new Set(['duplicate']));
    const filled = await store.applyBatch(kioskId, asItems([r2]));
    expect(filled.head).toEqual({ seq: 1_202, hash: records[1_201]?.hash });
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1_202, awaiting: 0 });
    expect(await store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('stores every record of batches that straddle its 500-row INSERTs once, in chain order', async () => {
    // Unsigned stand-ins (the store places what ingest verified), each with its own sealed box.
    const { kioskId, records: signed } = await enrolled(1);
    const [r1] = signed;
    if (!r1) throw new Error('fixture');
    const records: ChainRecord[] = [r1];
    for (let seq = 2; seq <= 1_500; seq += 1) {
      records.push({
        ...r1,
        seq,
        prevHash: records[records.length - 1]?.hash ?? '',
        hash: seq.toString(16).padStart(64, '0'),
        body: { ...r1.body, txId: crypto.randomUUID(), ref: `BZ${seq}-EDGE` },
      });
    }
    const sealed = (seq: number) => ({
      alg: 'ECDH-ES+HKDF-SHA256+A256GCM' as const,
      epk: { kty: 'EC' as const, crv: 'P-256' as const, x: 'x'.repeat(43), y: 'y'.repeat(43) },
      iv: 'i'.repeat(16),
      ct: `ciphertext-of-record-${String(seq).padStart(6, '0')}`,
    });
    const items = records.map((record) => ({ record, personal: sealed(record.seq) }));
    const statuses = async (from: number, to: number) =>
      (await store.applyBatch(kioskId, items.slice(from, to))).results.map((r) => r.status);
    const count = (list: string[], status: string) => list.filter((s) => s === status).length;
    expect(count(await statuses(0, 499), 'accepted')).toBe(499);
    const second = await statuses(0, 1_000);
    expect([count(second, 'duplicate'), count(second, 'accepted')]).toEqual([499, 501]);
    const third = await statuses(0, 1_500);
    expect([count(third, 'duplicate'), count(third, 'accepted')]).toEqual([1_000, 500]);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1_500, awaiting: 0 });
    const stored = await store.listRecords(kioskId);
    expect(stored.map((r) => r.seq)).toEqual(records.map((r) => r.seq));
    expect(stored.map((r) => r.body.txId)).toEqual(records.map((r) => r.body.txId));
    for (const seq of [499, 500, 501, 1_000, 1_001, 1_500]) {
      expect((await store.readPersonal(kioskId, seq))?.ct).toBe(sealed(seq).ct);
    }
    expect(await store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('takes an expired request nonce again, also between two sweeps of expired nonces', async () => {
    const kioskId = kiosk();
    const start = 2_000_000_000_000;
    expect(await store.useNonce(kioskId, 'nonce-cccccccccccccccc', start)).toBe(true);
    // A sweep runs here, before the first nonce has expired; the next call is too soon for one.
    expect(
      await store.useNonce(kioskId, 'nonce-dddddddddddddddd', start + NONCE_TTL_MS - 30_000),
    ).toBe(true);
    expect(await store.useNonce(kioskId, 'nonce-cccccccccccccccc', start + NONCE_TTL_MS)).toBe(
      false,
    );
    expect(await store.useNonce(kioskId, 'nonce-cccccccccccccccc', start + NONCE_TTL_MS + 1)).toBe(
      true,
    );
    expect(await store.useNonce(kioskId, 'nonce-cccccccccccccccc', start + NONCE_TTL_MS + 2)).toBe(
      false,
    );
    expect(await store.useNonce(kioskId, 'nonce-dddddddddddddddd', start + NONCE_TTL_MS + 3)).toBe(
      false,
    );
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

  it('counts transactions per day, kiosk, service and channel, with the voided ones', async () => {
    const { kioskId, records } = await enrolled(2);
    const [r1, r2] = records;
    if (!r1 || !r2) throw new Error('fixture');
    const voidRecord: ChainRecord = {
      v: 1,
      kioskId,
      seq: 3,
      prevHash: r2.hash,
      createdAt: r2.createdAt,
      kind: 'void',
      body: {
        txId: crypto.randomUUID(),
        officerId: '00012345',
        voids: { txId: r1.body.txId, seq: 1 },
        reason: 'wrong service chosen',
      },
      hash: 'a'.repeat(64),
      sig: 's'.repeat(86),
    };
    await store.applyBatch(kioskId, [{ record: r1 }, { record: r2 }, { record: voidRecord }]);
    const day = r1.createdAt.slice(0, 10);
    const mine = (await store.transactionCounts(day)).filter((row) => row.kioskId === kioskId);
    expect(mine).toEqual([
      {
        day,
        kioskId,
        serviceId: 'birth-certificate-replacement',
        channel: 'self-service',
        count: 2,
        voided: 1,
      },
    ]);
    const tomorrow = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    expect((await store.transactionCounts(tomorrow)).some((row) => row.kioskId === kioskId)).toBe(
      false,
    );
  });

  it('lists kiosks, records in seq order and what it holds from a seq on', async () => {
    const { kioskId, records, publicKey } = await enrolled(3);
    const [r1, r2, r3] = records;
    if (!r1 || !r2 || !r3) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r3 }, { record: r1 }]);
    expect((await store.listRecords(kioskId)).map((r) => r.seq)).toEqual([1, 3]);
    expect(await store.recordsFrom(kioskId, 2, 10)).toEqual([
      { seq: 3, id: r3.body.txId, hash: r3.hash, state: 'awaiting' },
    ]);
    expect(await store.recordsFrom(kioskId, 1, 1)).toEqual([
      { seq: 1, id: r1.body.txId, hash: r1.hash, state: 'chained' },
    ]);
    const listed = (await store.listKiosks()).find((row) => row.kioskId === kioskId);
    expect(listed).toMatchObject({ kioskId, publicKey, head: { seq: 1, hash: r1.hash } });
    const ids = (await store.listKiosks()).map((row) => row.kioskId);
    expect(ids).toEqual([...ids].sort());
  });

  it('replaces a setting on put and forgets nonces older than their time to live', async () => {
    const key = `setting-${crypto.randomUUID()}`;
    await store.putSetting(key, 'one');
    await store.putSetting(key, 'two');
    expect(await store.getSetting(key)).toBe('two');
    expect(await store.getSetting(`${key}-absent`)).toBeUndefined();
    const kioskId = kiosk();
    const start = 1_800_000_000_000;
    expect(await store.useNonce(kioskId, 'nonce-bbbbbbbbbbbbbbbb', start)).toBe(true);
    expect(await store.useNonce(kioskId, 'nonce-bbbbbbbbbbbbbbbb', start + NONCE_TTL_MS)).toBe(
      false,
    );
    expect(await store.useNonce(kioskId, 'nonce-bbbbbbbbbbbbbbbb', start + NONCE_TTL_MS + 1)).toBe(
      true,
    );
  });

  it('keeps tamper alerts per kiosk in the order they were raised', async () => {
    const [a, b] = [kiosk(), kiosk()];
    const alert = (kioskId: string, kind: string) => ({
      kioskId,
      seq: null,
      kind,
      detail: `${kind} detail`,
      at: '2026-11-23T06:00:00.000Z',
    });
    await store.addTamperAlert(alert(a, 'bad-signature'));
    await store.addTamperAlert(alert(b, 'hash-mismatch'));
    await store.addTamperAlert(alert(a, 'wrong-kiosk'));
    const once = { repeats: 1, lastAt: '2026-11-23T06:00:00.000Z' };
    expect(await store.listTamperAlerts(a)).toEqual([
      { ...alert(a, 'bad-signature'), ...once },
      { ...alert(a, 'wrong-kiosk'), ...once },
    ]);
    const all = (await store.listTamperAlerts()).filter((x) => [a, b].includes(x.kioskId));
    expect(all.map((x) => x.kind)).toEqual(['bad-signature', 'hash-mismatch', 'wrong-kiosk']);
  });

  it('keeps one alert per incident: the same one raised again counts on it, with its last time', async () => {
    const k = kiosk();
    const raise = (seq: number | null, detail: string, at: string) =>
      store.addTamperAlert({ kioskId: k, seq, kind: 'chain-mismatch', detail, at });
    await raise(3, 'prevHash does not match', '2026-11-23T06:00:00.000Z');
    await raise(3, 'prevHash does not match', '2026-11-23T06:05:00.000Z');
    await raise(4, 'prevHash does not match', '2026-11-23T06:06:00.000Z');
    await raise(3, 'another detail', '2026-11-23T06:07:00.000Z');
    await raise(null, 'prevHash does not match', '2026-11-23T06:08:00.000Z');
    await raise(null, 'prevHash does not match', '2026-11-23T06:09:00.000Z');
    await raise(3, 'prevHash does not match', '2026-11-23T06:10:00.000Z');
    // Another kiosk's identical alert is its own.
    const other = kiosk();
    await store.addTamperAlert({
      kioskId: other,
      seq: 3,
      kind: 'chain-mismatch',
      detail: 'prevHash does not match',
      at: '2026-11-23T06:11:00.000Z',
    });
    const rows = (await store.listTamperAlerts(k)).map((x) => [
      x.seq,
      x.detail,
      x.at,
      x.repeats,
      x.lastAt,
    ]);
    expect(rows).toEqual([
      [3, 'prevHash does not match', '2026-11-23T06:00:00.000Z', 3, '2026-11-23T06:10:00.000Z'],
      [4, 'prevHash does not match', '2026-11-23T06:06:00.000Z', 1, '2026-11-23T06:06:00.000Z'],
      [3, 'another detail', '2026-11-23T06:07:00.000Z', 1, '2026-11-23T06:07:00.000Z'],
      [null, 'prevHash does not match', '2026-11-23T06:08:00.000Z', 2, '2026-11-23T06:09:00.000Z'],
    ]);
    expect((await store.listTamperAlerts(other)).map((x) => x.repeats)).toEqual([1]);
  });
});

describe('two gateways on one PostgreSQL database', () => {
  it.skipIf(!databaseUrl)(
    "place one kiosk's overlapping batches once each, with an intact chain",
    async () => {
      const url = databaseUrl ?? '';
      const [a, b] = [
        await openGatewayStore({ databaseUrl: url }),
        await openGatewayStore({ databaseUrl: url }),
      ];
      try {
        const kioskId = `two-gw-${crypto.randomUUID().slice(0, 8)}`;
        const { records, publicKey } = await makeChain(kioskId, 20);
        await a.addEnrolmentToken(kioskId, `hash-${kioskId}`);
        expect(await b.enrol(kioskId, `hash-${kioskId}`, publicKey)).toBe('enrolled');
        const items = records.map((record) => ({ record }));
        // A load balancer spreading a kiosk's retries over both gateways, all at once.
        const replies = await Promise.all([
          a.applyBatch(kioskId, items.slice(0, 10)),
          b.applyBatch(kioskId, items),
          a.applyBatch(kioskId, items.slice(10)),
          b.applyBatch(kioskId, items.slice(4, 15)),
        ]);
        const accepted = replies.flatMap((reply) =>
          reply.results.filter((r) => r.status === 'accepted').map((r) => r.id),
        );
        expect(accepted.sort()).toEqual(records.map((r) => r.body.txId).sort());
        const statuses = new Set(replies.flatMap((reply) => reply.results.map((r) => r.status)));
        expect([...statuses].sort()).toEqual(['accepted', 'duplicate']);
        expect(await a.countRecords(kioskId)).toEqual({ chained: 20, awaiting: 0 });
        expect((await b.getKiosk(kioskId))?.head).toEqual({ seq: 20, hash: records[19]?.hash });
        expect(await a.listTamperAlerts(kioskId)).toEqual([]);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );
});
