import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import { SyncEngine } from '../../../sync/client/engine';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { startFaultProxy } from '../../support/fault-proxy';
import type { Fault, FaultProxy } from '../../support/fault-proxy';
import { startGatewayProcess } from '../../support/gateway-process';
import type { GatewayProcess } from '../../support/gateway-process';
import { openTestKiosk } from '../../support/chain-fixture';

/**
 * The sync client against the real gateway process (`node --import tsx sync/server/main.ts`),
 * through the fault proxy. Each fault hits the first batch; then the link heals and every
 * transaction must be at the gateway exactly once.
 */
describe('delivery through a faulty link to the gateway process', () => {
  let dataDir: string;
  let gateway: GatewayProcess;
  let proxy: FaultProxy;
  let faults: Fault[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-fault-'));
    const tokens = Array.from({ length: 12 }, (_, i) => ({
      kioskId: `fault-kiosk-${i}`,
      token: `fault-token-${i}`,
    }));
    gateway = await startGatewayProcess({ dataDir, tokens });
    proxy = await startFaultProxy({
      upstream: gateway.url,
      decide: (request) =>
        request.method === 'POST' && request.url.endsWith('/batches')
          ? (faults.shift() ?? { kind: 'pass' })
          : { kind: 'pass' },
      onKill: () => gateway.kill(),
    });
  });
  afterAll(async () => {
    await proxy.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    faults = [];
  });

  let kioskIndex = 0;
  async function kiosk(): Promise<{
    db: KioskDatabase;
    engine: SyncEngine;
    txIds: string[];
    kioskId: string;
  }> {
    const i = kioskIndex;
    kioskIndex += 1;
    const kioskId = `fault-kiosk-${i}`;
    const { store, db, keys, dataKey, commit } = await openTestKiosk(kioskId);
    const txIds = [];
    for (let n = 0; n < 4; n += 1) txIds.push((await commit()).txId);
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      dataKey,
      gatewayUrl: proxy.url,
      enrolmentToken: `fault-token-${i}`,
      requestTimeoutMs: 300,
      backoffBaseMs: 600_000,
      batchBytes: { initial: 1_500, min: 1_000, max: 4_000 },
    });
    return { db, engine, txIds, kioskId };
  }

  async function atGateway(kioskId: string): Promise<string[]> {
    // A second reader on the gateway's WAL database: sees every committed batch.
    const store = await openGatewayStore({ sqliteFile: path.join(dataDir, 'gateway.sqlite') });
    try {
      return (await store.listRecords(kioskId)).map((r) => r.body.txId);
    } finally {
      await store.close();
    }
  }

  /**
   * Each case: the faults the first batches meet, and whether the first run still delivers
   * everything. A failed connection (dropped, reset, cut short, reply lost) costs only a resend:
   * the engine sends the batch again at once, up to three times in a row. A timeout or an error
   * status fails the run, which backs off.
   */
  const cases: Array<[string, Fault[], 'idle' | 'waiting']> = [
    ['a dropped connection', [{ kind: 'drop' }], 'idle'],
    ['a delay longer than the client waits', [{ kind: 'delay', ms: 600 }], 'waiting'],
    ['a request reset mid-body', [{ kind: 'reset-request' }], 'idle'],
    ['a reply reset mid-body', [{ kind: 'reset-reply' }], 'idle'],
    ['a truncated reply', [{ kind: 'truncate' }], 'idle'],
    [
      'a 500 and a 503 with Retry-After',
      [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 503, retryAfter: '1' },
      ],
      'waiting',
    ],
    [
      'a reply lost after the gateway committed',
      [{ kind: 'lose-reply' }, { kind: 'lose-reply' }],
      'idle',
    ],
    [
      'four resets in a row (more than the engine resends at once)',
      [
        { kind: 'reset-request' },
        { kind: 'reset-request' },
        { kind: 'reset-request' },
        { kind: 'reset-request' },
      ],
      'waiting',
    ],
  ];

  it.each(cases)(
    'delivers every transaction exactly once after %s',
    async (_name, injected, firstRun) => {
      const { db, engine, txIds, kioskId } = await kiosk();
      faults = [...injected];
      await engine.trigger();
      expect(engine.status.state).toBe(firstRun);
      for (
        let round = 0;
        round < 6 && (await db.outbox.where('state').equals('queued').count()) > 0;
        round += 1
      ) {
        await engine.trigger();
      }
      engine.stop();
      expect((await db.outbox.toArray()).map((row) => row.state)).toEqual(
        Array(4).fill('delivered'),
      );
      expect((await atGateway(kioskId)).sort()).toEqual([...txIds].sort());
      // Every fault was met: the faulted batches were sent again.
      expect(faults).toEqual([]);
      db.close();
    },
  );

  it('delivers exactly once when the gateway process is killed after commit, before its reply', async () => {
    const { db, engine, txIds, kioskId } = await kiosk();
    faults = [{ kind: 'kill-after-commit' }];
    await engine.trigger();
    expect(engine.status.link).toBe('online');
    expect(engine.status.state).toBe('waiting');
    // The first batch is durable at the gateway although the kiosk never heard back.
    expect((await atGateway(kioskId)).length).toBeGreaterThan(0);
    await gateway.restart();
    await engine.trigger();
    engine.stop();
    expect(await db.outbox.where('state').equals('delivered').count()).toBe(4);
    expect((await atGateway(kioskId)).sort()).toEqual([...txIds].sort());
    db.close();
  });

  it('delivers exactly once when the gateway dies by itself between commit and reply', async () => {
    await gateway.restart(['--exit-after-commit', '1']);
    const { db, engine, txIds, kioskId } = await kiosk();
    await engine.trigger();
    expect(await gateway.exited()).toBe('SIGKILL');
    expect(await db.outbox.where('state').equals('delivered').count()).toBe(0);
    await gateway.restart([]);
    await engine.trigger();
    engine.stop();
    expect(await db.outbox.where('state').equals('delivered').count()).toBe(4);
    expect((await atGateway(kioskId)).sort()).toEqual([...txIds].sort());
    db.close();
  });

  it('dead-letters a rejected transaction with its reason and still delivers the rest', async () => {
    const { db, engine, txIds, kioskId } = await kiosk();
    const second = await db.outbox.get(2);
    if (second?.record.kind !== 'transaction') throw new Error('fixture');
    await db.outbox.update(2, {
      record: {
        ...second.record,
        body: { ...second.record.body, fee: { amountMinor: 1, currency: 'BZD' } },
      },
    });
    await engine.trigger();
    engine.stop();
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((row) => row.state)).toEqual([
      'delivered',
      'rejected',
      'delivered',
      'delivered',
    ]);
    expect(rows[1]?.rejectReason).toBe('hash-mismatch');
    const delivered = await atGateway(kioskId);
    expect(delivered.sort()).toEqual([txIds[0], txIds[2], txIds[3]].sort());
    db.close();
  });
});
