import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { agencyIdSchema } from '../../protocol/agency-wire';

/**
 * Agency API keys: `spa.<agencyId>.<secret>`, the secret 32 random bytes in base64url. The
 * gateway keeps only the SHA-256 of the secret. A fast hash is right here, unlike for passwords:
 * the secret is 256 random bits, so there is nothing to guess, and every call is checked.
 */
export const API_KEY_PREFIX = 'spa';

export interface ApiKey {
  /** Shown once, to the administrator who registers the agency. */
  key: string;
  /** What the gateway stores. */
  hash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function makeApiKey(agencyId: string): ApiKey {
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}.${agencyId}.${secret}`, hash: hashSecret(secret) };
}

/** The agency id and secret of an `Authorization: Bearer …` header, or undefined. */
export function parseBearer(
  header: string | undefined,
): { agencyId: string; secret: string } | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const parts = match?.[1]?.split('.');
  if (!parts || parts.length !== 3 || parts[0] !== API_KEY_PREFIX) return undefined;
  const [, agencyId = '', secret = ''] = parts;
  if (!agencyIdSchema.safeParse(agencyId).success || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
    return undefined;
  }
  return { agencyId, secret };
}

/** Whether `secret` hashes to `storedHash`, in constant time. */
export function secretMatches(storedHash: string, secret: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. The gateway signs
 * with it and the agency verifies with it, so both hold it: it is stored as given, and shown to
 * the administrator once, to pass to the agency.
 */
export function makeWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
