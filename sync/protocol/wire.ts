import { z } from 'zod';
import { chainRecordSchema } from './records';

/** Wire types of sync protocol v1. Both ends parse what they receive with these schemas. */
export const PROTOCOL_VERSION = 1;

export const healthReplySchema = z.object({ ok: z.literal(true), protocol: z.number().int() });
export type HealthReply = z.infer<typeof healthReplySchema>;

export const publicKeyJwkSchema = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() })
  .strict();

export const enrolRequestSchema = z
  .object({ token: z.string().min(8).max(200), publicKey: publicKeyJwkSchema })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const chainHeadSchema = z
  .object({ seq: z.number().int().min(0), hash: z.string() })
  .strict();
export type ChainHead = z.infer<typeof chainHeadSchema>;

export const enrolReplySchema = z.object({ kioskId: z.string(), head: chainHeadSchema }).strict();

export const batchRequestSchema = z
  .object({
    batchId: z.string().uuid(),
    items: z.array(chainRecordSchema).min(1).max(5000),
  })
  .strict();
export type BatchRequest = z.infer<typeof batchRequestSchema>;

export const itemStatusSchema = z.enum(['accepted', 'duplicate', 'rejected']);
export type ItemStatus = z.infer<typeof itemStatusSchema>;

export const itemResultSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    status: itemStatusSchema,
    reason: z.string().optional(),
  })
  .strict();
export type ItemResult = z.infer<typeof itemResultSchema>;

export const batchReplySchema = z
  .object({ results: z.array(itemResultSchema), head: chainHeadSchema })
  .strict();
export type BatchReply = z.infer<typeof batchReplySchema>;

export const errorReplySchema = z.object({ error: z.string(), message: z.string() });
