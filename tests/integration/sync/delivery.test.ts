import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import { commitTransaction } from '../../../sync/client/commit';
import { SyncEngine } from '../../../sync/client/engine';
import { birthCertificate as input, openTestKiosk } from '../../support/chain-fixture';
import type { TestKiosk } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

const kioskId = 'test-kiosk-01';
const token = 'one-time-token-123';

describe('delivery to the real gateway', () => {
  let gateway: InProcessGateway;
  let kiosk: TestKiosk;
  let db: KioskDatabase;
  let store: OutboxStore;
  let dataKey: CryptoKey;
  let keys: CryptoKeyPair;

  beforeEach(async () => {
    gateway = await startInProcessGateway([{ kioskId, token }]);
    kiosk = await openTestKiosk(kioskId);
    ({ db, store, dataKey, keys } = kiosk);
  });

  afterEach(async () => {
    await kiosk.close();
    await gateway.close();
  });

  it('delivers committed transactions once and marks them delivered', async () => {
    const deps = { store, kioskId, keys, dataKey };
    const committed = [];
    for (let i = 0; i < 3; i += 1) committed.push(await commitTransaction(deps, input));
    expect(committed.map((c) => c.seq)).toEqual([1, 2, 3]);

    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      gatewayUrl: gateway.url,
      enrolmentToken: token,
      dataKey,
    });
    await engine.trigger();
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.state)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
    expect((await gateway.store.getKiosk(kioskId))?.head.seq).toBe(3);

    // Replaying the same records yields duplicates, never a second row.
    await db.outbox.toCollection().modify({ state: 'queued' });
    await engine.trigger();
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
    expect((await db.outbox.toArray()).every((r) => r.state === 'delivered')).toBe(true);
    expect(await gateway.store.listTamperAlerts(kioskId)).toEqual([]);
    engine.stop();
  });

  it('keeps transactions queued while the gateway is unreachable', async () => {
    await commitTransaction({ store, kioskId, keys, dataKey }, input);
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      gatewayUrl: 'http://127.0.0.1:9', // discard port: nothing listens
      enrolmentToken: token,
      random: () => 0.5,
    });
    await engine.trigger();
    expect(engine.status.link).toBe('offline');
    expect(engine.status.state).toBe('waiting');
    expect((await db.outbox.toArray()).map((r) => r.state)).toEqual(['queued']);
    engine.stop();
  });

  it('flags a record whose content was altered after signing', async () => {
    const tx = await commitTransaction({ store, kioskId, keys, dataKey }, input);
    await db.outbox.update(tx.seq, {
      record: {
        ...tx.record,
        body: { ...tx.record.body, fee: { amountMinor: 1, currency: 'BZD' } },
      },
    });
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      gatewayUrl: gateway.url,
      enrolmentToken: token,
      dataKey,
    });
    await engine.trigger();
    const row = await db.outbox.get(tx.seq);
    expect(row?.state).toBe('rejected');
    expect(row?.rejectReason).toBe('hash-mismatch');
    expect((await gateway.store.listTamperAlerts(kioskId)).map((a) => a.kind)).toEqual([
      'hash-mismatch',
    ]);
    engine.stop();
  });
});
