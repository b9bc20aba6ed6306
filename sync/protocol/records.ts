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
    /** Field values keyed by field id; values are strings exactly as the citizen confirmed them. */
    fields: z.record(z.string().max(100), z.string().max(20_000)),
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
