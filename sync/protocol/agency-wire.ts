import { z } from 'zod';
import {
  agencyTextSchema,
  applicationStateSchema,
  postableStates,
  statusDetailSchema,
} from './application-status';
import { moneyWireSchema } from './records';
import { sealedBoxSchema } from './sealed-box';

/**
 * Wire types of the agency interface, version 1 (`/agency/v1/…`): how a ministry's case system
 * takes delivered applications and reports what became of them. Both ends parse with these; the
 * OpenAPI description (openapi-agency.json) is built from them.
 */
export const AGENCY_API_VERSION = 1;
export const AGENCY_API_PREFIX = '/agency/v1';

/** Agency ids: lower-case letters, digits and dashes (they appear in API keys and URLs). */
export const agencyIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);

/** CloudEvents `type`s of the feed (and of webhooks), reverse-DNS as the spec recommends. */
export const AGENCY_EVENT_TYPES = {
  delivered: 'org.service-point.application.delivered',
  voided: 'org.service-point.application.voided',
} as const;

/**
 * An application as the agency receives it. Personal fields come sealed to the agency's own
 * public key (the same sealed-box format the kiosks use to the gateway: ECDH-ES on P-256,
 * HKDF-SHA-256, AES-256-GCM; additional data: the transaction id). Opened, they are
 * `{salt, fields}`, whose SHA-256 over canonical JSON is `personal.digest`, the value the kiosk
 * signed in its chain record.
 */
export const applicationDeliveredSchema = z
  .object({
    position: z.number().int().min(1),
    agencyId: z.string(),
    ref: z.string(),
    txId: z.string().uuid(),
    serviceId: z.string(),
    kioskId: z.string(),
    seq: z.number().int().min(1),
    channel: z.enum(['self-service', 'assisted']),
    /** The language the citizen used at the kiosk (BCP 47: en, es, bzj, tn). */
    language: z.string(),
    catalogueVersion: z.string(),
    /** When the citizen submitted it at the kiosk, and when the gateway received it. */
    submittedAt: z.string(),
    receivedAt: z.string(),
    fee: moneyWireSchema,
    /** The answers that are not personal, by field id. */
    fields: z.record(z.string(), z.string()),
    officerId: z.string().optional(),
    personal: z
      .object({
        fieldIds: z.array(z.string()),
        digest: z.string(),
        sealed: sealedBoxSchema,
      })
      .strict()
      .nullable(),
    /** The chain record's hash (SHA-256 of its canonical JSON), for the agency's own records. */
    recordHash: z.string(),
  })
  .strict();
export type ApplicationDelivered = z.infer<typeof applicationDeliveredSchema>;

/** A delivered application was cancelled at the kiosk by an officer (a void record). */
export const applicationVoidedSchema = z
  .object({
    position: z.number().int().min(1),
    agencyId: z.string(),
    ref: z.string(),
    /** The application that is void. */
    txId: z.string().uuid(),
    voidId: z.string().uuid(),
    officerId: z.string(),
    reason: z.string(),
    voidedAt: z.string(),
    receivedAt: z.string(),
  })
  .strict();
export type ApplicationVoided = z.infer<typeof applicationVoidedSchema>;

/** CloudEvents 1.0, JSON format (structured mode), as the feed and webhooks carry them. */
export const agencyEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      specversion: z.literal('1.0'),
      id: z.string(),
      source: z.string(),
      type: z.literal(AGENCY_EVENT_TYPES.delivered),
      subject: z.string(),
      time: z.string(),
      datacontenttype: z.literal('application/json'),
      data: applicationDeliveredSchema,
    })
    .strict(),
  z
    .object({
      specversion: z.literal('1.0'),
      id: z.string(),
      source: z.string(),
      type: z.literal(AGENCY_EVENT_TYPES.voided),
      subject: z.string(),
      time: z.string(),
      datacontenttype: z.literal('application/json'),
      data: applicationVoidedSchema,
    })
    .strict(),
]);
export type AgencyEvent = z.infer<typeof agencyEventSchema>;

