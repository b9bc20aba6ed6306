import type { CryptoPrimitives } from '../protocol/crypto-primitives';
import { canonicalJson } from '../protocol/canonical-json';
import { personalDigest, personalPayloadSchema } from '../protocol/personal-fields';
import { checkRecord } from '../protocol/record-check';
import { openSealed } from '../protocol/sealed-box';
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
  try {
    const text = await openSealed(
      sealing.privateJwk,
      item.personal,
      item.record.body.txId,
      primitives,
    );
    const payload = personalPayloadSchema.parse(JSON.parse(text) as unknown);
    const ids = Object.keys(payload.fields).sort();
    if (canonicalJson(ids) !== canonicalJson([...declared.fieldIds].sort())) {
      return 'personal-mismatch';
    }
    const digest = await personalDigest(payload, primitives);
    return digest === declared.digest ? undefined : 'personal-mismatch';
  } catch {
    return 'personal-unreadable';
  }
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

/**
 * Ingests one batch from an authenticated kiosk: every item is verified (all at once); each
 * that fails is rejected with its reason and raises a tamper alert; the rest are placed in the
 * kiosk's chain in one transaction (`store.applyBatch`, place-batch.ts), which has committed
 * when this returns. Results come in placement order, then the rejected items.
 */
export async function ingestBatch(
  deps: IngestDeps,
  kiosk: KioskRow,
  items: BatchItem[],
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const { store, sealing } = deps;
  const primitives = deps.primitives ?? nodeCrypto;
  const at = deps.now().toISOString();
  const reasons = await Promise.all(
    items.map((item) => verifyItem(kiosk, item, sealing, primitives)),
  );
  const verified: VerifiedItem[] = [];
  const refused: ItemResult[] = [];
  for (const [index, item] of items.entries()) {
    const { record } = item;
    const reason = reasons[index];
    if (reason) {
      const id = record.body.txId;
      refused.push({ id, seq: record.seq, status: 'rejected', reason });
      await store.addTamperAlert({
        kioskId: kiosk.kioskId,
        seq: record.seq,
        kind: reason,
        detail: `record ${id} failed verification`,
        at,
      });
      continue;
    }
    verified.push(item.personal ? { record, personal: item.personal } : { record });
  }
  const applied =
    verified.length > 0
      ? await store.applyBatch(kiosk.kioskId, verified)
      : { results: [], head: kiosk.head };
  return { results: [...applied.results, ...refused], head: applied.head };
}
