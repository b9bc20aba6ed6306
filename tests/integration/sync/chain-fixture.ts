import 'fake-indexeddb/auto';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { importDataKey } from '../../../sync/client/data-key';
import { commitTransaction } from '../../../sync/client/commit';
import type { TransactionInput } from '../../../sync/client/commit';
import { exportPublicKey } from '../../../sync/protocol/device-signature';
import type { PublicKeyJwk } from '../../../sync/protocol/device-signature';
import type { TransactionRecord } from '../../../sync/protocol/records';
import { openTestStore } from '../../support/kiosk-store';

export const sampleInput: TransactionInput = {
  serviceId: 'birth-certificate-replacement',
  catalogueVersion: '2026.11.1',
  channel: 'assisted',
  language: 'es',
  fee: { amountMinor: 1000, currency: 'BZD' },
  fields: { fullName: 'Ana Pérez', dateOfBirth: '1990-04-01', district: 'cayo' },
  personalFieldIds: ['fullName', 'dateOfBirth'],
};

/** A kiosk's first `n` chain records, really committed and signed. */
export async function makeChain(
  kioskId: string,
  n: number,
): Promise<{ records: TransactionRecord[]; publicKey: PublicKeyJwk; keys: CryptoKeyPair }> {
  const { store } = openTestStore(`fixture-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(store);
  const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  const records: TransactionRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    records.push((await commitTransaction({ store, kioskId, keys, dataKey }, sampleInput)).record);
  }
  store.close();
  return { records, publicKey: await exportPublicKey(keys.publicKey), keys };
}
