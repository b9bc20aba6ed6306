import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import { publicJwkOf, webCrypto } from '../../../sync/protocol/crypto-primitives';
import { exportPublicKey, generateDeviceKeyPair } from '../../../sync/protocol/device-signature';
import type { PersonalPayload } from '../../../sync/protocol/personal-fields';
import { GENESIS_HASH } from '../../../sync/protocol/records';
import type { ChainRecord, TransactionRecord } from '../../../sync/protocol/records';
import { sealTo } from '../../../sync/protocol/sealed-box';
import type { BatchItem } from '../../../sync/protocol/wire';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { checkPersonalFields, ingestBatch, verifyItem } from '../../../sync/server/ingest';
import { recordColumns } from '../../../sync/server/place-batch';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import type { SealingKey } from '../../../sync/server/sealing-key';
import type { GatewayStore, KioskRow } from '../../../sync/server/store';
import { signRecord, signTransaction } from '../../support/chain-fixture';

const receivedAt = '2026-11-23T09:00:00.000Z';
const now = (): Date => new Date(receivedAt);
const kioskId = 'ingest-kiosk-01';
const payload = (fullName: string): PersonalPayload => ({
  salt: 'abcdefghijklmnopqrstuv',
  fields: { fullName, dateOfBirth: '1990-04-01' },
});

let store: GatewayStore;
let sealing: SealingKey;
let keys: CryptoKeyPair;

beforeEach(async () => {
  store = await openGatewayStore({ sqliteFile: ':memory:' }, { now });
  sealing = await loadOrCreateSealingKey(store);
  keys = await generateDeviceKeyPair();
  await store.addEnrolmentToken(kioskId, 'token-hash');
  await store.enrol(kioskId, 'token-hash', await exportPublicKey(keys.publicKey));
});
afterEach(async () => {
  await store.close();
});

async function kiosk(): Promise<KioskRow> {
  const row = await store.getKiosk(kioskId);
  if (!row) throw new Error('not enrolled');
  return row;
}

