import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportBundle, reconcileBundleAcks } from '../../../sync/client/bundle-export';
import { commitTransaction } from '../../../sync/client/commit';
import { importDataKey } from '../../../sync/client/data-key';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import { SyncEngine } from '../../../sync/client/engine';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { voidTransaction } from '../../../sync/client/officer-records';
import { describeImport, importBundle } from '../../../sync/server/bundle-import';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import { livestockPermit as input, openTestKiosk } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

const kioskId = 'telecentre-07';
const token = 'bundle-token-123456';

describe('USB bundles', () => {
  let gateway: InProcessGateway;
  let db: KioskDatabase;
  let store: OutboxStore;
  let deps: { store: OutboxStore; kioskId: string; keys: CryptoKeyPair; dataKey: CryptoKey };
  let txIds: string[];

  beforeEach(async () => {
    gateway = await startInProcessGateway([{ kioskId, token }]);
    const kiosk = await openTestKiosk(kioskId, { dataKeyBytes: new Uint8Array(32).fill(7) });
    const { keys } = kiosk;
    ({ db, store } = kiosk);
    deps = { store, kioskId, keys, dataKey: kiosk.dataKey };
    // The telecentre reached the gateway once (enrolment and config), then lost its link.
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      gatewayUrl: gateway.url,
      enrolmentToken: token,
    });
    await engine.trigger();
    engine.stop();
    const sealing = await loadOrCreateSealingKey(gateway.store);
    await store.writeSetting('gateway-config', { gatewayKey: sealing.publicJwk, checkedAt: 0 });
    txIds = [];
    for (let i = 0; i < 3; i += 1) txIds.push((await commitTransaction(deps, input)).txId);
    await voidTransaction(deps, {
      officerId: '00012345',
      txId: txIds[1] ?? '',
      reason: 'entered twice',
    });
  });

  afterEach(async () => {
    db.close();
    await gateway.close();
  });

  it('imports a bundle once: a second import and a later sync are duplicates, never new rows', async () => {
    const bundle = await exportBundle(deps);
    expect(bundle.manifest).toMatchObject({ count: 4, fromSeq: 1, toSeq: 4 });
    expect(bundle.manifest.kinds).toEqual({ transaction: 3, void: 1 });
    expect(bundle.text).not.toContain('Kagiso');
    const sealing = await loadOrCreateSealingKey(gateway.store);

    const first = await importBundle(gateway.store, sealing, bundle.text);
    const second = await importBundle(gateway.store, sealing, bundle.text);
    console.log(`first import:  ${describeImport(first)}`);
    console.log(`second import: ${describeImport(second)}`);
    expect(first).toMatchObject({ ok: true, accepted: 4, duplicate: 0, rejected: [] });
    expect(second).toMatchObject({ ok: true, accepted: 0, duplicate: 4, rejected: [] });
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });

    // Back online: the kiosk asks what the gateway holds and marks the bundled rows delivered
    // without sending them; a sync afterwards has nothing to send and adds nothing.
    const client = new GatewayClient({
      baseUrl: gateway.url,
      kioskId,
      signingKey: deps.keys.privateKey,
    });
    expect(await reconcileBundleAcks(store, (from) => client.getAcks(from))).toBe(4);
    expect((await db.outbox.toArray()).map((row) => row.state)).toEqual(Array(4).fill('delivered'));
    const engine = new SyncEngine({
      store,
      kioskId,
      keys: deps.keys,
      gatewayUrl: gateway.url,
      dataKey: deps.dataKey,
    });
    await engine.trigger();
    engine.stop();
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });
    expect(await gateway.store.listTamperAlerts(kioskId)).toEqual([]);
  });

  it('leaves out a record whose personal copy cannot be opened, rejecting it on the kiosk as sync does', async () => {
    const unreadable = await commitTransaction(
      { ...deps, dataKey: await importDataKey(new Uint8Array(32).fill(9)) },
      input,
    );
    const bundle = await exportBundle(deps);
    expect(bundle.unreadable).toBe(1);
    expect(bundle.manifest).toMatchObject({ count: 4, fromSeq: 1, toSeq: 4 });
    expect(await store.find({ txId: unreadable.txId })).toMatchObject({
      state: 'rejected',
      rejectReason: 'personal-unreadable',
    });
    // The bundle still imports whole; the left-out record never reached the gateway.
    const result = await importBundle(
      gateway.store,
      await loadOrCreateSealingKey(gateway.store),
      bundle.text,
    );
    expect(result).toMatchObject({ ok: true, accepted: 4, rejected: [] });
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });
    // Only the data key that made the copy can open it; with none at all, nothing is exported.
    await expect(exportBundle({ ...deps, dataKey: undefined })).rejects.toMatchObject({
      code: 'no-data-key',
    });
  });

  it('never duplicates when the kiosk synced first and the bundle is imported after', async () => {
    const bundle = await exportBundle(deps);
    const engine = new SyncEngine({
      store,
      kioskId,
      keys: deps.keys,
      gatewayUrl: gateway.url,
      dataKey: deps.dataKey,
    });
    await engine.trigger();
    engine.stop();
    const result = await importBundle(
      gateway.store,
      await loadOrCreateSealingKey(gateway.store),
      bundle.text,
    );
    expect(result).toMatchObject({ ok: true, accepted: 0, duplicate: 4 });
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 4, awaiting: 0 });
  });

  it('refuses a tampered, truncated or re-signed bundle with a reason and changes nothing', async () => {
    const { text } = await exportBundle(deps);
    const sealing = await loadOrCreateSealingKey(gateway.store);
    const file = JSON.parse(text) as { manifest: { count: number }; items: { ct: string } };
    const flipped =
      file.items.ct.slice(0, 100) +
      (file.items.ct[100] === 'A' ? 'B' : 'A') +
      file.items.ct.slice(101);
    const tampered = JSON.stringify({ ...file, items: { ...file.items, ct: flipped } });
    const recounted = JSON.stringify({ ...file, manifest: { ...file.manifest, count: 3 } });
    const outcomes = [
      await importBundle(gateway.store, sealing, tampered),
      await importBundle(gateway.store, sealing, text.slice(0, Math.floor(text.length / 2))),
      await importBundle(gateway.store, sealing, recounted),
      await importBundle(gateway.store, sealing, 'hello'),
    ];
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.refusal))).toEqual([
      'unreadable',
      'truncated',
      'bad-manifest-signature',
      'not-a-bundle',
    ]);
    expect(await gateway.store.countRecords(kioskId)).toEqual({ chained: 0, awaiting: 0 });
  });

  it('delivers the voided transaction and its void; the gateway counts the original as voided', async () => {
    const result = await importBundle(
      gateway.store,
      await loadOrCreateSealingKey(gateway.store),
      (await exportBundle(deps)).text,
    );
    expect(result.ok).toBe(true);
    const counts = await gateway.store.transactionCounts('2000-01-01');
    expect(counts).toEqual([
      expect.objectContaining({
        kioskId,
        serviceId: 'livestock-movement-permit',
        channel: 'assisted',
        count: 3,
        voided: 1,
      }),
    ]);
    const records = await gateway.store.listRecords(kioskId);
    expect(records.map((r) => r.kind)).toEqual([
      'transaction',
      'transaction',
      'transaction',
      'void',
    ]);
  });
});
