import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../../sync/client/gateway-client';
import {
  feedAckReplySchema,
  feedClaimReplySchema,
  feedReadReplySchema,
  statusChangeReplySchema,
} from '../../../sync/protocol/agency-wire';
import type { FeedItem } from '../../../sync/protocol/agency-wire';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import type { EcPrivateJwk } from '../../../sync/protocol/crypto-primitives';
import { personalDigest, personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import { generateSealingKey, openSealed } from '../../../sync/protocol/sealed-box';
import { z } from 'zod';
import { decisionStatusReplySchema } from '../../../sync/protocol/wire';
import { makeApiKey, makeWebhookSecret } from '../../../sync/server/agency/credentials';
import { WEBHOOK_QUEUE } from '../../../sync/server/agency/webhooks';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import type { WebhookReceiver } from '../../support/webhook-receiver';
import { startNodeKiosk } from '../../proof/node-kiosk';
import { birthCertificate } from '../../support/chain-fixture';
import type { NodeKiosk } from '../../proof/node-kiosk';

const PASSPORT = 'passport';
const LICENCE = 'drivers-licence-renewal';

interface TestAgency {
  agencyId: string;
  key: string;
  privateJwk: EcPrivateJwk;
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response>;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the agency interface', () => {
  let gateway: InProcessGateway;
  let kiosk: NodeKiosk;
  let passportOffice: TestAgency;
  let transport: TestAgency;
  let receiver: WebhookReceiver;
  const kioskId = 'agency-kiosk-01';
  const refs: Record<string, string> = {};

  async function register(
    agencyId: string,
    services: string[],
    webhookUrl: string | null = null,
    webhookSecret: string | null = null,
  ): Promise<TestAgency> {
    const privateJwk = await generateSealingKey();
    const apiKey = makeApiKey(agencyId);
    await gateway.store.agencies.register({
      agencyId,
      name: agencyId,
      services,
      keyHash: apiKey.hash,
      publicKey: publicJwkOf(privateJwk),
      webhookUrl,
      webhookSecret,
    });
    return {
      agencyId,
      key: apiKey.key,
      privateJwk,
      call: (method, path, body) =>
        fetch(`${gateway.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${apiKey.key}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
    };
  }

  beforeAll(async () => {
    gateway = await startInProcessGateway([{ kioskId, token: 'agency-token-1' }], {
      jobs: { pollMs: 50, webhookRetry: { baseMs: 100, capMs: 200 } },
    });
    const secret = makeWebhookSecret();
    receiver = await startWebhookReceiver(secret);
    // The endpoint is down for the first delivery.
    receiver.answer((n) => (n === 0 ? 503 : 200));
    passportOffice = await register('immigration', [PASSPORT]);
    transport = await register('transport', [LICENCE], receiver.url, secret);
    kiosk = await startNodeKiosk({ kioskId, token: 'agency-token-1', gatewayUrl: gateway.url });
    for (const [name, serviceId, fullName] of [
      ['p1', PASSPORT, 'Ana Pérez'],
      ['l1', LICENCE, 'Kagiso Molefe'],
      ['p2', PASSPORT, 'Maya Cal'],
    ] as const) {
      const done = await kiosk.commit({
        ...birthCertificate,
        serviceId,
        fields: { ...birthCertificate.fields, fullName },
      });
      refs[name] = done.ref;
    }
    expect(await kiosk.drain()).toBeLessThan(12);
  });
  afterAll(async () => {
    await kiosk.close();
    await gateway.close();
    await receiver.close();
  });

  it('hands an agency its own applications in order, with personal fields only it can open', async () => {
    const reply = await passportOffice.call('POST', '/agency/v1/feed/claims', {
      consumer: 'case-worker-1',
      max: 10,
    });
    if (reply.status !== 200) throw new Error(await reply.text());
    const { items, cursor } = feedClaimReplySchema.parse(await reply.json());
    expect(items.map((item) => [item.position, item.event.subject])).toEqual([
      [1, refs.p1],
      [2, refs.p2],
    ]);
    expect(cursor).toEqual({ ackedThrough: 0, head: 2, unacked: 2, leased: 2 });
    const first = items[0] as FeedItem;
    const { event } = first;
    if (event.type !== 'org.service-point.application.delivered') throw new Error(event.type);
    expect(event.data).toMatchObject({
      ref: refs.p1,
      serviceId: PASSPORT,
      kioskId,
      language: 'en',
      fields: { district: 'cayo' },
    });
    expect(JSON.stringify(items)).not.toContain('Ana Pérez');
    const sealed = event.data.personal?.sealed;
    if (!sealed) throw new Error('no personal fields');
    const payload = personalPayloadSchema.parse(
      JSON.parse(await openSealed(passportOffice.privateJwk, sealed, event.data.txId)),
    );
    expect(payload.fields).toEqual({ fullName: 'Ana Pérez', dateOfBirth: '1990-04-01' });
    expect(await personalDigest(payload)).toBe(event.data.personal?.digest);
    // Another agency's key opens nothing.
    await expect(openSealed(transport.privateJwk, sealed, event.data.txId)).rejects.toThrow();

    // A second consumer of the same agency gets nothing that is leased to the first.
    const second = feedClaimReplySchema.parse(
      await (
        await passportOffice.call('POST', '/agency/v1/feed/claims', { consumer: 'case-worker-2' })
      ).json(),
    );
    expect(second.items).toEqual([]);
    const acked = feedAckReplySchema.parse(
      await (
        await passportOffice.call('POST', '/agency/v1/feed/acks', {
          consumer: 'case-worker-1',
          positions: [1, 2, 7],
        })
      ).json(),
    );
    expect(acked).toEqual({
      acked: 2,
      unknown: [7],
      cursor: { ackedThrough: 2, head: 2, unacked: 0, leased: 0 },
    });
    const replay = feedReadReplySchema.parse(
      await (await passportOffice.call('GET', '/agency/v1/feed?after=1&limit=5')).json(),
    );
    expect(replay.items.map((item) => item.event.subject)).toEqual([refs.p2]);
    expect(replay.more).toBe(false);
  });

  it('pushes the same events as signed webhooks, retrying until the endpoint takes them', async () => {
    const taken = await waitFor('the webhook to be taken', async () =>
      receiver.received.find((hit) => hit.status === 200),
    );
    expect(receiver.received.map((hit) => [hit.status, hit.verified])).toEqual([
      [503, true],
      [200, true],
    ]);
    expect(receiver.received[0]?.id).toBe(taken.id);
    expect(taken.event?.subject).toBe(refs.l1);
    expect(taken.event?.id).toBe(taken.id);
    await waitFor('the entry to be acknowledged by the webhook', async () => {
      const cursor = await gateway.store.agencies.feedCursor('transport');
      return cursor.ackedThrough === 1 ? cursor : undefined;
    });
    const [job] = await gateway.store.jobs.list(WEBHOOK_QUEUE);
    expect(job).toMatchObject({
      state: 'done',
      attempts: 2,
      lastError: 'the webhook answered 503',
    });
    // Pulled after the push: nothing is handed out again.
    const pulled = feedClaimReplySchema.parse(
      await (await transport.call('POST', '/agency/v1/feed/claims', { consumer: 'pull' })).json(),
    );
    expect(pulled.items).toEqual([]);
  });

  it('records status changes once per event id, refuses illegal ones clearly, and kiosks see them', async () => {
    const ref = refs.p1 ?? '';
    const post = (body: Record<string, unknown>) =>
      passportOffice.call('POST', `/agency/v1/applications/${ref}/status`, body);
    const review = { eventId: 'imm-1001', state: 'in-review' };
    const first = await post(review);
    expect(first.status).toBe(201);
    expect(statusChangeReplySchema.parse(await first.json())).toMatchObject({
      result: 'recorded',
      status: { state: 'in-review', version: 1 },
    });
    expect((await post(review)).status).toBe(200);
    const reused = await post({ ...review, state: 'approved' });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: 'event-id-reused' });
    const illegal = await post({ eventId: 'imm-1002', state: 'collected' });
    expect(illegal.status).toBe(409);
    expect(await illegal.json()).toMatchObject({
      error: 'illegal-transition',
      message:
        'an application that is in-review can become more-information-needed, approved, refused, not collected',
      status: { state: 'in-review' },
    });
    const noReason = await post({ eventId: 'imm-1003', state: 'refused' });
    expect(noReason.status).toBe(422);
    expect(await noReason.json()).toMatchObject({ error: 'detail-required' });
    expect((await post({ eventId: 'x', state: 'waiting' })).status).toBe(400);
    expect(
      (
        await post({
          eventId: 'imm-1004',
          state: 'more-information-needed',
          needed: { en: 'A recent passport photo', es: 'Una foto de pasaporte reciente' },
        })
      ).status,
    ).toBe(201);
    // Another agency's application is as if it did not exist.
    const foreign = await transport.call('POST', `/agency/v1/applications/${ref}/status`, {
      eventId: 'tr-1',
      state: 'in-review',
    });
    expect(foreign.status).toBe(404);
    expect((await transport.call('GET', `/agency/v1/applications/${ref}`)).status).toBe(404);
    const history = (await (
      await passportOffice.call('GET', `/agency/v1/applications/${ref}`)
    ).json()) as { history: Array<{ state: string }> };
    expect(history.history.map((event) => event.state)).toEqual([
      'in-review',
      'more-information-needed',
    ]);

    const client = new GatewayClient({
      baseUrl: gateway.url,
      kioskId,
      signingKey: kiosk.keys.privateKey,
    });
    // A kiosk that predates decisions still gets the reply it parses strictly (the schema as
    // it shipped, copied here so a change to the shared one cannot hide a break).
    const shippedV1 = z
      .object({
        statuses: z.array(
          z
            .object({
              ref: z.string(),
              state: z.enum(['received', 'unknown']),
              serviceId: z.string().optional(),
              receivedAt: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict();
    const v1 = { statuses: (await client.getStatus([ref, 'ZZZZ-ZZZZ-Z'])).statuses };
    expect(shippedV1.parse(v1).statuses.map((s) => s.state)).toEqual(['received', 'unknown']);
    const decision = { statuses: (await client.getDecisionStatus([ref])).statuses };
    const now = decisionStatusReplySchema.parse(decision);
    expect(now.statuses[0]).toMatchObject({
      ref,
      state: 'more-information-needed',
      serviceId: PASSPORT,
      needed: { en: 'A recent passport photo', es: 'Una foto de pasaporte reciente' },
    });
  });

  it('refuses calls without a valid key or from a disabled agency, and logs every call', async () => {
    const anonymous = await fetch(`${gateway.url}/agency/v1/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${gateway.url}/agency/v1/me`, {
      headers: { authorization: `Bearer ${passportOffice.key.slice(0, -4)}AAAA` },
    });
    expect(wrong.status).toBe(401);
    const me = await passportOffice.call('GET', '/agency/v1/me');
    expect(await me.json()).toMatchObject({
      agencyId: 'immigration',
      services: [PASSPORT],
      apiVersion: 1,
    });
    await gateway.store.agencies.update('transport', { disabled: true });
    expect((await transport.call('GET', '/agency/v1/me')).status).toBe(403);
    await gateway.store.agencies.update('transport', { disabled: false });

    const calls = await gateway.store.agencies.listCalls({ limit: 200 });
    const refused = calls.filter((call) => call.status === 401);
    expect(refused.length).toBe(2);
    expect(refused.every((call) => call.agencyId === null && call.path === '/agency/v1/me')).toBe(
      true,
    );
    const immigration = calls.filter((call) => call.agencyId === 'immigration');
    expect(immigration.map((call) => call.outcome)).toContain('case-worker-1 claimed 2 (1…2)');
    expect(immigration.map((call) => call.outcome)).toContain(
      'illegal-transition: an application that is in-review can become more-information-needed, approved, refused, not collected',
    );
    expect(
      calls.find((call) => call.agencyId === 'transport' && call.status === 403),
    ).toBeDefined();
  });

  it('answers a post that is not JSON, of another type, too large or malformed with a clear error, changing nothing', async () => {
    const ref = refs.p2 ?? '';
    const url = `${gateway.url}/agency/v1/applications/${ref}/status`;
    const raw = (body: string, type = 'application/json') =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${passportOffice.key}`, 'content-type': type },
        body,
      });
    const answers = async (reply: Response) => [reply.status, (await reply.json()) as unknown];
    expect(await answers(await raw('{"eventId":"imm-2001","state":"approved"'))).toEqual([
      400,
      { error: 'bad-request', message: 'body is not JSON' },
    ]);
    expect(await answers(await raw('<status>approved</status>', 'application/xml'))).toEqual([
      415,
      expect.objectContaining({ error: 'unsupported-media-type' }),
    ]);
    const huge = JSON.stringify({ eventId: 'imm-2003', state: 'approved', pad: 'x'.repeat(9e6) });
    expect(await answers(await raw(huge))).toEqual([
      413,
      expect.objectContaining({ error: 'too-large' }),
    ]);
    const post = (body: unknown) =>
      passportOffice.call('POST', `/agency/v1/applications/${ref}/status`, body);
    expect(
      await answers(await post({ eventId: 'imm-2004', state: 'approved', colour: 1 })),
    ).toEqual([400, { error: 'bad-request', message: 'body: Unrecognized key: "colour"' }]);
    expect(await answers(await post(['in-review']))).toEqual([
      400,
      expect.objectContaining({ error: 'bad-request' }),
    ]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      await answers(await post({ eventId: 'imm-2005', state: 'in-review', occurredAt: tomorrow })),
    ).toEqual([400, { error: 'bad-request', message: 'occurredAt is in the future' }]);
    expect(
      await answers(await post({ eventId: 'imm-2006', state: 'refused', reason: '   ' })),
    ).toEqual([400, expect.objectContaining({ error: 'bad-request' })]);
    expect(
      await answers(
        await passportOffice.call('POST', '/agency/v1/applications/not%20a%20ref/status', {
          eventId: 'imm-2007',
          state: 'in-review',
        }),
      ),
    ).toEqual([400, { error: 'bad-request', message: 'not a reference' }]);
    // Nothing was recorded, and every refusal is in the call log with its reason.
    const status = (await (
      await passportOffice.call('GET', `/agency/v1/applications/${ref}`)
    ).json()) as { status: { state: string }; history: unknown[] };
    expect(status).toMatchObject({ status: { state: 'received' }, history: [] });
    const logged = (await gateway.store.agencies.listCalls({ limit: 50 })).filter(
      (call) => call.path.endsWith('/status') && call.status >= 400 && call.status < 500,
    );
    expect(logged.map((call) => call.status)).toEqual(
      expect.arrayContaining([400, 415, 413, 400, 400, 400]),
    );
    expect(logged.map((call) => call.outcome)).toEqual(
      expect.arrayContaining([
        'refused: body is not JSON',
        'bad-request: occurredAt is in the future',
        'bad-request: not a reference',
      ]),
    );
  });

  it('gives up a webhook the endpoint answers 410 Gone, leaving the entry in the pull feed', async () => {
    receiver.answer(() => 410);
    const done = await kiosk.commit({ ...birthCertificate, serviceId: LICENCE });
    await kiosk.drain();
    await waitFor('the job to be given up', async () => {
      const dead = await gateway.store.jobs.list(WEBHOOK_QUEUE, { state: 'dead' });
      return dead.length === 1 ? dead : undefined;
    });
    const pulled = feedClaimReplySchema.parse(
      await (await transport.call('POST', '/agency/v1/feed/claims', { consumer: 'pull' })).json(),
    );
    expect(pulled.items.map((item) => item.event.subject)).toEqual([done.ref]);
  });
});
