import { z } from 'zod';

/**
 * The cryptographic primitives every protocol operation is built from. Each operation (record
 * hash, record check, sealed box, device signature) is written once, in sync/protocol, over this
 * interface; `webCrypto` implements it with WebCrypto (browsers, workers and Node 20, where
 * `crypto.subtle` is global). The gateway passes a faster node:crypto implementation
 * (sync/server/node-crypto.ts). Both must give the same bytes for the same input: one
 * conformance suite runs over both (tests/unit/sync/crypto-primitives.test.ts).
 *
 * Keys are JWKs (RFC 7517) on curve P-256 (FIPS 186-4); shared secrets are ECDH's x coordinate
 * (32 bytes, SEC 1 §3.3.1, as WebCrypto's deriveBits gives); AES-GCM ciphertexts carry the
 * 16-byte tag at the end, as WebCrypto's do.
 */
export interface CryptoPrimitives {
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** ECDSA P-256 with SHA-256 over `data`; `signature` is IEEE P1363 (r || s, 64 bytes). */
  verifyP256(publicKey: EcPublicJwk, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** A new P-256 key pair: its public half, and its ECDH shared secret with `peer`. */
  ecdhEphemeral(peer: EcPublicJwk): Promise<{ publicKey: EcPublicJwk; sharedSecret: Uint8Array }>;
  /** The ECDH shared secret of `privateKey` and `peer`; throws if `peer` is not on the curve. */
  ecdh(privateKey: EcPrivateJwk, peer: EcPublicJwk): Promise<Uint8Array>;
  /** HKDF with SHA-256 (RFC 5869): `length` bytes of output keying material. */
  hkdfSha256(
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Promise<Uint8Array>;
  /** AES-256-GCM with a 12-byte iv; returns the ciphertext followed by the 16-byte tag. */
  aesGcmEncrypt(
    key: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
  ): Promise<Uint8Array>;
  /** The inverse of `aesGcmEncrypt`; throws when the key, iv, aad or any bit is wrong. */
  aesGcmDecrypt(
    key: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
  ): Promise<Uint8Array>;
}

const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/);

/** A P-256 public key as a JWK (x and y: 32 bytes each, base64url). */
export const ecPublicJwkSchema = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: b64u.min(40), y: b64u.min(40) })
  .strict();
export type EcPublicJwk = z.infer<typeof ecPublicJwkSchema>;

/** A P-256 private key as a JWK (`d`: the 32-byte scalar, base64url). */
export const ecPrivateJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: b64u.min(40),
  y: b64u.min(40),
  d: b64u.min(40),
});
export type EcPrivateJwk = z.infer<typeof ecPrivateJwkSchema>;

/** The public half of a private JWK. */
export function publicJwkOf(key: EcPrivateJwk): EcPublicJwk {
  return { kty: 'EC', crv: 'P-256', x: key.x, y: key.y };
}

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ecdhCurve = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** WebCrypto wants bytes over an ArrayBuffer; a view over anything else is copied. */
function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return view.buffer instanceof ArrayBuffer
    ? (view as Uint8Array<ArrayBuffer>)
    : new Uint8Array(view);
}

const ecdhPrivateKeys = new WeakMap<EcPrivateJwk, Promise<CryptoKey>>();

function importEcdhPeer(peer: EcPublicJwk): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', { ...peer, ext: true }, ecdhCurve, true, []);
}

/** The primitives over WebCrypto: the kiosk's, and the reference for every other. */
export const webCrypto: CryptoPrimitives = {
  async sha256(data) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes(data)));
  },
  async verifyP256(publicKey, data, signature) {
    const key = await crypto.subtle.importKey('jwk', { ...publicKey, ext: true }, ecdsa, false, [
      'verify',
    ]);
    return crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      bytes(signature),
      bytes(data),
    );
  },
  async ecdhEphemeral(peer) {
    const pair = await crypto.subtle.generateKey(ecdhCurve, true, ['deriveBits']);
    const shared = await crypto.subtle.deriveBits(
      { name: 'ECDH', public: await importEcdhPeer(peer) },
      pair.privateKey,
      256,
    );
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return {
      publicKey: ecPublicJwkSchema.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }),
      sharedSecret: new Uint8Array(shared),
    };
  },
  async ecdh(privateKey, peer) {
    let key = ecdhPrivateKeys.get(privateKey);
    if (!key) {
      key = crypto.subtle.importKey('jwk', { ...privateKey }, ecdhCurve, false, ['deriveBits']);
      ecdhPrivateKeys.set(privateKey, key);
    }
    const shared = await crypto.subtle.deriveBits(
      { name: 'ECDH', public: await importEcdhPeer(peer) },
      await key,
      256,
    );
    return new Uint8Array(shared);
  },
  async hkdfSha256(ikm, salt, info, length) {
    const key = await crypto.subtle.importKey('raw', bytes(ikm), 'HKDF', false, ['deriveBits']);
    const out = await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: bytes(salt), info: bytes(info) },
      key,
      length * 8,
    );
    return new Uint8Array(out);
  },
  async aesGcmEncrypt(key, iv, aad, plaintext) {
    const aes = await crypto.subtle.importKey('raw', bytes(key), 'AES-GCM', false, ['encrypt']);
    const out = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(aad) },
      aes,
      bytes(plaintext),
    );
    return new Uint8Array(out);
  },
  async aesGcmDecrypt(key, iv, aad, sealed) {
    const aes = await crypto.subtle.importKey('raw', bytes(key), 'AES-GCM', false, ['decrypt']);
    const out = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(aad) },
      aes,
      bytes(sealed),
    );
    return new Uint8Array(out);
  },
};
