import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives } from './crypto-primitives';
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
    /** The officer who completed it on the citizen's behalf; only with channel `assisted`. */
    officerId: z
      .string()
      .regex(/^[0-9]{8}$/)
      .optional(),
  })
  .strict()
  .refine((body) => body.officerId === undefined || body.channel === 'assisted', {
    message: 'an officer id is only recorded on assisted transactions',
    path: ['officerId'],
  });
export type TransactionBody = z.infer<typeof transactionBodySchema>;

const officerIdSchema = z.string().regex(/^[0-9]{8}$/);
const recordIdSchema = z.string().uuid();
const reasonSchema = z.string().trim().min(3).max(500);

/**
 * Bodies of the officer and operator records that share the chain with transactions. Every body
 * has `txId`: the record's own unique id (the gateway and the outbox are idempotent by it), so a
 * void's `txId` is the void's id and `voids` names the transaction it cancels.
 */
export const officerSignInBodySchema = z
  .object({ txId: recordIdSchema, officerId: officerIdSchema, method: z.enum(['card', 'pin']) })
  .strict();
export const officerSignOutBodySchema = z
  .object({
    txId: recordIdSchema,
    officerId: officerIdSchema,
    cause: z.enum(['signed-out', 'inactivity', 'locked-out', 'shutdown']),
  })
  .strict();
export const voidBodySchema = z
  .object({
    txId: recordIdSchema,
    officerId: officerIdSchema,
    /** The voided transaction; it stays in the chain and is delivered, marked voided. */
    voids: z.object({ txId: recordIdSchema, seq: z.number().int().min(1) }).strict(),
    reason: reasonSchema,
  })
  .strict();
export const reprintBodySchema = z
  .object({
    txId: recordIdSchema,
    officerId: officerIdSchema.optional(),
    reprints: z.object({ txId: recordIdSchema, seq: z.number().int().min(1) }).strict(),
  })
  .strict();
export const configChangeBodySchema = z
  .object({
    txId: recordIdSchema,
    /** What changed: the site config and catalogue, or the officer roster. */
    part: z.enum(['site', 'catalogue', 'roster']),
    fromVersion: z.string().max(100).nullable(),
    toVersion: z.string().min(1).max(100),
    /** SHA-256 of the canonical JSON now in force. */
    digest: hex64,
  })
  .strict();

const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{40,200}$/);

function envelopeWith<S extends z.ZodTypeAny>(sig: S) {
  return {
    v: z.literal(1),
    kioskId: z.string().min(3).max(64),
    seq: z.number().int().min(1),
    prevHash: hex64,
    createdAt: z.string().datetime({ offset: true }),
    hash: hex64,
    sig,
  };
}

function recordSchemaWith<S extends z.ZodTypeAny>(sig: S) {
  const envelope = envelopeWith(sig);
  return z.discriminatedUnion('kind', [
    z.object({ ...envelope, kind: z.literal('transaction'), body: transactionBodySchema }).strict(),
    z
      .object({ ...envelope, kind: z.literal('officer-sign-in'), body: officerSignInBodySchema })
      .strict(),
    z
      .object({ ...envelope, kind: z.literal('officer-sign-out'), body: officerSignOutBodySchema })
      .strict(),
    z.object({ ...envelope, kind: z.literal('void'), body: voidBodySchema }).strict(),
    z.object({ ...envelope, kind: z.literal('reprint'), body: reprintBodySchema }).strict(),
    z
      .object({ ...envelope, kind: z.literal('config-change'), body: configChangeBodySchema })
      .strict(),
  ]);
}

export const transactionRecordSchema = z
  .object({
    ...envelopeWith(signatureSchema),
    kind: z.literal('transaction'),
    body: transactionBodySchema,
  })
  .strict();
export type TransactionRecord = z.infer<typeof transactionRecordSchema>;

/**
 * Every record in a kiosk's chain, discriminated by `kind`, as the kiosk signs it (every record
 * carries `sig`, the device's signature over its `hash`). Transaction records are byte for byte
 * what they were before the other kinds existed (an optional field absent is not encoded).
 */
export const chainRecordSchema = recordSchemaWith(signatureSchema);
export type ChainRecord = z.infer<typeof chainRecordSchema>;
export type RecordKind = ChainRecord['kind'];

/**
 * A chain record as the gateway holds it. Records that came in protocol v1 batches or USB
 * bundles keep their own `sig`; records that came in a protocol v2 batch keep `sig` only when
 * they ended a signed segment (wire-v2.ts): a record without one is proven by the hash chain
 * from it to the next record that has one, whose signature covers its hash and so, through the
 * `prevHash` links, every record before it (verify with `checkChainSegment` in record-check.ts).
 */
export const gatewayRecordSchema = recordSchemaWith(signatureSchema.optional());
export type GatewayRecord = z.infer<typeof gatewayRecordSchema>;
export type RecordBodyOf<K extends RecordKind> = Extract<ChainRecord, { kind: K }>['body'];
/** A record before hashing and signing; distributes over the kinds so `kind` narrows `body`. */
export type UnsignedRecord = ChainRecord extends infer R
  ? R extends ChainRecord
    ? Omit<R, 'hash' | 'sig'>
    : never
  : never;

export function isTransactionRecord<R extends GatewayRecord>(
  record: R,
): record is Extract<R, { kind: 'transaction' }> {
  return record.kind === 'transaction';
}

/**
 * A record's hash: hex SHA-256 of the canonical JSON of everything except `hash` and `sig`.
 * The kiosk computes it when it commits, the gateway again when it checks (record-check.ts).
 */
export async function recordHash(
  record: UnsignedRecord | GatewayRecord,
  primitives: CryptoPrimitives = webCrypto,
): Promise<string> {
  const { v, kioskId, seq, prevHash, createdAt, kind, body } = record;
  return sha256Hex(canonicalJson({ v, kioskId, seq, prevHash, createdAt, kind, body }), primitives);
}