export const feedCursorSchema = z
  .object({
    ackedThrough: z.number().int().min(0),
    head: z.number().int().min(0),
    unacked: z.number().int().min(0),
    leased: z.number().int().min(0),
  })
  .strict();

export const feedItemSchema = z
  .object({
    position: z.number().int().min(1),
    /** How many times this entry has been handed out (more than 1: a redelivery). */
    deliveryCount: z.number().int().min(0),
    event: agencyEventSchema,
  })
  .strict();
export type FeedItem = z.infer<typeof feedItemSchema>;

const consumerSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

export const feedClaimRequestSchema = z
  .object({
    /** Names this consumer (one process of the agency's system); shown in the call log. */
    consumer: consumerSchema,
    max: z.number().int().min(1).max(100).default(20),
    /** How long the entries are this consumer's before they are handed out again. */
    leaseSeconds: z.number().int().min(10).max(3600).default(300),
  })
  .strict();
export const feedClaimReplySchema = z
  .object({ items: z.array(feedItemSchema), cursor: feedCursorSchema })
  .strict();

export const feedAckRequestSchema = z
  .object({
    consumer: consumerSchema.optional(),
    positions: z.array(z.number().int().min(1)).min(1).max(500),
  })
  .strict();
export const feedAckReplySchema = z
  .object({
    acked: z.number().int().min(0),
    /** Positions that are not in this agency's feed. */
    unknown: z.array(z.number().int()),
    cursor: feedCursorSchema,
  })
  .strict();

export const feedReadReplySchema = z
  .object({ items: z.array(feedItemSchema), cursor: feedCursorSchema, more: z.boolean() })
  .strict();

export const agencyInfoReplySchema = z
  .object({
    agencyId: z.string(),
    name: z.string(),
    services: z.array(z.string()),
    webhookUrl: z.string().nullable(),
    apiVersion: z.number().int(),
    cursor: feedCursorSchema,
  })
  .strict();

/**
 * `POST /agency/v1/applications/{ref}/status`. `eventId` makes it idempotent: the same id and
 * content again is answered `duplicate`; the same id with other content is refused.
 */
export const statusChangeRequestSchema = z
  .object({
    eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/),
    state: z.enum(postableStates),
    /** When it happened in the agency's system (default: when the gateway records it). */
    occurredAt: z.string().datetime({ offset: true }).optional(),
    /** Refuse (409 state-mismatch) unless the application is in this state now. */
    expectedState: applicationStateSchema.optional(),
    reason: agencyTextSchema.optional(),
    needed: agencyTextSchema.optional(),
    collectAt: agencyTextSchema.optional(),
    nextStep: agencyTextSchema.optional(),
  })
  .strict();
export type StatusChangeRequest = z.infer<typeof statusChangeRequestSchema>;

export const applicationStatusSchema = z
  .object({
    ref: z.string(),
    txId: z.string(),
    serviceId: z.string(),
    kioskId: z.string(),
    submittedAt: z.string(),
    receivedAt: z.string(),
    state: applicationStateSchema,
    since: z.string(),
    detail: statusDetailSchema,
    version: z.number().int().min(0),
  })
  .strict();

export const statusEventSchema = z
  .object({
    version: z.number().int().min(1),
    eventId: z.string(),
    agencyId: z.string(),
    from: applicationStateSchema,
    state: applicationStateSchema,
    detail: statusDetailSchema,
    occurredAt: z.string(),
    recordedAt: z.string(),
  })
  .strict();

export const statusChangeReplySchema = z
  .object({
    result: z.enum(['recorded', 'duplicate']),
    status: applicationStatusSchema,
    event: statusEventSchema,
  })
  .strict();

export const applicationReplySchema = z
  .object({ status: applicationStatusSchema, history: z.array(statusEventSchema) })
  .strict();

/** Every refusal: a code to act on and a sentence to read; `status` where it helps. */
export const agencyErrorSchema = z
  .object({
    error: z.string(),
    message: z.string(),
    status: applicationStatusSchema.optional(),
  })
  .strict();
