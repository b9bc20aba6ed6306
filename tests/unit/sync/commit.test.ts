import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendChainRecord, commitTransaction } from '../../../sync/client/commit';
import type { CommitDeps } from '../../../sync/client/commit';
import { decryptLocal, importDataKey } from '../../../sync/client/data-key';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { clearOpenReceipt, readOpenReceipt } from '../../../sync/client/open-receipt';
import { isValidReferenceNumber } from '../../../sync/client/reference-number';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import { exportPublicKey } from '../../../sync/protocol/device-signature';
import { checkRecord } from '../../../sync/protocol/record-check';
import { personalDigest, personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import { GENESIS_HASH, recordHash } from '../../../sync/protocol/records';
import type { UnsignedRecord } from '../../../sync/protocol/records';
import { openTestStore, birthCertificate, kioskId } from '../../support/chain-fixture';

/** The store, except that another writer moves the chain head just before each append. */
function withRivalWriter(store: OutboxStore, db: KioskDatabase): OutboxStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') {
        return async (...args: Parameters<OutboxStore['append']>) => {
          const [, expected] = args;
          await db.meta.put({
            key: 'chain-head',
            value: { seq: expected.seq + 1, hash: 'a'.repeat(64) },
          });
          return target.append(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe('committing to the outbox', () => {
  let store: OutboxStore;
  let db: KioskDatabase;
  let deps: CommitDeps;

  beforeEach(async () => {
    ({ store, db } = openTestStore(`commit-${crypto.randomUUID()}`));
    deps = {
      store,
      kioskId,
      keys: await loadOrCreateDeviceKey(store),
      dataKey: await importDataKey(crypto.getRandomValues(new Uint8Array(32))),
    };
  });
  afterEach(() => store.close());

  it('chains every record kind into one gapless, signed chain starting at the genesis hash', async () => {
    const first = await commitTransaction(deps, birthCertificate);
    const signIn = await appendChainRecord(deps, 'officer-sign-in', {
      officerId: '00012345',
      method: 'card',
    });
    const second = await commitTransaction(deps, birthCertificate);
    const records = [first.record, signIn, second.record];
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(records.map((record) => record.prevHash)).toEqual([
      GENESIS_HASH,
      first.record.hash,
      signIn.hash,
    ]);
    const publicKey = await exportPublicKey(deps.keys.publicKey);
    for (const record of records) {
      const { hash, ...signed } = record;
      const unsigned = { ...signed, sig: undefined };
      expect(hash).toBe(await recordHash(unsigned as unknown as UnsignedRecord));
      expect(await checkRecord(record, publicKey)).toEqual({ ok: true });
      expect(record.kioskId).toBe(kioskId);
    }
    expect(await store.readHead()).toEqual({ seq: 3, hash: second.record.hash });
    expect((await store.rows()).map((row) => row.txId)).toEqual([
      first.txId,
      signIn.body.txId,
      second.txId,
    ]);
  });

  it('serialises commits made at the same moment into one chain, none lost, none forked', async () => {
    const done = await Promise.all(
      Array.from({ length: 6 }, () => commitTransaction(deps, birthCertificate)),
    );
    expect(done.map((tx) => tx.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const rows = await store.rows();
    for (const [index, row] of rows.entries()) {
      expect(row.record.prevHash).toBe(index === 0 ? GENESIS_HASH : rows[index - 1]?.record.hash);
    }
  });

  it('writes a queued row with the receipt stub, the kiosk clock and an encrypted personal copy', async () => {
    const at = new Date('2026-03-04T10:11:12.000Z');
    const tx = await commitTransaction(
      { ...deps, now: () => at },
      { ...birthCertificate, channel: 'assisted', officerId: '00012345' },
    );
    expect(isValidReferenceNumber(tx.ref)).toBe(true);
    const row = await store.find({ txId: tx.txId });
    expect(row).toMatchObject({
      seq: 1,
      txId: tx.txId,
      ref: tx.ref,
      serviceId: birthCertificate.serviceId,
      state: 'queued',
      queuedAt: at.getTime(),
      attempts: 0,
    });
    expect(row?.record.createdAt).toBe(at.toISOString());
    const body = tx.record.body;
    expect(body).toMatchObject({
      txId: tx.txId,
      ref: tx.ref,
      serviceId: birthCertificate.serviceId,
      catalogueVersion: birthCertificate.catalogueVersion,
      channel: 'assisted',
      officerId: '00012345',
      language: 'en',
      fee: birthCertificate.fee,
      fields: { district: 'cayo' },
    });
    // The record names the personal fields (sorted) and holds only their salted digest; the
    // row's copy, bound to the transaction id, opens to exactly those values.
    expect(body.personal?.fieldIds).toEqual(['dateOfBirth', 'fullName']);
    if (!row?.personalLocal || !deps.dataKey) throw new Error('no personal copy');
    const payload = personalPayloadSchema.parse(
      JSON.parse(await decryptLocal(deps.dataKey, row.personalLocal, tx.txId)) as unknown,
    );
    expect(payload.fields).toEqual({ fullName: 'Ana Pérez Quetzal', dateOfBirth: '1990-04-01' });
    expect(body.personal?.digest).toBe(await personalDigest(payload));
    await expect(decryptLocal(deps.dataKey, row.personalLocal, 'another-tx')).rejects.toThrow();
  });

  it('keeps a transaction without personal answers entirely in its record, needing no data key', async () => {
    const tx = await commitTransaction(
      { ...deps, dataKey: undefined },
      { ...birthCertificate, personalFieldIds: ['notAnswered'] },
    );
    expect(tx.record.body.personal).toBeUndefined();
    expect(tx.record.body.fields).toEqual(birthCertificate.fields);
    expect((await store.find({ txId: tx.txId }))?.personalLocal).toBeUndefined();
    expect(tx.record.body.officerId).toBeUndefined();
  });

  it('gives an officer record a row without reference number or service', async () => {
    const record = await appendChainRecord(deps, 'officer-sign-out', {
      officerId: '00012345',
      cause: 'inactivity',
    });
    const row = await store.find({ txId: record.body.txId });
    expect(row).toMatchObject({ seq: 1, state: 'queued', attempts: 0, record });
    expect(row && 'ref' in row).toBe(false);
    expect(row && 'serviceId' in row).toBe(false);
  });

  it('marks the session receipt open in the commit itself, so a crash cannot lose it', async () => {
    const at = new Date('2026-03-04T10:11:12.000Z');
    const tx = await commitTransaction(
      { ...deps, now: () => at },
      { ...birthCertificate, fields: { ...birthCertificate.fields, paymentMethod: 'counter' } },
      { openReceipt: true },
    );
    expect(await store.readSetting('open-receipt')).toEqual({ txId: tx.txId, at: at.getTime() });
    expect(await readOpenReceipt(store)).toEqual({
      txId: tx.txId,
      ref: tx.ref,
      serviceId: birthCertificate.serviceId,
      language: 'en',
      payment: { method: 'counter' },
      committedAt: at.getTime(),
      fee: birthCertificate.fee,
    });
    // A commit that is not the session's own (an SMS opt-in, a reprint) leaves the marker alone.
    await commitTransaction(deps, birthCertificate);
    expect((await store.readSetting('open-receipt'))?.txId).toBe(tx.txId);
    await clearOpenReceipt(store);
    expect(await readOpenReceipt(store)).toBeUndefined();
    // A marker whose transaction is not on this kiosk is dropped.
    await store.writeSetting('open-receipt', { txId: crypto.randomUUID(), at: 1 });
    expect(await readOpenReceipt(store)).toBeUndefined();
    expect(await store.readSetting('open-receipt')).toBeUndefined();
  });

  it('refuses a commit whose chain head moved underneath it, leaving nothing of it on disk', async () => {
    await commitTransaction(deps, birthCertificate);
    const racing = { ...deps, store: withRivalWriter(store, db) };
    await expect(
      commitTransaction(racing, birthCertificate, { openReceipt: true }),
    ).rejects.toMatchObject({ code: 'commit-conflict' });
    expect(await store.readSetting('open-receipt')).toBeUndefined();
    await expect(commitTransaction(racing, birthCertificate)).rejects.toMatchObject({
      name: 'SyncError',
      code: 'commit-conflict',
    });
    await expect(
      appendChainRecord(racing, 'officer-sign-in', { officerId: '00012345', method: 'pin' }),
    ).rejects.toMatchObject({ code: 'commit-conflict' });
    expect(await db.outbox.count()).toBe(1);
  });

  it('rejects with commit-failed, and writes nothing, when IndexedDB refuses the row', async () => {
    const sameId = crypto.randomUUID();
    const fixed = { ...deps, randomUuid: () => sameId };
    await commitTransaction(fixed, birthCertificate);
    const head = await store.readHead();
    const attempt = commitTransaction(fixed, birthCertificate);
    await expect(attempt).rejects.toMatchObject({ name: 'SyncError', code: 'commit-failed' });
    await expect(attempt).rejects.toThrow(/ConstraintError|already exists|unique/i);
    expect(await db.outbox.count()).toBe(1);
    expect(await store.readHead()).toEqual(head);
  });

  it('stops committing when the stored chain head is corrupt, rather than guess and fork', async () => {
    await db.meta.put({ key: 'chain-head', value: { seq: 'two' } });
    await expect(commitTransaction(deps, birthCertificate)).rejects.toMatchObject({
      code: 'commit-failed',
    });
    await expect(
      appendChainRecord(deps, 'officer-sign-in', { officerId: '00012345', method: 'card' }),
    ).rejects.toMatchObject({ code: 'commit-failed' });
    expect(await db.outbox.count()).toBe(0);
  });

  it('refuses a record that breaks the protocol or cannot be encoded, before anything is stored', async () => {
    const noService = commitTransaction(deps, { ...birthCertificate, serviceId: '' });
    await expect(noService).rejects.toMatchObject({ code: 'invalid-record' });
    await expect(noService).rejects.toThrow(/\(.*>=1 characters\)/);
    const notEncodable = commitTransaction(deps, {
      ...birthCertificate,
      fee: { amountMinor: Number.NaN, currency: 'BZD' },
    });
    await expect(notEncodable).rejects.toMatchObject({ code: 'invalid-record' });
    await expect(notEncodable).rejects.toThrow(/\(canonicalJson: non-finite number\)/);
    // An officer id belongs to assisted transactions only.
    await expect(
      commitTransaction(deps, { ...birthCertificate, officerId: '00012345' }),
    ).rejects.toMatchObject({ code: 'invalid-record' });
    expect(await db.outbox.count()).toBe(0);
    expect(await store.readHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
  });
});
