/**
 * The kiosk side every sync test starts from: one test transaction, a kiosk's storage with its
 * device key and data key (fake-indexeddb, WebCrypto from Node), and a chain of real, signed
 * records. Unit, integration, proof, chaos and bench code take them from here.
 */
import 'fake-indexeddb/auto';
import { toBatchV2 } from '../../sync/client/batch-items';
import { commitTransaction } from '../../sync/client/commit';
import type { CommittedTransaction, TransactionInput } from '../../sync/client/commit';
import { importDataKey } from '../../sync/client/data-key';
import type { GatewayClient } from '../../sync/client/gateway-client';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { DexieOutboxStore } from '../../sync/client/store/dexie-outbox-store';
import { KioskDatabase } from '../../sync/client/store/dexie-schema';
import { exportPublicKey, signText } from '../../sync/protocol/device-signature';
import type { PublicKeyJwk } from '../../sync/protocol/device-signature';
import { personalDigest } from '../../sync/protocol/personal-fields';
import type { PersonalPayload } from '../../sync/protocol/personal-fields';
import { chainRecordSchema, recordHash } from '../../sync/protocol/records';
import type { ChainRecord, TransactionRecord, UnsignedRecord } from '../../sync/protocol/records';
import type { BatchRequestV2 } from '../../sync/protocol/wire-v2';

/** The kiosk id of tests that need only one. */
export const kioskId = 'test-kiosk-01';

/** A Belize birth-certificate replacement: two personal fields and one that is not. */
export const birthCertificate: TransactionInput = {
  serviceId: 'birth-certificate-replacement',
  catalogueVersion: '2026.11.1',
  channel: 'self-service',
  language: 'en',
  fee: { amountMinor: 1000, currency: 'BZD' },
  fields: { fullName: 'Ana Pérez Quetzal', dateOfBirth: '1990-04-01', district: 'cayo' },
  personalFieldIds: ['fullName', 'dateOfBirth'],
};

/** A Botswana livestock movement permit, completed by an officer in Setswana: one personal field. */
export const livestockPermit: TransactionInput = {
  serviceId: 'livestock-movement-permit',
  catalogueVersion: '2026.11.1',
  channel: 'assisted',
  officerId: '00012345',
  language: 'tn',
  fee: { amountMinor: 2500, currency: 'BWP' },
  fields: { fullName: 'Kagiso Molefe', district: 'kweneng', paymentMethod: 'counter' },
  personalFieldIds: ['fullName'],
};

/** The values of `birthCertificate`'s personal fields: never to be found in the clear. */
export const personalValues = ['Ana Pérez Quetzal', '1990-04-01'];

/**
 * A kiosk outbox store on its own database, with the raw Dexie database beside it for what a
 * test does behind the store's back: corrupt a row, move the head, dump every table.
 */
export function openTestStore(name = `test-${crypto.randomUUID()}`): {
  store: DexieOutboxStore;
  db: KioskDatabase;
} {
  const db = new KioskDatabase(name);
  return { store: new DexieOutboxStore(db), db };
}

export interface TestKiosk {
  kioskId: string;
  /** The outbox store, as the kiosk's code uses it. */
  store: DexieOutboxStore;
  /** The raw database under the store (see `openTestStore`). */
  db: KioskDatabase;
  keys: CryptoKeyPair;
  dataKey: CryptoKey;
  /** Commits `input` (default `birthCertificate`) as this kiosk's next transaction. */
  commit(input?: TransactionInput, now?: () => Date): Promise<CommittedTransaction>;
  publicKey(): Promise<PublicKeyJwk>;
  /** Closes and deletes the kiosk's database. */
  close(): Promise<void>;
}

/**
 * A kiosk's storage: a new IndexedDB database (fake-indexeddb), its non-extractable device key
 * and a data key (random unless `dataKeyBytes` is given).
 */
