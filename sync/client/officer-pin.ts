import { fromBase64Url, toBase64Url, utf8 } from '../protocol/encoding';

/**
 * Officer PIN hashes: PBKDF2-SHA-256 through WebCrypto, encoded as
 * `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url). PBKDF2 rather than the shell's scrypt
 * because the kiosk must verify a PIN in the page, offline, in every shell (Electron, browser
 * shell, simulated) with nothing but WebCrypto; the gateway hashes with the same code.
 * The iteration count is in the hash, so it can be raised later without breaking old PINs.
 */
export const OFFICER_PIN_ITERATIONS = 600_000;
const HASH_BYTES = 32;

export const officerPinSchemaPattern = /^\d{4,12}$/;

export async function hashOfficerPin(
  pin: string,
  options: { iterations?: number; salt?: Uint8Array } = {},
): Promise<string> {
  if (!officerPinSchemaPattern.test(pin)) throw new TypeError('a PIN is 4 to 12 digits');
  const iterations = options.iterations ?? OFFICER_PIN_ITERATIONS;
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(pin, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/**
 * True when `pin` matches `encoded`. A hash below `minIterations` (a weak or tampered roster
 * entry) never matches, so a roster cannot be downgraded to something quick to brute-force.
 */
export async function verifyOfficerPin(
  pin: string,
  encoded: string,
  options: { minIterations?: number } = {},
): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 4 || parts[0] !== 'pbkdf2-sha256') return false;
  const iterations = Number(parts[1]);
  const min = options.minIterations ?? OFFICER_PIN_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < min || iterations > 10_000_000) return false;
  let salt: Uint8Array<ArrayBuffer>;
  let expected: Uint8Array<ArrayBuffer>;
  try {
    salt = fromBase64Url(parts[2] ?? '');
    expected = fromBase64Url(parts[3] ?? '');
  } catch {
    return false;
  }
  if (salt.length < 16 || expected.length !== HASH_BYTES) return false;
  const actual = await derive(pin, salt, iterations);
  // Compare every byte, so the time taken says nothing about where a guess went wrong.
  let diff = 0;
  for (let i = 0; i < HASH_BYTES; i += 1) diff |= (actual[i] ?? 0) ^ (expected[i] ?? 0);
  return diff === 0;
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}
