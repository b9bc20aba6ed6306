import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { feedAckReplySchema, feedClaimReplySchema } from '../../../sync/protocol/agency-wire';
import type { FeedItem } from '../../../sync/protocol/agency-wire';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../../sync/protocol/sealed-box';
import { makeApiKey, makeWebhookSecret } from '../../../sync/server/agency/credentials';
import { WEBHOOK_QUEUE } from '../../../sync/server/agency/webhooks';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { LocalSmsc } from '../../../sync/server/sms/local-smsc';
import type { GatewayStore } from '../../../sync/server/store';
import { startNodeKiosk } from '../../proof/node-kiosk';
import type { NodeKiosk } from '../../proof/node-kiosk';
import { birthCertificate } from '../../support/chain-fixture';
import { launchGatewayChild } from '../../support/gateway-process';
import { startRoundRobinProxy } from '../../support/round-robin-proxy';
import type { RoundRobinProxy } from '../../support/round-robin-proxy';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import type { WebhookReceiver } from '../../support/webhook-receiver';
import { postgresUrl } from '../sync/store-backends';

const databaseUrl = postgresUrl('two-gateways');

const PER_KIOSK = 12;

/**
 * N gateway processes on one PostgreSQL behind a load balancer (here a round-robin proxy):
 * nothing may depend on which process a request reaches. Two real gateway processes, two
 * kiosks, two agencies (one pulls with two consumers, one takes webhooks), citizens who asked
 * for SMS alerts, and one SMS centre both processes bind to: every transaction, feed entry,
 * status change, webhook and SMS is found exactly once.
 */
