import type { CryptoPrimitives } from '../protocol/crypto-primitives';
import { canonicalJson } from '../protocol/canonical-json';
import { personalDigest, personalPayloadSchema } from '../protocol/personal-fields';
import type { PersonalPayload } from '../protocol/personal-fields';
import { checkRecord } from '../protocol/record-check';
import { verifySignature } from '../protocol/device-signature';
import { openPersonalBatch } from '../protocol/personal-seal';
import { boxSealer, openSealed } from '../protocol/sealed-box';
import type { BoxSealer } from '../protocol/sealed-box';
import { declaresPersonal, decodeSegments, personalAad, readEntry } from '../protocol/wire-v2';
import type { BatchRequestV2 } from '../protocol/wire-v2';
import type { BatchItem, ChainHead, ItemResult } from '../protocol/wire';
import { nodeCrypto } from './node-crypto';
import type { SealingKey } from './sealing-key';
import type { GatewayStore, KioskRow, VerifiedItem } from './store';

/** What ingest needs: the store, the key that opens personal fields, the clock. */
export interface IngestDeps {
  store: GatewayStore;
  sealing: SealingKey;
  now: () => Date;
  /** The crypto primitives (default: node:crypto). */
  primitives?: CryptoPrimitives;
}

/**
 * Checks a transaction's personal fields, as opened, against what its signed record declares:
 * the same field ids and the salted digest (personal-fields.ts). Returns why they fail
 * (`personal-mismatch`, `personal-unreadable` when they are not a payload at all), or undefined.
 * Shared by both protocol versions; never rejects.
 */
export async function checkPersonalPayload(
  declared: { fieldIds: readonly string[]; digest: string },
  opened: unknown,
  primitives: CryptoPrimitives = nodeCrypto,
): Promise<string | undefined> {
  const payload = personalPayloadSchema.safeParse(opened);
  if (!payload.success) return 'personal-unreadable';
  return personalMismatch(declared, payload.data, await personalDigest(payload.data, primitives));
}

/** `personal-mismatch` unless a payload (and its digest) is what the record declares. */
function personalMismatch(
  declared: { fieldIds: readonly string[]; digest: string },
  payload: PersonalPayload,
  digest: string,
): string | undefined {
  const ids = Object.keys(payload.fields).sort();
  if (canonicalJson(ids) !== canonicalJson([...declared.fieldIds].sort())) {
    return 'personal-mismatch';
  }
  return digest === declared.digest ? undefined : 'personal-mismatch';
}

/**
 * Opens an item's sealed personal fields and checks them against the digest in its signed
 * record; returns why they fail (`unexpected-personal`, `personal-missing`,
 * `personal-mismatch`, `personal-unreadable`), or undefined. Never rejects.
 */
export async function checkPersonalFields(
  item: BatchItem,
  sealing: SealingKey,
  primitives: CryptoPrimitives = nodeCrypto,
): Promise<string | undefined> {
  const declared = item.record.kind === 'transaction' ? item.record.body.personal : undefined;
  if (!declared) return item.personal ? 'unexpected-personal' : undefined;
  if (!item.personal) return 'personal-missing';
  let opened: unknown;
  try {
    const text = await openSealed(
      sealing.privateJwk,
      item.personal,
      item.record.body.txId,
      primitives,
    );
    opened = JSON.parse(text) as unknown;
  } catch {
    return 'personal-unreadable';
  }
  return checkPersonalPayload(declared, opened, primitives);
}

/**
 * Why an item from `kioskId` fails verification, or undefined when it may be placed. The first
 * failure in this order is given: the record is another kiosk's (`wrong-kiosk`), its hash or
 * signature (record-check.ts), its personal fields. The checks run at once: with node:crypto
 * the signature is verified on the thread pool while this thread opens the sealed box.
 */
export async function verifyItem(
  kiosk: KioskRow,
  item: BatchItem,
  sealing: SealingKey,
  primitives: CryptoPrimitives = nodeCrypto,
): Promise<string | undefined> {
  if (item.record.kioskId !== kiosk.kioskId) return 'wrong-kiosk';
  const record = checkRecord(item.record, kiosk.publicKey, primitives);
  const personal = checkPersonalFields(item, sealing, primitives);
  const checked = await record;
  if (!checked.ok) return checked.reason;
  return personal;
}

/** An item that failed verification: rejected with its reason and a tamper alert. */
interface Refusal {
  record: { seq: number; body: { txId: string } };
  reason: string;
}

/**
 * Places what passed (one transaction, `store.applyBatch`, place-batch.ts, committed when this
 * returns) and refuses the rest, each with a tamper alert. Results come in placement order,
 * then the refused items. Both protocol versions end here.
 */
async function placeVerified(
  deps: IngestDeps,
  kiosk: KioskRow,
  verified: VerifiedItem[],
  refusals: Refusal[],
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const at = deps.now().toISOString();
  const refused: ItemResult[] = [];
  for (const { record, reason } of refusals) {
    const id = record.body.txId;
    refused.push({ id, seq: record.seq, status: 'rejected', reason });
    await deps.store.addTamperAlert({
      kioskId: kiosk.kioskId,
      seq: record.seq,
      kind: reason,
      detail: `record ${id} failed verification`,
      at,
    });
  }
  const applied = await deps.store.applyBatch(kiosk.kioskId, verified);
  return { results: [...applied.results, ...refused], head: applied.head };
}

