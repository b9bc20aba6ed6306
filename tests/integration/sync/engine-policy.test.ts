import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
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
import { SyncError } from '../../../sync/client/sync-error';
import type { SyncErrorCode } from '../../../sync/client/sync-error';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import type { KioskConfigReply } from '../../../sync/protocol/wire';
import { hashToken } from '../../../sync/server/app';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';
import {
  birthCertificate as sampleInput,
  openTestStore,
  personalValues,
} from '../../support/chain-fixture';
import { syncEventLogger } from '../../../sync/client/sync-events';

const kioskId = 'policy-kiosk-01';
const token = 'policy-token-0001';
const HOUR = 60 * 60_000;

/** What the engine asked of the link, and hooks to bend it (a fake for a flaky network). */
interface Link {
  fetch: FetchLike;
  calls: string[];
  down: boolean;
  /** Runs before a request goes out (to hold it while the test acts). */
  hold?: (path: string) => Promise<void>;
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
      await link.hold?.(path);
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

/** The seqs each v1 batch reply answers for, in the order the replies came (sets `onReply`). */
function batchSeqs(link: Link): number[][] {
  const batches: number[][] = [];
  link.onReply = async (path, reply) => {
    if (!path.endsWith('/batches')) return;
    return editedReply(reply, (json: { results: Array<{ seq: number }> }) => {
      batches.push(json.results.map((result) => result.seq));
      return json;
    });
  };
  return batches;
}

/** The status line a coded error leaves (`engine.status.lastError`). */
const message = (code: SyncErrorCode, reason?: string): string =>
  new SyncError(code, reason === undefined ? {} : { reason }).message;

/** A promise the test settles itself. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  let engines: SyncEngine[] = [];

  const newEngine = (options: Partial<SyncEngineOptions> = {}): SyncEngine => {
    const engine = new SyncEngine({
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
    engines.push(engine);
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
    for (const engine of engines) engine.stop();
    engines = [];
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

  describe('lifecycle', () => {
    it('starts idle, with the link unknown and 64 KB batches', () => {
      expect(newEngine().status).toEqual({ link: 'unknown', state: 'idle', batchBytes: 64 * 1024 });
    });

    it('says it is syncing while a run is under way, then idle', async () => {
      const seen: string[] = [];
      const sync = newEngine();
      sync.subscribe((status) => seen.push(status.state));
      await sync.trigger();
      expect(seen).toEqual(expect.arrayContaining(['idle', 'syncing']));
      expect(seen.indexOf('syncing')).toBeLessThan(seen.lastIndexOf('idle'));
      expect(sync.status.state).toBe('idle');
    });

    it('once started, runs at once and then every periodicMs, until stopped', async () => {
      const sync = newEngine({ periodicMs: 60 });
      sync.start();
      await waitFor(
        async () => link.calls.filter((call) => call.endsWith('/health')).length >= 3,
        'three runs',
      );
      sync.stop();
      const runs = link.calls.length;
      await sleep(200);
      expect(link.calls.length).toBe(runs);
    });

    it('tries again by itself after the back-off, and a success clears the error', async () => {
      const tx = await commitTransaction(deps, sampleInput);
      const sync = newEngine({ backoffBaseMs: 40, random: () => 0.999 });
      link.down = true;
      await sync.trigger();
      expect(sync.status.state).toBe('waiting');
      link.down = false;
      await waitFor(() => delivered(tx.txId), 'delivered by the retry timer');
      await waitFor(async () => sync.status.state === 'idle', 'idle');
      expect(sync.status.lastError).toBeUndefined();
    });

    it('does not go round again at once after a failed run, even when asked during it', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine();
      const probe = gate();
      link.hold = async (path) => {
        if (path.endsWith('/health')) await probe.opened;
      };
      link.down = true;
      const run = sync.trigger();
      await waitFor(async () => link.calls.length === 1, 'the probe on its way');
      void sync.trigger();
      probe.open();
      await run;
      expect(link.calls).toEqual(['GET /v1/health']);
      expect(sync.status.state).toBe('waiting');

      // The same when the gateway answers the probe but refuses the batch.
      link.down = false;
      link.hold = undefined;
      link.calls.length = 0;
      let asked = false;
      link.onReply = async (path) => {
        if (!path.endsWith('/batches')) return;
        if (!asked) {
          asked = true;
          void sync.trigger();
        }
        return new Response('busy', { status: 503 });
      };
      await sync.trigger();
      expect(link.calls.filter((call) => call.endsWith('/batches'))).toHaveLength(1);
      expect(link.calls.filter((call) => call.endsWith('/health'))).toHaveLength(1);
    });

    /** Starts a run held at its health probe, asks for another, stops, then lets it go on. */
    async function stopMidRun(sync: SyncEngine, probeFails: boolean): Promise<void> {
      const probe = gate();
      link.hold = async (path) => {
        if (path.endsWith('/health')) await probe.opened;
      };
      const run = sync.trigger();
      await waitFor(async () => link.calls.length === 1, 'the probe on its way');
      void sync.trigger();
      sync.stop();
      link.down = probeFails;
      probe.open();
      await run;
      await sleep(150);
    }
    const probes = () => link.calls.filter((call) => call.endsWith('/health')).length;

    it('finishes the run it is in when stopped, then stays stopped: no second round', async () => {
      const tx = await commitTransaction(deps, sampleInput);
      const sync = newEngine();
      await stopMidRun(sync, false);
      expect(await delivered(tx.txId)).toBe(true);
      expect(sync.status.state).toBe('stopped');
      expect(probes()).toBe(1);
      await sync.trigger();
      expect(probes()).toBe(1);
    });

