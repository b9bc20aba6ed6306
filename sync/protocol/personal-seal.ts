import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { z } from 'zod';
import type { EcPrivateJwk, EcPublicJwk } from './crypto-primitives';
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

/**
 * Sealing a whole batch's personal fields to the gateway at once (sync protocol v2): the
 * payloads are compressed together (raw DEFLATE, RFC 1951) and sealed with HPKE (RFC 9180) in
 * base mode, suite DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM (KEM 0x0010, KDF 0x0001,
 * AEAD 0x0002), single-shot, to the same P-256 key v1's sealed boxes use. One encapsulated key
 * (65 bytes) and one tag (16 bytes) per batch instead of an ephemeral JWK, an iv and a tag per
 * record; compressing before sealing lets names, districts and dates repeated across the batch
 * shrink, which gzip on the HTTP body cannot do once they are ciphertext. Any HPKE library with
 * that suite opens it (the reference uses `@hpke/core` over WebCrypto, in browsers and Node).
 */
export const PERSONAL_HPKE_SUITE = 'HPKE-Base+DHKEM-P256-HKDF-SHA256+HKDF-SHA256+AES-256-GCM';
/** HPKE `info` of every sealed batch. */
export const PERSONAL_HPKE_INFO = 'service-point/personal/v2';
const INFO = utf8(PERSONAL_HPKE_INFO);

/** Largest decompressed plaintext the gateway accepts from one batch (a DEFLATE bomb stops here). */
export const MAX_PERSONAL_PLAINTEXT_BYTES = 16 * 1024 * 1024;

const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/);
export const sealedBatchSchema = z
  .object({
    /** HPKE's encapsulated key: the uncompressed P-256 point (65 bytes), base64url. */
    enc: b64u.length(87),
    /** The sealed raw-DEFLATE of the payloads' JSON array, tag at the end, base64url. */
    ct: b64u.min(22).max(20_000_000),
  })
  .strict();
export type SealedBatch = z.infer<typeof sealedBatchSchema>;

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

const recipientKeys = new WeakMap<EcPrivateJwk, Promise<CryptoKey>>();

async function pipeBytes(
  bytes: Uint8Array<ArrayBuffer>,
  transform: CompressionStream | DecompressionStream,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = new Blob([bytes]).stream().pipeThrough(transform).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new RangeError(`more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * Seals `payloads` (each a JSON text, or null for a record whose values are missing) as one
 * JSON array to `recipient`, bound to `aad` (kiosk and batch, wire-v2.ts).
 */
export async function sealPersonalBatch(
  recipient: EcPublicJwk,
  payloads: ReadonlyArray<string | null>,
  aad: string,
): Promise<SealedBatch> {
  const text = `[${payloads.map((payload) => payload ?? 'null').join(',')}]`;
  const compressed = await pipeBytes(
    utf8(text),
    new CompressionStream('deflate-raw'),
    Number.POSITIVE_INFINITY,
  );
  const { kty, crv, x, y } = recipient;
  const recipientPublicKey = await suite.kem.importKey('jwk', { kty, crv, x, y }, true);
  const sealed = await suite.seal({ recipientPublicKey, info: INFO }, compressed, utf8(aad));
  return { enc: toBase64Url(sealed.enc), ct: toBase64Url(sealed.ct) };
}

/**
 * Opens a sealed batch with the recipient's private key: the JSON array of payloads, unparsed
 * entries. Throws when the key, the aad or any bit is wrong, when the plaintext inflates beyond
 * `maxBytes`, or when it is not a JSON array.
 */
export async function openPersonalBatch(
  recipient: EcPrivateJwk,
  sealed: SealedBatch,
  aad: string,
  maxBytes = MAX_PERSONAL_PLAINTEXT_BYTES,
): Promise<unknown[]> {
  let key = recipientKeys.get(recipient);
  if (!key) {
    const { kty, crv, x, y, d } = recipient;
    key = suite.kem.importKey('jwk', { kty, crv, x, y, d }, false);
    recipientKeys.set(recipient, key);
  }
  const compressed = await suite.open(
    { recipientKey: await key, enc: fromBase64Url(sealed.enc), info: INFO },
    fromBase64Url(sealed.ct),
    utf8(aad),
  );
  const text = new TextDecoder().decode(
    await pipeBytes(new Uint8Array(compressed), new DecompressionStream('deflate-raw'), maxBytes),
  );
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new TypeError('sealed personal fields are not an array');
  return parsed;
}
