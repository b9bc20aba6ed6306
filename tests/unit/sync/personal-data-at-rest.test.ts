import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { importDataKey } from '../../../sync/client/data-key';
import { commitTransaction } from '../../../sync/client/commit';
import { readPersonalFields } from '../../../sync/client/personal-data';
import { SyncError } from '../../../sync/client/sync-error';
import { personalDigest, personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import {
  openTestStore,
  birthCertificate,
  kioskId,
  personalValues,
} from '../../support/chain-fixture';

/** Every row of every table, serialised: what someone copying the IndexedDB files would get. */
async function dumpDatabase(db: KioskDatabase): Promise<string> {
  const tables: Record<string, unknown[]> = {};
  for (const table of db.tables) tables[table.name] = await table.toArray();
  return JSON.stringify(tables);
}

describe('personal data at rest', () => {
  let db: KioskDatabase;
  let store: OutboxStore;
  let dataKey: CryptoKey;

  beforeEach(async () => {
    ({ store, db } = openTestStore(`at-rest-${crypto.randomUUID()}`));
    dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  });
  afterEach(() => db.close());

  it('never writes a personal value to IndexedDB in plain text', async () => {
    const keys = await loadOrCreateDeviceKey(store);
    for (let i = 0; i < 3; i += 1) {
      await commitTransaction({ store, kioskId, keys, dataKey }, birthCertificate);
    }
    const dump = await dumpDatabase(db);
    for (const value of personalValues) {
      expect(dump).not.toContain(value);
      expect(dump).not.toContain(JSON.stringify(value).slice(1, -1));
    }
    // Non-personal answers stay readable, so the dump is a real dump of the rows.
    expect(dump).toContain('cayo');
    expect(dump).toContain('birth-certificate-replacement');
  });

  it('keeps a salted digest in the signed record that matches the encrypted copy', async () => {
    const keys = await loadOrCreateDeviceKey(store);
    const tx = await commitTransaction({ store, kioskId, keys, dataKey }, birthCertificate);
    expect(tx.record.body.fields).toEqual({ district: 'cayo' });
    expect(tx.record.body.personal?.fieldIds).toEqual(['dateOfBirth', 'fullName']);
    expect(await readPersonalFields(store, dataKey, tx.txId)).toEqual({
      fullName: 'Ana Pérez Quetzal',
      dateOfBirth: '1990-04-01',
    });
    // The same values under another salt give another digest: the digest alone reveals nothing.
    const other = await personalDigest(
      personalPayloadSchema.parse({
        salt: 'AAAAAAAAAAAAAAAAAAAAAA',
        fields: { fullName: 'Ana Pérez Quetzal', dateOfBirth: '1990-04-01' },
      }),
    );
    expect(other).not.toBe(tx.record.body.personal?.digest);
  });

  it('refuses to read personal data with another data key', async () => {
    const keys = await loadOrCreateDeviceKey(store);
    const tx = await commitTransaction({ store, kioskId, keys, dataKey }, birthCertificate);
    const wrongKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
    await expect(readPersonalFields(store, wrongKey, tx.txId)).rejects.toMatchObject({
      code: 'personal-data-unreadable',
    });
  });

  it('refuses to commit personal fields without a data key, and stores nothing', async () => {
    const keys = await loadOrCreateDeviceKey(store);
    const attempt = commitTransaction({ store, kioskId, keys }, birthCertificate);
    await expect(attempt).rejects.toBeInstanceOf(SyncError);
    await expect(attempt).rejects.toMatchObject({ code: 'no-data-key' });
    expect(await db.outbox.count()).toBe(0);
  });

  it('imports the data key as a key scripts cannot read back', async () => {
    await expect(crypto.subtle.exportKey('raw', dataKey)).rejects.toThrow();
    await expect(importDataKey(new Uint8Array(16))).rejects.toThrow(/32 bytes/);
  });
});