/** `n` linked transactions of this kiosk, the first after `from`. */
async function chain(
  n: number,
  from = { seq: 0, hash: GENESIS_HASH },
  signer = keys,
): Promise<TransactionRecord[]> {
  const records: TransactionRecord[] = [];
  let head = from;
  for (let i = 0; i < n; i += 1) {
    const record = await signTransaction(signer, kioskId, head);
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  return records;
}

const items = (records: ChainRecord[]): BatchItem[] => records.map((record) => ({ record }));
const alert = (seq: number, kind: string, detail: string) => ({
  kioskId,
  seq,
  kind,
  detail,
  at: receivedAt,
  repeats: 1,
  lastAt: receivedAt,
});

describe('chain placement at the gateway', () => {
  it('places records sent out of order by seq, answering in seq order', async () => {
    const [r1, r2, r3] = await chain(3);
    if (!r1 || !r2 || !r3) throw new Error('fixture');
    const reply = await store.applyBatch(kioskId, items([r3, r1, r2]));
    expect(reply.results).toEqual([
      { id: r1.body.txId, seq: 1, status: 'accepted' },
      { id: r2.body.txId, seq: 2, status: 'accepted' },
      { id: r3.body.txId, seq: 3, status: 'accepted' },
    ]);
    expect(reply.head).toEqual({ seq: 3, hash: r3.hash });
    expect((await kiosk()).head).toEqual({ seq: 3, hash: r3.hash });
  });

  it('answers duplicate only for the very same record; the same id elsewhere is a conflicting duplicate', async () => {
    const [r1, r2] = await chain(2);
    if (!r1 || !r2) throw new Error('fixture');
    await store.applyBatch(kioskId, items([r1, r2]));
    expect((await store.applyBatch(kioskId, items([r1]))).results).toEqual([
      { id: r1.body.txId, seq: 1, status: 'duplicate' },
    ]);
    // The same record under another seq, and the same record posted for another kiosk.
    const moved = { ...r1, seq: 3, prevHash: r2.hash };
    const other = 'ingest-kiosk-02';
    await store.addEnrolmentToken(other, 'token-2');
    await store.enrol(other, 'token-2', await exportPublicKey(keys.publicKey));
    const conflict = (seq: number) => ({
      id: r1.body.txId,
      seq,
      status: 'rejected',
      reason: 'conflicting-duplicate',
    });
    expect((await store.applyBatch(kioskId, items([moved]))).results).toEqual([conflict(3)]);
    expect((await store.applyBatch(other, items([r1]))).results).toEqual([conflict(1)]);
    const detail = `transaction ${r1.body.txId} was sent again with different content`;
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      alert(3, 'conflicting-duplicate', detail),
    ]);
    expect(await store.listTamperAlerts(other)).toEqual([
      { ...alert(1, 'conflicting-duplicate', detail), kioskId: other },
    ]);
    expect((await store.getKiosk(other))?.head.seq).toBe(0);
  });

  it('answers a record sent twice in one batch as a duplicate, and a second record at a held seq as a conflict', async () => {
    const [r1, r2, r3] = await chain(3);
    const [, , f3] = await chain(3);
    if (!r1 || !r2 || !r3 || !f3) throw new Error('fixture');
    const reply = await store.applyBatch(kioskId, items([r1, r1, r3, f3]));
    expect(reply.results.map((r) => [r.seq, r.status, r.reason])).toEqual([
      [1, 'accepted', undefined],
      [1, 'duplicate', undefined],
      [3, 'accepted', undefined],
      [3, 'rejected', 'seq-conflict'],
    ]);
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      alert(3, 'seq-conflict', 'a different record is already held at seq 3'),
    ]);
    expect((await store.applyBatch(kioskId, items([r2]))).head).toEqual({ seq: 3, hash: r3.hash });
  });

  it('rejects a new record at a seq another record holds, chained or held', async () => {
    const [r1, , r3] = await chain(3);
    const [f1, , f3] = await chain(3);
    if (!r1 || !r3 || !f1 || !f3) throw new Error('fixture');
    await store.applyBatch(kioskId, items([r1, r3]));
    const reply = await store.applyBatch(kioskId, items([f1, f3]));
    expect(reply.results.map((r) => [r.seq, r.status, r.reason])).toEqual([
      [1, 'rejected', 'seq-conflict'],
      [3, 'rejected', 'seq-conflict'],
    ]);
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      alert(1, 'seq-conflict', 'a different record already holds seq 1 in the chain'),
      alert(3, 'seq-conflict', 'a different record is already held at seq 3'),
    ]);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 1 });
  });

  it('rejects a record at head+1 whose prevHash does not continue the chain, storing nothing', async () => {
    const [r1] = await chain(1);
    if (!r1) throw new Error('fixture');
    await store.applyBatch(kioskId, items([r1]));
    const fork = await signTransaction(keys, kioskId, { seq: 1, hash: 'f'.repeat(64) });
    const reply = await store.applyBatch(kioskId, items([fork]));
    expect(reply).toEqual({
      results: [{ id: fork.body.txId, seq: 2, status: 'rejected', reason: 'chain-mismatch' }],
      head: { seq: 1, hash: r1.hash },
    });
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      alert(2, 'chain-mismatch', 'prevHash does not match the hash of seq 1'),
    ]);
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 0 });
    // Sent again (its answer was lost): the same answer, and the same alert counted twice.
    expect(await store.applyBatch(kioskId, items([fork]))).toEqual(reply);
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      { ...alert(2, 'chain-mismatch', 'prevHash does not match the hash of seq 1'), repeats: 2 },
    ]);
  });

  it('holds records after a gap and links them when it closes, as far as they run', async () => {
    const [r1, r2, r3, r4, r5, r6] = await chain(6);
    if (!r1 || !r2 || !r3 || !r4 || !r5 || !r6) throw new Error('fixture');
    const held = await store.applyBatch(kioskId, items([r1, r3, r4, r6]));
    expect(held.head).toEqual({ seq: 1, hash: r1.hash });
    expect(held.results.map((r) => r.status)).toEqual(Array(4).fill('accepted'));
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 3 });
    const filled = await store.applyBatch(kioskId, items([r2]));
    expect(filled.head).toEqual({ seq: 4, hash: r4.hash });
    expect((await store.recordsFrom(kioskId, 1, 10)).map((r) => [r.seq, r.state])).toEqual([
      [1, 'chained'],
      [2, 'chained'],
      [3, 'chained'],
      [4, 'chained'],
      [6, 'awaiting'],
    ]);
    expect((await store.applyBatch(kioskId, items([r5]))).head).toEqual({ seq: 6, hash: r6.hash });
    expect(await store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('raises a tamper alert and stops linking when a held record belongs to a forked segment', async () => {
    const [r1, r2] = await chain(2);
    if (!r1 || !r2) throw new Error('fixture');
    // A held segment whose seq 3 links to a seq 2 that is not the kiosk's: a fork.
    const [forked3, forked4] = await chain(2, { seq: 2, hash: 'e'.repeat(64) });
    if (!forked3 || !forked4) throw new Error('fixture');
    await store.applyBatch(kioskId, items([r1, forked3, forked4]));
    const filled = await store.applyBatch(kioskId, items([r2]));
    expect(filled.head).toEqual({ seq: 2, hash: r2.hash });
    expect((await kiosk()).head).toEqual({ seq: 2, hash: r2.hash });
    expect(await store.countRecords(kioskId)).toEqual({ chained: 2, awaiting: 2 });
    expect(await store.listTamperAlerts(kioskId)).toEqual([
      alert(3, 'chain-mismatch', 'a held record does not link to its predecessor'),
    ]);
  });

  it('stores what the dashboard and status look-ups read: reference, service, times, hashes, personal box', async () => {
    const box = await sealTo(publicJwkOf(sealing.privateJwk), 'sealed', 'tx');
    const [r1] = await chain(1);
    if (!r1) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1, personal: box }]);
    expect(await store.findByRefs([r1.body.ref])).toEqual([
      { ref: r1.body.ref, serviceId: r1.body.serviceId, receivedAt },
    ]);
    expect(await store.recordsFrom(kioskId, 1, 1)).toEqual([
      { seq: 1, id: r1.body.txId, hash: r1.hash, state: 'chained' },
    ]);
    expect(await store.listRecords(kioskId)).toEqual([r1]);
    expect(await store.readPersonal(kioskId, 1)).toEqual(box);
    const day = r1.createdAt.slice(0, 10);
    expect(await store.transactionCounts(day)).toEqual([
      { day, kioskId, serviceId: r1.body.serviceId, channel: 'self-service', count: 1, voided: 0 },
    ]);
  });

  it('refuses a batch for a kiosk that is not enrolled', async () => {
    const [r1] = await chain(1);
    if (!r1) throw new Error('fixture');
    await expect(store.applyBatch('nobody-here', items([r1]))).rejects.toThrow(
      'unknown kiosk nobody-here',
    );
  });

  it('indexes each kind of record by what it refers to', async () => {
    const [r1] = await chain(1);
    if (!r1) throw new Error('fixture');
    const base = { v: 1 as const, kioskId, seq: 2, prevHash: r1.hash, createdAt: r1.createdAt };
    const officerId = '00012345';
    const subject = { txId: r1.body.txId, seq: 1 };
    const make = (unsigned: Parameters<typeof signRecord>[1]) => signRecord(keys, unsigned);
    const none = { ref: '', serviceId: '', channel: '' };
    expect(recordColumns(r1)).toEqual({
      ref: r1.body.ref,
      serviceId: r1.body.serviceId,
      channel: 'self-service',
      kind: 'transaction',
      subjectTxId: null,
    });
    const voided = await make({
      ...base,
      kind: 'void',
      body: { txId: crypto.randomUUID(), officerId, voids: subject, reason: 'entered twice' },
    });
    expect(recordColumns(voided)).toEqual({ ...none, kind: 'void', subjectTxId: r1.body.txId });
    const reprint = await make({
      ...base,
      kind: 'reprint',
      body: { txId: crypto.randomUUID(), reprints: subject },
    });
    expect(recordColumns(reprint)).toEqual({
      ...none,
      kind: 'reprint',
      subjectTxId: r1.body.txId,
    });
    const signIn = await make({
      ...base,
      kind: 'officer-sign-in',
      body: { txId: crypto.randomUUID(), officerId, method: 'pin' },
    });
    expect(recordColumns(signIn)).toEqual({ ...none, kind: 'officer-sign-in', subjectTxId: null });
  });
});

