import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commitTransaction } from '../../../sync/client/commit';
import type { CommitDeps } from '../../../sync/client/commit';
import { importDataKey } from '../../../sync/client/data-key';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { SyncEngine } from '../../../sync/client/engine';
import type { EngineStatus, SyncEngineOptions } from '../../../sync/client/engine';
import { GatewayClient } from '../../../sync/client/gateway-client';
import type { FetchLike } from '../../../sync/client/gateway-client';
import { retryRejected } from '../../../sync/client/officer-queue';
import { voidTransaction } from '../../../sync/client/officer-records';
import { OfficerSession, cacheRoster } from '../../../sync/client/officer-session';
import { hashOfficerPin } from '../../../sync/client/officer-pin';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import type { KioskConfigReply } from '../../../sync/protocol/wire';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';
import { birthCertificate as sampleInput, openTestStore } from '../../support/chain-fixture';

const kioskId = 'policy-kiosk-01';
const token = 'policy-token-0001';
const HOUR = 60 * 60_000;

/** What the engine asked of the link, and hooks to bend it (a fake for a flaky network). */
interface Link {
  fetch: FetchLike;
  calls: string[];
  down: boolean;
  /** Runs when the gateway has answered a request, before the engine sees the reply. */
  onReply?: (path: string, reply: Response) => Promise<Response | void>;
}

function makeLink(): Link {
  const link: Link = {
    calls: [],
    down: false,
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      link.calls.push(`${init?.method ?? 'GET'} ${path}`);
      if (link.down) throw new TypeError('fetch failed');
      const reply = await fetch(url, init);
      return (await link.onReply?.(path, reply)) ?? reply;
    },
  };
  return link;
}

/** A copy of a JSON reply with its body changed (the Date header kept). */
async function editedReply(reply: Response, edit: (json: never) => unknown): Promise<Response> {
  const json = (await reply.json()) as never;
  return new Response(JSON.stringify(edit(json)), {
    status: reply.status,
    headers: { 'content-type': 'application/json', date: reply.headers.get('date') ?? '' },
  });
}

function waitFor(check: () => Promise<boolean>, what: string, ms = 8_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`still waiting: ${what}`);
    },
    { timeout: ms, interval: 20 },
  );
}

