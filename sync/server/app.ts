import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createGunzip } from 'node:zlib';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import { z } from 'zod';
import { canonicalJson } from '../protocol/canonical-json';
import { verifySignature } from '../protocol/device-signature';
import openapi from '../protocol/openapi.json' with { type: 'json' };
import {
  SIGNATURE_WINDOW_MS,
  requestSigningText,
  signatureHeaders,
} from '../protocol/request-signature';
import {
  MAX_ACKS,
  MAX_STATUS_REFS,
  LATEST_PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  STATUS_INCLUDE_DECISION,
  batchRequestSchema,
  enrolRequestSchema,
  heartbeatRequestSchema,
} from '../protocol/wire';
import type { DecisionStatus, KioskConfigReply } from '../protocol/wire';
import { MalformedBatchError, batchRequestV2Schema, compactReply } from '../protocol/wire-v2';
import { registerAgencyApi } from './agency/routes';
import { WEBHOOK_QUEUE, webhookDelivery } from './agency/webhooks';
import { ingestBatch, ingestBatchV2 } from './ingest';
import { JOB_RETENTION_DAYS } from './jobs/job-queue';
import { JobRunner } from './jobs/job-runner';
import type { JobRunnerOptions, QueueOptions } from './jobs/job-runner';
import { nodeCrypto } from './node-crypto';
import { loadOrCreateSealingKey } from './sealing-key';
import type { GatewayStore, KioskRow } from './store';

export interface GatewayOptions {
  store: GatewayStore;
  logger?: boolean;
  /** Largest accepted request body after decompression. */
  bodyLimitBytes?: number;
  /**
   * Longest a client may take to send a whole request (headers and body). Without it a client
   * trickling its body a byte at a time holds a connection forever (slow-loris). Kiosks time out
   * after 20 s themselves, so a minute leaves room for a slow link. Default 60 s.
   */
  requestTimeoutMs?: number;
  now?: () => Date;
  /** What `GET /v1/kiosks/{id}/config` serves besides the gateway key (site, catalogue, roster). */
  kioskConfig?: (
    kioskId: string,
  ) => Promise<Partial<Pick<KioskConfigReply, 'site' | 'catalogue' | 'roster'>>>;
  /**
   * Test hook, run after a batch is committed and before its reply is written. Returning 'drop'
   * closes the connection without a reply: the crash-after-commit the client must survive.
   */
  afterCommit?: (kioskId: string) => 'reply' | 'drop' | Promise<'reply' | 'drop'>;
  /** Told of every refused signed request (it is also logged). */
  onRefused?: (event: { kioskId: string | undefined; reason: string; url: string }) => void;
  /**
   * The durable job queue's runner in this process (webhook deliveries; the SMS sender registers
   * its queue on `gatewayJobs(app)` before the gateway listens). Runs from `listen` to `close`.
   */
  jobs?: {
    /** Do not run jobs in this process (another process runs them). Default: run. */
    run?: boolean;
    pollMs?: number;
    /** Back-off of webhook retries (default from 5 s, doubling, at most 6 h). */
    webhookRetry?: QueueOptions['retry'];
    webhookTimeoutMs?: number;
    onOutcome?: JobRunnerOptions['onOutcome'];
  };
}

const kioskIdSchema = z.string().regex(/^[A-Za-z0-9-]{3,64}$/);
const kioskParams = z.object({ kioskId: kioskIdSchema });

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The routes of protocol v1 and the agency interface, as `METHOD path` in OpenAPI's syntax. */
export function protocolRoutes(app: FastifyInstance): string[] {
  return (app as unknown as { [routesKey]: string[] })[routesKey];
}
const routesKey = Symbol('protocol-routes');

/** This gateway process's job runner (register a queue's handler before `listen`). */
export function gatewayJobs(app: FastifyInstance): JobRunner {
  return (app as unknown as { [jobsKey]: JobRunner })[jobsKey];
}
const jobsKey = Symbol('gateway-jobs');

/**
 * Stops a gateway: no new requests, requests in flight get up to `graceMs` (ms) to finish, then
 * every connection still open is closed and `app.close()` completes (its onClose hooks: the job
 * runner stops). Connections left idle by a request answered during the grace close as they
 * become idle. Without the bound, `close()` waits for every open connection: a browser's
 * preconnected socket that never sends a request holds it until Node's `headersTimeout` (a
 * minute) or the browser drops the socket (Chromium: about 10 s). Cutting a batch mid-request
 * is safe for delivery: a committed batch the kiosk never heard of is resent and answered as a
 * duplicate (exactly-once, sync guide). Resolves when the gateway is closed; rejects as
 * `app.close()` does.
 */