/**
 * Ingests one v1 batch from an authenticated kiosk: every item is verified (all at once); each
 * that fails is rejected with its reason and raises a tamper alert; the rest are placed.
 */
export async function ingestBatch(
  deps: IngestDeps,
  kiosk: KioskRow,
  items: BatchItem[],
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const reasons = await Promise.all(
    items.map((item) => verifyItem(kiosk, item, deps.sealing, deps.primitives)),
  );
  const verified: VerifiedItem[] = [];
  const refusals: Refusal[] = [];
  for (const [index, item] of items.entries()) {
    const reason = reasons[index];
    if (reason) refusals.push({ record: item.record, reason });
    else
      verified.push(
        item.personal ? { record: item.record, personal: item.personal } : { record: item.record },
      );
  }
  return placeVerified(deps, kiosk, verified, refusals);
}

/**
 * Ingests one v2 batch (wire-v2.ts): opens the batch's sealed personal fields once, rebuilds each
 * segment's records (a personal-fields digest the record left out is computed from its entry),
 * checks the segment's one signature over its last record's hash (a failure refuses the whole
 * segment: `bad-signature`, since any changed record changes that hash) and checks each
 * transaction's entry against its record's digest. A segment with a left-out digest whose entry
 * is missing or unreadable cannot be proven, and is refused whole for that entry's reason
 * (`personal-missing`, `personal-unreadable`, or the batch's own personal failure). What passes is stored exactly as
 * a v1 batch would have stored it: the record (with `sig` on each segment's last record) and its
 * personal fields sealed to this gateway's key one record at a time, bound to the record id (the
 * batch's boxes under one ephemeral key, `boxSealer`), so
 * the agency feed, SMS and bundles read them as before. Throws a `MalformedBatchError` when a record is
 * not a valid chain record once rebuilt (the route answers 400, nothing is stored).
 */
export async function ingestBatchV2(
  deps: IngestDeps,
  kiosk: KioskRow,
  batch: BatchRequestV2,
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const primitives = deps.primitives ?? nodeCrypto;
  const declaring = batch.segments.flatMap((segment) => segment.records).filter(declaresPersonal);
  let entries: unknown[] | undefined;
  let personalFailure: string | undefined;
  if (declaring.length > 0) {
    if (!batch.personal) personalFailure = 'personal-missing';
    else {
      try {
        entries = await openPersonalBatch(
          deps.sealing.privateJwk,
          batch.personal,
          personalAad(kiosk.kioskId, batch.batchId),
        );
        if (entries.length !== declaring.length) personalFailure = 'personal-mismatch';
      } catch {
        personalFailure = 'personal-unreadable';
      }
    }
  } else if (batch.personal) personalFailure = 'unexpected-personal';
  // Each entry is read once: its digest fills in a left-out one and is checked against a sent one.
  const read = await Promise.all(
    declaring.map((_, k) =>
      personalFailure || !entries ? undefined : readEntry(entries[k], primitives),
    ),
  );
  const derived = read.map((entry) => entry?.digest);
  const segments = await decodeSegments(kiosk.kioskId, batch, derived, primitives);
  const signed = await Promise.all(
    segments.map(({ records, underived }) => {
      const last = records[records.length - 1];
      return last?.sig && underived === undefined
        ? verifySignature(kiosk.publicKey, last.hash, last.sig, primitives).catch(() => false)
        : false;
    }),
  );
  /** Why a segment that could not be rebuilt is refused: its first underivable entry's reason. */
  const unproven = (index: number): string =>
    personalFailure ?? (entries?.[index] === null ? 'personal-missing' : 'personal-unreadable');
  const verified: VerifiedItem[] = [];
  const refusals: Refusal[] = [];
  // The records' personal fields are stored sealed to this gateway one record at a time, all of
  // a batch's under one ephemeral key (one ECDH for the batch, not one per record).
  let sealer: Promise<BoxSealer> | undefined;
  let entry = 0;
  for (const [s, segment] of segments.entries()) {
    for (const [i, record] of segment.records.entries()) {
      const declared = record.kind === 'transaction' ? record.body.personal : undefined;
      const index = declared ? entry++ : -1;
      const opened = declared ? entries?.[index] : undefined;
      if (segment.underived !== undefined) {
        refusals.push({ record, reason: unproven(segment.underived) });
        continue;
      }
      if (!signed[s]) {
        refusals.push({ record, reason: 'bad-signature' });
        continue;
      }
      if (segment.altered.has(i)) {
        refusals.push({ record, reason: 'hash-mismatch' });
        continue;
      }
      if (!declared) {
        if (personalFailure === 'unexpected-personal') {
          refusals.push({ record, reason: personalFailure });
        } else verified.push({ record });
        continue;
      }
      const payload = read[index];
      const reason =
        personalFailure ??
        (opened === null
          ? 'personal-missing'
          : payload
            ? personalMismatch(declared, payload.payload, payload.digest)
            : 'personal-unreadable');
      if (reason) {
        refusals.push({ record, reason });
        continue;
      }
      sealer ??= boxSealer(deps.sealing.publicJwk, primitives);
      const personal = await (await sealer)(canonicalJson(opened), record.body.txId);
      verified.push({ record, personal });
    }
  }
  return placeVerified(deps, kiosk, verified, refusals);
}