    it('schedules no retry when stopped during a run that fails', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ backoffBaseMs: 20, random: () => 0.999 });
      await stopMidRun(sync, true);
      expect(sync.status.state).toBe('stopped');
      expect(sync.status.lastError).toBe(message('gateway-unreachable', 'health probe failed'));
      expect(probes()).toBe(1);
    });

    it('wakes on the online event once started, and stops listening when stopped', async () => {
      const events = new EventTarget();
      vi.stubGlobal('addEventListener', events.addEventListener.bind(events));
      vi.stubGlobal('removeEventListener', events.removeEventListener.bind(events));
      try {
        const sync = newEngine();
        sync.start();
        await waitFor(
          async () => sync.status.state === 'idle' && link.calls.length > 0,
          'first run',
        );
        const probes = () => link.calls.filter((call) => call.endsWith('/health')).length;
        expect(probes()).toBe(1);
        events.dispatchEvent(new Event('online'));
        await waitFor(async () => probes() === 2, 'a run on the online event');
        sync.stop();
        events.dispatchEvent(new Event('online'));
        await sleep(100);
        expect(probes()).toBe(2);
      } finally {
        vi.unstubAllGlobals();
      }
    });

    it('runs one kiosk engine beside another, each with its own lock', async () => {
      const other = openTestStore(`policy-other-${crypto.randomUUID()}`);
      await gateway.store.addEnrolmentToken('policy-kiosk-02', hashToken('token-02'));
      const otherEngine = newEngine({
        store: other.store,
        kioskId: 'policy-kiosk-02',
        keys: await loadOrCreateDeviceKey(other.store),
        enrolmentToken: 'token-02',
        fetch: (url, init) => fetch(url, init),
      });
      const sync = newEngine();
      // This kiosk's run waits, mid-run, for the other kiosk's whole run.
      link.hold = async (path) => {
        if (path.endsWith('/health')) await otherEngine.trigger();
      };
      await Promise.race([
        sync.trigger(),
        sleep(8_000).then(() => {
          throw new Error('the engines wait on one lock');
        }),
      ]);
      expect(otherEngine.status.link).toBe('online');
      other.store.close();
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
      await engines[0]?.trigger();
      expect(link.calls).not.toContain(`POST /v1/kiosks/${kioskId}/enrol`);
    });

    it('does not take a refused token for an enrolment, and sends nothing', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ enrolmentToken: 'not-the-token' });
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      // "The gateway answered with an error. (403 …)": the enrolment's own reply, not taken as done.
      expect(sync.status.lastError?.startsWith(message('gateway-error', '403').slice(0, -1))).toBe(
        true,
      );
      expect(await store.readSetting('enrolled')).toBeUndefined();
      expect(link.calls.some((call) => call.endsWith('/batches'))).toBe(false);
      expect(await states()).toEqual(['queued']);
    });

    it('without a token never asks the gateway and says why', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ enrolmentToken: undefined });
      await sync.trigger();
      expect(sync.status.lastError).toBe(message('enrolment-failed', 'no enrolment token'));
      expect(link.calls).toEqual(['GET /v1/health']);
    });
  });

  describe('start', () => {
    /** Holds the health probe until a batch is posted (or `ms`), noting batches posted meanwhile. */
    const heldProbe = (ms = 3_000) => {
      const probe = gate();
      setTimeout(probe.open, ms);
      const seen = { batchesWhileHeld: 0, held: true };
      link.hold = async (path) => {
        if (path.endsWith('/batches') && seen.held) {
          seen.batchesWhileHeld += 1;
          probe.open();
        }
        if (path === '/v1/health') {
          await probe.opened;
          seen.held = false;
        }
      };
      return seen;
    };

    it("waits for the probe on a kiosk's first run, then keeps the protocol it agreed", async () => {
      await commitTransaction(deps, sampleInput);
      const seen = heldProbe(300);
      const sync = newEngine();
      await sync.trigger();
      expect(seen.batchesWhileHeld).toBe(0);
      expect(sync.status).toMatchObject({ state: 'idle', link: 'online' });
      expect((await store.readSetting('gateway-config'))?.protocol).toBe(2);
    });

    it('on a kiosk that has drained before, sends the first batch without waiting for the probe', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      const tx = await commitTransaction(deps, sampleInput);
      // A restarted kiosk: a new engine on the same store.
      const seen = heldProbe();
      const sync = newEngine();
      await sync.trigger();
      expect(seen.batchesWhileHeld).toBe(1);
      expect(await delivered(tx.txId)).toBe(true);
      expect(link.calls.filter((call) => call.startsWith('POST /v2/'))).toHaveLength(2);
      expect(sync.status).toMatchObject({ state: 'idle', link: 'online' });
    });

    it('takes the time of the probe that leaves just before the first batch as the least round trip', async () => {
      // Protocol v1: a batch of 10 records is well over 2 KB on the wire, so its own time is no
      // round-trip sample (it gives the throughput instead).
      await commitTransaction(deps, sampleInput);
      await newEngine({ maxProtocol: 1 }).trigger();
      for (let i = 0; i < 10; i += 1) await commitTransaction(deps, sampleInput);
      link.calls.length = 0;
      // A restarted kiosk: its probe leaves first and the first batch just after, so the probe's
      // bytes are ahead of the batch's at the link's bottleneck: 1.6 s is a round trip and a
      // handshake, the same as a probe alone on a new connection.
      let now = Date.now();
      link.hold = async (path) => {
        if (path === '/v1/health') now += 1_600;
        if (path.endsWith('/batches')) now += 3_000;
      };
      const sync = newEngine({
        maxProtocol: 1,
        now: () => now,
        // No heartbeat: its own small exchange would give the least round trip.
        heartbeatMs: Number.POSITIVE_INFINITY,
        heartbeatOnChangeMs: Number.POSITIVE_INFINITY,
      });
      await sync.trigger();
      expect(await states()).toEqual(Array(11).fill('delivered'));
      expect(link.calls).toEqual(['GET /v1/health', `POST /v1/kiosks/${kioskId}/batches`]);
      // Without it no exchange of the whole drain would give the least round trip (every one is
      // a batch), and each batch's transfer would count the round trip: batches too small.
      expect(sync.link.minRttMs).toBe(1_600);
      expect(sync.link.rttMs).toBe(1_600);
      expect(sync.link.bytesPerSecond).toBeDefined();
    });

    it('shows the link down when neither the probe nor the first batch got through', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      await commitTransaction(deps, sampleInput);
      link.down = true;
      const sync = newEngine();
      await sync.trigger();
      expect(sync.status).toMatchObject({
        state: 'waiting',
        link: 'offline',
        lastError: message('gateway-unreachable', 'health probe failed'),
      });
      expect(await states()).toEqual(['delivered', 'queued']);
      // Only the probe failing, with the batch answered, is no reason to say the link is down.
      link.down = false;
      link.hold = async (path) => {
        if (path === '/v1/health') throw new TypeError('fetch failed');
      };
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'idle', link: 'online' });
      expect(await states()).toEqual(['delivered', 'delivered']);
    });
  });

  describe('results', () => {
    // These edit the per-record results of a v1 reply; v2's compact reply is expanded to the same
    // results (tests/integration/sync/protocol-v2.test.ts), so the policy is tested once, on v1.
    const v1 = { maxProtocol: 1 } as const;
    it('sends again, in the next pass of the same run, the rows a reply left without a result', async () => {
      const txs: Array<{ txId: string }> = [];
      for (let i = 0; i < 3; i += 1) txs.push(await commitTransaction(deps, sampleInput));
      const sync = newEngine(v1);
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
      const sync = newEngine(v1);
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        return editedReply(reply, (json: { results: Array<{ seq: number }> }) => ({
          ...json,
          results: json.results.map((result) => ({ ...result, seq: result.seq + 10 })),
        }));
      };
      await sync.trigger();
      expect(sync.status.state).toBe('waiting');
      expect(sync.status.lastError).toBe(message('bad-reply', 'no item had a result'));
      expect(sync.status.lastDeliveryAt).toBeUndefined();
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
      await newEngine(v1).trigger();
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
      expect(sync.status.lastError).toBe(message('no-data-key'));
      expect(link.calls.some((call) => call.endsWith('/batches'))).toBe(false);
      expect(await states()).toEqual(['queued']);
    });

    it('sends nothing for a batch whose every row is unreadable, and goes on with the next', async () => {
      const unreadable = await commitTransaction(
        { ...deps, dataKey: await importDataKey(new Uint8Array(32).fill(9)) },
        sampleInput,
      );
      const plain = await commitTransaction(deps, { ...sampleInput, personalFieldIds: [] });
      // Smaller than one record: every batch holds exactly one row, however large.
      const sync = newEngine({ batchBytes: { initial: 300, min: 300, max: 300 } });
      await sync.trigger();
      expect(link.calls.filter((call) => call.endsWith('/batches'))).toHaveLength(1);
      expect((await store.find({ txId: unreadable.txId }))?.state).toBe('rejected');
      expect(await delivered(plain.txId)).toBe(true);
    });

    it('keeps the results that arrived when a later batch of the same run fails', async () => {
      const txs = [];
      for (let i = 0; i < 3; i += 1) txs.push(await commitTransaction(deps, sampleInput));
      let posts = 0;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        posts += 1;
        return posts === 2 ? new Response('busy', { status: 503 }) : reply;
      };
      const sync = newEngine({
        batchBytes: { initial: 300, min: 300, max: 300 },
        batchesInFlight: 1,
      });
      await sync.trigger();
      expect(posts).toBe(2);
      expect(await states()).toEqual(['delivered', 'queued', 'queued']);
      expect(sync.status.state).toBe('waiting');
    });

    describe('two batches on the wire', () => {
      /** The link's fetch, with the n-th batch POST (1-based) given to `fault` instead. */
      const faultyBatch = (
        n: number,
        fault: (url: string, init?: RequestInit) => Promise<Response>,
      ): FetchLike => {
        let posts = 0;
        return async (url, init) => {
          if (new URL(url).pathname.endsWith('/batches') && ++posts === n) return fault(url, init);
          return link.fetch(url, init);
        };
      };

      it("keeps the later batch's results when the earlier fails, and the gateway chains it once the gap closes", async () => {
        const txs = [];
        for (let i = 0; i < 3; i += 1) txs.push(await commitTransaction(deps, sampleInput));
        // The second batch never reaches the gateway: a proxy in front of it answers 503, once
        // the third is on the wire (the first's answer freed its place).
        let thirdSent: () => void = () => undefined;
        const third = new Promise<void>((resolve) => (thirdSent = resolve));
        const faulty = faultyBatch(2, async () => {
          await third;
          return new Response('busy', { status: 503 });
        });
        let posts = 0;
        const sync = newEngine({
          batchBytes: { initial: 300, min: 300, max: 300 },
          fetch: async (url, init) => {
            if (new URL(url).pathname.endsWith('/batches') && ++posts === 3) thirdSent();
            return faulty(url, init);
          },
        });
        await sync.trigger();
        // The third batch was on the wire when the second failed: the gateway holds it.
        expect(await states()).toEqual(['delivered', 'queued', 'delivered']);
        expect(sync.status.state).toBe('waiting');
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 1, awaiting: 1 });
        await sync.trigger();
        expect(await states()).toEqual(['delivered', 'delivered', 'delivered']);
        const stored = await gateway.store.listRecords(kioskId);
        expect(stored.map((record) => record.body.txId)).toEqual(txs.map((tx) => tx.txId));
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
      });

      it('sends a batch whose connection was reset again at once, while the next is on the wire, in the same run', async () => {
        const txs = [];
        for (let i = 0; i < 3; i += 1) txs.push(await commitTransaction(deps, sampleInput));
        const sync = newEngine({
          batchBytes: { initial: 300, min: 300, max: 300 },
          fetch: faultyBatch(2, async () => {
            throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
          }),
        });
        await sync.trigger();
        expect(sync.status.state).toBe('idle');
        expect(sync.status.lastError).toBeUndefined();
        expect(await states()).toEqual(['delivered', 'delivered', 'delivered']);
        // Batches 1 and 2 went, 2 was reset; 3 went while 2 was sent again.
        const batches = link.calls.filter((call) => call.endsWith('/batches'));
        expect(batches).toHaveLength(3);
        const stored = await gateway.store.listRecords(kioskId);
        expect(stored.map((record) => record.body.txId)).toEqual(txs.map((tx) => tx.txId));
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
      });

      it('ingests exactly once, in chain order, batches that reach the gateway in the wrong order', async () => {
        const txs = [];
        for (let i = 0; i < 4; i += 1) txs.push(await commitTransaction(deps, sampleInput));
        // The first batch is held on the link until the second has been answered.
        const secondAnswered = gate();
        let posts = 0;
        let arrivals: number[] = [];
        const fetchInOrder: FetchLike = async (url, init) => {
          if (!new URL(url).pathname.endsWith('/batches')) return link.fetch(url, init);
          const n = ++posts;
          if (n === 1) await secondAnswered.opened;
          arrivals = [...arrivals, n];
          const reply = await link.fetch(url, init);
          if (n === 2) secondAnswered.open();
          return reply;
        };
        const sync = newEngine({
          batchBytes: { initial: 300, min: 300, max: 300 },
          fetch: fetchInOrder,
        });
        await sync.trigger();
        expect(arrivals.slice(0, 2)).toEqual([2, 1]);
        expect(sync.status.state).toBe('idle');
        expect(await states()).toEqual(Array(4).fill('delivered'));
        const stored = await gateway.store.listRecords(kioskId);
        expect(stored.map((record) => record.body.txId)).toEqual(txs.map((tx) => tx.txId));
        expect(stored.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });
        expect(await gateway.store.listTamperAlerts(kioskId)).toEqual([]);
      });

      it('backs off after four resets of one batch in a row, and delivers it on the next run', async () => {
        await commitTransaction(deps, sampleInput);
        let resets = 0;
        const sync = newEngine({
          fetch: async (url, init) => {
            if (new URL(url).pathname.endsWith('/batches') && resets < 4) {
              resets += 1;
              throw new TypeError('fetch failed');
            }
            return link.fetch(url, init);
          },
        });
        await sync.trigger();
        expect(resets).toBe(4);
        expect(sync.status.state).toBe('waiting');
        await sync.trigger();
        expect(await states()).toEqual(['delivered']);
      });
      it('sends the next batch when any batch on the wire is answered, not only the oldest', async () => {
        for (let i = 0; i < 3; i += 1) await commitTransaction(deps, sampleInput);
        // The first batch's reply is held until a third batch has gone (or 3 s have passed: an
        // engine that waits for the oldest would send nothing more until it is answered).
        const third = gate();
        setTimeout(third.open, 3_000);
        let posts = 0;
        let thirdBeforeFirstAnswer = false;
        link.hold = async (path) => {
          if (!path.endsWith('/batches')) return;
          posts += 1;
          if (posts === 3) third.open();
          if (posts === 1) {
            await third.opened;
            thirdBeforeFirstAnswer = posts >= 3;
          }
        };
        const sync = newEngine({ ...v1, batchBytes: { initial: 300, min: 300, max: 300 } });
        await sync.trigger();
        expect(thirdBeforeFirstAnswer).toBe(true);
        expect(await states()).toEqual(['delivered', 'delivered', 'delivered']);
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 3, awaiting: 0 });
      });

      it('takes a batch made ready before an answer raised the size again, at the new size', async () => {
        for (let i = 0; i < 12; i += 1) await commitTransaction(deps, sampleInput);
        const batches = batchSeqs(link);
        // One record per batch at first; each quick answer lets the size grow fourfold.
        const sync = newEngine({
          ...v1,
          batchBytes: { initial: 1_000, min: 500, max: 4_000 },
          targetBatchMs: HOUR,
        });
        await sync.trigger();
        const inOrder = [...batches].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
        expect(inOrder.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        // The first two went together at the first size; the third, made ready meanwhile at that
        // size, was taken again at the size the first answer allowed.
        expect(inOrder.slice(0, 2).map((batch) => batch.length)).toEqual([1, 1]);
        expect(inOrder[2]?.length).toBeGreaterThan(1);
        expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 12, awaiting: 0 });
      });
    });

    it('writes the results it has when the next batch cannot even be prepared', async () => {
      const plain = await commitTransaction(deps, { ...sampleInput, personalFieldIds: [] });
      await commitTransaction(deps, sampleInput);
      // No data key: the second row's personal copy cannot be sealed, so its batch fails.
      const sync = newEngine({
        dataKey: undefined,
        batchBytes: { initial: 300, min: 300, max: 300 },
      });
      await sync.trigger();
      // The first batch's results are in before the run reports its failure.
      expect(sync.status.lastDeliveryAt).toBeDefined();
      expect(sync.status.lastError).toBe(message('no-data-key'));
      expect(await delivered(plain.txId)).toBe(true);
      expect(await states()).toEqual(['delivered', 'queued']);
    });

    it('backs off when an earlier batch of the run had a useless reply, even if later ones went well', async () => {
      for (let i = 0; i < 3; i += 1) await commitTransaction(deps, sampleInput);
      let posts = 0;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        posts += 1;
        if (posts > 1) return reply;
        return editedReply(reply, (json: { results: unknown[] }) => ({ ...json, results: [] }));
      };
      const sync = newEngine({ ...v1, batchBytes: { initial: 300, min: 300, max: 300 } });
      await sync.trigger();
      expect(sync.status.lastError).toBe(message('bad-reply', 'no item had a result'));
      expect(sync.status.state).toBe('waiting');
      expect((await store.rows())[0]).toMatchObject({ state: 'queued', attempts: 1 });
    });

    it('backs off from the start after a failure that follows progress in the same run', async () => {
      for (let i = 0; i < 2; i += 1) await commitTransaction(deps, sampleInput);
      let now = 2_000_000;
      let posts = 0;
      const sync = newEngine({
        now: () => now,
        random: () => 0.999,
        backoffBaseMs: 1_000,
        batchBytes: { initial: 300, min: 300, max: 300 },
      });
      link.down = true;
      await sync.trigger();
      await sync.trigger();
      expect((sync.status.nextAttemptAt ?? 0) - now).toBe(1_998);
      link.down = false;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        posts += 1;
        return posts === 2 ? new Response('busy', { status: 503 }) : reply;
      };
      now += 1;
      await sync.trigger();
      expect(await states()).toEqual(['delivered', 'queued']);
      expect((sync.status.nextAttemptAt ?? 0) - now).toBe(999);
    });

    it('backs off like any failure when the kiosk cannot write results, and recovers', async () => {
      const tx = await commitTransaction(deps, sampleInput);
      let failures = 1;
      const failing = new Proxy(store, {
        get(target, property) {
          if (property === 'settle' && failures > 0) {
            failures -= 1;
            return async () => {
              throw new Error('QuotaExceededError: the disk is full');
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
      const sync = newEngine({ store: failing });
      await sync.trigger();
      expect(sync.status).toMatchObject({
        state: 'waiting',
        lastError: 'QuotaExceededError: the disk is full',
      });
      await sync.trigger();
      expect(await delivered(tx.txId)).toBe(true);
    });

    it('sends a long queue in several batches, in chain order, in one run', async () => {
      for (let i = 0; i < 12; i += 1) await commitTransaction(deps, sampleInput);
      const sync = newEngine({
        ...v1,
        batchBytes: { initial: 3_000, min: 1_000, max: 3_000 },
        targetBatchMs: HOUR,
      });
      const seqs = batchSeqs(link);
      await sync.trigger();
      expect(seqs.length).toBeGreaterThan(2);
      expect(seqs.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 12, awaiting: 0 });
    });
  });

  describe('pace', () => {
    it('grows the batch size after quick batches and halves it after slow ones, within bounds', async () => {
      for (let i = 0; i < 4; i += 1) await commitTransaction(deps, sampleInput);
      const bounds = { initial: 4_000, min: 2_000, max: 16_000 };
      const quick = newEngine({ batchBytes: bounds, targetBatchMs: HOUR });
      await quick.trigger();
      expect(quick.status.batchBytes).toBe(16_000);
      quick.stop();

      // Every batch now takes far longer than the target (the probe none): each halves the
      // size, down to the minimum.
      let now = Date.now();
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) now += 10_000;
      };
      const slow = newEngine({
        now: () => now,
        batchBytes: { ...bounds, initial: 16_000 },
        targetBatchMs: 1_000,
      });
      const sizes: number[] = [];
      for (let run = 0; run < 4; run += 1) {
        // The four rows fit one batch of any of these sizes; sending them again is a duplicate.
        await db.outbox.toCollection().modify({ state: 'queued' });
        await slow.trigger();
        sizes.push(slow.status.batchBytes);
      }
      expect(sizes).toEqual([8_000, 4_000, 2_000, 2_000]);
    });

    it("keeps the link's pace across a restart: the next engine starts where the last one got to", async () => {
      // Enough for batches whose gzip'd bodies are throughput samples (2 KB or more).
      for (let i = 0; i < 80; i += 1) await commitTransaction(deps, sampleInput);
      const bounds = { initial: 24_000, min: 8_000, max: 512_000 };
      const first = newEngine({ batchBytes: bounds, targetBatchMs: HOUR });
      expect(first.status.batchBytes).toBe(24_000);
      await first.trigger();
      first.stop();
      const kept = await store.readSetting('link-estimate');
      expect(kept?.batchBytes).toBeGreaterThan(24_000);
      // The size set after the last full batch (the queue's last, small batch does not count).
      expect(kept?.batchBytes).toBeLessThanOrEqual(first.status.batchBytes);
      expect(kept?.bytesPerSecond).toBeGreaterThan(0);

      // A restart (a new engine on the same store): before its first batch, it is already at
      // the kept size and the kept throughput, not at 24,000 and the 20 s initial timeout.
      await commitTransaction(deps, sampleInput);
      const sizes: number[] = [];
      link.hold = async (path) => {
        if (path.endsWith('/batches')) sizes.push(second.status.batchBytes);
      };
      const second = newEngine({ batchBytes: bounds, targetBatchMs: HOUR });
      await second.trigger();
      expect(sizes[0]).toBe(kept?.batchBytes);
      expect(second.link.timeoutFor(0)).toBeLessThan(20_000);

      // An estimate that no longer parses is ignored: the next engine starts afresh.
      await db.meta.put({ key: 'link-estimate', value: { at: 'yesterday' } } as never);
      const third = newEngine({ batchBytes: bounds, targetBatchMs: HOUR });
      expect(third.status.batchBytes).toBe(24_000);
      await commitTransaction(deps, sampleInput);
      await third.trigger();
      expect(await states()).not.toContain('queued');
    });

    it('tells the link policy what the pass has drained after each full batch: bytes answered since its first batch left', async () => {
      for (let i = 0; i < 5; i += 1) await commitTransaction(deps, sampleInput);
      // A row's size as the batch limit counts it (a sealed personal copy at 1.4 times).
      const rows = await store.rows();
      const size = new Map(
        rows.map((row) => [
          row.seq,
          canonicalJson(row.record).length * (row.personalLocal ? 1.4 : 1),
        ]),
      );
      // Two rows fill a batch; the fifth goes alone, in a batch under half its limit.
      const limit = Math.floor(2.5 * (size.get(1) ?? 0));
      const batches = batchSeqs(link);
      let now = Date.now();
      link.hold = async (path) => {
        // The config is fetched (for the gateway key) while the first batch is prepared: before
        // the pass's first batch leaves, so not part of its drain time.
        if (path.endsWith('/config')) now += 5_000;
        // Each batch is on the link for 1 s.
        if (path.endsWith('/batches')) now += 1_000;
      };
      const sync = newEngine({
        maxProtocol: 1,
        now: () => now,
        batchesInFlight: 1,
        batchBytes: { initial: limit, min: limit, max: limit },
      });
      const answered = vi.spyOn(sync.link, 'batchAnswered');
      await sync.trigger();
      expect(await states()).toEqual(Array(5).fill('delivered'));
      expect(batches).toEqual([[1, 2], [3, 4], [5]]);
      const bytesOf = (seqs: number[]) => seqs.reduce((sum, seq) => sum + (size.get(seq) ?? 0), 0);
      expect(answered.mock.calls).toEqual([
        // Its own bytes (a sample of the transfer estimate), and what the pass has drained.
        [1_000, limit, { bytes: bytesOf([1, 2]), drainedBytes: bytesOf([1, 2]), drainedMs: 1_000 }],
        // From the first batch's departure, not this one's.
        [
          1_000,
          limit,
          { bytes: bytesOf([3, 4]), drainedBytes: bytesOf([1, 2, 3, 4]), drainedMs: 2_000 },
        ],
        // Cut short by the queue's end: it says nothing of the link.
        [1_000, limit, undefined],
      ]);
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

    it('grows the batch under half the target time, shrinks it over the target, else keeps it', async () => {
      let now = Date.now();
      let took = 0;
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) now += took;
      };
      // A limit below one record's size: each batch holds one record and is full.
      const sync = newEngine({
        now: () => now,
        targetBatchMs: 1_000,
        batchBytes: { initial: 400, min: 100, max: 1_000_000 },
      });
      const sizes: number[] = [];
      for (const ms of [400, 500, 600, 1_000, 1_001]) {
        took = ms;
        await commitTransaction(deps, sampleInput);
        await sync.trigger();
        sizes.push(sync.status.batchBytes);
      }
      // 400 ms: under half, so the next is sized to take 750 ms (×1.875); 500: exactly half
      // (keep); 600, 1000: keep; 1001: over, sized to take 750 ms again (×0.749).
      expect(sizes).toEqual([750, 750, 750, 750, 561]);
    });

    it('keeps its batch size through a day of single sends, so the drain after an outage starts there', async () => {
      let now = Date.now();
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) now += 50;
      };
      const sync = newEngine({ now: () => now, targetBatchMs: 1_000 });
      const initial = sync.status.batchBytes;
      // Each citizen's transaction goes as it is made: one record, answered at once.
      for (let i = 0; i < 6; i += 1) {
        await commitTransaction(deps, sampleInput);
        await sync.trigger();
      }
      expect(await store.countQueued()).toBe(0);
      expect(sync.status.batchBytes).toBe(initial);
    });

    it('by default backs off from under a second up to five minutes, and batches shrink to 8 KB', async () => {
      const now = 3_000_000;
      const sync = newEngine({
        now: () => now,
        random: () => 0.999,
        backoffBaseMs: undefined,
        backoffCapMs: undefined,
      });
      link.down = true;
      const waits: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        await sync.trigger();
        waits.push((sync.status.nextAttemptAt ?? 0) - now);
      }
      expect(waits[0]).toBe(999);
      expect(waits.at(-1)).toBe(Math.floor(0.999 * 5 * 60_000));
      sync.stop();

      await commitTransaction(deps, sampleInput);
      link.down = false;
      link.onReply = async (path) =>
        path.endsWith('/batches') ? new Response('busy', { status: 503 }) : undefined;
      const shrinking = newEngine({ batchBytes: undefined });
      const sizes: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        await shrinking.trigger();
        sizes.push(shrinking.status.batchBytes);
      }
      expect(sizes).toEqual([32 * 1024, 16 * 1024, 8 * 1024, 8 * 1024]);
    });

    it('says the link is offline when the health probe fails, and online when it answers', async () => {
      const seen: EngineStatus['link'][] = [];
      const sync = newEngine();
      const off = sync.subscribe((status) => seen.push(status.link));
      link.down = true;
      await sync.trigger();
      expect(sync.status).toMatchObject({ link: 'offline', state: 'waiting' });
      expect(sync.status.lastError).toBe(message('gateway-unreachable', 'health probe failed'));
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

  describe('events for the operator', () => {
    it('logs the link going down and up and a failing sync once per change, not per retry, with no personal data', async () => {
      const lines: string[] = [];
      const sync = newEngine({ backoffBaseMs: 1, backoffCapMs: 1 });
      sync.subscribe(syncEventLogger((level, message) => lines.push(`${level} ${message}`)));
      await sync.trigger();
      expect(lines).toEqual(['info sync: link up']);
      // The gateway is killed; a citizen's transaction is queued; Sync now, then retries.
      link.down = true;
      await commitTransaction(deps, sampleInput);
      await sync.syncNow();
      await sync.trigger();
      await sync.trigger();
      expect(lines.slice(1)).toEqual([
        `error sync failed: ${message('gateway-unreachable', 'health probe failed')} (retrying with back-off)`,
        'warn sync: link down (the gateway does not answer)',
      ]);
      // The gateway answers but refuses batches: a new kind of failure is a new line, once.
      link.down = false;
      link.onReply = async (path, reply) =>
        path.endsWith('/batches') ? new Response('busy', { status: 500 }) : reply;
      await sync.trigger();
      await sync.trigger();
      expect(lines.slice(3, 4)).toEqual(['info sync: link up again']);
      expect(lines.slice(4).filter((l) => l.startsWith('error sync failed'))).toHaveLength(1);
      link.onReply = undefined;
      await sync.trigger();
      expect(await states()).toEqual(['delivered']);
      expect(lines.at(-1)).toBe('info sync: delivering again');
      expect(lines).toHaveLength(6);
      for (const value of personalValues) expect(lines.join('\n')).not.toContain(value);
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

    it('re-checks the config at once on Sync now, and says when it was last confirmed', async () => {
      let now = 7_000_000;
      const sync = newEngine({ now: () => now, configRefreshMs: HOUR, onConfig: () => undefined });
      expect(sync.status.configAt).toBeUndefined();
      await sync.trigger();
      expect(sync.status.configAt).toBe(now);
      const configCalls = () => link.calls.filter((call) => call.endsWith('/config')).length;
      now += 1_000;
      await sync.trigger();
      expect(configCalls()).toBe(1);
      now += 1_000;
      await sync.syncNow();
      expect(configCalls()).toBe(2);
      expect(sync.status.configAt).toBe(now);
      now += 1_000;
      await sync.trigger();
      expect(configCalls()).toBe(2);

      // A new engine (a reload) takes the cached config's time without asking again.
      const reloaded = newEngine({
        now: () => now,
        configRefreshMs: HOUR,
        onConfig: () => undefined,
      });
      await reloaded.trigger();
      expect(configCalls()).toBe(2);
      expect(reloaded.status.configAt).toBe(now - 1_000);
    });

    it('re-validates the config every 45 s by default', async () => {
      let now = 8_000_000;
      const sync = newEngine({ now: () => now, onConfig: () => undefined });
      const configCalls = () => link.calls.filter((call) => call.endsWith('/config')).length;
      await sync.trigger();
      now += 44_999;
      await sync.trigger();
      expect(configCalls()).toBe(1);
      now += 1;
      await sync.trigger();
      expect(configCalls()).toBe(2);
    });

    it('asks for no config when nothing needs sealing and nobody listens for it', async () => {
      await commitTransaction(deps, { ...sampleInput, personalFieldIds: [] });
      await newEngine().trigger();
      expect(await states()).toEqual(['delivered']);
      expect(link.calls.filter((call) => call.endsWith('/config'))).toEqual([]);
    });

    it('cannot seal without a config: a 304 with nothing cached is an error', async () => {
      await commitTransaction(deps, sampleInput);
      link.onReply = async (path, reply) =>
        path.endsWith('/config')
          ? new Response(null, { status: 304, headers: reply.headers })
          : undefined;
      const sync = newEngine();
      await sync.trigger();
      expect(sync.status.lastError).toBe(message('no-gateway-key', '304 without a cached config'));
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

    it('reports a drained queue in a heartbeat at once, not 5 minutes later, at most once per heartbeatOnChangeMs', async () => {
      let now = Date.now();
      const beats: unknown[] = [];
      let commitDuringRun = true;
      // A citizen submits after the run's drain, just before its heartbeat: the beat says Queue 1.
      const racingStore = new Proxy(store, {
        get(target, key) {
          if (key === 'figures') {
            return async () => {
              if (commitDuringRun) {
                commitDuringRun = false;
                await commitTransaction(deps, sampleInput);
              }
              return target.figures();
            };
          }
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
      link.onReply = async (path, reply) => {
        if (path.endsWith('/heartbeat')) {
          beats.push((await gateway.store.lastHeartbeat(kioskId))?.beat);
        }
        return reply;
      };
      const sync = newEngine({ now: () => now, store: racingStore });
      await sync.trigger();
      expect(beats).toHaveLength(1);
      expect(beats[0]).toMatchObject({ queueDepth: 1 });
      // The next run delivers it: the dashboard hears "0 waiting" from this run, not in 5 minutes.
      now += 20_000;
      await sync.trigger();
      expect(await states()).toEqual(['delivered']);
      expect(beats).toHaveLength(2);
      expect(beats[1]).toMatchObject({ queueDepth: 0, oldestQueuedAt: null });
      // Nothing changed: no extra heartbeat.
      now += 1_000;
      await sync.trigger();
      expect(beats).toHaveLength(2);
      // A change within 15 s of the last heartbeat waits for a later run.
      await commitTransaction(deps, sampleInput);
      await db.outbox.update(2, { state: 'rejected', rejectReason: 'test' });
      now += 1_000;
      await sync.trigger();
      expect(beats).toHaveLength(2);
      now += 13_000;
      await sync.trigger();
      expect(beats).toHaveLength(3);
      expect(beats[2]).toMatchObject({ queueDepth: 0, rejected: 1 });
    });

    it('sends a heartbeat at most every 5 minutes by default, and a lost one costs no back-off', async () => {
      let now = Date.now();
      const beats: unknown[] = [];
      let lose = false;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/heartbeat')) return;
        if (lose) return new Response('oops', { status: 500 });
        beats.push((await gateway.store.lastHeartbeat(kioskId))?.beat);
        return reply;
      };
      await commitTransaction(deps, sampleInput);
      const sync = newEngine({ now: () => now, appVersion: undefined });
      lose = true;
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
      lose = false;
      now += 1;
      await sync.trigger();
      expect(beats).toHaveLength(1);
      expect(beats[0]).toMatchObject({ appVersion: 'unknown', queueDepth: 0 });
      now += 5 * 60_000 - 1;
      await sync.trigger();
      expect(beats).toHaveLength(1);
      now += 1;
      await sync.trigger();
      expect(beats).toHaveLength(2);
    });
  });

  describe('status look-ups', () => {
    it('looks up decisions on its own client, and says the link is down only when the gateway did not answer', async () => {
      const tx = await commitTransaction(deps, sampleInput);
      const sync = newEngine();
      await sync.trigger();
      expect(sync.status.link).toBe('online');
      const statusCalls = () => link.calls.filter((call) => call.startsWith('GET /v1/status'));

      link.down = true;
      await expect(sync.lookupDecisions([tx.ref])).rejects.toMatchObject({
        code: 'gateway-unreachable',
      });
      expect(sync.status.link).toBe('offline');
      expect(statusCalls()).toHaveLength(1);

      link.down = false;
      const reply = await sync.lookupDecisions([tx.ref]);
      expect(reply.statuses).toEqual([expect.objectContaining({ ref: tx.ref, state: 'received' })]);
      expect(sync.status.link).toBe('online');

      // A refusal is an answer: the look-up fails, the link stays up.
      link.onReply = async (path) =>
        path === '/v1/status'
          ? new Response('{"error":"bad-request"}', { status: 400 })
          : undefined;
      await expect(sync.lookupDecisions([tx.ref])).rejects.toMatchObject({ code: 'gateway-error' });
      expect(sync.status.link).toBe('online');
      expect(statusCalls()).toHaveLength(3);
    });
  });
  describe('attacks on the drain', () => {
    /** The store, with `faults[method]` run in place of that method while it is set. */
    const faultyStore = (
      faults: Partial<Record<keyof OutboxStore, (...args: unknown[]) => Promise<unknown>>>,
    ): OutboxStore =>
      new Proxy(store, {
        get(target, property) {
          const fault = faults[property as keyof OutboxStore];
          const value: unknown = Reflect.get(target, property, target);
          if (typeof value !== 'function') return value;
          const own = (value as (...args: unknown[]) => unknown).bind(target);
          return fault ? (...args: unknown[]) => fault(...args) : own;
        },
      });
    /** The health reply of a gateway rolled back to protocol v1. */
    const v1Health = () =>
      new Response(JSON.stringify({ ok: true, protocol: 1 }), {
        headers: { 'content-type': 'application/json' },
      });
    const reset = () => new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
    const oneRowBatches = { batchBytes: { initial: 300, min: 300, max: 300 } } as const;

    it('says the link is down, and backs off, when the probe fails and nothing else went to the gateway', async () => {
      await commitTransaction(deps, sampleInput);
      const sync = newEngine();
      await sync.trigger();
      expect((await store.readSetting('gateway-config'))?.protocol).toBe(2);
      // The queue is empty, the heartbeat and the refused-record check are not due: the probe is
      // the run's only exchange, and it fails.
      link.down = true;
      await sync.trigger();
      expect(sync.status).toMatchObject({
        link: 'offline',
        state: 'waiting',
        lastError: message('gateway-unreachable', 'health probe failed'),
      });
    });
    it('ends the run with a back-off, not a rejection, when the kiosk cannot keep the protocol the probe found', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      const cached = await store.readSetting('gateway-config');
      // A kiosk updated from a version that cached no protocol: it waits for the probe, then keeps it.
      if (cached) await store.writeSetting('gateway-config', { ...cached, protocol: undefined });
      await commitTransaction(deps, sampleInput);
      const full = faultyStore({
        writeSetting: async () => {
          throw new Error('QuotaExceededError: the disk is full');
        },
      });
      const sync = newEngine({ store: full });
      await expect(sync.trigger()).resolves.toBeUndefined();
      expect(sync.status).toMatchObject({
        state: 'waiting',
        link: 'online',
        lastError: 'QuotaExceededError: the disk is full',
      });

      // A gateway rolled back to v1, seen by a kiosk that sends beside the probe: the same.
      const drained = newEngine();
      await drained.trigger();
      expect((await store.readSetting('gateway-config'))?.protocol).toBe(2);
      await commitTransaction(deps, sampleInput);
      link.onReply = async (path) => (path === '/v1/health' ? v1Health() : undefined);
      const rolledBack = newEngine({ store: full });
      await expect(rolledBack.trigger()).resolves.toBeUndefined();
      expect(rolledBack.status).toMatchObject({ state: 'waiting', link: 'online' });
    });

    it('ends the run with a back-off, not a rejection, when the kiosk cannot read its settings at the start', async () => {
      await commitTransaction(deps, sampleInput);
      let failures = 1;
      const flaky = faultyStore({
        readSetting: async (...args: unknown[]) => {
          if (failures-- > 0) throw new Error('DatabaseClosedError: the database was closed');
          return store.readSetting(...(args as unknown as ['enrolled']));
        },
      });
      const sync = newEngine({ store: flaky });
      await expect(sync.trigger()).resolves.toBeUndefined();
      expect(sync.status).toMatchObject({
        state: 'waiting',
        // Nothing was asked of the gateway: the link is as unknown as before.
        link: 'unknown',
        lastError: 'DatabaseClosedError: the database was closed',
      });
      expect(await states()).toEqual(['queued']);
    });
    it("writes a batch's results when the batch answered before it had a useless reply", async () => {
      for (let i = 0; i < 3; i += 1) await commitTransaction(deps, sampleInput);
      // Batches 1 and 2 are on the wire together; 1 is answered first, with no usable result.
      const firstAnswered = gate();
      let posts = 0;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        posts += 1;
        if (posts === 1) {
          setTimeout(firstAnswered.open, 50);
          return editedReply(reply, (json: { results: unknown[] }) => ({ ...json, results: [] }));
        }
        if (posts === 2) await firstAnswered.opened;
        return reply;
      };
      const sync = newEngine({ maxProtocol: 1, ...oneRowBatches });
      await sync.trigger();
      expect(sync.status).toMatchObject({
        state: 'waiting',
        lastError: message('bad-reply', 'no item had a result'),
      });
      // The gateway stored the second record: the kiosk knows it, and does not send it again; the
      // same for the third if it went before the useless reply stopped the run.
      expect((await store.rows()).map((row) => [row.state, row.attempts])).toEqual([
        ['queued', 1],
        ['delivered', 1],
        posts === 3 ? ['delivered', 1] : ['queued', 0],
      ]);
    });

    it("keeps, beside the probe's protocol, the fresher config fetched while the probe answered", async () => {
      const sync = newEngine({ onConfig: () => undefined });
      await sync.trigger();
      const first = await store.readSetting('gateway-config');
      expect(first).toMatchObject({ protocol: 2, etag: expect.any(String) as string });
      if (!first) return;
      // The cached config is out of date, and the gateway was rolled back to v1 meanwhile.
      await store.writeSetting('gateway-config', { ...first, etag: '"old"', checkedAt: 0 });
      link.onReply = async (path) => (path === '/v1/health' ? v1Health() : undefined);
      // The config's reply comes after the probe's; the kiosk's disk is slow to write the
      // protocol the probe found (it read the cached config before the fresh one was written).
      const probed = gate();
      link.hold = async (path) => {
        if (path.endsWith('/config')) await probed.opened;
      };
      const writes: Array<Promise<void>> = [];
      const kiosk: { engine?: SyncEngine } = {};
      const slow = faultyStore({
        readSetting: async (...args: unknown[]) => {
          const value = await store.readSetting(...(args as unknown as ['gateway-config']));
          const [key] = args as [string];
          if (key === 'gateway-config' && kiosk.engine?.client.protocol === 1) probed.open();
          return value;
        },
        writeSetting: async (...args: unknown[]) => {
          const [key, value] = args as unknown as ['gateway-config', { etag?: string }];
          if (key === 'gateway-config' && value.etag === '"old"') {
            // Held until the config's own write is done (at most 300 ms).
            await Promise.race([Promise.all(writes.slice()), sleep(300)]);
            await sleep(50);
          }
          const written = store.writeSetting(key, value as never);
          if (key === 'gateway-config' && value.etag !== '"old"') writes.push(written);
          return written;
        },
      });
      const restarted = newEngine({ store: slow, onConfig: () => undefined });
      kiosk.engine = restarted;
      await restarted.syncNow();
      expect(restarted.status.state).toBe('idle');
      const cached = await store.readSetting('gateway-config');
      expect(cached).toMatchObject({ protocol: 1, etag: first.etag });
      expect(cached?.checkedAt).toBeGreaterThan(0);
    });
    /** The link's fetch, with `fault(n)` deciding the n-th batch POST (1-based) first. */
    const batchFaults = (
      fault: (n: number) => Promise<Response | Error | undefined>,
    ): { fetch: FetchLike; posts: () => number } => {
      let posts = 0;
      return {
        posts: () => posts,
        fetch: async (url, init) => {
          if (new URL(url).pathname.endsWith('/batches')) {
            const outcome = await fault(++posts);
            if (outcome instanceof Error) throw outcome;
            if (outcome) return outcome;
          }
          return link.fetch(url, init);
        },
      };
    };
    const busy = () => new Response('busy', { status: 503, headers: { 'retry-after': '7' } });
    const chainedOnce = async (txIds: string[]) => {
      const stored = await gateway.store.listRecords(kioskId);
      expect(stored.map((record) => record.body.txId)).toEqual(txIds);
      expect(await gateway.store.countRecords(kioskId)).toEqual({
        chained: txIds.length,
        awaiting: 0,
      });
    };

    it('resends a reset batch while the other is refused with a 503, writes what was answered, and backs off', async () => {
      const txs = [];
      for (let i = 0; i < 2; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
      // Batch 1 is reset (the gateway stored it; its reply was cut off); its resend is answered;
      // batch 2's 503 comes after the resend was answered.
      const resent = gate();
      let firstSeqs: number[] = [];
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches')) return;
        const { results } = (await reply.clone().json()) as { results: Array<{ seq: number }> };
        const seq = results[0]?.seq;
        firstSeqs = [...firstSeqs, seq ?? 0];
        if (seq === 1 && firstSeqs.length === 1) throw reset();
        if (seq === 1) resent.open();
        if (seq === 2) {
          await resent.opened;
          await sleep(20);
          return busy();
        }
        return undefined;
      };
      const faults = batchFaults(async () => undefined);
      // No jitter: the back-off is the gateway's Retry-After.
      const sync = newEngine({
        ...oneRowBatches,
        maxProtocol: 1,
        fetch: faults.fetch,
        random: () => 0,
      });
      await sync.trigger();
      expect(faults.posts()).toBe(3);
      expect(await states()).toEqual(['delivered', 'queued']);
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      expect(sync.status.lastError?.startsWith(message('gateway-error', '503').slice(0, -1))).toBe(
        true,
      );
      // Retry-After is honoured.
      expect((sync.status.nextAttemptAt ?? 0) - Date.now()).toBeGreaterThan(6_000);
      link.onReply = undefined;
      await sync.trigger();
      expect(await states()).toEqual(['delivered', 'delivered']);
      await chainedOnce(txs);
    });

    it('does not resend a reset batch once the other was refused, and loses nothing', async () => {
      const txs = [];
      for (let i = 0; i < 2; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
      // Batch 2's 503 comes first; batch 1 is reset after it.
      const refused = gate();
      const faults = batchFaults(async (n) => {
        if (n === 1) {
          await refused.opened;
          await sleep(20);
          return reset();
        }
        if (n === 2) {
          refused.open();
          return busy();
        }
        return undefined;
      });
      const sync = newEngine({ ...oneRowBatches, fetch: faults.fetch });
      await sync.trigger();
      expect(faults.posts()).toBe(2);
      expect(await states()).toEqual(['queued', 'queued']);
      expect(sync.status.state).toBe('waiting');
      await sync.trigger();
      await chainedOnce(txs);
      expect((await store.rows()).map((row) => row.attempts)).toEqual([1, 1]);
    });

    it('sends again in the next pass the rows a partial reply left, while another batch was reset and resent', async () => {
      const txs = [];
      for (let i = 0; i < 6; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
      // Two records a batch: the limit fits two (sealed copies count 1.4 times) and not three.
      const row = (await store.rows())[0];
      const size = row ? JSON.stringify(row.record).length * 1.4 : 0;
      const limit = Math.floor(size * 2.5);
      let replies = 0;
      link.onReply = async (path, reply) => {
        if (!path.endsWith('/batches') || ++replies !== 1) return;
        // The first answer lists only its first record (the gateway stored both).
        return editedReply(reply, (json: { results: Array<{ id: string }> }) => ({
          ...json,
          results: json.results.slice(0, 1),
        }));
      };
      const faults = batchFaults(async (n) => (n === 2 ? reset() : undefined));
      const sync = newEngine({
        maxProtocol: 1,
        batchBytes: { initial: limit, min: limit, max: limit },
        fetch: faults.fetch,
      });
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
      // Batches 1-2, 3-4 (reset, resent), 5-6; then row 2 again in the second pass.
      expect(faults.posts()).toBe(5);
      expect((await store.rows()).map((r) => [r.state, r.attempts])).toEqual([
        ['delivered', 1],
        ['delivered', 2],
        ['delivered', 1],
        ['delivered', 1],
        ['delivered', 1],
        ['delivered', 1],
      ]);
      await chainedOnce(txs);
    });

    it('rejects once an unreadable row of a ready batch taken again at a larger size', async () => {
      const txs: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        // The third record's personal copy was sealed with another data key.
        const key = i === 2 ? await importDataKey(new Uint8Array(32).fill(9)) : deps.dataKey;
        txs.push((await commitTransaction({ ...deps, dataKey: key }, sampleInput)).txId);
      }
      const unreadable: number[] = [];
      const counting = faultyStore({
        settle: async (...args: unknown[]) => {
          const [outcomes, at] = args as unknown as [
            Array<{ seq: number; outcome: string }>,
            number,
          ];
          for (const outcome of outcomes) {
            if (outcome.outcome === 'rejected') unreadable.push(outcome.seq);
          }
          return store.settle(outcomes as never, at);
        },
      });
      const batches = batchSeqs(link);
      const sync = newEngine({
        maxProtocol: 1,
        store: counting,
        batchBytes: { initial: 1_000, min: 500, max: 4_000 },
        targetBatchMs: HOUR,
      });
      await sync.trigger();
      const sent = [...batches].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
      // Batch 3 (record 3 alone, unreadable) was made ready at the first size and taken again.
      expect(sent[2]?.[0]).toBe(4);
      expect(sent.flat()).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(unreadable).toEqual([3]);
      expect((await store.rows()).map((r) => r.state)).toEqual([
        'delivered',
        'delivered',
        'rejected',
        ...Array<string>(9).fill('delivered'),
      ]);
      expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 2, awaiting: 9 });
    });
    it('says the link is up, and honours the 503, when the probe failed but a batch was answered', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      for (let i = 0; i < 2; i += 1) await commitTransaction(deps, sampleInput);
      link.hold = async (path) => {
        if (path === '/v1/health') throw new TypeError('fetch failed');
      };
      // The second batch is refused once the first has been answered.
      const answered = gate();
      const faults = batchFaults(async (n) => {
        if (n !== 2) return undefined;
        await answered.opened;
        return busy();
      });
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) setTimeout(answered.open, 20);
      };
      const sync = newEngine({ ...oneRowBatches, fetch: faults.fetch });
      await sync.trigger();
      expect(await states()).toEqual(['delivered', 'delivered', 'queued']);
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      expect(sync.status.lastError?.startsWith(message('gateway-error', '503').slice(0, -1))).toBe(
        true,
      );
    });

    it('finishes the drain it is in when stopped, writes its results, and schedules nothing', async () => {
      for (let i = 0; i < 3; i += 1) await commitTransaction(deps, sampleInput);
      const stopped = gate();
      const faults = batchFaults(async (n) => {
        if (n === 1) await stopped.opened;
        return n === 3 ? busy() : undefined;
      });
      const sync = newEngine({
        ...oneRowBatches,
        fetch: faults.fetch,
        backoffBaseMs: 20,
        random: () => 0.999,
      });
      // (Opened after 3 s at the latest, so a failure here does not hold the kiosk's lock.)
      setTimeout(stopped.open, 3_000);
      const run = sync.trigger();
      await waitFor(async () => faults.posts() >= 2, 'two batches on the wire');
      sync.stop();
      stopped.open();
      await run;
      expect(await states()).toEqual(['delivered', 'delivered', 'queued']);
      expect(sync.status.state).toBe('stopped');
      const calls = link.calls.length;
      await sleep(150);
      expect(link.calls.length).toBe(calls);
    });

    for (const depth of [1, 3]) {
      it(`keeps at most ${depth} batch(es) on the wire, a reset one included, and delivers in chain order`, async () => {
        const txs = [];
        for (let i = 0; i < 7; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
        let onWire = 0;
        let most = 0;
        const faults = batchFaults(async (n) => (n === 2 ? reset() : undefined));
        const sync = newEngine({
          ...oneRowBatches,
          batchesInFlight: depth,
          fetch: async (url, init) => {
            if (!new URL(url).pathname.endsWith('/batches')) return faults.fetch(url, init);
            most = Math.max(most, ++onWire);
            try {
              await sleep(30);
              return await faults.fetch(url, init);
            } finally {
              onWire -= 1;
            }
          },
        });
        await sync.trigger();
        expect(most).toBe(depth);
        expect(faults.posts()).toBe(8);
        expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
        await chainedOnce(txs);
      });
    }

    it('waits, to end the run, for a probe that answers after the whole drain', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      for (let i = 0; i < 2; i += 1) await commitTransaction(deps, sampleInput);
      const drained = gate();
      setTimeout(drained.open, 3_000);
      let replies = 0;
      link.hold = async (path) => {
        if (path === '/v1/health') await drained.opened;
      };
      link.onReply = async (path) => {
        if (path.endsWith('/batches') && ++replies === 2) setTimeout(drained.open, 100);
      };
      const sync = newEngine(oneRowBatches);
      const seen: string[] = [];
      sync.subscribe((status) => seen.push(`${status.state}/${status.link}`));
      await sync.trigger();
      expect(await states()).toEqual(['delivered', 'delivered', 'delivered']);
      expect(sync.status).toMatchObject({ state: 'idle', link: 'online', lastError: undefined });
      // Not idle before the probe answered: the last two changes are the probe's and the end's.
      expect(seen.slice(-2)).toEqual(['syncing/online', 'idle/online']);
    });
    it('delivers on the first run of a restarted kiosk whose clock is wrong, the probe beside its first batch', async () => {
      // The kiosk's clock is two hours slow: the gateway refuses a request signed with it as
      // stale, and every reply's Date header tells the kiosk how far off it is.
      const slowClock = () => Date.now() - 2 * HOUR;
      await commitTransaction(deps, sampleInput);
      const first = newEngine({ now: slowClock, onConfig: () => undefined });
      await first.trigger();
      expect(first.status).toMatchObject({ state: 'idle', lastError: undefined });
      await commitTransaction(deps, sampleInput);
      // Restarted (the clock correction is lost with the engine), with its config due.
      const restarted = newEngine({
        now: slowClock,
        onConfig: () => undefined,
        configRefreshMs: 0,
      });
      await restarted.trigger();
      expect(restarted.status).toMatchObject({ state: 'idle', lastError: undefined });
      expect(await states()).toEqual(['delivered', 'delivered']);
    });
    it('follows a gateway rolled back to v1 with batches on the wire in v2 and v1, each record chained once', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      const txs = (await store.rows()).map((row) => row.txId);
      for (let i = 0; i < 3; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
      // The gateway no longer has the v2 route; its probe says v1.
      link.onReply = async (path) => (path === '/v1/health' ? v1Health() : undefined);
      const rolledBack: FetchLike = async (url, init) =>
        new URL(url).pathname.startsWith('/v2/')
          ? new Response('not found', { status: 404 })
          : link.fetch(url, init);
      const sync = newEngine({ ...oneRowBatches, fetch: rolledBack });
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'waiting', link: 'online' });
      expect((await store.readSetting('gateway-config'))?.protocol).toBe(1);
      expect((await store.rows())[1]?.state).toBe('queued');
      await sync.trigger();
      expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
      expect(await states()).toEqual(Array(4).fill('delivered'));
      await chainedOnce(txs);
    });
    it('moves to v2 mid-run when the probe finds an upgraded gateway, each record chained once', async () => {
      await commitTransaction(deps, sampleInput);
      await newEngine().trigger();
      const cached = await store.readSetting('gateway-config');
      // The kiosk last agreed v1 (the gateway has been upgraded since).
      if (cached) await store.writeSetting('gateway-config', { ...cached, protocol: 1 });
      const txs = (await store.rows()).map((row) => row.txId);
      for (let i = 0; i < 5; i += 1) txs.push((await commitTransaction(deps, sampleInput)).txId);
      // The probe is answered once the first batch has been answered (the batches made ready
      // before then stay in v1).
      const firstAnswered = gate();
      setTimeout(firstAnswered.open, 3_000);
      link.hold = async (path) => {
        if (path === '/v1/health') await firstAnswered.opened;
      };
      link.onReply = async (path) => {
        if (path.endsWith('/batches')) firstAnswered.open();
      };
      const sync = newEngine(oneRowBatches);
      await sync.trigger();
      const batches = link.calls.filter((call) => call.endsWith('/batches')).slice(1);
      expect(batches[0]).toBe(`POST /v1/kiosks/${kioskId}/batches`);
      expect(batches.at(-1)).toBe(`POST /v2/kiosks/${kioskId}/batches`);
      expect(sync.status).toMatchObject({ state: 'idle', lastError: undefined });
      expect((await store.readSetting('gateway-config'))?.protocol).toBe(2);
      await chainedOnce(txs);
    });
    it('signs a request refused as stale again only once, and only when the refusal set the clock right', async () => {
      await newEngine().trigger();
      const slowClock = () => Date.now() - 2 * HOUR;
      const client = new GatewayClient({
        baseUrl: gateway.url,
        kioskId,
        signingKey: deps.keys.privateKey,
        fetch: link.fetch,
        now: slowClock,
      });
      link.calls.length = 0;
      expect(await client.getConfig()).toBeDefined();
      expect(link.calls).toEqual([
        `GET /v1/kiosks/${kioskId}/config`,
        `GET /v1/kiosks/${kioskId}/config`,
      ]);
      expect(Math.round(client.clockSkewMs / HOUR)).toBe(2);

      // A refusal whose Date agrees with the clock the kiosk already has is not resent.
      const refusing =
        (date: () => number): FetchLike =>
        async (url) => {
          link.calls.push(new URL(url).pathname);
          return new Response('{"error":"unauthorized","message":"stale"}', {
            status: 401,
            headers: { 'content-type': 'application/json', date: new Date(date()).toUTCString() },
          });
        };
      link.calls.length = 0;
      const settled = new GatewayClient({
        baseUrl: gateway.url,
        kioskId,
        signingKey: deps.keys.privateKey,
        fetch: refusing(() => Date.now()),
      });
      await expect(settled.getConfig()).rejects.toMatchObject({ code: 'gateway-error' });
      expect(link.calls).toHaveLength(1);
      // One whose every refusal moves the clock again is resent once, not again and again.
      let hours = 0;
      link.calls.length = 0;
      const drifting = new GatewayClient({
        baseUrl: gateway.url,
        kioskId,
        signingKey: deps.keys.privateKey,
        fetch: refusing(() => Date.now() + (hours += 1) * HOUR),
      });
      await expect(drifting.getConfig()).rejects.toMatchObject({ code: 'gateway-error' });
      expect(link.calls).toHaveLength(2);
    });

    it('signs again only a signed request refused 401 as stale, not other refusals that move the clock', async () => {
      await newEngine().trigger();
      /** Every reply: `status` with `body`, dated an hour further off each time. */
      const refusing = (status: number, body: string): FetchLike => {
        let hours = 0;
        return async (url) => {
          link.calls.push(new URL(url).pathname);
          hours += 1;
          return new Response(body, {
            status,
            headers: {
              'content-type': 'application/json',
              date: new Date(Date.now() + hours * HOUR).toUTCString(),
            },
          });
        };
      };
      const clientOn = (fetch: FetchLike) =>
        new GatewayClient({
          baseUrl: gateway.url,
          kioskId,
          signingKey: deps.keys.privateKey,
          fetch,
        });
      for (const [status, body] of [
        [401, '{"error":"unauthorized","message":"bad-signature"}'],
        [503, '{"error":"busy","message":"stale"}'],
      ] as const) {
        link.calls.length = 0;
        await expect(clientOn(refusing(status, body)).getConfig()).rejects.toMatchObject({
          code: 'gateway-error',
        });
        expect(link.calls).toHaveLength(1);
      }
      // An unsigned request (the enrolment) is not signed again either.
      link.calls.length = 0;
      await expect(
        clientOn(refusing(401, '{"error":"unauthorized","message":"stale"}')).enrol(
          token,
          deps.keys.publicKey,
        ),
      ).rejects.toMatchObject({ code: 'gateway-error' });
      expect(link.calls).toHaveLength(1);
    });
  });
});
