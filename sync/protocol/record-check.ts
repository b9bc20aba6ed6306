import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives } from './crypto-primitives';
import { verifySignature } from './device-signature';
import type { PublicKeyJwk } from './device-signature';
import { recordHash } from './records';
import type { ChainRecord } from './records';

export type RecordCheck = { ok: true } | { ok: false; reason: 'hash-mismatch' | 'bad-signature' };

/**
 * Checks one chain record on its own: its hash is the hash of its content (records.ts) and its
 * signature is the device's over that hash. Where it sits in the chain is the gateway's
 * placement (sync/server/place-batch.ts). Never rejects.
 */
export async function checkRecord(
  record: ChainRecord,
  publicKey: PublicKeyJwk,
  primitives: CryptoPrimitives = webCrypto,
): Promise<RecordCheck> {
  if ((await recordHash(record, primitives)) !== record.hash) {
    return { ok: false, reason: 'hash-mismatch' };
  }
  try {
    if (await verifySignature(publicKey, record.hash, record.sig, primitives)) return { ok: true };
  } catch {
    // A key the primitives cannot use is as good as a wrong one.
  }
  return { ok: false, reason: 'bad-signature' };
}
