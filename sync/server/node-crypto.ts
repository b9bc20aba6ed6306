import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createPublicKey,
  hkdfSync,
  verify,
} from 'node:crypto';
import type { ECDH, KeyObject } from 'node:crypto';
import type { CryptoPrimitives, EcPrivateJwk, EcPublicJwk } from '../protocol/crypto-primitives';

const GCM_TAG_BYTES = 16;
/** Device keys kept ready for verifying; a gateway sees one per kiosk. */
const MAX_CACHED_KEYS = 10_000;
const publicKeys = new Map<string, KeyObject>();
const ecdhKeys = new WeakMap<EcPrivateJwk, ECDH>();

/** The KeyObject of a device key, made once per key (parsing a JWK costs more than verifying). */
function publicKeyObject(jwk: EcPublicJwk): KeyObject {
  const id = `${jwk.x}.${jwk.y}`;
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/** The uncompressed point 0x04 || x || y of a public JWK. */
function point(jwk: EcPublicJwk): Buffer {
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new Error('malformed P-256 public key');
  return Buffer.concat([Buffer.from([4]), x, y]);
}

/**
 * The protocol's primitives (sync/protocol/crypto-primitives.ts) over node:crypto, for the
 * gateway: the same bytes as WebCrypto without its thread-pool round trip per step and JWK
 * import per ephemeral key, which made opening sealed boxes most of the gateway's time per
 * item. Signatures are still verified on libuv's thread pool, so a batch's checks use the other
 * cores while this thread opens the boxes.
 */
export const nodeCrypto: CryptoPrimitives = {
  async sha256(data) {
    return createHash('sha256').update(data).digest();
  },
  verifyP256(publicKey, data, signature) {
    return new Promise((resolve) => {
      try {
        verify(
          'sha256',
          data,
          { key: publicKeyObject(publicKey), dsaEncoding: 'ieee-p1363' },
          signature,
          (error, ok) => resolve(!error && ok),
        );
      } catch {
        resolve(false);
      }
    });
  },
  async ecdhEphemeral(peer) {
    const ephemeral = createECDH('prime256v1');
    const pub = ephemeral.generateKeys();
    return {
      publicKey: {
        kty: 'EC',
        crv: 'P-256',
        x: pub.subarray(1, 33).toString('base64url'),
        y: pub.subarray(33, 65).toString('base64url'),
      },
      sharedSecret: ephemeral.computeSecret(point(peer)),
    };
  },
  async ecdh(privateKey, peer) {
    let ecdh = ecdhKeys.get(privateKey);
    if (!ecdh) {
      ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(Buffer.from(privateKey.d, 'base64url'));
      ecdhKeys.set(privateKey, ecdh);
    }
    // computeSecret refuses a point that is not on the curve.
    return ecdh.computeSecret(point(peer));
  },
  async hkdfSha256(ikm, salt, info, length) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  },
  async aesGcmEncrypt(key, iv, aad, plaintext) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  },
  async aesGcmDecrypt(key, iv, aad, sealed) {
    if (sealed.length < GCM_TAG_BYTES) throw new Error('sealed data shorter than its tag');
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)),
      decipher.final(),
    ]);
  },
};
