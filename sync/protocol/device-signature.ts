import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives, EcPublicJwk } from './crypto-primitives';
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

/** ECDSA P-256 with SHA-256; signatures are IEEE P1363 (r||s), base64url. */
const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signParams = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A device's public key (P-256 JWK), as enrolled at the gateway. */
export type PublicKeyJwk = EcPublicJwk;

/** A device key pair whose private half can never be exported (WebCrypto `extractable: false`). */
export async function generateDeviceKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
}

export async function exportPublicKey(key: CryptoKey): Promise<PublicKeyJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new TypeError('not a P-256 public key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

export async function signText(privateKey: CryptoKey, text: string): Promise<string> {
  return toBase64Url(await crypto.subtle.sign(signParams, privateKey, utf8(text)));
}

/**
 * Checks a device signature (base64url P1363) over the UTF-8 bytes of `text`: records (over
 * their hash), signed requests and bundle manifests. False for a signature that is not even
 * base64url.
 */
export async function verifySignature(
  publicKey: PublicKeyJwk,
  text: string,
  signature: string,
  primitives: CryptoPrimitives = webCrypto,
): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(signature);
  } catch {
    return false;
  }
  return primitives.verifyP256(publicKey, utf8(text), bytes);
}