export async function openTestKiosk(
  id: string,
  options: { dataKeyBytes?: Uint8Array } = {},
): Promise<TestKiosk> {
  const { store, db } = openTestStore(`${id}-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(store);
  const dataKey = await importDataKey(
    options.dataKeyBytes ?? crypto.getRandomValues(new Uint8Array(32)),
  );
  return {
    kioskId: id,
    store,
    db,
    keys,
    dataKey,
    commit: (input = birthCertificate, now) =>
      commitTransaction({ store, kioskId: id, keys, dataKey, now }, input),
    publicKey: () => exportPublicKey(keys.publicKey),
    async close() {
      db.close();
      await db.delete().catch(() => undefined);
    },
  };
}

/**
 * A kiosk's first `n` chain records, really committed and signed; `input` may be a function of
 * the record's index (another service for some, say).
 */
export async function makeChain(
  id: string,
  n: number,
  input: TransactionInput | ((index: number) => TransactionInput) = birthCertificate,
): Promise<{ records: TransactionRecord[]; publicKey: PublicKeyJwk; keys: CryptoKeyPair }> {
  const kiosk = await openTestKiosk(id);
  const records: TransactionRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    records.push((await kiosk.commit(typeof input === 'function' ? input(i) : input)).record);
  }
  const publicKey = await kiosk.publicKey();
  await kiosk.close();
  return { records, publicKey, keys: kiosk.keys };
}

/**
 * A record signed by `keys`, built with the protocol alone (hash and device signature), as any
 * kiosk implementation would send it: gateway tests use it for forks, odd kinds and personal
 * payloads they choose.
 */
export async function signRecord(
  keys: CryptoKeyPair,
  unsigned: UnsignedRecord,
): Promise<ChainRecord> {
  const hash = await recordHash(unsigned);
  return chainRecordSchema.parse({ ...unsigned, hash, sig: await signText(keys.privateKey, hash) });
}

/**
 * A signed transaction record after `head`, with `personal` (its values and salt) declared by
 * digest; `fieldIds` overrides the personal field ids it declares (sorted ids by default).
 */
export async function signTransaction(
  keys: CryptoKeyPair,
  kioskId: string,
  head: { seq: number; hash: string },
  options: {
    personal?: PersonalPayload;
    fieldIds?: string[];
    createdAt?: string;
    ref?: string;
  } = {},
): Promise<TransactionRecord> {
  const { personal } = options;
  const record = await signRecord(keys, {
    v: 1,
    kioskId,
    seq: head.seq + 1,
    prevHash: head.hash,
    createdAt: options.createdAt ?? '2026-11-23T08:00:00.000Z',
    kind: 'transaction',
    body: {
      txId: crypto.randomUUID(),
      ref: options.ref ?? `BZ${String(head.seq + 1).padStart(4, '0')}-TEST`,
      serviceId: birthCertificate.serviceId,
      catalogueVersion: birthCertificate.catalogueVersion,
      channel: 'self-service',
      language: 'en',
      fee: birthCertificate.fee,
      fields: { district: 'cayo' },
      ...(personal
        ? {
            personal: {
              fieldIds: options.fieldIds ?? Object.keys(personal.fields).sort(),
              digest: await personalDigest(personal),
            },
          }
        : {}),
    },
  });
  return record as TransactionRecord;
}

/**
 * The kiosk's queued rows (up to 100) as the v2 batch its sync engine would send, sealed to the
 * key in the gateway's config (`client` must be enrolled), with the records it carries: for
 * tests that bend a batch before sending it.
 */
export async function queuedBatchV2(
  kiosk: TestKiosk,
  client: GatewayClient,
): Promise<{ batch: BatchRequestV2; records: ChainRecord[] }> {
  const config = await client.getConfig();
  const rows = await kiosk.store.queued(100);
  const sealed = await toBatchV2(
    rows,
    { dataKey: kiosk.dataKey, gatewayKey: async () => config!.config.gatewayKey },
    { batchId: crypto.randomUUID(), kioskId: kiosk.kioskId },
  );
  return { batch: sealed.request!, records: rows.map((row) => row.record) };
}