describe('ingest of a batch', () => {
  async function sealedItem(record: TransactionRecord, personal: PersonalPayload, aad?: string) {
    const box = await sealTo(
      publicJwkOf(sealing.privateJwk),
      canonicalJson(personal),
      aad ?? record.body.txId,
    );
    return { record, personal: box };
  }

  it('places verified items with their personal fields still sealed and answers the new head', async () => {
    const personal = payload('Ana Pérez');
    const r1 = await signTransaction(keys, kioskId, { seq: 0, hash: GENESIS_HASH }, { personal });
    const [r2] = await chain(1, { seq: 1, hash: r1.hash });
    if (!r2) throw new Error('fixture');
    const item = await sealedItem(r1, personal);
    const reply = await ingestBatch({ store, sealing, now }, await kiosk(), [item, { record: r2 }]);
    expect(reply).toEqual({
      results: [
        { id: r1.body.txId, seq: 1, status: 'accepted' },
        { id: r2.body.txId, seq: 2, status: 'accepted' },
      ],
      head: { seq: 2, hash: r2.hash },
    });
    expect(await store.readPersonal(kioskId, 1)).toEqual(item.personal);
    expect(await store.readPersonal(kioskId, 2)).toBeUndefined();
    expect(await store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('rejects each item that fails with its reason and a tamper alert, and places the rest', async () => {
    const personal = payload('Ana Pérez');
    const head = { seq: 0, hash: GENESIS_HASH };
    const good = await signTransaction(keys, kioskId, head, { personal });
    const stranger = await generateDeviceKeyPair();
    const at = (seq: number) => ({ seq: seq - 1, hash: GENESIS_HASH });
    const plain = (seq: number) => signTransaction(keys, kioskId, at(seq));
    const declared = (seq: number) => signTransaction(keys, kioskId, at(seq), { personal });
    const otherKiosk = await signRecord(keys, { ...(await plain(2)), kioskId: 'ingest-kiosk-09' });
    const changed = await plain(3);
    const forged = await signTransaction(stranger, kioskId, at(4));
    const unexpected = await sealedItem(await plain(5), personal);
    const missing = await declared(6);
    const renamed = await sealedItem(await declared(7), {
      ...personal,
      fields: { givenName: 'Ana', dateOfBirth: '1990-04-01' },
    });
    const altered = await sealedItem(await declared(8), payload('Ana Perez'));
    const moved = await sealedItem(await declared(9), personal, 'another-transaction');
    const batch: BatchItem[] = [
      await sealedItem(good, personal),
      { record: otherKiosk },
      { record: { ...changed, body: { ...changed.body, fields: { district: 'belize' } } } },
      { record: forged },
      unexpected,
      { record: missing },
      renamed,
      altered,
      moved,
    ];
    const reasons = [
      'wrong-kiosk',
      'hash-mismatch',
      'bad-signature',
      'unexpected-personal',
      'personal-missing',
      'personal-mismatch',
      'personal-mismatch',
      'personal-unreadable',
    ];
    const reply = await ingestBatch({ store, sealing, now }, await kiosk(), batch);
    expect(reply.head).toEqual({ seq: 1, hash: good.hash });
    expect(reply.results).toEqual([
      { id: good.body.txId, seq: 1, status: 'accepted' },
      ...reasons.map((reason, index) => ({
        id: batch[index + 1]?.record.body.txId,
        seq: index + 2,
        status: 'rejected',
        reason,
      })),
    ]);
    expect(await store.listTamperAlerts(kioskId)).toEqual(
      reasons.map((reason, index) =>
        alert(
          index + 2,
          reason,
          `record ${batch[index + 1]?.record.body.txId ?? ''} failed verification`,
        ),
      ),
    );
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 0 });
  });

  it('answers the head it had and places nothing when every item fails', async () => {
    const [r1] = await chain(1);
    if (!r1) throw new Error('fixture');
    await store.applyBatch(kioskId, items([r1]));
    const forged = await chain(1, { seq: 1, hash: r1.hash }, await generateDeviceKeyPair());
    const reply = await ingestBatch({ store, sealing, now }, await kiosk(), items(forged));
    expect(reply).toEqual({
      results: [{ id: forged[0]?.body.txId, seq: 2, status: 'rejected', reason: 'bad-signature' }],
      head: { seq: 1, hash: r1.hash },
    });
    expect(await store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 0 });
  });

  it('gives the first failure in order: the kiosk, then the record, then the personal fields', async () => {
    const row = await kiosk();
    const personal = payload('Ana Pérez');
    const stranger = await generateDeviceKeyPair();
    const forged = await signTransaction(stranger, kioskId, { seq: 0, hash: GENESIS_HASH });
    const elsewhere = await signRecord(stranger, { ...forged, kioskId: 'ingest-kiosk-09' });
    expect(await verifyItem(row, { record: elsewhere }, sealing)).toBe('wrong-kiosk');
    const declared = await signTransaction(
      stranger,
      kioskId,
      { seq: 0, hash: GENESIS_HASH },
      {
        personal,
      },
    );
    expect(await verifyItem(row, { record: declared }, sealing)).toBe('bad-signature');
    const mine = await signTransaction(keys, kioskId, { seq: 0, hash: GENESIS_HASH }, { personal });
    expect(await verifyItem(row, { record: { ...mine, hash: 'a'.repeat(64) } }, sealing)).toBe(
      'hash-mismatch',
    );
    expect(await verifyItem(row, { record: mine }, sealing)).toBe('personal-missing');
    expect(await verifyItem(row, await sealedItem(mine, personal), sealing)).toBeUndefined();
    expect(
      await verifyItem(row, await sealedItem(mine, personal), sealing, webCrypto),
    ).toBeUndefined();
  });

  it('finds personal fields unreadable when the box opens to something that is not the payload', async () => {
    const personal = payload('Ana Pérez');
    const record = await signTransaction(
      keys,
      kioskId,
      { seq: 0, hash: GENESIS_HASH },
      {
        personal,
      },
    );
    const seal = (text: string) => sealTo(publicJwkOf(sealing.privateJwk), text, record.body.txId);
    for (const text of [
      'not json',
      '{"fields":{}}',
      canonicalJson({ ...personal, salt: 'short' }),
    ]) {
      expect(await checkPersonalFields({ record, personal: await seal(text) }, sealing)).toBe(
        'personal-unreadable',
      );
    }
    expect(
      await checkPersonalFields({ record, personal: await seal(canonicalJson(personal)) }, sealing),
    ).toBeUndefined();
  });

  it('compares personal fields as sets and their values as canonical JSON, in whatever order they come', async () => {
    const personal = payload('Ana Pérez');
    const head = { seq: 0, hash: GENESIS_HASH };
    const unsorted = await signTransaction(keys, kioskId, head, {
      personal,
      fieldIds: ['fullName', 'dateOfBirth'],
    });
    expect(
      await checkPersonalFields(await sealedItem(unsorted, personal), sealing),
    ).toBeUndefined();
    // The same payload sent with its keys in another order (not canonical JSON).
    const reordered = `{"fields":{"fullName":"Ana Pérez","dateOfBirth":"1990-04-01"},"salt":"${personal.salt}"}`;
    const record = await signTransaction(keys, kioskId, head, { personal });
    const box = await sealTo(publicJwkOf(sealing.privateJwk), reordered, record.body.txId);
    expect(await checkPersonalFields({ record, personal: box }, sealing)).toBeUndefined();
  });

  it('refuses personal fields the signed record does not declare, even when the digest matches', async () => {
    const personal = payload('Ana Pérez');
    const undeclared = await signTransaction(
      keys,
      kioskId,
      { seq: 0, hash: GENESIS_HASH },
      {
        personal,
        fieldIds: ['fullName'],
      },
    );
    expect(await checkPersonalFields(await sealedItem(undeclared, personal), sealing)).toBe(
      'personal-mismatch',
    );
  });
});
