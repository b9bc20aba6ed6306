import { z } from 'zod';
import { chainRecordSchema } from './records';
import { ecPublicJwkSchema } from './crypto-primitives';
import { sealedBoxSchema } from './sealed-box';
import {
  agencyTextSchema,
  applicationStateSchema as decisionStateSchema,
} from './application-status';

/** Wire types of sync protocol v1. Both ends parse what they receive with these schemas. */
export const PROTOCOL_VERSION = 1;
/**
 * Every protocol version this code speaks (v2: wire-v2.ts). A gateway lists them in its health
 * reply (`protocols`) and a kiosk sends batches in the highest one both speak; a gateway that
 * predates v2 answers only `protocol: 1`, and a v1 kiosk ignores `protocols`.
 */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export const LATEST_PROTOCOL_VERSION = 2;

export const healthReplySchema = z.object({
  ok: z.literal(true),
  /** The highest version the gateway speaks. */
  protocol: z.number().int(),
  protocols: z.array(z.number().int()).max(20).optional(),
});
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

/** One chain record and, when it has personal fields, their values sealed to the gateway. */
export const batchItemSchema = z
  .object({ record: chainRecordSchema, personal: sealedBoxSchema.optional() })
  .strict();
export type BatchItem = z.infer<typeof batchItemSchema>;

export const batchRequestSchema = z
  .object({
    batchId: z.string().uuid(),
    items: z.array(batchItemSchema).min(1).max(5000),
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

/** `GET /v1/kiosks/{kioskId}/config`: what the gateway tells a kiosk; served with an ETag. */
export const kioskConfigReplySchema = z
  .object({
    kioskId: z.string(),
    protocol: z.number().int(),
    /** The key personal fields are sealed to (sealed-box.ts). */
    gatewayKey: ecPublicJwkSchema,
    site: z.unknown(),
    catalogue: z.unknown(),
    roster: z.array(z.unknown()),
  })
  .strict();
export type KioskConfigReply = z.infer<typeof kioskConfigReplySchema>;

/**
 * `GET /v1/status?refs=…`: the reply every kiosk understands (protocol v1 as first shipped):
 * `received` when the gateway holds the application, else `unknown`. Frozen: kiosks in the
 * field parse it strictly, so it never gains a state or a field.
 */
export const applicationStateSchema = z.enum(['received', 'unknown']);
export const statusReplySchema = z
  .object({
    statuses: z.array(
      z
        .object({
          ref: z.string(),
          state: applicationStateSchema,
          serviceId: z.string().optional(),
          receivedAt: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type StatusReply = z.infer<typeof statusReplySchema>;

/** The `include` value that asks `GET /v1/status` for the agency's decision. */
export const STATUS_INCLUDE_DECISION = 'decision';

/**
 * `GET /v1/status?refs=…&include=decision`: what the agency has decided, for kiosks that ask.
 * `since` is when the current state began; `reason` (refused), `needed` (more information
 * needed), `collectAt` (ready for collection) and `nextStep` are the agency's words, one string
 * or one per language. A gateway that predates decisions answers the v1 shape, which this
 * schema also accepts.
 */
export const decisionStatusSchema = z
  .object({
    ref: z.string(),
    state: z.union([decisionStateSchema, z.literal('unknown')]),
    serviceId: z.string().optional(),
    receivedAt: z.string().optional(),
    submittedAt: z.string().optional(),
    since: z.string().optional(),
    reason: agencyTextSchema.optional(),
    needed: agencyTextSchema.optional(),
    collectAt: agencyTextSchema.optional(),
    nextStep: agencyTextSchema.optional(),
  })
  .strict();
export type DecisionStatus = z.infer<typeof decisionStatusSchema>;
export const decisionStatusReplySchema = z
  .object({ statuses: z.array(decisionStatusSchema) })
  .strict();
export type DecisionStatusReply = z.infer<typeof decisionStatusReplySchema>;
export const MAX_STATUS_REFS = 50;

export const heartbeatRequestSchema = z
  .object({
    sentAt: z.string().datetime({ offset: true }),
    queueDepth: z.number().int().min(0),
    oldestQueuedAt: z.number().int().nullable(),
    rejected: z.number().int().min(0),
    deadLetters: z.number().int().min(0),
    lastDeliveryAt: z.number().int().nullable(),
    appVersion: z.string().max(64),
    counters: z.record(z.string().max(100), z.number().int().min(0)).optional(),
    /** For the fleet dashboard: the site, the config in force and device health, when known. */
    siteId: z.string().max(64).optional(),
    configVersion: z.string().max(100).optional(),
    devices: z
      .object({
        printer: z.string().max(40).optional(),
        cardReader: z.string().max(40).optional(),
        simulated: z.array(z.string().max(40)).max(10).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

export const heartbeatReplySchema = z
  .object({ ok: z.literal(true), head: chainHeadSchema })
  .strict();

/**
 * `GET /v1/kiosks/{kioskId}/acks?fromSeq=`: which of this kiosk's records the gateway holds from
 * `fromSeq` on, however they arrived (batch or USB bundle), so the kiosk can mark them delivered.
 */
export const MAX_ACKS = 1000;
export const acksReplySchema = z
  .object({
    head: chainHeadSchema,
    records: z.array(
      z
        .object({
          seq: z.number().int().min(1),
          id: z.string(),
          hash: z.string(),
          state: z.enum(['chained', 'awaiting']),
        })
        .strict(),
    ),
    /** True when more records follow the last one listed (ask again from its seq + 1). */
    more: z.boolean(),
  })
  .strict();
export type AcksReply = z.infer<typeof acksReplySchema>;

export const errorReplySchema = z.object({ error: z.string(), message: z.string() });
