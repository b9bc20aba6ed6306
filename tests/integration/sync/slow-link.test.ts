import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../sync/client/engine';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { openTestKiosk } from '../../support/chain-fixture';
import { startFaultProxy } from '../../support/fault-proxy';
import type { FaultProxy } from '../../support/fault-proxy';
import { startGatewayProcess } from '../../support/gateway-process';
import type { GatewayProcess } from '../../support/gateway-process';

const INITIAL_TIMEOUT_MS = 250;
/** Every batch's reply takes longer than the kiosk first waits (a gateway behind a thin link). */
const REPLY_DELAY_MS = 700;
const TRANSACTIONS = 10;

/**
 * The real gateway process behind the fault proxy, on a link where every batch's reply comes
 * later than the engine's initial request timeout. A fixed timeout would resend the same batch
 * for ever; the link policy waits longer after each timeout, learns the link from the reply that
 * gets through, and sends smaller batches, so the queue drains, each transaction once.
 */
describe('a link where every reply takes longer than the initial request timeout', () => {
  let dataDir: string;
  let gateway: GatewayProcess;
  let proxy: FaultProxy;
  const kioskId = 'slow-link-kiosk';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-slow-link-'));
    gateway = await startGatewayProcess({
      dataDir,
      tokens: [{ kioskId, token: 'slow-link-token' }],
    });
    proxy = await startFaultProxy({
      upstream: gateway.url,
      decide: (request) =>
        request.method === 'POST' && request.url.endsWith('/batches')
          ? { kind: 'delay', ms: REPLY_DELAY_MS }
          : { kind: 'pass' },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('drains the queue, slowly, delivering every transaction exactly once', async () => {
    const { store, db, keys, dataKey, commit } = await openTestKiosk(kioskId);
    const txIds: string[] = [];
    for (let n = 0; n < TRANSACTIONS; n += 1) txIds.push((await commit()).txId);
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      dataKey,
      gatewayUrl: proxy.url,
      enrolmentToken: 'slow-link-token',
      requestTimeoutMs: INITIAL_TIMEOUT_MS,
      backoffBaseMs: 10,
      batchBytes: { initial: 8_000, min: 1_500, max: 8_000 },
    });
    const sizes = new Set<number>();
    engine.subscribe((status) => sizes.add(status.batchBytes));
    const queued = () => db.outbox.where('state').equals('queued').count();
    // Bounded: each round is one run of the engine (probe, then batches until one fails).
    for (let round = 0; round < 30 && (await queued()) > 0; round += 1) {
      await engine.trigger();
    }
    engine.stop();

    expect(await queued()).toBe(0);
    expect((await db.outbox.toArray()).map((row) => row.state)).toEqual(
      Array(TRANSACTIONS).fill('delivered'),
    );
    // It did time out (the reply always came later than the first wait) and shrank its batches.
    expect(engine.link.timeouts).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeLessThan(8_000);
    // Batches were resent after timeouts, and the gateway holds each transaction once.
    const posts = proxy.log.filter((r) => r.url.endsWith('/batches')).length;
    expect(posts).toBeGreaterThan(engine.link.timeouts);
    const reader = await openGatewayStore({ sqliteFile: path.join(dataDir, 'gateway.sqlite') });
    try {
      const held = (await reader.listRecords(kioskId)).map((r) => r.body.txId);
      expect(held).toHaveLength(TRANSACTIONS);
      expect([...held].sort()).toEqual([...txIds].sort());
    } finally {
      await reader.close();
    }
    db.close();
    // About 5 s alone on two cores (every reply is slow by design): room for a loaded machine.
  }, 30_000);
});
