import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives } from './crypto-primitives';

/** Byte/text helpers that work the same in browsers, workers and Node. */
const textEncoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(text);
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

/** Hex SHA-256 of the UTF-8 bytes of `text`. */
export async function sha256Hex(
  text: string,
  primitives: CryptoPrimitives = webCrypto,
): Promise<string> {
  return toHex(await primitives.sha256(utf8(text)));
}
