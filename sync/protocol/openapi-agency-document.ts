import { z } from 'zod';
import {
  AGENCY_API_PREFIX,
  AGENCY_API_VERSION,
  AGENCY_EVENT_TYPES,
  agencyErrorSchema,
  agencyEventSchema,
  agencyInfoReplySchema,
  applicationReplySchema,
  feedAckReplySchema,
  feedAckRequestSchema,
  feedClaimReplySchema,
  feedClaimRequestSchema,
  feedReadReplySchema,
  statusChangeReplySchema,
  statusChangeRequestSchema,
} from './agency-wire';
import { TRANSITIONS } from './application-status';

/**
 * The OpenAPI 3.1 description of the agency interface, version 1, built from the zod schemas
 * both ends parse with. `sync/protocol/openapi-agency.json` is this document written out (a test
 * keeps them equal); regenerate with `npx tsx sync/server/write-openapi.ts`.
 */
export function buildAgencyOpenApiDocument(): Record<string, unknown> {
  const schema = (s: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> =>
    z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io }) as Record<
      string,
      unknown
    >;
  const json = (ref: string) => ({
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
  });
  const error = (description: string) => ({ description, ...json('Error') });
  const refParam = {
    name: 'ref',
    in: 'path',
    required: true,
    description: "The application's receipt reference (as printed, with dashes).",
    schema: { type: 'string', pattern: '^[A-Z0-9-]{6,32}$' },
  };
  const bearer = [{ agencyKey: [] }];
  const unauthorized = error('No API key, an unknown one, or a revoked one.');
  const disabled = error('The agency has been disabled by the administrator.');
  const transitions = Object.entries(TRANSITIONS)
    .map(([from, to]) => `${from} → ${to.length ? to.join(' | ') : '(final)'}`)
    .join('; ');
  const p = (path: string) => `${AGENCY_API_PREFIX}${path}`;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Service Point agency interface',
      version: String(AGENCY_API_VERSION),
      description:
        "How a ministry's case system (an agency) takes the applications citizens submit at " +
        'Service Point kiosks and reports what became of them. An agency is registered by the ' +
        'gateway administrator for the services it owns and sees only their applications. ' +
        'Pull: claim entries from the feed (a lease; two consumers never both get one), handle ' +
        'them, acknowledge them; an entry not acknowledged before its lease ends is handed out ' +
        'again (at least once; use the event id to drop a repeat). Push (optional): the same ' +
        'events as Standard Webhooks to the agency endpoint; a 2xx answer acknowledges the ' +
        'entry. Events are CloudEvents 1.0 in JSON format. Personal fields are sealed to the ' +
        "agency's P-256 public key (ECDH-ES, HKDF-SHA-256 with info " +
        '"service-point/sealed-box/v1" and no salt, AES-256-GCM; additional data: the ' +
        `transaction id). Status transitions: ${transitions}. ` +
        'Every call is logged with the agency, time and outcome.',
    },
    components: {
      securitySchemes: {
        agencyKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The API key the administrator gave the agency: spa.<agencyId>.<secret>. The ' +
            'gateway keeps only the SHA-256 of the secret.',
        },
      },
      schemas: {
        AgencyInfo: schema(agencyInfoReplySchema),
        ClaimRequest: schema(feedClaimRequestSchema, 'input'),
        ClaimReply: schema(feedClaimReplySchema),
        AckRequest: schema(feedAckRequestSchema, 'input'),
        AckReply: schema(feedAckReplySchema),
        FeedReply: schema(feedReadReplySchema),
        Event: schema(agencyEventSchema),
        Application: schema(applicationReplySchema),
        StatusChangeRequest: schema(statusChangeRequestSchema, 'input'),
        StatusChangeReply: schema(statusChangeReplySchema),
        Error: schema(agencyErrorSchema),
      },
    },
    paths: {
      [p('/openapi.json')]: {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 description of the agency interface.' } },
        },
      },
      [p('/me')]: {
        get: {
          summary: 'This agency, its services, webhook and feed cursor',
          security: bearer,
          responses: {
            '200': { description: 'The agency.', ...json('AgencyInfo') },
            '401': unauthorized,
            '403': disabled,
          },
        },
      },
      [p('/feed/claims')]: {
        post: {
          summary: 'Lease the next entries of the feed to a consumer',
          description:
            'Returns up to `max` entries, lowest position first, that are not acknowledged and ' +
            'not leased: new ones, and ones whose lease ran out (deliveryCount > 1). They are ' +
            "this consumer's for `leaseSeconds`; acknowledge each once it is safely stored.",
          security: bearer,
          requestBody: { required: true, ...json('ClaimRequest') },
          responses: {
            '200': {
              description: 'Entries (possibly none) and the cursor.',
              ...json('ClaimReply'),
            },
            '400': error('Malformed request.'),
            '401': unauthorized,
            '403': disabled,
          },
        },
      },
      [p('/feed/acks')]: {
        post: {
          summary: 'Acknowledge entries taken; idempotent',
          security: bearer,
          requestBody: { required: true, ...json('AckRequest') },
          responses: {
            '200': {
              description: 'How many were newly acknowledged; positions not in the feed.',
              ...json('AckReply'),
            },
            '400': error('Malformed request.'),
            '401': unauthorized,
            '403': disabled,
          },
        },
      },
      [p('/feed')]: {
        get: {
          summary: 'Read the feed after a position, without leasing (replay, audit)',
          security: bearer,
          parameters: [
            {
              name: 'after',
              in: 'query',
              required: false,
              description: 'List entries with a higher position (default 0).',
              schema: { type: 'integer', minimum: 0 },
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              description: 'At most this many (1-100, default 50).',
              schema: { type: 'integer', minimum: 1, maximum: 100 },
            },
          ],
          responses: {
            '200': { description: 'Entries in position order.', ...json('FeedReply') },
            '400': error('Malformed query.'),
            '401': unauthorized,
            '403': disabled,
          },
        },
      },
      [p('/applications/{ref}')]: {
        get: {
          summary: "An application's current status and its full history",
          security: bearer,
          parameters: [refParam],
          responses: {
            '200': { description: 'Status and history, oldest first.', ...json('Application') },
            '401': unauthorized,
            '403': disabled,
            '404': error('No such application among this agency’s services.'),
          },
        },
      },
      [p('/applications/{ref}/status')]: {
        post: {
          summary: 'Post a status change; idempotent by eventId',
          description:
            'Applied only if the transition is allowed from the current state (and, when ' +
            '`expectedState` is given, only from that state). `refused` needs `reason`, ' +
            '`more-information-needed` needs `needed`, `ready-for-collection` needs `collectAt`. ' +
            'Texts are one string or one per language (en, es, bzj, tn). Every change is kept.',
          security: bearer,
          parameters: [refParam],
          requestBody: { required: true, ...json('StatusChangeRequest') },
          responses: {
            '201': { description: 'Recorded.', ...json('StatusChangeReply') },
            '200': {
              description: 'This event was recorded before (same id and content).',
              ...json('StatusChangeReply'),
            },
            '400': error('Malformed change.'),
            '401': unauthorized,
            '403': disabled,
            '404': error('No such application among this agency’s services.'),
            '409': error(
              'illegal-transition, state-mismatch, out-of-order (earlier than the current ' +
                'state), or event-id-reused (same eventId, other content); `status` is the ' +
                'current state.',
            ),
            '422': error('detail-required: the state needs its reason, what is needed, or where.'),
          },
        },
      },
    },
    webhooks: {
      applicationEvent: {
        post: {
          summary: `A feed entry pushed to the agency endpoint (${Object.values(AGENCY_EVENT_TYPES).join(', ')})`,
          description:
            'Standard Webhooks: `webhook-id` is the CloudEvent id (the same on every retry), ' +
            '`webhook-timestamp` is Unix seconds, `webhook-signature` is `v1,` followed by the ' +
            'base64 HMAC-SHA256, keyed with the base64-decoded part of the agency’s `whsec_` ' +
            'secret, of `{webhook-id}.{webhook-timestamp}.{body}`. Answer 2xx within 10 s once ' +
            'stored; any other answer is retried with back-off (Retry-After honoured) for about ' +
            'a day and a half; 410 stops retries for that event.',
          parameters: [
            { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/cloudevents+json': { schema: { $ref: '#/components/schemas/Event' } },
            },
          },
          responses: {
            '200': { description: 'Taken: the entry is acknowledged in the feed.' },
            '410': { description: 'Gone: no more attempts for this event.' },
          },
        },
      },
    },
  };
}
