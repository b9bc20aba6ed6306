import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives } from './crypto-primitives';
import { sha256Hex } from './encoding';

/**
 * What the chain record holds of a transaction's personal fields: a salted digest, never the
 * values. The values travel beside the record, sealed to the gateway, and the gateway checks
 * them against this digest, so the chain of proof covers them without the record revealing them
 * (the salt stops a guess of, say, a date of birth from being checked against the digest).
 */
export const personalPayloadSchema = z
  .object({
    salt: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    fields: z.record(z.string().max(100), z.string().max(20_000)),
  })
  .strict();
export type PersonalPayload = z.infer<typeof personalPayloadSchema>;

/** Hex SHA-256 of the canonical JSON of `{salt, fields}`: what the chain record holds. */
export function personalDigest(
  payload: PersonalPayload,
  primitives: CryptoPrimitives = webCrypto,
): Promise<string> {
  return sha256Hex(canonicalJson(payload), primitives);
}
