import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxRow, OutboxStore } from '../../../sync/client/store/outbox-store';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { importDataKey } from '../../../sync/client/data-key';
import { commitTransaction } from '../../../sync/client/commit';
import { purgeDeliveredPersonalData, readPersonalFields } from '../../../sync/client/personal-data';
import { observeProblems, observeQueue } from '../../../sync/client/status';
import type { QueueView } from '../../../sync/client/status';
import { openTestStore, birthCertificate, kioskId } from '../../support/chain-fixture';

const DAY = 24 * 60 * 60_000;

describe('the outbox', () => {
  let db: KioskDatabase;
  let store: OutboxStore;
  let dataKey: CryptoKey;
  let keys: CryptoKeyPair;

  beforeEach(async () => {
    ({ store, db } = openTestStore(`hygiene-${crypto.randomUUID()}`));
    dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
    keys = await loadOrCreateDeviceKey(store);
  });
  afterEach(() => db.close());

  it('moves a row that no longer parses to the dead-letter table with its reason, and sends the rest', async () => {
    for (let i = 0; i < 3; i += 1) {
      await commitTransaction({ store, kioskId, keys, dataKey }, birthCertificate);
    }
    const broken = (await db.outbox.get(2)) as OutboxRow;
    await db.outbox.put({ ...broken, record: { ...broken.record, sig: '' } });

    const rows = await store.queued(10);
    expect(rows.map((row) => row.seq)).toEqual([1, 3]);
    const dead = await db.deadLetters.toArray();
    expect(dead).toHaveLength(1);
    expect(dead[0]?.key).toBe('2');
    expect(dead[0]?.reason).toMatch(/record\.sig/);
    expect(await db.outbox.get(2)).toBeUndefined();

    const problems = await new Promise<unknown[]>((resolve) => {
      const sub = observeProblems(store).subscribe((value) => {
        sub.unsubscribe();
        resolve(value);
      });
    });
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'dead-letter', key: '2', reason: dead[0]?.reason }),
    ]);
  });

  it('purges personal data only from rows delivered longer ago than the retention period', async () => {
    const now = Date.UTC(2026, 10, 23);
    const txs = [];
    for (let i = 0; i < 3; i += 1) {
      txs.push(await commitTransaction({ store, kioskId, keys, dataKey }, birthCertificate));
    }
    await db.outbox.update(1, { state: 'delivered', deliveredAt: now - 31 * DAY });
    await db.outbox.update(2, { state: 'delivered', deliveredAt: now - 29 * DAY });
    // Row 3 stays queued however old it is: nothing is purged before delivery.
    await db.outbox.update(3, { queuedAt: now - 400 * DAY });

    expect(await purgeDeliveredPersonalData(store, { retentionDays: 30, now })).toBe(1);
    const [old, recent, queued] = await db.outbox.orderBy('seq').toArray();
    expect(old?.state).toBe('purged');
    expect(old?.personalLocal).toBeUndefined();
    expect(old?.purgedAt).toBe(now);
    // The chain record and the receipt stub stay.
    expect(old?.record.hash).toBe(txs[0]?.record.hash);
    expect(old?.ref).toBe(txs[0]?.ref);
    expect(await readPersonalFields(store, dataKey, txs[0]?.txId ?? '')).toBeUndefined();
    expect(recent?.personalLocal).toBeDefined();
    expect(queued?.personalLocal).toBeDefined();
    expect(await readPersonalFields(store, dataKey, txs[2]?.txId ?? '')).toEqual({
      fullName: 'Ana Pérez Quetzal',
      dateOfBirth: '1990-04-01',
    });
  });

  it('reports queue depth, oldest queued age and last delivery as a live query', async () => {
    const seen: QueueView[] = [];
    const sub = observeQueue(store).subscribe((view) => seen.push(view));
    await commitTransaction(
      { store, kioskId, keys, dataKey, now: () => new Date(1_000) },
      birthCertificate,
    );
    await commitTransaction(
      { store, kioskId, keys, dataKey, now: () => new Date(2_000) },
      birthCertificate,
    );
    await db.outbox.update(1, { state: 'delivered', deliveredAt: 5_000 });
    await expect
      .poll(() => seen.at(-1))
      .toEqual({
        queued: 1,
        rejected: 0,
        delivered: 1,
        deadLetters: 0,
        oldestQueuedAt: 2_000,
        lastDeliveredAt: 5_000,
      });
    sub.unsubscribe();
  });
});
