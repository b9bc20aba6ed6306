import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { z } from 'zod';
import { PROTOCOL_VERSION, batchRequestSchema, enrolRequestSchema } from '../protocol/wire';
import type { ItemResult } from '../protocol/wire';
import type { GatewayStore, VerifiedItem } from './store';
import { checkRecord } from './verify-record';

export interface GatewayOptions {
  store: GatewayStore;
  logger?: boolean;
  /** Largest accepted request body after decompression. */
  bodyLimitBytes?: number;
  now?: () => Date;
}

const kioskParams = z.object({ kioskId: z.string().regex(/^[A-Za-z0-9-]{3,64}$/) });

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The reference gateway: sync protocol v1 over HTTP/JSON. */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 8 * 1024 * 1024,
  });
  // Requests are authenticated by device signatures, not cookies, so any kiosk origin may call.
  await app.register(cors, { origin: true, methods: ['GET', 'POST'], maxAge: 600 });

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

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({ error: error.code ?? 'error', message: error.message });
  });

  app.get('/v1/health', async () => ({ ok: true as const, protocol: PROTOCOL_VERSION }));

  app.post('/v1/kiosks/:kioskId/enrol', async (request, reply) => {
    const params = kioskParams.safeParse(request.params);
    const body = enrolRequestSchema.safeParse(request.body);
    if (!params.success || !body.success) {
      return reply.status(400).send({ error: 'bad-request', message: 'invalid enrolment request' });
    }
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
    if (!params.success) {
      return reply.status(400).send({ error: 'bad-request', message: 'invalid kiosk id' });
    }
    const { kioskId } = params.data;
    const kiosk = await store.getKiosk(kioskId);
    if (!kiosk) {
      return reply.status(401).send({ error: 'not-enrolled', message: 'kiosk is not enrolled' });
    }
    const batch = batchRequestSchema.safeParse(request.body);
    if (!batch.success) {
      const issue = batch.error.issues[0];
      return reply.status(400).send({
        error: 'bad-request',
        message: `invalid batch at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
      });
    }
    const verified: VerifiedItem[] = [];
    const refused: ItemResult[] = [];
    for (const record of batch.data.items) {
      const id = record.body.txId;
      if (record.kioskId !== kioskId) {
        refused.push({ id, seq: record.seq, status: 'rejected', reason: 'wrong-kiosk' });
        await store.addTamperAlert({
          kioskId,
          seq: record.seq,
          kind: 'wrong-kiosk',
          detail: `record claims kiosk ${record.kioskId}`,
          at: now().toISOString(),
        });
        continue;
      }
      const check = checkRecord(record, kiosk.publicKey);
      if (!check.ok) {
        refused.push({ id, seq: record.seq, status: 'rejected', reason: check.reason });
        await store.addTamperAlert({
          kioskId,
          seq: record.seq,
          kind: check.reason,
          detail: `record ${id} failed verification`,
          at: now().toISOString(),
        });
        continue;
      }
      verified.push({ record });
    }
    const applied = await store.applyBatch(kioskId, verified);
    return { results: [...applied.results, ...refused], head: applied.head };
  });

  return app;
}
