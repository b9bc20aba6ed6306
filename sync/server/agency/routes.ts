import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AGENCY_API_PREFIX,
  AGENCY_API_VERSION,
  feedAckRequestSchema,
  feedClaimRequestSchema,
} from '../../protocol/agency-wire';
import type { StatusDetail } from '../../protocol/application-status';
import { statusChangeRequestSchema } from '../../protocol/agency-wire';
import { canonicalJson } from '../../protocol/canonical-json';
import openapi from '../../protocol/openapi-agency.json' with { type: 'json' };
import type { SealingKey } from '../sealing-key';
import type { GatewayStore } from '../store';
import type { AgencySecrets } from './agencies';
import { parseBearer, secretMatches } from './credentials';
import { feedItem } from './events';

export interface AgencyApiOptions {
  store: GatewayStore;
  sealing: SealingKey;
  now: () => Date;
}

const refSchema = z.string().regex(/^[A-Z0-9-]{6,32}$/);
/** An agency may date a change this far ahead of the gateway's clock (clock skew). */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The agency interface, version 1, under `/agency/v1` (described in
 * sync/protocol/openapi-agency.json). Every call but the description itself needs
 * `Authorization: Bearer spa.<agencyId>.<secret>`; every call, answered or refused, is written
 * to the `agency_calls` log and the request log. An agency only ever sees the applications of
 * the services it owns: another agency's reference is answered as unknown.
 */
