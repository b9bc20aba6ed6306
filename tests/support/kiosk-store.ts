import { DexieOutboxStore } from '../../sync/client/store/dexie-outbox-store';
import { KioskDatabase } from '../../sync/client/store/dexie-schema';

/**
 * A kiosk outbox store on its own database (fake-indexeddb in Node: the test imports
 * `fake-indexeddb/auto` first), with the raw Dexie database beside it for what a test does
 * behind the store's back: corrupt a row, move the head, dump every table.
 */
export function openTestStore(name = `test-${crypto.randomUUID()}`): {
  store: DexieOutboxStore;
  db: KioskDatabase;
} {
  const db = new KioskDatabase(name);
  return { store: new DexieOutboxStore(db), db };
}