export async function closeGateway(
  app: FastifyInstance,
  options: { graceMs: number },
): Promise<void> {
  const closed = app.close();
  // A request answered during the grace leaves a keep-alive connection idle, and close() swept
  // idle connections only when it began: sweep again while waiting.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  const cut = setTimeout(() => app.server.closeAllConnections(), Math.max(0, options.graceMs));
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

/** How long (ms) an idle client connection is kept open; sent to clients as `Keep-Alive: timeout=60`. */
const KEEP_ALIVE_MS = 60_000;

/** The reference gateway: sync protocol v1 over HTTP/JSON. */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const sealing = await loadOrCreateSealingKey(store);
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    requestTimeout,
    // Node enforces the request timeout only when it sweeps its connections; sweep often enough
    // that the bound holds to within a quarter of it.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout,
          headersTimeout: Math.min(requestTimeout, 60_000),
          connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestTimeout / 4)),
        },
        handler,
      );
      // An idle kiosk connection stays open for a minute (Node's default closes it after 5 s):
      // a new one costs a handshake, 0.8 s on a rural 800 ms link (more with TLS), and a kiosk
      // with two batches on the wire leaves each connection idle for a batch's time now and then.
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      return server;
    },
  });
  const routes: string[] = [];
  Object.defineProperty(app, routesKey, { value: routes });
  const runner = new JobRunner({
    jobs: store.jobs,
    now,
    ...(options.jobs?.pollMs !== undefined ? { pollMs: options.jobs.pollMs } : {}),
    onOutcome: (event) => {
      if (event.outcome === 'done') app.log.info({ job: event }, 'job done');
      else app.log.warn({ job: event }, `job ${event.outcome}`);
      options.jobs?.onOutcome?.(event);
    },
  });
  runner.handle(
    WEBHOOK_QUEUE,
    webhookDelivery({
      store,
      sealing,
      now,
      ...(options.jobs?.webhookTimeoutMs ? { timeoutMs: options.jobs.webhookTimeoutMs } : {}),
    }),
    { concurrency: 4, leaseMs: 60_000, retry: options.jobs?.webhookRetry },
  );
  Object.defineProperty(app, jobsKey, { value: runner });
  if (options.jobs?.run !== false) {
    let purge: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      runner.start();
      const forget = (): void =>
        void store.jobs
          .purgeFinished(new Date(now().getTime() - JOB_RETENTION_DAYS * 86_400_000))
          .catch(() => undefined);
      forget();
      purge = setInterval(forget, 3600_000);
      purge.unref();
    });
    app.addHook('onClose', async () => {
      if (purge) clearInterval(purge);
      await runner.stop();
    });
  }
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push(`${method} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    }
  });
  // Requests are authenticated by device signatures, not cookies, so any kiosk origin may call.
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST'],
    maxAge: 600,
    exposedHeaders: ['ETag', 'Date', 'Retry-After'],
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw Object.assign(new Error(`unsupported content-encoding ${encoding}`), {
        statusCode: 415,
      });
    }
    const gunzip = createGunzip();
    let encoded = 0;
    payload.on('data', (chunk: Buffer) => {
      encoded += chunk.length;
      (gunzip as unknown as { receivedEncodedLength: number }).receivedEncodedLength = encoded;
    });
    payload.on('error', (error) => gunzip.destroy(error));
    payload.pipe(gunzip);
    return gunzip;
  });

  // The body digest in a signed request covers the exact JSON text, so parse from the text.
  const bodyDigests = new WeakMap<object, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    bodyDigests.set(request.raw, createHash('sha256').update(text, 'utf8').digest('hex'));
    try {
      done(null, text.length === 0 ? undefined : (JSON.parse(text) as unknown));
    } catch {
      done(
        Object.assign(new Error('body is not JSON'), { statusCode: 400, code: 'bad-request' }),
        undefined,
      );
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    // A full disk (SQLite SQLITE_FULL, PostgreSQL 53100, ENOSPC) is the operator's to fix, not a
    // bug: say so plainly, and tell the kiosk to come back later. The transaction rolled back.
    if (error.code === 'SQLITE_FULL' || error.code === '53100' || error.code === 'ENOSPC') {
      request.log.error({ err: error }, 'storage full');
      void reply.status(507).header('retry-after', '60').send({
        error: 'storage-full',
        message: 'the gateway has no room to store this batch; nothing was stored, retry later',
      });
      return;
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .status(status)
      .send({ error: errorCode(status, error.code), message: error.message });
  });

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    kioskId: string | undefined,
    reason: string,
  ): undefined => {
    request.log.warn({ kioskId, reason, url: request.url }, 'signed request refused');
    options.onRefused?.({ kioskId, reason, url: request.url });
    void reply.status(401).send({ error: 'unauthorized', message: reason });
    return undefined;
  };

  /** Checks a signed request; answers 401 itself and returns undefined when it fails. */
  const authenticate = async (
    request: FastifyRequest,
    reply: FastifyReply,
    routeKioskId?: string,
  ): Promise<KioskRow | undefined> => {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const kioskId = header(signatureHeaders.kiosk);
    const timestamp = Number(header(signatureHeaders.timestamp));
    const nonce = header(signatureHeaders.nonce);
    const digest = header(signatureHeaders.digest);
    const signature = header(signatureHeaders.signature);
    if (!kioskId || !nonce || !digest || !signature || !Number.isInteger(timestamp)) {
      return refuse(request, reply, kioskId ?? routeKioskId, 'unsigned');
    }
    if (!kioskIdSchema.safeParse(kioskId).success || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) {
      return refuse(request, reply, routeKioskId, 'malformed-signature-headers');
    }
    if (routeKioskId !== undefined && kioskId !== routeKioskId) {
      return refuse(request, reply, routeKioskId, 'wrong-kiosk');
    }
    const kiosk = await store.getKiosk(kioskId);
    if (!kiosk) return refuse(request, reply, kioskId, 'not-enrolled');
    const at = now().getTime();
    if (Math.abs(at - timestamp) > SIGNATURE_WINDOW_MS) {
      return refuse(request, reply, kioskId, 'stale');
    }
    const bodyDigest =
      bodyDigests.get(request.raw) ?? createHash('sha256').update('', 'utf8').digest('hex');
    if (digest !== bodyDigest) return refuse(request, reply, kioskId, 'body-digest-mismatch');
    const text = requestSigningText({
      method: request.method,
      path: request.url,
      kioskId,
      timestamp,
      nonce,
      digest,
    });
    if (!(await verifySignature(kiosk.publicKey, text, signature, nodeCrypto))) {
      return refuse(request, reply, kioskId, 'bad-signature');
    }
    // Only after the signature: an attacker must not be able to burn a kiosk's nonces.
    if (!(await store.useNonce(kioskId, nonce, at))) {
      return refuse(request, reply, kioskId, 'replayed');
    }
    return kiosk;
  };

  const badRequest = (reply: FastifyReply, message: string): FastifyReply =>
    reply.status(400).send({ error: 'bad-request', message });

  app.get('/v1/health', async () => ({
    ok: true as const,
    protocol: LATEST_PROTOCOL_VERSION,
    protocols: [...PROTOCOL_VERSIONS],
  }));

  app.get('/v1/openapi.json', async () => openapi);

  app.post('/v1/kiosks/:kioskId/enrol', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    const body = enrolRequestSchema.safeParse(request.body);
    if (!params.success || !body.success) return badRequest(reply, 'invalid enrolment request');
    const { kioskId } = params.data;
    const outcome = await store.enrol(kioskId, hashToken(body.data.token), body.data.publicKey);
    if (outcome === 'bad-token') {
      request.log.warn({ kioskId }, 'enrolment refused');
      return reply.status(403).send({ error: 'bad-token', message: 'enrolment token refused' });
    }
    const kiosk = await store.getKiosk(kioskId);
    if (outcome === 'already-enrolled') {
      return reply.status(409).send({ error: 'already-enrolled', message: 'this key is enrolled' });
    }
    return { kioskId, head: kiosk?.head ?? { seq: 0, hash: '' } };
  });

  app.post('/v1/kiosks/:kioskId/batches', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, 'invalid kiosk id');
    const { kioskId } = params.data;
    const kiosk = await authenticate(request, reply, kioskId);
    if (!kiosk) return reply;
    const batch = batchRequestSchema.safeParse(request.body);
    if (!batch.success) {
      const issue = batch.error.issues[0];
      return badRequest(
        reply,
        `invalid batch at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
      );
    }
    const applied = await ingestBatch({ store, sealing, now }, kiosk, batch.data.items);
    // The batch may have queued webhooks: send them now rather than at the next poll.
    runner.poke();
    if ((await options.afterCommit?.(kioskId)) === 'drop') {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    return applied;
  });

  // Protocol v2 (wire-v2.ts): the same ingest, fewer bytes. Kiosks learn of it from /v1/health.
  app.post('/v2/kiosks/:kioskId/batches', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, 'invalid kiosk id');
    const { kioskId } = params.data;
    const kiosk = await authenticate(request, reply, kioskId);
    if (!kiosk) return reply;
    const batch = batchRequestV2Schema.safeParse(request.body);
    if (!batch.success) {
      const issue = batch.error.issues[0];
      return badRequest(
        reply,
        `invalid batch at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
      );
    }
    let applied;
    try {
      applied = await ingestBatchV2({ store, sealing, now }, kiosk, batch.data);
    } catch (error) {
      if (error instanceof MalformedBatchError)
        return badRequest(reply, `invalid batch at ${error.message}`);
      throw error;
    }
    runner.poke();
    if ((await options.afterCommit?.(kioskId)) === 'drop') {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    return compactReply(applied);
  });

  app.get('/v1/kiosks/:kioskId/config', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, 'invalid kiosk id');
    const { kioskId } = params.data;
    if (!(await authenticate(request, reply, kioskId))) return reply;
    const extra = (await options.kioskConfig?.(kioskId)) ?? {};
    const body: KioskConfigReply = {
      kioskId,
      protocol: LATEST_PROTOCOL_VERSION,
      gatewayKey: sealing.publicJwk,
      site: extra.site ?? null,
      catalogue: extra.catalogue ?? null,
      roster: extra.roster ?? [],
    };
    const etag = `"${createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 32)}"`;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return body;
  });

  app.get('/v1/kiosks/:kioskId/acks', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, 'invalid kiosk id');
    const { kioskId } = params.data;
    const kiosk = await authenticate(request, reply, kioskId);
    if (!kiosk) return reply;
    const query = z.object({ fromSeq: z.coerce.number().int().min(1) }).safeParse(request.query);
    if (!query.success) return badRequest(reply, 'fromSeq must be a whole number from 1');
    const held = await store.recordsFrom(kioskId, query.data.fromSeq, MAX_ACKS + 1);
    return {
      head: (await store.getKiosk(kioskId))?.head ?? kiosk.head,
      records: held.slice(0, MAX_ACKS),
      more: held.length > MAX_ACKS,
    };
  });

  app.get('/v1/status', async (request, reply) => {
    if (!(await authenticate(request, reply))) return reply;
    const query = z
      .object({
        refs: z.string().min(1).max(2000),
        include: z.literal(STATUS_INCLUDE_DECISION).optional(),
      })
      .safeParse(request.query);
    if (!query.success) return badRequest(reply, 'refs is required');
    const refs = [...new Set(query.data.refs.split(',').filter(Boolean))];
    if (refs.length > MAX_STATUS_REFS) return badRequest(reply, `at most ${MAX_STATUS_REFS} refs`);
    if (query.data.include === STATUS_INCLUDE_DECISION) {
      const found = new Map((await store.agencies.statusByRefs(refs)).map((s) => [s.ref, s]));
      return {
        statuses: refs.map((ref): DecisionStatus => {
          const status = found.get(ref);
          if (!status) return { ref, state: 'unknown' };
          return {
            ref,
            state: status.state,
            serviceId: status.serviceId,
            receivedAt: status.receivedAt,
            submittedAt: status.submittedAt,
            since: status.since,
            ...status.detail,
          };
        }),
      };
    }
    // The v1 reply, unchanged for kiosks that do not ask for decisions.
    const found = new Map((await store.findByRefs(refs)).map((row) => [row.ref, row]));
    return {
      statuses: refs.map((ref) => {
        const row = found.get(ref);
        return row
          ? {
              ref,
              state: 'received' as const,
              serviceId: row.serviceId,
              receivedAt: row.receivedAt,
            }
          : { ref, state: 'unknown' as const };
      }),
    };
  });

  app.post('/v1/kiosks/:kioskId/heartbeat', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, 'invalid kiosk id');
    const { kioskId } = params.data;
    const kiosk = await authenticate(request, reply, kioskId);
    if (!kiosk) return reply;
    const beat = heartbeatRequestSchema.safeParse(request.body);
    if (!beat.success) return badRequest(reply, 'invalid heartbeat');
    await store.recordHeartbeat(kioskId, beat.data, now().toISOString());
    return { ok: true as const, head: (await store.getKiosk(kioskId))?.head ?? kiosk.head };
  });

  await registerAgencyApi(app, { store, sealing, now });

  return app;
}

/**
 * The `error` word of a reply the routes did not write themselves: the thrower's own code, or
 * for Fastify's (`FST_ERR_CTP_BODY_TOO_LARGE`, …) and code-less errors one a client can act on.
 */
function errorCode(status: number, code: string | undefined): string {
  if (code && !code.startsWith('FST_')) return code;
  const byStatus: Record<number, string> = {
    400: 'bad-request',
    404: 'not-found',
    405: 'method-not-allowed',
    413: 'too-large',
    415: 'unsupported-media-type',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
}
