import 'fake-indexeddb/auto';
import { openKioskDatabase } from '../../../sync/client/db';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { importDataKey } from '../../../sync/client/data-key';
import { commitTransaction } from '../../../sync/client/commit';
import type { TransactionInput } from '../../../sync/client/commit';
import { exportPublicKey } from '../../../sync/protocol/device-signature';
import type { PublicKeyJwk } from '../../../sync/protocol/device-signature';
import type { TransactionRecord } from '../../../sync/protocol/records';

export const sampleInput: TransactionInput = {
  serviceId: 'birth-certificate-replacement',
  catalogueVersion: '2026.11.1',
  channel: 'assisted',
  language: 'es',
  fee: { amountMinor: 1000, currency: 'BZD' },
  fields: { fullName: 'Ana Pérez', dateOfBirth: '1990-04-01', district: 'cayo' },
  personalFieldIds: ['fullName', 'dateOfBirth'],
};

/**
 * A kiosk's first `n` chain records, really committed and signed; `vary(i)` changes the i-th
 * transaction's input (another service, say).
 */
export async function makeChain(
  kioskId: string,
  n: number,
  vary: (index: number) => Partial<TransactionInput> = () => ({}),
): Promise<{ records: TransactionRecord[]; publicKey: PublicKeyJwk; keys: CryptoKeyPair }> {
  const db = openKioskDatabase(`fixture-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(db);
  const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  const records: TransactionRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    records.push(
      (await commitTransaction({ db, kioskId, keys, dataKey }, { ...sampleInput, ...vary(i) }))
        .record,
    );
  }
  db.close();
  return { records, publicKey: await exportPublicKey(keys.publicKey), keys };
}
