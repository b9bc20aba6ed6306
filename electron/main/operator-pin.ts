import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ShellError } from './shell-error';

/** scrypt cost: N=2^15, r=8 (32 MiB, on the order of 100 ms per guess on kiosk hardware). */
const defaults = { N: 2 ** 15, r: 8, p: 1 };
/** A hash weaker than this is refused, so a config cannot quietly make guessing cheap. */
const minimumN = 2 ** 14;
const keyLength = 32;

function derive(
  pin: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      pin.normalize('NFKC'),
      salt,
      keyLength,
      { ...params, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes an operator PIN for `shell.json`: `scrypt$N$r$p$salt$hash`, base64url parts. */
export async function hashOperatorPin(pin: string, params = defaults): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

/** Parses a stored hash; throws `bad-pin-hash` for a malformed or too-cheap one. */
export function parsePinHash(encoded: string): ParsedHash {
  const parts = encoded.split('$');
  const [kind, n, r, p, salt, key] = parts;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (
    parts.length !== 6 ||
    kind !== 'scrypt' ||
    !Number.isInteger(N) ||
    N < minimumN ||
    (N & (N - 1)) !== 0 ||
    !Number.isInteger(R) ||
    R < 8 ||
    R > 32 ||
    !Number.isInteger(P) ||
    P < 1 ||
    P > 4 ||
    !salt ||
    !key
  ) {
    throw new ShellError('bad-pin-hash');
  }
  const saltBytes = Buffer.from(salt, 'base64url');
  const keyBytes = Buffer.from(key, 'base64url');
  if (saltBytes.length < 16 || keyBytes.length !== keyLength) throw new ShellError('bad-pin-hash');
  return { params: { N, r: R, p: P }, salt: saltBytes, key: keyBytes };
}

/** True when `pin` matches `encoded`; compares in constant time. */
export async function verifyOperatorPin(pin: string, encoded: string): Promise<boolean> {
  const stored = parsePinHash(encoded);
  const key = await derive(pin, stored.salt, stored.params);
  return timingSafeEqual(key, stored.key);
}