describe('the sync engine', () => {
  let gateway: InProcessGateway;
  let store: OutboxStore;
  let db: KioskDatabase;
  let deps: CommitDeps;
  let link: Link;
  let engine: SyncEngine | undefined;

  const newEngine = (options: Partial<SyncEngineOptions> = {}): SyncEngine => {
    engine = new SyncEngine({
      store,
      kioskId,
      keys: deps.keys,
      dataKey: deps.dataKey,
      gatewayUrl: gateway.url,
      enrolmentToken: token,
      fetch: link.fetch,
      periodicMs: HOUR,
      backoffBaseMs: HOUR,
      random: () => 0.5,
      ...options,
    });
    return engine;
  };
  const states = async () => (await store.rows()).map((row) => row.state);
  const delivered = async (txId: string) => (await store.find({ txId }))?.state === 'delivered';

  beforeEach(async () => {
    gateway = await startInProcessGateway([{ kioskId, token }]);
    ({ store, db } = openTestStore(`policy-${crypto.randomUUID()}`));
    deps = {
      store,
      kioskId,
      keys: await loadOrCreateDeviceKey(store),
      dataKey: await importDataKey(new Uint8Array(32).fill(3)),
    };
    link = makeLink();
  });

  afterEach(async () => {
    engine?.stop();
    engine = undefined;
    store.close();
    await gateway.close();
  });

  describe('waking', () => {
    it('goes round again when work is committed while a run is finishing', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ heartbeatMs: 0 });
      let late: string | undefined;
      link.onReply = async (path) => {
        if (!path.endsWith('/heartbeat') || late) return;
        // The queue is drained and the run is sending its heartbeat: a citizen submits now.
        late = (await commitTransaction(deps, sampleInput)).txId;
        void sync.trigger();
      };
      await sync.trigger();
      expect(late).toBeDefined();
      expect(await states()).toEqual(['delivered', 'delivered']);
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 2, awaiting: 0 });
    });

    it('once started, is woken by the store after every commit of any record kind, and by a requeue', async () => {
      const sync = newEngine();
      sync.start();
      await sync.trigger();
      const roster = [
        {
          officerId: '00012345',
          name: 'Maya Cal',
          pinHash: await hashOfficerPin('482913', { iterations: 1000 }),
        },
      ];
      await cacheRoster(deps, roster);
      const officers = new OfficerSession({ ...deps, inactivityMs: HOUR, minPinIterations: 1000 });
      await officers.signIn({ officerId: '00012345', pin: '482913', method: 'card' });
      const tx = await commitTransaction(deps, sampleInput);
      await voidTransaction(deps, {
        officerId: '00012345',
        txId: tx.txId,
        reason: 'wrong service',
      });
      await officers.signOut();
      // Nobody calls trigger(): the periodic timer is an hour away.
      await waitFor(
        async () => (await states()).every((state) => state === 'delivered'),
        'every record delivered',
      );
      expect((await store.rows()).map((row) => row.record.kind)).toEqual([
        'config-change',
        'officer-sign-in',
        'transaction',
        'void',
        'officer-sign-out',
      ]);

      // A rejected row that an officer sends again wakes it too.
      await db.outbox.update(3, { state: 'rejected', rejectReason: 'personal-unreadable' });
      await retryRejected(store, 3);
      await waitFor(() => delivered(tx.txId), 'the retried row delivered');
    });

    it('is no longer woken once stopped', async () => {
      const sync = newEngine();
      sync.start();
      await sync.trigger();
      sync.stop();
      const before = link.calls.length;
      await commitTransaction(deps, sampleInput);
      await sync.trigger();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(link.calls.length).toBe(before);
      expect(sync.status.state).toBe('stopped');
      expect(await states()).toEqual(['queued']);
    });
  });

  describe('enrolment', () => {
    it('recovers when the reply to its enrolment was lost: the gateway already holds its key', async () => {
      // The first enrolment reached the gateway, but its reply never came back.
      await new GatewayClient({ baseUrl: gateway.url, kioskId }).enrol(token, deps.keys.publicKey);
      expect(await store.readSetting('enrolled')).toBeUndefined();
      const tx = await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      expect(link.calls).toContain(`POST /v1/kiosks/${kioskId}/enrol`);
      expect(await delivered(tx.txId)).toBe(true);
      expect(await store.readSetting('enrolled')).toBe(true);
      // Enrolled for good: the next run does not ask again.
      link.calls.length = 0;
      await engine?.trigger();
      expect(link.calls).not.toContain(`POST /v1/kiosks/${kioskId}/enrol`);
    });

    it('does not take a refused token for an enrolment, and sends nothing', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ enrolmentToken: 'not-the-token' });
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      expect(sync.status.lastError).toMatch(/403/);
      expect(await store.readSetting('enrolled')).toBeUndefined();
      expect(link.calls.some((call) => call.endsWith('/batches'))).toBe(false);
      expect(await states()).toEqual(['queued']);
    });

    it('without a token never asks the gateway and says why', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ enrolmentToken: undefined });
      await sync.trigger();
      expect(sync.status.lastError).toMatch(/no enrolment token/);
      expect(link.calls).toEqual(['GET /v1/health']);
    });
  });

  describe('results', () => {
    it('sends again, in the next pass of the same run, the rows a reply left without a result', async () => {
      const txs: Array<{ txId: string }> = [];
      for (let i = 0; i < 3; i += 1) txs.push(await commitTransaction(deps, sampleInput));
      const sync = newEngine();
      let first = true;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches') || !first) return;
        first = false;
        // The gateway stored all three, but the reply lists only the first.
        return editedReply(reply, (json: { results: Array<{ id: string }> }) => ({
          ...json,
          results: json.results.filter((result) => result.id === txs[0]?.txId),
        }));
      };
      await sync.trigger();
      expect(link.calls.filter((call) => call.endsWith('/batches'))).toHaveLength(2);
      const rows = await store.rows();
      expect(rows.map((row) => [row.state, row.attempts])).toEqual([
        ['delivered', 1],
        ['delivered', 2],
        ['delivered', 2],
      ]);
      expect(sync.status.lastDeliveryAt).toBeDefined();
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
    });

    it('takes a result for another seq as no result, and a reply with no usable result as a bad reply', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine();
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        return editedReply(reply, (json: { results: Array<{ seq: number }> }) => ({
          ...json,
          results: json.results.map((result) => ({ ...result, seq: result.seq + 10 })),
        }));
      };
      await sync.trigger();
      expect(sync.status.state).toBe('waiting');
      expect(sync.status.lastError).toMatch(/no item had a result/);
      expect((await store.rows()).map((row) => [row.state, row.attempts])).toEqual([['queued', 1]]);
    });

    it('marks a refused row rejected with the gateway reason and delivers the rest', async () => {
      const a = await commitTransaction(deps, sampleInput);
      const b = await commitTransaction(deps, sampleInput);
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        return editedReply(reply, (json: { results: Array<{ id: string; status: string }> }) => ({
          ...json,
          results: json.results.map((result) =>
            result.id === a.txId ? { id: result.id, seq: 1, status: 'rejected' } : result,
          ),
        }));
      };
      await newEngine().trigger();
      expect(await store.find({ txId: a.txId })).toMatchObject({
        state: 'rejected',
        rejectReason: 'rejected by the gateway',
        attempts: 1,
      });
      expect(await delivered(b.txId)).toBe(true);
    });

    it('rejects on the kiosk a row whose personal copy cannot be opened, and sends the others', async () => {
      const unreadable = await commitTransaction(
        { ...deps, dataKey: await importDataKey(new Uint8Array(32).fill(9)) },
        sampleInput,
      );
      const plain = await commitTransaction(deps, { ...sampleInput, personalFieldIds: [] });
      const sync = newEngine();
      await sync.trigger();
      expect(await store.find({ txId: unreadable.txId })).toMatchObject({
        state: 'rejected',
        rejectReason: 'personal-unreadable',
      });
      expect(await delivered(plain.txId)).toBe(true);
      expect(sync.status.lastError).toBeUndefined();
      // It never left the kiosk: the gateway holds the next record after a gap, and no alert.
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 0, awaiting: 1 });
      expect(await gateway.store.listTamperAlerts(kioskId)).toEqual([]);
    });

    it('stops the whole run, sending nothing, when there is no data key to open personal copies', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ dataKey: undefined });
      await sync.trigger();
      expect(sync.status.lastError).toMatch(/data key/);
      expect(link.calls.some((call) => call.endsWith('/batches'))).toBe(false);
      expect(await states()).toEqual(['queued']);
    });

    it('sends a long queue in several batches, in chain order, in one run', async () => {
      for (let i = 0; i < 12; i += 1) await commitTransaction(deps, sampleInput);
      const sync = newEngine({
        batchBytes: { initial: 3_000, min: 1_000, max: 3_000 },
        targetBatchMs: HOUR,
      });
      const seqs: number[][] = [];
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        return editedReply(reply, (json: { results: Array<{ seq: number }> }) => {
          seqs.push(json.results.map((result) => result.seq));
          return json;
        });
      };
      await sync.trigger();
      expect(seqs.length).toBeGreaterThan(2);
      expect(seqs.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 12, awaiting: 0 });
    });
  });

  describe('pace', () => {
    it('doubles the batch size after quick batches and halves it after slow ones, within bounds', async () => {
      for (let i = 0; i < 4; i += 1) await commitTransaction(deps, sampleInput);
      const bounds = { initial: 4_000, min: 2_000, max: 16_000 };
      const quick = newEngine({ batchBytes: bounds, targetBatchMs: HOUR });
      await quick.trigger();
      expect(quick.status.batchBytes).toBe(16_000);
      quick.stop();

      // Every batch now takes longer than the target: each halves the size, down to the minimum.
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const slow = newEngine({ batchBytes: { ...bounds, initial: 16_000 }, targetBatchMs: 1 });
      const sizes: number[] = [];
      for (let run = 0; run < 4; run += 1) {
        // The four rows fit one batch of any of these sizes; sending them again is a duplicate.
        await db.outbox.toCollection().modify({ state: 'queued' });
        await slow.trigger();
        sizes.push(slow.status.batchBytes);
      }
      expect(sizes).toEqual([8_000, 4_000, 2_000, 2_000]);
    });

    it('halves the batch size after a failed run, not below the minimum', async () => {
      await commitTransaction(deps, sampleInput);
      link.onReply = async (path) =>
        path.endsWith('/batches') ? new Response('busy', { status: 503 }) : undefined;
      const sync = newEngine({ batchBytes: { initial: 8_000, min: 4_000, max: 64_000 } });
      await sync.trigger();
      expect(sync.status.batchBytes).toBe(4_000);
      await sync.trigger();
      expect(sync.status.batchBytes).toBe(4_000);
    });

    it('backs off with a growing ceiling, honours Retry-After, and starts afresh after progress', async () => {
      await commitTransaction(deps, sampleInput);
      let now = 1_000_000;
      let busy: Response | undefined = new Response('busy', { status: 503 });
      link.onReply = async (path) => {
        if (!path.endsWith('/batches') || !busy) return;
        const reply = busy;
        busy = new Response('busy', { status: 503 });
        return reply;
      };
      const sync = newEngine({
        now: () => now,
        random: () => 0.999,
        backoffBaseMs: 1_000,
        backoffCapMs: 60_000,
      });
      const waits: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        await sync.trigger();
        waits.push((sync.status.nextAttemptAt ?? 0) - now);
        now += 1;
      }
      expect(waits).toEqual([999, 1_998, 3_996]);
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      expect(sync.status.lastError).toMatch(/503/);

      busy = new Response('slow down', { status: 429, headers: { 'retry-after': '30' } });
      await sync.trigger();
      expect((sync.status.nextAttemptAt ?? 0) - now).toBe(30_000);

      busy = undefined;
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
      expect(sync.status.nextAttemptAt).toBeUndefined();
      await commitTransaction(deps, sampleInput);
      busy = new Response('busy', { status: 503 });
      await sync.trigger();
      expect((sync.status.nextAttemptAt ?? 0) - now).toBe(999);
    });

    it('says the link is offline when the health probe fails, and online when it answers', async () => {
      const seen: EngineStatus['link'][] = [];
      const sync = newEngine();
      const off = sync.subscribe((status) => seen.push(status.link));
      link.down = true;
      await sync.trigger();
      expect(sync.status).toMatchObject({ link: 'offline', state: 'waiting' });
      expect(sync.status.lastError).toMatch(/did not answer/);
      link.down = false;
      await sync.trigger();
      expect(sync.status).toMatchObject({ link: 'online', state: 'idle' });
      off();
      link.down = true;
      await sync.trigger();
      expect(seen[0]).toBe('unknown');
      expect(seen).toContain('offline');
      expect(seen.at(-1)).toBe('online');
    });
  });

  describe('config and heartbeat', () => {
    it('hands each new config to the page, re-validates it by ETag only when due', async () => {
      let now = 5_000_000;
      const configs: KioskConfigReply[] = [];
      const sync = newEngine({
        now: () => now,
        configRefreshMs: 60_000,
        onConfig: (config) => configs.push(config),
      });
      await sync.trigger();
      expect(configs).toHaveLength(1);
      expect(configs[0]?.kioskId).toBe(kioskId);
      const cached = await store.readSetting('gateway-config');
      expect(cached).toMatchObject({ checkedAt: now, gatewayKey: configs[0]?.gatewayKey });
      expect(cached?.etag).toBeTruthy();

      link.calls.length = 0;
      now += 30_000;
      await sync.trigger();
      expect(link.calls.filter((call) => call.endsWith('/config'))).toEqual([]);

      now += 60_000;
      await sync.trigger();
      expect(link.calls.filter((call) => call.endsWith('/config'))).toHaveLength(1);
      // 304: nothing new for the page, the cache is marked checked now.
      expect(configs).toHaveLength(1);
      expect((await store.readSetting('gateway-config'))?.checkedAt).toBe(now);
    });

    it('cannot seal without a config: a 304 with nothing cached is an error', async () => {
      await commitTransaction(deps, sampleInput);
      link.onReply = async (path, reply) =>
        path.endsWith('/config')
          ? new Response(null, { status: 304, headers: reply.headers })
          : undefined;
      const sync = newEngine();
      await sync.trigger();
      expect(sync.status.lastError).toMatch(/gateway key/);
      expect(await states()).toEqual(['queued']);
    });

    it('runs beforeDrain with its client before sending anything', async () => {
      await commitTransaction(deps, sampleInput);
      const order: string[] = [];
      const sync = newEngine({
        beforeDrain: async (client) => {
          order.push(`before (${client === sync.client ? 'own client' : 'other client'})`);
          order.push(...link.calls.filter((call) => call.endsWith('/batches')));
        },
      });
      await sync.trigger();
      expect(order).toEqual(['before (own client)']);
      expect(await states()).toEqual(['delivered']);
    });

    it('sends a heartbeat with the queue figures after a good run, at most once per interval', async () => {
      let now = Date.now();
      await commitTransaction(deps, sampleInput);
      await commitTransaction(deps, sampleInput);
      await db.outbox.update(2, { state: 'rejected', rejectReason: 'test' });
      const beats: unknown[] = [];
      link.onReply = async (path, reply) => {
        if (path.endsWith('/heartbeat')) beats.push(path);
        return reply;
      };
      const sync = newEngine({
        now: () => now,
        heartbeatMs: 60_000,
        appVersion: '9.9.9',
        heartbeatExtras: async () => ({ siteId: 'site-1', configVersion: 'c1', devices: {} }),
      });
      await sync.trigger();
      expect(beats).toHaveLength(1);
      const last = await gateway.store.lastHeartbeat(kioskId);
      expect(last?.beat).toMatchObject({
        sentAt: new Date(now).toISOString(),
        queueDepth: 0,
        oldestQueuedAt: null,
        rejected: 1,
        deadLetters: 0,
        lastDeliveryAt: sync.status.lastDeliveryAt,
        appVersion: '9.9.9',
        siteId: 'site-1',
        configVersion: 'c1',
      });
      now += 1_000;
      await sync.trigger();
      expect(beats).toHaveLength(1);
      now += 60_000;
      await sync.trigger();
      expect(beats).toHaveLength(2);
    });
  });
});
