import { z } from 'zod';
import { ecPublicJwkSchema, webCrypto } from './crypto-primitives';
import type { CryptoPrimitives, EcPrivateJwk, EcPublicJwk } from './crypto-primitives';
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

/**
 * Sealing to a recipient's public key: ephemeral-static ECDH on P-256, HKDF-SHA-256 (empty salt,
 * info SEALED_BOX_HKDF_INFO), AES-256-GCM with a random 12-byte iv. Only the holder of the
 * recipient's private key (the gateway) can open a box; the sender keeps nothing that could open
 * it again. `aad` binds a box to its context (the transaction id, or a bundle's manifest), so a
 * box cannot be moved onto another.
 */
export const SEALED_BOX_ALG = 'ECDH-ES+HKDF-SHA256+A256GCM';
/** HKDF `info` of every box. */
export const SEALED_BOX_HKDF_INFO = 'service-point/sealed-box/v1';
const HKDF_INFO = utf8(SEALED_BOX_HKDF_INFO);
const NO_SALT = new Uint8Array(0);
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/);

/** A sealed box whose ciphertext is at most `maxChars` base64url characters. */
export function sealedBoxSchemaUpTo(maxChars: number) {
  return z
    .object({
      alg: z.literal(SEALED_BOX_ALG),
      epk: ecPublicJwkSchema,
      iv: b64u.length(16),
      ct: b64u.min(22).max(maxChars),
    })
    .strict();
}

/** A sealed box as a batch item carries it (one transaction's personal fields). */
export const sealedBoxSchema = sealedBoxSchemaUpTo(200_000);
export type SealedBox = z.infer<typeof sealedBoxSchema>;

/** A recipient key for sealed boxes (the gateway's), as a private JWK that can be stored. */
export async function generateSealingKey(): Promise<EcPrivateJwk> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ]);
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) throw new TypeError('not a P-256 key');
  return { kty, crv, x, y, d };
}

function boxKey(sharedSecret: Uint8Array, primitives: CryptoPrimitives): Promise<Uint8Array> {
  return primitives.hkdfSha256(sharedSecret, NO_SALT, HKDF_INFO, 32);
}

/** Seals one plaintext, bound to its `aad`, with a sealer's key (see `boxSealer`). */
export type BoxSealer = (plaintext: string, aad: string) => Promise<SealedBox>;

/**
 * A sealer of many boxes to `recipient` under ONE ephemeral key: one ECDH and one HKDF for all
 * of them, each box with its own random 12-byte iv and its own `aad`. Each box opens alone with
 * `openSealed`, exactly like a box sealed by `sealTo`; boxes from one sealer share `epk`. For
 * a sender that seals a set of boxes at once (the gateway re-sealing a v2 batch's personal
 * fields one record at a time: one ECDH per batch instead of one per record). Keep a sealer
 * for a bounded set: AES-GCM with random ivs stays within NIST SP 800-38D §8.3 for fewer than
 * 2^32 boxes per key, and boxes from one sealer can be told to belong together.
 */
export async function boxSealer(
  recipient: EcPublicJwk,
  primitives: CryptoPrimitives = webCrypto,
): Promise<BoxSealer> {
  const { publicKey, sharedSecret } = await primitives.ecdhEphemeral(recipient);
  const key = await boxKey(sharedSecret, primitives);
  return async (plaintext, aad) => {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ct = await primitives.aesGcmEncrypt(key, iv, utf8(aad), utf8(plaintext));
    return { alg: SEALED_BOX_ALG, epk: publicKey, iv: toBase64Url(iv), ct: toBase64Url(ct) };
  };
}

/**
 * Seals `plaintext` to `recipient` (the gateway key from its config reply), bound to `aad`, under
 * an ephemeral key of its own. Stable signature: the kiosk's sync batches and USB bundles both
 * seal through this.
 */
export async function sealTo(
  recipient: EcPublicJwk,
  plaintext: string,
  aad: string,
  primitives: CryptoPrimitives = webCrypto,
): Promise<SealedBox> {
  const seal = await boxSealer(recipient, primitives);
  return seal(plaintext, aad);
}

/**
 * Opens a box with the recipient's private key; throws when the key, the aad or a single bit of
 * the box is wrong, or when the ephemeral key is not a point of P-256.
 */
export async function openSealed(
  recipient: EcPrivateJwk,
  box: Pick<SealedBox, 'epk' | 'iv' | 'ct'>,
  aad: string,
  primitives: CryptoPrimitives = webCrypto,
): Promise<string> {
  if (fromBase64Url(box.epk.x).length !== 32 || fromBase64Url(box.epk.y).length !== 32) {
    throw new Error('malformed ephemeral key');
  }
  const iv = fromBase64Url(box.iv);
  const sealed = fromBase64Url(box.ct);
  if (iv.length !== IV_BYTES || sealed.length < GCM_TAG_BYTES) {
    throw new Error('malformed sealed box');
  }
  const key = await boxKey(await primitives.ecdh(recipient, box.epk), primitives);
  return new TextDecoder().decode(await primitives.aesGcmDecrypt(key, iv, utf8(aad), sealed));
}
