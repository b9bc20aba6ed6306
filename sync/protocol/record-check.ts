import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives } from './crypto-primitives';
import { verifySignature } from './device-signature';
import type { PublicKeyJwk } from './device-signature';
import { recordHash } from './records';
import type { ChainRecord, GatewayRecord } from './records';

export type RecordCheck = { ok: true } | { ok: false; reason: 'hash-mismatch' | 'bad-signature' };

/**
 * Checks one chain record on its own: its hash is the hash of its content (records.ts) and its
 * signature is the device's over that hash. Where it sits in the chain is the gateway's
 * placement (sync/server/place-batch.ts). Never rejects.
 *
 * The signature is over the hash the record claims, so both checks start at once: with
 * node:crypto the signature is verified on the thread pool while the caller goes on (the
 * gateway opens the item's sealed box meanwhile). A wrong hash is reported first.
 */
export async function checkRecord(
  record: ChainRecord,
  publicKey: PublicKeyJwk,
  primitives: CryptoPrimitives = webCrypto,
): Promise<RecordCheck> {
  const signed = verifySignature(publicKey, record.hash, record.sig, primitives).catch(
    // A key the primitives cannot use is as good as a wrong one.
    () => false,
  );
  if ((await recordHash(record, primitives)) !== record.hash) {
    return { ok: false, reason: 'hash-mismatch' };
  }
  return (await signed) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

export type SegmentProof =
  | { ok: true }
  | {
      ok: false;
      reason: 'not-consecutive' | 'hash-mismatch' | 'broken-link' | 'unsigned' | 'bad-signature';
      seq: number;
    };

/**
 * Proves records as the gateway holds them (records.ts `gatewayRecordSchema`): `records` are
 * consecutive records of one kiosk's chain, in order, ending with one that carries the device's
 * signature. Each must hash to its `hash`, each `prevHash` must be the hash of the record before
 * it, and the last one's signature must verify over its hash. Because every hash covers its
 * `prevHash`, that one signature then vouches for every record listed: this is how one record
 * delivered in a protocol v2 segment is proven on its own (list it and the records after it up
 * to its segment's last, which the gateway stores with `sig`). Never rejects.
 */
export async function checkSegmentProof(
  records: readonly GatewayRecord[],
  publicKey: PublicKeyJwk,
  primitives: CryptoPrimitives = webCrypto,
): Promise<SegmentProof> {
  const last = records[records.length - 1];
  if (!last) return { ok: false, reason: 'unsigned', seq: 0 };
  for (const [i, record] of records.entries()) {
    const before = records[i - 1];
    if (before && (record.seq !== before.seq + 1 || record.kioskId !== before.kioskId)) {
      return { ok: false, reason: 'not-consecutive', seq: record.seq };
    }
    if (before && record.prevHash !== before.hash) {
      return { ok: false, reason: 'broken-link', seq: record.seq };
    }
    if ((await recordHash(record, primitives)) !== record.hash) {
      return { ok: false, reason: 'hash-mismatch', seq: record.seq };
    }
  }
  if (!last.sig) return { ok: false, reason: 'unsigned', seq: last.seq };
  const signed = await verifySignature(publicKey, last.hash, last.sig, primitives).catch(
    () => false,
  );
  return signed ? { ok: true } : { ok: false, reason: 'bad-signature', seq: last.seq };
}
