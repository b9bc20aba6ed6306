import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../../sync/protocol/sealed-box';
import { makeApiKey, makeWebhookSecret } from '../../../sync/server/agency/credentials';
import { WEBHOOK_QUEUE, webhookDelivery } from '../../../sync/server/agency/webhooks';
import type { ClaimedJob } from '../../../sync/server/jobs/job-queue';
import { JobError } from '../../../sync/server/jobs/job-runner';
import type { JobHandler } from '../../../sync/server/jobs/job-runner';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import { startNodeKiosk } from '../../proof/node-kiosk';
import type { NodeKiosk } from '../../proof/node-kiosk';
import { birthCertificate } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

type Answer = (response: ServerResponse) => void;

/**
 * What an agency's webhook endpoint may answer, and what the gateway makes of it: anything but
 * a 2xx is a retry (with the endpoint's Retry-After where it gives a usable one), 410 Gone
 * gives up, and the feed entry stays unacknowledged, so the agency can still pull it. The
 * delivery handler is called by hand here (the gateway's own runner is off) to see each answer.
 */
describe('an agency webhook endpoint that answers badly', () => {
  const kioskId = 'webhook-kiosk-01';
  let gateway: InProcessGateway;
  let kiosk: NodeKiosk;
  let endpoint: Server;
  let answer: Answer = (response) => response.end();
  let deliver: JobHandler;
  let job: ClaimedJob;

  const attempt = async (): Promise<JobError | 'delivered'> => {
    try {
      await deliver(job);
      return 'delivered';
    } catch (error) {
      return error instanceof JobError ? error : new JobError(String((error as Error).message));
    }
  };
  const acked = async () => (await gateway.store.agencies.feedCursor('transport')).ackedThrough;

  beforeAll(async () => {
    gateway = await startInProcessGateway([{ kioskId, token: 'webhook-token-1' }], {
      jobs: { run: false },
    });
    endpoint = createServer((request, response) => {
      request.resume();
      answer(response);
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const address = endpoint.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    await gateway.store.agencies.register({
      agencyId: 'transport',
      name: 'Transport',
      services: [birthCertificate.serviceId],
      keyHash: makeApiKey('transport').hash,
      publicKey: publicJwkOf(await generateSealingKey()),
      webhookUrl: `http://127.0.0.1:${port}/hooks`,
      webhookSecret: makeWebhookSecret(),
    });
    kiosk = await startNodeKiosk({ kioskId, token: 'webhook-token-1', gatewayUrl: gateway.url });
    await kiosk.commit();
    await kiosk.drain();
    const [claimed] = await gateway.store.jobs.claim(WEBHOOK_QUEUE, 'test', 1, 60_000);
    if (!claimed) throw new Error('no webhook job was enqueued');
    job = claimed;
    deliver = webhookDelivery({
      store: gateway.store,
      sealing: await loadOrCreateSealingKey(gateway.store),
      timeoutMs: 400,
    });
  });
  afterAll(async () => {
    await kiosk?.close();
    endpoint?.closeAllConnections();
    await new Promise((resolve) => endpoint?.close(resolve));
    await gateway?.close();
  });

  it('retries a redirect, a hang past the timeout, a dropped connection and a 5xx, never acknowledging', async () => {
    answer = (response) => {
      response.writeHead(302, { location: 'https://elsewhere.example/hooks' }).end();
    };
    expect(await attempt()).toMatchObject({
      message: 'the webhook answered 302',
      permanent: false,
    });
    answer = () => undefined; // never answers
    expect(await attempt()).toMatchObject({
      message: expect.stringMatching(/^no answer from the webhook: .*(timeout|abort)/i),
      permanent: false,
    });
    answer = (response) => response.socket?.destroy();
    expect(await attempt()).toMatchObject({
      message: expect.stringMatching(/^no answer from the webhook: /),
      permanent: false,
    });
    answer = (response) => response.writeHead(500).end('<html>oops</html>');
    expect(await attempt()).toMatchObject({ message: 'the webhook answered 500' });
    expect(await acked()).toBe(0);
  });

  it('honours a Retry-After in seconds or as a date, capped at a day, and ignores a bad one', async () => {
    const retryAfter = async (value: string) => {
      answer = (response) => response.writeHead(503, { 'retry-after': value }).end();
      const outcome = await attempt();
      return outcome === 'delivered' ? outcome : outcome.retryAfterMs;
    };
    expect(await retryAfter('120')).toBe(120_000);
    expect(await retryAfter('9999999')).toBe(86_400_000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(await retryAfter(inAMinute)).toBeGreaterThan(50_000);
    expect(await retryAfter('soon')).toBeUndefined();
    expect(await retryAfter('-5')).toBeUndefined();
  });

  it('gives up on 410 Gone and acknowledges on any 2xx, whatever the body', async () => {
    answer = (response) => response.writeHead(410).end();
    expect(await attempt()).toMatchObject({ permanent: true });
    expect(await acked()).toBe(0);
    answer = (response) => response.writeHead(204).end();
    expect(await attempt()).toBe('delivered');
    expect(await acked()).toBe(1);
    // Taken: a later attempt (a retry already queued) sends nothing.
    let hits = 0;
    answer = (response) => {
      hits += 1;
      response.end();
    };
    expect(await attempt()).toBe('delivered');
    expect(hits).toBe(0);
  });
});
