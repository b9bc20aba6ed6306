import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { commitTransaction } from '../../../sync/client/commit';
import { importDataKey } from '../../../sync/client/data-key';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { cacheRoster } from '../../../sync/client/officer-session';
import { clearOpenReceipt, readOpenReceipt } from '../../../sync/client/open-receipt';
import {
  birthCertificate,
  kioskId,
  openTestStore,
  personalValues,
} from '../../support/chain-fixture';

async function kiosk() {
  const { store, db } = openTestStore(`receipt-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(store);
  const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  return { store, db, kioskId, keys, dataKey };
}

describe('the receipt a crash left open', () => {
  it("is on disk with the commit itself, and shows the session's receipt without anything personal", async () => {
    const deps = await kiosk();
    const input = {
      ...birthCertificate,
      fields: {
        ...birthCertificate.fields,
        paymentMethod: 'mobile-money',
        paymentReference: 'MM-778',
      },
    };
    const committed = await commitTransaction(deps, input, { openReceipt: true });
    // What a restarted page reads: the same database, nothing held in memory.
    const open = await readOpenReceipt(deps.store);
    expect(open).toEqual({
      txId: committed.txId,
      ref: committed.ref,
      serviceId: 'birth-certificate-replacement',
      language: 'en',
      payment: { method: 'mobile-money', reference: 'MM-778' },
      committedAt: expect.any(Number),
      // What the transaction recorded as charged, for the resumed receipt's line.
      fee: birthCertificate.fee,
    });
    for (const value of personalValues) expect(JSON.stringify(open)).not.toContain(value);
    await clearOpenReceipt(deps.store);
    expect(await readOpenReceipt(deps.store)).toBeUndefined();
  });

  it('is left by the session transaction only, not by one made on the receipt (an SMS opt-in)', async () => {
    const deps = await kiosk();
    const main = await commitTransaction(deps, birthCertificate, { openReceipt: true });
    await commitTransaction(deps, { ...birthCertificate, serviceId: 'sms-alerts' });
    expect((await readOpenReceipt(deps.store))?.txId).toBe(main.txId);
  });

  it('names the officer of an assisted transaction from the roster, and clears a marker whose record is gone', async () => {
    const deps = await kiosk();
    await cacheRoster(deps, [
      {
        officerId: '00012345',
        name: 'Maya Cal',
        pinHash:
          'pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
        active: true,
      },
    ]);
    const assisted = await commitTransaction(
      deps,
      { ...birthCertificate, channel: 'assisted', officerId: '00012345' },
      { openReceipt: true },
    );
    expect((await readOpenReceipt(deps.store))?.officer).toEqual({
      officerId: '00012345',
      name: 'Maya Cal',
    });
    await deps.db.outbox.where('txId').equals(assisted.txId).delete();
    expect(await readOpenReceipt(deps.store)).toBeUndefined();
    expect(await deps.db.meta.get('open-receipt')).toBeUndefined();
  });

  it('is not left when the commit fails inside its IndexedDB transaction (one transaction for both)', async () => {
    const deps = await kiosk();
    // The outbox write fails inside the transaction, as on a full disk.
    const failing = (): never => {
      throw new Error('QuotaExceededError');
    };
    deps.db.outbox.hook('creating', failing);
    await expect(commitTransaction(deps, birthCertificate, { openReceipt: true })).rejects.toThrow(
      /commit-failed|QuotaExceeded/,
    );
    deps.db.outbox.hook('creating').unsubscribe(failing);
    expect(await readOpenReceipt(deps.store)).toBeUndefined();
    expect(await deps.db.meta.get('open-receipt')).toBeUndefined();
  });
});