describe.skipIf(!databaseUrl)(
  'two gateway processes on one PostgreSQL behind a round-robin proxy',
  () => {
    const run = crypto.randomUUID().slice(0, 8);
    // Services of this run only: one owner per service holds across the shared test database.
    const pullService = `passport-${run}`;
    const pushService = `licence-${run}`;
    const pullAgency = `immigration-${run}`;
    const pushAgency = `transport-${run}`;
    const kioskIds = [`rr-a-${run}`, `rr-b-${run}`];
    let store: GatewayStore;
    let children: ChildProcess[] = [];
    let proxy: RoundRobinProxy;
    let receiver: WebhookReceiver;
    let kiosks: NodeKiosk[] = [];
    let pullKey = '';
    let smsc: LocalSmsc;
    const secrets = mkdtempSync(path.join(tmpdir(), 'sp-rr-sms-'));
    /** The citizen's mobile (a Botswana number) per application reference, and back. */
    const phoneOf = new Map<string, string>();
    const committed = new Map<string, { ref: string; serviceId: string; kioskId: string }>();

    const agencyCall = async (path: string, body: unknown): Promise<unknown> => {
      const reply = await fetch(`${proxy.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pullKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (reply.status >= 300 && reply.status !== 409) {
        throw new Error(`${path}: ${reply.status} ${await reply.text()}`);
      }
      return { status: reply.status, body: (await reply.json()) as unknown };
    };

    beforeAll(async () => {
      store = await openGatewayStore({ databaseUrl: databaseUrl ?? '' });
      const secret = makeWebhookSecret();
      receiver = await startWebhookReceiver(secret);
      // The endpoint fails the first delivery of every third event: retries, from either process.
      const seen = new Set<string>();
      let fresh = 0;
      receiver.answer((_n, id) => {
        if (seen.has(id)) return 200;
        seen.add(id);
        fresh += 1;
        return fresh % 3 === 0 ? 503 : 200;
      });
      const apiKey = makeApiKey(pullAgency);
      pullKey = apiKey.key;
      await store.agencies.register({
        agencyId: pullAgency,
        name: 'Immigration',
        services: [pullService],
        keyHash: apiKey.hash,
        publicKey: publicJwkOf(await generateSealingKey()),
      });
      await store.agencies.register({
        agencyId: pushAgency,
        name: 'Transport',
        services: [pushService],
        keyHash: makeApiKey(pushAgency).hash,
        publicKey: publicJwkOf(await generateSealingKey()),
        webhookUrl: receiver.url,
        webhookSecret: secret,
      });
      smsc = new LocalSmsc({ systemId: 'gateway', password: 'rr-pass', receiptDelayMs: 50 });
      await smsc.start();
      const passwordFile = path.join(secrets, 'smsc-password');
      writeFileSync(passwordFile, 'rr-pass\n', { mode: 0o600 });
      const launched = await Promise.all(
        [0, 1].map(() =>
          launchGatewayChild(
            [
              '--port',
              '0',
              '--webhook-retry-base',
              '0.2',
              '--smsc',
              smsc.url,
              '--smsc-system-id',
              'gateway',
              '--smsc-password-file',
              passwordFile,
              ...kioskIds.flatMap((id) => ['--enrol-token', `${id}:token-${id}`]),
            ],
            { databaseUrl, timeoutMs: 60_000 },
          ),
        ),
      );
      children = launched.map((gateway) => gateway.child);
      proxy = await startRoundRobinProxy(launched.map((gateway) => gateway.url));
      kiosks = await Promise.all(
        kioskIds.map((kioskId) =>
          startNodeKiosk({ kioskId, token: `token-${kioskId}`, gatewayUrl: proxy.url }),
        ),
      );
    }, 90_000);

    afterAll(async () => {
      await Promise.all(kiosks.map((kiosk) => kiosk.close()));
      await proxy?.close();
      for (const child of children) child.kill('SIGTERM');
      await receiver?.close();
      await smsc?.close();
      await store?.close();
      rmSync(secrets, { recursive: true, force: true });
    });

    it('finds every transaction, feed entry, status change, webhook and SMS exactly once', async () => {
      // Kiosks: batches through the proxy, alternating processes.
      for (const kiosk of kiosks) {
        for (let i = 0; i < PER_KIOSK; i += 1) {
          const serviceId = i % 2 === 0 ? pullService : pushService;
          const done = await kiosk.commit({ ...birthCertificate, serviceId });
          committed.set(done.txId, { ref: done.ref, serviceId, kioskId: kiosk.kioskId });
          if (serviceId === pullService) {
            // The citizen asks for SMS alerts on the receipt (a transaction of its own).
            const phone = `+26771${String(phoneOf.size).padStart(6, '0')}`;
            phoneOf.set(done.ref, phone);
            const optIn = await kiosk.commit({
              ...birthCertificate,
              serviceId: 'sms-alerts',
              fields: { phone, alerts: 'all', forReference: done.ref, country: 'BW' },
              personalFieldIds: ['phone'],
            });
            committed.set(optIn.txId, {
              ref: optIn.ref,
              serviceId: 'sms-alerts',
              kioskId: kiosk.kioskId,
            });
          }
          // A few transactions per run: batches of different sizes reach both processes.
          if (i % 3 === 2) await kiosk.drain();
        }
        await kiosk.drain();
        expect(await kiosk.queued()).toBe(0);
      }
      for (const kiosk of kiosks) {
        const held = (await store.listRecords(kiosk.kioskId)).map((record) => record.body.txId);
        expect(held.length).toBe(new Set(held).size);
        expect(held.sort()).toEqual(
          [...committed]
            .filter(([, c]) => c.kioskId === kiosk.kioskId)
            .map(([id]) => id)
            .sort(),
        );
        expect(await store.listTamperAlerts(kiosk.kioskId)).toEqual([]);
      }
      const pulled = [...committed.values()].filter((c) => c.serviceId === pullService);
      const pushed = [...committed.values()].filter((c) => c.serviceId === pushService);

      // The pull agency: two consumers at once, each claiming small batches through the proxy.
      const taken: Array<{ consumer: string; item: FeedItem }> = [];
      const consume = async (consumer: string): Promise<void> => {
        for (let round = 0; round < 200; round += 1) {
          const claim = feedClaimReplySchema.parse(
            (
              (await agencyCall('/agency/v1/feed/claims', { consumer, max: 3 })) as {
                body: unknown;
              }
            ).body,
          );
          if (claim.items.length === 0) {
            if (claim.cursor.unacked === 0) return;
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
          for (const item of claim.items) taken.push({ consumer, item });
          feedAckReplySchema.parse(
            (
              (await agencyCall('/agency/v1/feed/acks', {
                consumer,
                positions: claim.items.map((item) => item.position),
              })) as { body: unknown }
            ).body,
          );
        }
      };
      await Promise.all([consume('worker-1'), consume('worker-2')]);
      const refsTaken = taken.map((t) => t.item.event.subject);
      expect(refsTaken.length).toBe(new Set(refsTaken).size);
      expect([...refsTaken].sort()).toEqual(pulled.map((c) => c.ref).sort());
      expect(taken.every((t) => t.item.deliveryCount === 1)).toBe(true);
      expect(new Set(taken.map((t) => t.consumer)).size).toBe(2);
      expect((await store.agencies.feedCursor(pullAgency)).ackedThrough).toBe(pulled.length);

      // Status changes, each posted twice (a retry) and from alternating processes.
      const results: number[] = [];
      await Promise.all(
        pulled.map(async ({ ref }, n) => {
          const steps: Array<[string, Record<string, string>]> = [
            ['in-review', {}],
            n % 2 ? ['approved', {}] : ['refused', { reason: 'Incomplete application' }],
          ];
          for (const [state, extra] of steps) {
            for (let attempt = 0; attempt < 2; attempt += 1) {
              const reply = (await agencyCall(`/agency/v1/applications/${ref}/status`, {
                eventId: `${run}-${ref}-${state}`,
                state,
                ...extra,
              })) as { status: number };
              results.push(reply.status);
            }
          }
        }),
      );
      expect(results.filter((s) => s === 201).length).toBe(pulled.length * 2);
      expect(results.filter((s) => s === 200).length).toBe(pulled.length * 2);
      for (const [n, { ref }] of pulled.entries()) {
        const seen = await store.agencies.statusForAgency(pullAgency, ref);
        expect(seen?.history.map((event) => [event.version, event.state])).toEqual([
          [1, 'in-review'],
          [2, n % 2 ? 'approved' : 'refused'],
        ]);
      }

      // Kiosks look the decisions up through the proxy.
      const kiosk = kiosks[0];
      if (!kiosk) throw new Error('no kiosk');
      const client = new GatewayClient({
        baseUrl: proxy.url,
        kioskId: kiosk.kioskId,
        signingKey: kiosk.keys.privateKey,
      });
      const all = [...committed.values()];
      for (let i = 0; i < all.length; i += 20) {
        const reply = await client.getDecisionStatus(all.slice(i, i + 20).map((c) => c.ref));
        for (const status of reply.statuses) {
          const n = pulled.findIndex((c) => c.ref === status.ref);
          expect(status.state).toBe(n < 0 ? 'received' : n % 2 ? 'approved' : 'refused');
        }
      }

      // Webhooks: every event of the push agency taken exactly once, whichever process sent it.
      const deadline = Date.now() + 30_000;
      while ((await store.agencies.feedCursor(pushAgency)).ackedThrough < pushed.length) {
        if (Date.now() > deadline) throw new Error('webhooks were not all delivered');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const accepted = receiver.received.filter((hit) => hit.status === 200);
      const ids = accepted.map((hit) => hit.id);
      expect(ids.length).toBe(new Set(ids).size);
      expect(accepted.map((hit) => hit.event?.subject).sort()).toEqual(
        pushed.map((c) => c.ref).sort(),
      );
      expect(receiver.received.every((hit) => hit.verified)).toBe(true);
      expect(receiver.received.filter((hit) => hit.status === 503).length).toBeGreaterThan(0);
      const jobs = (await store.jobs.list(WEBHOOK_QUEUE, { limit: 1000 })).filter((job) =>
        job.key?.startsWith(`${pushAgency}:`),
      );
      expect(jobs.length).toBe(pushed.length);
      expect(jobs.every((job) => job.state === 'done')).toBe(true);

      // SMS: each citizen got the confirmation and the decision, once each, whichever process
      // took the opt-in, the status change, its retry, or the delivery receipt.
      const expected = pulled.length * 2;
      const smsDeadline = Date.now() + 30_000;
      while (smsc.received.length < expected && Date.now() < smsDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smsc.received.length).toBe(expected);
      for (const [n, { ref }] of pulled.entries()) {
        const to = (phoneOf.get(ref) ?? '').replace('+', '');
        const texts = smsc.received.filter((m) => m.to === to).map((m) => m.text);
        expect(texts.sort()).toEqual(
          [
            `Service Point: we will send you SMS updates on request ${ref}. Reply STOP to end them.`,
            n % 2
              ? `Service Point: request ${ref} is approved. We will send an SMS when it is ready.`
              : `Service Point: request ${ref} was refused. Reason: Incomplete application`,
          ].sort(),
        );
      }
      const smsDelivered = async () =>
        (await store.sms.listMessages({ limit: 10_000 })).filter(
          (m) => pulled.some((c) => c.ref === m.params.ref) && m.state === 'delivered',
        ).length;
      while ((await smsDelivered()) < expected && Date.now() < smsDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await smsDelivered()).toBe(expected);
      // Both processes bound to the SMSC and both sent some of them.
      expect(new Set(smsc.received.map((m) => m.session)).size).toBe(2);

      // The balancer really spread the work.
      expect(proxy.counts.every((count) => count > 10)).toBe(true);
    }, 120_000);
  },
);
