import { createHash, createPublicKey, verify } from 'node:crypto';
import type { ECDH, KeyObject } from 'node:crypto';
import { personalPayloadSchema } from '../protocol/personal-fields';
import type { BatchItem } from '../protocol/wire';
import { openSealedSync } from './open-sealed';
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
  if (!hashMatches(record)) return { ok: false, reason: 'hash-mismatch' };
  const signature = Buffer.from(record.sig, 'base64url');
  const ok = verify(
    'sha256',
    Buffer.from(record.hash, 'utf8'),
    { key: publicKeyObject(publicKey), dsaEncoding: 'ieee-p1363' },
    signature,
  );
  return ok ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

function hashMatches(record: ChainRecord): boolean {
  const { v, kioskId, seq, prevHash, createdAt, kind, body } = record;
  const hash = createHash('sha256')
    .update(canonicalJson({ v, kioskId, seq, prevHash, createdAt, kind, body }), 'utf8')
    .digest('hex');
  return hash === record.hash;
}

/**
 * The same check as `checkRecord`, with the signature verified on libuv's thread pool: a batch
 * starts every item's check at once, so the signatures use the other cores while the gateway's
 * main thread opens the items' sealed personal fields. Never rejects.
 */
export function checkRecordAsync(
  record: ChainRecord,
  publicKey: PublicKeyJwk,
): Promise<RecordCheck> {
  if (!hashMatches(record)) return Promise.resolve({ ok: false, reason: 'hash-mismatch' });
  return new Promise((resolve) => {
    try {
      verify(
        'sha256',
        Buffer.from(record.hash, 'utf8'),
        { key: publicKeyObject(publicKey), dsaEncoding: 'ieee-p1363' },
        Buffer.from(record.sig, 'base64url'),
        (error, ok) =>
          resolve(!error && ok ? { ok: true } : { ok: false, reason: 'bad-signature' }),
      );
    } catch {
      resolve({ ok: false, reason: 'bad-signature' });
    }
  });
}

/**
 * Opens an item's sealed personal fields and checks them against the record's digest; returns
 * the reason it fails, or undefined. Shared by the batch route and the USB bundle import.
 */
export function checkPersonalFields(item: BatchItem, sealingKey: ECDH): string | undefined {
  const declared = item.record.kind === 'transaction' ? item.record.body.personal : undefined;
  if (!declared) return item.personal ? 'unexpected-personal' : undefined;
  if (!item.personal) return 'personal-missing';
  try {
    const payload = personalPayloadSchema.parse(
      JSON.parse(openSealedSync(sealingKey, item.personal, item.record.body.txId)),
    );
    const ids = Object.keys(payload.fields).sort();
    if (canonicalJson(ids) !== canonicalJson([...declared.fieldIds].sort())) {
      return 'personal-mismatch';
    }
    // Synchronous SHA-256 of the same canonical text as personalDigest (the kiosk's side).
    const digest = createHash('sha256').update(canonicalJson(payload), 'utf8').digest('hex');
    return digest === declared.digest ? undefined : 'personal-mismatch';
  } catch {
    return 'personal-unreadable';
  }
}
