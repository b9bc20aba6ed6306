import { createDecipheriv, createECDH, hkdfSync } from 'node:crypto';
import type { ECDH } from 'node:crypto';
import { SEALED_BOX_HKDF_INFO } from '../protocol/sealed-box';
import type { SealedBox } from '../protocol/sealed-box';

const GCM_TAG_BYTES = 16;

/** The gateway's sealing private key (a JWK from the store) as a node:crypto ECDH object. */
export function sealingEcdh(jwk: JsonWebKey): ECDH {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) {
    throw new TypeError('the sealing key is not a P-256 private key');
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(jwk.d, 'base64url'));
  return ecdh;
}

/**
 * Opens a sealed box (sealed-box.ts) with synchronous node:crypto: the same ECDH P-256,
 * HKDF-SHA-256 and AES-256-GCM, byte for byte, without WebCrypto's five thread-pool round trips
 * per box and without importing each ephemeral key as a JWK, which together made opening boxes
 * most of the gateway's time per item. Throws when the key, the aad or any bit of the box is
 * wrong (computeSecret also refuses a point that is not on the curve).
 */
export function openSealedSync(recipient: ECDH, box: SealedBox, aad: string): string {
  const x = Buffer.from(box.epk.x, 'base64url');
  const y = Buffer.from(box.epk.y, 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new Error('malformed ephemeral key');
  // The uncompressed point 0x04 || x || y; the shared secret is its x coordinate, as WebCrypto's.
  const shared = recipient.computeSecret(Buffer.concat([Buffer.from([4]), x, y]));
  const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), SEALED_BOX_HKDF_INFO, 32));
  const iv = Buffer.from(box.iv, 'base64url');
  const sealed = Buffer.from(box.ct, 'base64url');
  if (iv.length !== 12 || sealed.length < GCM_TAG_BYTES) throw new Error('malformed sealed box');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)),
    decipher.final(),
  ]);
  return plain.toString('utf8');
}
