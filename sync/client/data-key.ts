import { fromBase64Url, toBase64Url, utf8 } from '../protocol/encoding';

/** AES-GCM ciphertext under the at-rest data key (base64url). */
export interface LocalCiphertext {
  iv: string;
  ct: string;
}

/**
 * The at-rest data key: 32 bytes held by the shell (KeyCustody), handed to the page once through
 * the bridge (`keys:data-key`) and imported here as a non-extractable AES-GCM key, so scripts in
 * the page can use it but never read it back.
 */
export async function importDataKey(raw: Uint8Array | string): Promise<CryptoKey> {
  const bytes = typeof raw === 'string' ? fromBase64Url(raw) : new Uint8Array(raw);
  if (bytes.byteLength !== 32) throw new TypeError('the data key must be 32 bytes');
  const key = await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  bytes.fill(0);
  return key;
}

/** Encrypts with the data key; `aad` binds the ciphertext to one row (the transaction id). */
export async function encryptLocal(
  key: CryptoKey,
  plaintext: string,
  aad: string,
): Promise<LocalCiphertext> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(aad) },
    key,
    utf8(plaintext),
  );
  return { iv: toBase64Url(iv), ct: toBase64Url(ct) };
}

export async function decryptLocal(
  key: CryptoKey,
  box: LocalCiphertext,
  aad: string,
): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(box.iv), additionalData: utf8(aad) },
    key,
    fromBase64Url(box.ct),
  );
  return new TextDecoder().decode(plain);
}
