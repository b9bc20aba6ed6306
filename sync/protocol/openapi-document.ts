import { z } from 'zod';
import { sealedBoxSchema } from './sealed-box';
import { signatureHeaders } from './request-signature';
import {
  LATEST_PROTOCOL_VERSION,
  acksReplySchema,
  batchReplySchema,
  batchRequestSchema,
  enrolReplySchema,
  enrolRequestSchema,
  errorReplySchema,
  healthReplySchema,
  heartbeatReplySchema,
  heartbeatRequestSchema,
  kioskConfigReplySchema,
  STATUS_INCLUDE_DECISION,
  decisionStatusReplySchema,
  statusReplySchema,
} from './wire';
import { batchReplyV2Schema, batchRequestV2Schema } from './wire-v2';
import { PERSONAL_HPKE_INFO } from './personal-seal';

/**
 * The OpenAPI 3.1 description of sync protocol v1, built from the same zod schemas both ends
 * parse with. `sync/protocol/openapi.json` is this document written out; a test keeps them equal.
 * Regenerate with `npx tsx sync/server/write-openapi.ts`.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  const schema = (s: z.ZodType): Record<string, unknown> =>
    z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
  const json = (ref: string) => ({
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
  });
  const error = (description: string) => ({ description, ...json('Error') });
  const kioskId = {
    name: 'kioskId',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9-]{3,64}$' },
  };
  const signed = [{ deviceSignature: [] }];
  const refused = error('Signed request refused: forged, replayed, stale, or not enrolled.');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Service Point sync protocol',
      version: String(LATEST_PROTOCOL_VERSION),
      description:
        'Kiosk to gateway delivery of hash-chained, device-signed records. Request bodies may be ' +
        'gzip-encoded (Content-Encoding: gzip). Every request after enrolment carries the ' +
        `${Object.values(signatureHeaders).join(', ')} headers: an ECDSA P-256 signature ` +
        'with SHA-256 (IEEE P1363, base64url) by the enrolled device key over the UTF-8 bytes ' +
        'of the lines "SP1", METHOD, path-with-query exactly as sent, kiosk id, timestamp ' +
        '(epoch ms, decimal), nonce, and the lower-case hex SHA-256 of the uncompressed body, ' +
        'joined with "\\n". Protocol v2 (POST ' +
        '/v2/kiosks/{kioskId}/batches) carries the same records in fewer bytes; a gateway lists ' +
        'the versions it speaks in GET /v1/health (`protocols`) and keeps accepting v1.',
    },
    components: {
      securitySchemes: {
        deviceSignature: {
          type: 'apiKey',
          in: 'header',
          name: signatureHeaders.signature,
          description: 'See info.description for what is signed.',
        },
      },
      schemas: {
        Health: schema(healthReplySchema),
        EnrolRequest: schema(enrolRequestSchema),
        EnrolReply: schema(enrolReplySchema),
        BatchRequest: schema(batchRequestSchema),
        BatchReply: schema(batchReplySchema),
        BatchRequestV2: schema(batchRequestV2Schema),
        BatchReplyV2: schema(batchReplyV2Schema),
        SealedBox: schema(sealedBoxSchema),
        KioskConfig: schema(kioskConfigReplySchema),
        StatusReply: schema(statusReplySchema),
        DecisionStatusReply: schema(decisionStatusReplySchema),
        AcksReply: schema(acksReplySchema),
        HeartbeatRequest: schema(heartbeatRequestSchema),
        HeartbeatReply: schema(heartbeatReplySchema),
        Error: schema(errorReplySchema),
      },
    },
    paths: {
      '/v1/health': {
        get: {
          summary: 'Connectivity probe',
          responses: { '200': { description: 'The gateway is up.', ...json('Health') } },
        },
      },
      '/v1/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 description of protocol v1.' } },
        },
      },
      '/v1/kiosks/{kioskId}/enrol': {
        post: {
          summary: 'Register the device public key with a one-time token',
          parameters: [kioskId],
          requestBody: { required: true, ...json('EnrolRequest') },
          responses: {
            '200': { description: 'Enrolled.', ...json('EnrolReply') },
            '400': error('Malformed request.'),
            '403': error('Token unknown, used, or for another kiosk.'),
            '409': error('This key is already enrolled (an earlier reply was lost).'),
          },
        },
      },
      '/v1/kiosks/{kioskId}/batches': {
        post: {
          summary: 'Deliver chain records; idempotent by transaction id',
          parameters: [kioskId],
          security: signed,
          requestBody: { required: true, ...json('BatchRequest') },
          responses: {
            '200': { description: 'A result per item and the chain head.', ...json('BatchReply') },
            '400': error('Malformed batch.'),
            '401': refused,
          },
        },
      },
      '/v2/kiosks/{kioskId}/batches': {
        post: {
          summary: 'Deliver chain records in protocol v2; idempotent by transaction id',
          description:
            'Records travel in segments of consecutive records. The gateway derives v (1), ' +
            "kioskId, each seq (segment seq + position), each prevHash (the previous record's " +
            'hash; the first from the segment, base64url of its 32 bytes, 64 zeros before seq 1) ' +
            'and every hash: lower-case hex SHA-256 of the canonical JSON of {v, kioskId, seq, ' +
            'prevHash, createdAt, kind, body}. Canonical JSON: no whitespace, object keys sorted ' +
            'by UTF-16 code units (not code points), strings as ECMAScript JSON.stringify writes ' +
            'them (non-ASCII as UTF-8, not \\u escapes), integers in decimal, hashed as UTF-8. ' +
            "It then checks the segment's sig (ECDSA P-256 with SHA-256, IEEE P1363, base64url, " +
            "by the device key) over the UTF-8 bytes of its last record's 64-character hex hash, " +
            'which covers every record before it through the prevHash links. A record that ' +
            'carries hash (base64url, 32 bytes) was altered on the kiosk after signing: the chain ' +
            'goes on from that hash and only it is refused (hash-mismatch). A transaction with ' +
            'body.personal declares personal fields; its digest (hex SHA-256 of the canonical ' +
            'JSON of its {salt, fields} entry) is left out, body.personal being {fieldIds} alone, ' +
            'when its sealed entry is present and gives it: the gateway opens `personal` first ' +
            'and computes it. It travels, as base64url of its 32 bytes (hex in the rebuilt ' +
            'record), only when the entry is null or does not match. A segment with a left-out ' +
            'digest whose entry is missing or unreadable cannot be proven and is refused whole. ' +
            '`personal` is HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, ' +
            'AES-256-GCM, to the gatewayKey of the config reply, enc the 65-byte uncompressed ' +
            `point, ct with the tag at its end, info "${PERSONAL_HPKE_INFO}", aad ` +
            '"service-point/batch/v2\\n<kioskId>\\n<batchId>" (UTF-8), single-shot; its ' +
            'plaintext is the raw DEFLATE (RFC 1951, no zlib header) of a JSON array with one ' +
            'entry per transaction that declares personal fields, in batch order (segments, then ' +
            'records): null, or exactly {salt: 22 base64url characters, fields: {id: value}} ' +
            '(anything else is personal-unreadable; field ids other than fieldIds, or another ' +
            'digest, personal-mismatch). `personal` beside no declaring record refuses every ' +
            'record (unexpected-personal). Stored records are byte for byte the v1 records, with ' +
            "sig only on each segment's last record. Every rule, in order: build/docs/sync.md, " +
            '"Decoding a v2 batch".',
          parameters: [kioskId],
          security: signed,
          requestBody: { required: true, ...json('BatchRequestV2') },
          responses: {
            '200': {
              description: 'Outcomes as inclusive seq ranges, and the chain head.',
              ...json('BatchReplyV2'),
            },
            '400': error('Malformed batch.'),
            '401': refused,
          },
        },
      },
      '/v1/kiosks/{kioskId}/config': {
        get: {
          summary: 'Kiosk config and the gateway key personal fields are sealed to',
          parameters: [
            kioskId,
            { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
          ],
          security: signed,
          responses: {
            '200': { description: 'The config, with an ETag.', ...json('KioskConfig') },
            '304': { description: 'Unchanged since the ETag sent.' },
            '401': refused,
          },
        },
      },
      '/v1/kiosks/{kioskId}/acks': {
        get: {
          summary: "Which of this kiosk's records the gateway holds (batch or USB bundle)",
          parameters: [
            kioskId,
            {
              name: 'fromSeq',
              in: 'query',
              required: true,
              description: 'First sequence number to list (at most 1000 are listed).',
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          security: signed,
          responses: {
            '200': { description: 'Held records in seq order.', ...json('AcksReply') },
            '400': error('No fromSeq.'),
            '401': refused,
          },
        },
      },
      '/v1/kiosks/{kioskId}/heartbeat': {
        post: {
          summary: 'Queue depth, oldest queued age, versions and counters',
          parameters: [kioskId],
          security: signed,
          requestBody: { required: true, ...json('HeartbeatRequest') },
          responses: {
            '200': { description: 'Recorded.', ...json('HeartbeatReply') },
            '400': error('Malformed heartbeat.'),
            '401': refused,
          },
        },
      },
      '/v1/status': {
        get: {
          summary: 'Application status by receipt reference',
          description:
            'Without `include`, the v1 reply: `received` or `unknown` (kiosks in the field parse ' +
            `it strictly, so it never changes). With include=${STATUS_INCLUDE_DECISION}: the ` +
            "state the owning agency reported, when it began, and the agency's reason, what is " +
            'needed, where to collect and the next step.',
          parameters: [
            {
              name: 'refs',
              in: 'query',
              required: true,
              description: 'Comma-separated receipt references (at most 50).',
              schema: { type: 'string' },
            },
            {
              name: 'include',
              in: 'query',
              required: false,
              description: 'Ask for the decision (DecisionStatusReply).',
              schema: { type: 'string', enum: [STATUS_INCLUDE_DECISION] },
            },
          ],
          security: signed,
          responses: {
            '200': {
              description: 'One status per reference.',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { $ref: '#/components/schemas/StatusReply' },
                      { $ref: '#/components/schemas/DecisionStatusReply' },
                    ],
                  },
                },
              },
            },
            '400': error('No refs, or too many.'),
            '401': refused,
          },
        },
      },
    },
  };
}
