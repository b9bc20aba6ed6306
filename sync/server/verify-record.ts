import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../protocol/canonical-json';
import type { ChainRecord } from '../protocol/records';
import type { PublicKeyJwk } from '../protocol/device-signature';

export type RecordCheck = { ok: true } | { ok: false; reason: 'hash-mismatch' | 'bad-signature' };

const keyCache = new Map<string, KeyObject>();

function publicKeyObject(jwk: PublicKeyJwk): KeyObject {
  const cacheKey = `${jwk.x}.${jwk.y}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    keyCache.set(cacheKey, key);
  }
  return key;
}

/**
 * Recomputes a record's hash and checks the device signature over it. Synchronous node:crypto,
 * byte-for-byte the same hash as `recordHash` in sync/protocol (which the kiosk uses).
 */
export function checkRecord(record: ChainRecord, publicKey: PublicKeyJwk): RecordCheck {
  const { v, kioskId, seq, prevHash, createdAt, kind, body } = record;
  const hash = createHash('sha256')
    .update(canonicalJson({ v, kioskId, seq, prevHash, createdAt, kind, body }), 'utf8')
    .digest('hex');
  if (hash !== record.hash) return { ok: false, reason: 'hash-mismatch' };
  const signature = Buffer.from(record.sig, 'base64url');
  const ok = verify(
    'sha256',
    Buffer.from(record.hash, 'utf8'),
    { key: publicKeyObject(publicKey), dsaEncoding: 'ieee-p1363' },
    signature,
  );
  return ok ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
