import { z } from 'zod';
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

/**
 * Sealing to a recipient's public key: ephemeral-static ECDH on P-256, HKDF-SHA-256, AES-256-GCM.
 * Only the holder of the recipient's private key (the gateway) can open a box; the sender keeps
 * nothing that could open it again. `aad` binds a box to its context (the transaction id), so a
 * box cannot be moved onto another transaction.
 */
export const SEALED_BOX_ALG = 'ECDH-ES+HKDF-SHA256+A256GCM';
/** HKDF `info` of every box; a gateway opening boxes with another crypto API uses the same. */
export const SEALED_BOX_HKDF_INFO = 'service-point/sealed-box/v1';
const HKDF_INFO = utf8(SEALED_BOX_HKDF_INFO);
const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/);

export const ecPublicJwkSchema = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: b64u.min(40), y: b64u.min(40) })
  .strict();
export type EcPublicJwk = z.infer<typeof ecPublicJwkSchema>;

export const sealedBoxSchema = z
  .object({
    alg: z.literal(SEALED_BOX_ALG),
    epk: ecPublicJwkSchema,
    iv: b64u.length(16),
    ct: b64u.min(22).max(200_000),
  })
  .strict();
export type SealedBox = z.infer<typeof sealedBoxSchema>;

const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** A recipient key pair for sealed boxes (the gateway's); extractable so it can be stored. */
export function generateSealingKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ecdh, true, ['deriveBits']);
}

export function importSealingPublicKey(jwk: EcPublicJwk): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', { ...jwk, ext: true }, ecdh, true, []);
}

export function importSealingPrivateKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', jwk, ecdh, false, ['deriveBits']);
}

export async function exportEcPublicJwk(key: CryptoKey): Promise<EcPublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return ecPublicJwkSchema.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
}

async function boxKey(privateKey: CryptoKey, publicKey: CryptoKey): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits(
    { name: 'ECDH', public: publicKey },
    privateKey,
    256,
  );
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: HKDF_INFO },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealTo(
  recipient: CryptoKey,
  plaintext: string,
  aad: string,
): Promise<SealedBox> {
  const ephemeral = await crypto.subtle.generateKey(ecdh, true, ['deriveBits']);
  const key = await boxKey(ephemeral.privateKey, recipient);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(aad) },
    key,
    utf8(plaintext),
  );
  return {
    alg: SEALED_BOX_ALG,
    epk: await exportEcPublicJwk(ephemeral.publicKey),
    iv: toBase64Url(iv),
    ct: toBase64Url(ct),
  };
}

/** Opens a box; throws when the key, the aad or a single bit of the box is wrong. */
export async function openSealed(
  recipientPrivate: CryptoKey,
  box: SealedBox,
  aad: string,
): Promise<string> {
  const epk = await importSealingPublicKey(box.epk);
  const key = await boxKey(recipientPrivate, epk);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(box.iv), additionalData: utf8(aad) },
    key,
    fromBase64Url(box.ct),
  );
  return new TextDecoder().decode(plain);
}