export async function registerAgencyApi(
  app: FastifyInstance,
  options: AgencyApiOptions,
): Promise<void> {
  const { store, sealing, now } = options;
  const calls = new WeakMap<FastifyRequest, { agency?: AgencySecrets; outcome: string }>();
  const callOf = (request: FastifyRequest) => {
    let call = calls.get(request);
    if (!call) {
      call = { outcome: '' };
      calls.set(request, call);
    }
    return call;
  };
  const agencyOf = (request: FastifyRequest): AgencySecrets => {
    const agency = calls.get(request)?.agency;
    if (!agency) throw new Error('agency route without authentication');
    return agency;
  };
  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    error: string,
    message: string,
    extra: Record<string, unknown> = {},
  ): FastifyReply => {
    callOf(request).outcome = `${error}: ${message}`;
    return reply.status(status).send({ error, message, ...extra });
  };
  const outcome = (request: FastifyRequest, text: string): void => {
    callOf(request).outcome = text;
  };

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (request.url === `${AGENCY_API_PREFIX}/openapi.json`) return;
      const bearer = parseBearer(request.headers.authorization);
      const agency = bearer ? await store.agencies.get(bearer.agencyId) : undefined;
      if (!bearer || !agency || !secretMatches(agency.keyHash, bearer.secret)) {
        void reply.header('www-authenticate', 'Bearer realm="service-point-agency"');
        refuse(request, reply, 401, 'unauthorized', 'a valid agency API key is required');
        request.log.warn({ agency: bearer?.agencyId }, 'agency call refused');
        return reply;
      }
      callOf(request).agency = agency;
      if (agency.disabledAt) {
        refuse(request, reply, 403, 'agency-disabled', 'this agency has been disabled');
        return reply;
      }
      return undefined;
    });
    // A body Fastify could not parse (not JSON, too large) never reaches a route: log why.
    scope.addHook('onError', async (request, _reply, error) => {
      callOf(request).outcome = `refused: ${error.message}`;
    });
    scope.addHook('onResponse', async (request, reply) => {
      const call = calls.get(request);
      const entry = {
        agencyId: call?.agency?.agencyId ?? null,
        at: now().toISOString(),
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        outcome: call?.outcome || (reply.statusCode < 400 ? 'ok' : 'error'),
      };
      request.log.info({ agencyCall: entry }, 'agency call');
      await store.agencies.logCall(entry).catch((error: unknown) => {
        request.log.error({ err: error }, 'agency call could not be logged');
      });
    });

    scope.get(`${AGENCY_API_PREFIX}/openapi.json`, async () => openapi);

    scope.get(`${AGENCY_API_PREFIX}/me`, async (request) => {
      const agency = agencyOf(request);
      outcome(request, 'ok');
      return {
        agencyId: agency.agencyId,
        name: agency.name,
        services: agency.services,
        webhookUrl: agency.webhookUrl,
        apiVersion: AGENCY_API_VERSION,
        cursor: await store.agencies.feedCursor(agency.agencyId),
      };
    });

    scope.post(`${AGENCY_API_PREFIX}/feed/claims`, async (request, reply) => {
      const agency = agencyOf(request);
      const body = feedClaimRequestSchema.safeParse(request.body ?? {});
      if (!body.success) return refuse(request, reply, 400, 'bad-request', issue(body.error));
      const { consumer, max, leaseSeconds } = body.data;
      const entries = await store.agencies.claimFeed(
        agency.agencyId,
        consumer,
        max,
        leaseSeconds * 1000,
      );
      const items = await Promise.all(entries.map((entry) => feedItem(entry, agency, sealing)));
      outcome(
        request,
        `${consumer} claimed ${items.length}${items.length ? ` (${items[0]?.position}…${items.at(-1)?.position})` : ''}`,
      );
      return { items, cursor: await store.agencies.feedCursor(agency.agencyId) };
    });

    scope.post(`${AGENCY_API_PREFIX}/feed/acks`, async (request, reply) => {
      const agency = agencyOf(request);
      const body = feedAckRequestSchema.safeParse(request.body);
      if (!body.success) return refuse(request, reply, 400, 'bad-request', issue(body.error));
      const consumer = body.data.consumer ?? 'agency';
      const result = await store.agencies.ackFeed(agency.agencyId, consumer, body.data.positions);
      outcome(request, `${consumer} acked ${result.acked}`);
      return { ...result, cursor: await store.agencies.feedCursor(agency.agencyId) };
    });

    scope.get(`${AGENCY_API_PREFIX}/feed`, async (request, reply) => {
      const agency = agencyOf(request);
      const query = z
        .object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        })
        .strict()
        .safeParse(request.query);
      if (!query.success) return refuse(request, reply, 400, 'bad-request', issue(query.error));
      const { after, limit } = query.data;
      const entries = await store.agencies.readFeed(agency.agencyId, after, limit + 1);
      const items = await Promise.all(
        entries.slice(0, limit).map((entry) => feedItem(entry, agency, sealing)),
      );
      outcome(request, `read ${items.length} after ${after}`);
      return {
        items,
        cursor: await store.agencies.feedCursor(agency.agencyId),
        more: entries.length > limit,
      };
    });

    scope.get(`${AGENCY_API_PREFIX}/applications/:ref`, async (request, reply) => {
      const agency = agencyOf(request);
      const ref = refSchema.safeParse((request.params as { ref?: string }).ref);
      if (!ref.success) return refuse(request, reply, 400, 'bad-request', 'not a reference');
      const found = await store.agencies.statusForAgency(agency.agencyId, ref.data);
      if (!found) {
        return refuse(
          request,
          reply,
          404,
          'unknown-reference',
          `no application ${ref.data} of this agency`,
        );
      }
      outcome(request, `read ${ref.data}`);
      return found;
    });

    scope.post(`${AGENCY_API_PREFIX}/applications/:ref/status`, async (request, reply) => {
      const agency = agencyOf(request);
      const ref = refSchema.safeParse((request.params as { ref?: string }).ref);
      if (!ref.success) return refuse(request, reply, 400, 'bad-request', 'not a reference');
      const body = statusChangeRequestSchema.safeParse(request.body);
      if (!body.success) return refuse(request, reply, 400, 'bad-request', issue(body.error));
      const change = body.data;
      const at = now();
      const occurredAt = change.occurredAt ? new Date(change.occurredAt) : at;
      if (occurredAt.getTime() > at.getTime() + FUTURE_SKEW_MS) {
        return refuse(request, reply, 400, 'bad-request', 'occurredAt is in the future');
      }
      const detail: StatusDetail = {};
      for (const key of ['reason', 'needed', 'collectAt', 'nextStep'] as const) {
        const text = change[key];
        if (text !== undefined) detail[key] = text;
      }
      const result = await store.agencies.postStatus({
        agencyId: agency.agencyId,
        ref: ref.data,
        eventId: change.eventId,
        state: change.state,
        detail,
        occurredAt: occurredAt.toISOString(),
        ...(change.expectedState ? { expectedState: change.expectedState } : {}),
        digest: createHash('sha256')
          .update(canonicalJson({ ref: ref.data, ...change }))
          .digest('hex'),
      });
      switch (result.result) {
        case 'recorded':
        case 'duplicate':
          outcome(request, `${ref.data} ${result.result} ${change.state} (${change.eventId})`);
          return reply.status(result.result === 'recorded' ? 201 : 200).send(result);
        case 'unknown-reference':
          return refuse(request, reply, 404, result.result, result.message);
        case 'detail-required':
          return refuse(request, reply, 422, result.result, result.message);
        default:
          return refuse(request, reply, 409, result.result, result.message, {
            ...(result.status ? { status: result.status } : {}),
          });
      }
    });
  });
}

function issue(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid request';
}
