import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  kioskDatabaseName,
  openKioskDatabase,
  schemaVersions,
} from '../../../sync/client/store/dexie-schema';
import { DexieOutboxStore } from '../../../sync/client/store/dexie-outbox-store';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { importDataKey } from '../../../sync/client/data-key';
import { commitTransaction } from '../../../sync/client/commit';
import { openTestStore, birthCertificate, kioskId } from '../../support/chain-fixture';

/** Writes rows as schema v1 did, using only the v1 layout. */
async function seedVersion1(name: string): Promise<number> {
  const { store: scratchStore, db: scratch } = openTestStore(`scratch-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(scratchStore);
  const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  const rows = [];
  for (let i = 0; i < 3; i += 1) {
    const committed = await commitTransaction(
      { store: scratchStore, kioskId, keys, dataKey },
      { ...birthCertificate, personalFieldIds: [] },
    );
    rows.push({
      seq: committed.seq,
      txId: committed.txId,
      ref: committed.ref,
      serviceId: birthCertificate.serviceId,
      state: i === 0 ? 'delivered' : 'queued',
      record: committed.record,
      queuedAt: 1_700_000_000_000 + i,
      attempts: 0,
      ...(i === 0 ? { deliveredAt: 1_700_000_100_000 } : {}),
    });
  }
  const head = await scratch.meta.get('chain-head');
  scratch.close();

  const v1 = new Dexie(name);
  const first = schemaVersions[0];
  if (!first) throw new Error('no v1 schema');
  v1.version(first.version).stores(first.stores);
  await v1.table('outbox').bulkAdd(rows);
  await v1.table('meta').put(head);
  v1.close();
  return rows.length;
}

describe('the kiosk database schema', () => {
  it('upgrades from version 1 keeping every queued row, its state and the chain head', async () => {
    const id = `migrate-${crypto.randomUUID()}`;
    const seeded = await seedVersion1(kioskDatabaseName(id));

    const db = openKioskDatabase(id);
    await db.open();
    const store = new DexieOutboxStore(db);
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows).toHaveLength(seeded);
    expect(rows.map((row) => row.state)).toEqual(['delivered', 'queued', 'queued']);
    expect(rows.every((row) => row.legacyPlaintext === true)).toBe(true);
    // The upgraded rows still parse, so the engine sends them rather than dead-lettering them.
    expect((await store.queued(10)).map((row) => row.seq)).toEqual([2, 3]);
    expect(await db.deadLetters.count()).toBe(0);
    // The chain continues where v1 left it.
    const keys = await loadOrCreateDeviceKey(store);
    const next = await commitTransaction(
      { store, kioskId, keys, dataKey: await importDataKey(new Uint8Array(32).fill(7)) },
      birthCertificate,
    );
    expect(next.seq).toBe(4);
    expect(next.record.prevHash).toBe(rows[2]?.record.hash);
    db.close();
  });
});
