import { fromBase64Url, toBase64Url, utf8 } from './encoding';

/** ECDSA P-256 with SHA-256; signatures are IEEE P1363 (r||s), base64url. */
const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signParams = { name: 'ECDSA', hash: 'SHA-256' } as const;

export type PublicKeyJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

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

export async function importPublicKey(jwk: PublicKeyJwk): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', { ...jwk, ext: true }, algorithm, true, ['verify']);
}

export async function signText(privateKey: CryptoKey, text: string): Promise<string> {
  return toBase64Url(await crypto.subtle.sign(signParams, privateKey, utf8(text)));
}

export async function verifyText(
  publicKey: CryptoKey,
  text: string,
  signature: string,
): Promise<boolean> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify(signParams, publicKey, bytes, utf8(text));
}
