import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './encoding';

/** prevHash of a kiosk's first record. */
export const GENESIS_HASH = '0'.repeat(64);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const moneyWireSchema = z
  .object({ amountMinor: z.number().int().min(0), currency: z.string().regex(/^[A-Z]{3}$/) })
  .strict();

export const transactionBodySchema = z
  .object({
    txId: z.string().uuid(),
    ref: z.string().regex(/^[A-Z0-9-]{6,32}$/),
    serviceId: z.string().min(1).max(100),
    catalogueVersion: z.string().min(1).max(100),
    channel: z.enum(['self-service', 'assisted']),
    language: z.string().min(2).max(8),
    fee: moneyWireSchema,
    /**
     * Non-personal field values keyed by field id, exactly as the citizen confirmed them.
     * Personal fields never appear here (see `personal`).
     */
    fields: z.record(z.string().max(100), z.string().max(20_000)),
    /** Which fields were personal, and the salted digest of their values (personal-fields.ts). */
    personal: z
      .object({ fieldIds: z.array(z.string().max(100)).min(1).max(200), digest: hex64 })
      .strict()
      .optional(),
  })
  .strict();
export type TransactionBody = z.infer<typeof transactionBodySchema>;

export const chainRecordSchema = z
  .object({
    v: z.literal(1),
    kioskId: z.string().min(3).max(64),
    seq: z.number().int().min(1),
    prevHash: hex64,
    createdAt: z.string().datetime({ offset: true }),
    kind: z.literal('transaction'),
    body: transactionBodySchema,
    hash: hex64,
    sig: z.string().regex(/^[A-Za-z0-9_-]{40,200}$/),
  })
  .strict();
export type ChainRecord = z.infer<typeof chainRecordSchema>;
export type UnsignedRecord = Omit<ChainRecord, 'hash' | 'sig'>;

/** The hash covers the canonical JSON of everything except `hash` and `sig`. */
export async function recordHash(record: UnsignedRecord | ChainRecord): Promise<string> {
  const { v, kioskId, seq, prevHash, createdAt, kind, body } = record;
  return sha256Hex(canonicalJson({ v, kioskId, seq, prevHash, createdAt, kind, body }));
}
