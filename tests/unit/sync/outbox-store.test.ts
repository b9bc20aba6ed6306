import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendChainRecord, commitTransaction } from '../../../sync/client/commit';
import type { CommitDeps } from '../../../sync/client/commit';
import { importDataKey } from '../../../sync/client/data-key';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type {
  DeliveryOutcome,
  OutboxRow,
  OutboxStore,
} from '../../../sync/client/store/outbox-store';
import { exportPublicKey } from '../../../sync/protocol/device-signature';
import { GENESIS_HASH } from '../../../sync/protocol/records';
import { openTestStore, birthCertificate, kioskId } from '../../support/chain-fixture';

describe('the outbox store', () => {
  let store: OutboxStore;
  let db: KioskDatabase;
  let deps: CommitDeps;
  let wakes: number;
  let stopListening: () => void;

  beforeEach(async () => {
    ({ store, db } = openTestStore(`store-${crypto.randomUUID()}`));
    deps = {
      store,
      kioskId,
      keys: await loadOrCreateDeviceKey(store),
      dataKey: await importDataKey(new Uint8Array(32).fill(5)),
    };
    wakes = 0;
    stopListening = store.onQueued(() => (wakes += 1));
  });
  afterEach(() => store.close());

  const commit = (at = 1_000) =>
    commitTransaction({ ...deps, now: () => new Date(at) }, birthCertificate);
  const row = async (seq: number): Promise<OutboxRow | undefined> => db.outbox.get(seq);

  it('starts an empty chain at seq 0 and the genesis hash', async () => {
    expect(await store.readHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
  });

  it('wakes its listeners once per completed commit, never for a refused one, and stops when asked', async () => {
    await commit();
    await appendChainRecord(deps, 'officer-sign-in', { officerId: '00012345', method: 'card' });
    expect(wakes).toBe(2);
    const [first] = await store.rows();
    if (!first) throw new Error('no row');
    await expect(
      store.append({ ...first, seq: 3 }, { seq: 1, hash: first.record.hash }),
    ).rejects.toMatchObject({
      code: 'commit-conflict',
    });
    expect(wakes).toBe(2);
    stopListening();
    await commit();
    expect(wakes).toBe(2);
  });

  it('settles only rows still queued, counting an attempt for each, and says how many left the queue', async () => {
    for (let i = 0; i < 4; i += 1) await commit();
    await db.outbox.update(4, { state: 'delivered', deliveredAt: 5 });
    const settled = await store.settle(
      [
        { seq: 1, outcome: 'delivered' },
        { seq: 2, outcome: 'rejected', reason: 'hash-mismatch' },
        { seq: 3, outcome: 'unanswered' },
        { seq: 4, outcome: 'rejected', reason: 'too late' },
        { seq: 99, outcome: 'delivered' },
      ],
      7_000,
    );
    expect(settled).toBe(2);
    expect(await row(1)).toMatchObject({ state: 'delivered', deliveredAt: 7_000, attempts: 1 });
    expect(await row(2)).toMatchObject({
      state: 'rejected',
      rejectReason: 'hash-mismatch',
      attempts: 1,
    });
    expect((await row(2))?.deliveredAt).toBeUndefined();
    expect(await row(3)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(await row(4)).toMatchObject({ state: 'delivered', deliveredAt: 5, attempts: 0 });
  });

  it('refuses an outcome it does not know, changing nothing', async () => {
    await commit();
    await expect(
      store.settle([{ seq: 1, outcome: 'lost' } as unknown as DeliveryOutcome], 1),
    ).rejects.toThrow(/unknown delivery outcome/);
    expect(await row(1)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('confirms held records only when seq, id and hash all match a queued row', async () => {
    const a = await commit();
    const b = await commit();
    const c = await commit();
    await db.outbox.update(c.seq, { state: 'rejected' });
    const marked = await store.confirmHeld(
      [
        { seq: a.seq, id: a.txId, hash: a.record.hash },
        { seq: b.seq, id: b.txId, hash: 'f'.repeat(64) },
        { seq: c.seq, id: c.txId, hash: c.record.hash },
        { seq: 9, id: a.txId, hash: a.record.hash },
      ],
      8_000,
    );
    expect(marked).toBe(1);
    expect((await store.rows()).map((r) => [r.state, r.deliveredAt])).toEqual([
      ['delivered', 8_000],
      ['queued', undefined],
      ['rejected', undefined],
    ]);
  });

  it('confirms a refused row the gateway holds, clearing its reason, and marks a listed row once', async () => {
    const a = await commit();
    const b = await commit();
    await store.settle(
      [
        { seq: a.seq, outcome: 'rejected', reason: 'chain-gap' },
        { seq: b.seq, outcome: 'rejected', reason: 'chain-gap' },
      ],
      1,
    );
    const held = { seq: a.seq, id: a.txId, hash: a.record.hash };
    expect(await store.confirmHeld([held, held], 9_000, 'rejected')).toBe(1);
    const confirmed = await row(a.seq);
    expect(confirmed).toMatchObject({ state: 'delivered', deliveredAt: 9_000, attempts: 1 });
    expect(confirmed && 'rejectReason' in confirmed).toBe(false);
    expect(await row(b.seq)).toMatchObject({ state: 'rejected', rejectReason: 'chain-gap' });
  });

  it('settles a seq listed twice as the rows it finds: a second result for a settled row changes nothing', async () => {
    await commit();
    await commit();
    const settled = await store.settle(
      [
        { seq: 1, outcome: 'unanswered' },
        { seq: 1, outcome: 'delivered' },
        { seq: 2, outcome: 'delivered' },
        { seq: 2, outcome: 'rejected', reason: 'late' },
      ],
      3_000,
    );
    expect(settled).toBe(2);
    expect(await row(1)).toMatchObject({ state: 'delivered', deliveredAt: 3_000, attempts: 2 });
    expect(await row(2)).toMatchObject({ state: 'delivered', deliveredAt: 3_000, attempts: 1 });
  });

  it('reads queued rows in chain order, from a seq on, up to a limit', async () => {
    for (let i = 0; i < 5; i += 1) await commit();
    await db.outbox.update(2, { state: 'delivered', deliveredAt: 1 });
    expect((await store.queued(10)).map((r) => r.seq)).toEqual([1, 3, 4, 5]);
    expect((await store.queued(2)).map((r) => r.seq)).toEqual([1, 3]);
    expect((await store.queued(10, 3)).map((r) => r.seq)).toEqual([4, 5]);
    expect(await store.countQueued()).toBe(4);
    expect(await store.countQueued({ fromSeq: 2, toSeq: 4 })).toBe(2);
    expect((await store.rows('delivered')).map((r) => r.seq)).toEqual([2]);
    expect((await store.rows('queued')).map((r) => r.seq)).toEqual([1, 3, 4, 5]);
  });

  it('finds a row by record id or by receipt reference', async () => {
    const a = await commit();
    const b = await commit();
    expect((await store.find({ txId: b.txId }))?.seq).toBe(2);
    expect((await store.find({ ref: a.ref }))?.seq).toBe(1);
    expect(await store.find({ ref: 'NONE-NONE-0' })).toBeUndefined();
  });

  it('gives the queue figures: counts, oldest queued, latest delivery even once purged', async () => {
    expect(await store.figures()).toEqual({ queued: 0, rejected: 0, delivered: 0, deadLetters: 0 });
    await commit(1_000);
    await commit(2_000);
    await commit(3_000);
    await commit(4_000);
    await db.outbox.update(1, { state: 'purged', deliveredAt: 9_000 });
    await db.outbox.update(2, { state: 'delivered', deliveredAt: 8_000 });
    await db.outbox.update(3, { state: 'rejected' });
    await db.deadLetters.add({ table: 'outbox', key: '7', reason: 'x', raw: {}, at: 1 });
    expect(await store.figures()).toEqual({
      queued: 1,
      rejected: 1,
      delivered: 1,
      deadLetters: 1,
      oldestQueuedAt: 4_000,
      lastDeliveredAt: 9_000,
    });
  });

  it('puts back a rejected row only, resetting its attempts, and wakes the engine', async () => {
    await commit();
    await expect(store.requeueRejected(1)).rejects.toMatchObject({ code: 'retry-refused' });
    await expect(store.requeueRejected(5)).rejects.toMatchObject({ code: 'retry-refused' });
    await db.outbox.update(1, { state: 'rejected', rejectReason: 'r', attempts: 3 });
    const before = wakes;
    await store.requeueRejected(1);
    expect(await row(1)).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await row(1))?.rejectReason).toBeUndefined();
    expect(wakes).toBe(before + 1);
  });

  it('restores a dead letter once it parses, never over a row already queued, and says why not', async () => {
    await commit();
    await commit();
    const good = (await row(2)) as OutboxRow;
    await db.outbox.put({ ...good, attempts: -1 });
    expect((await store.queued(10)).map((r) => r.seq)).toEqual([1]);
    const [dead] = await store.deadLetters();
    if (dead?.id === undefined) throw new Error('no dead letter');
    expect(dead).toMatchObject({
      table: 'outbox',
      key: '2',
      reason: expect.stringMatching(/^attempts: /),
    });
    const before = wakes;

    expect(await store.restoreDeadLetter(dead.id + 100)).toEqual({
      ok: false,
      reason: 'no such dead letter',
    });
    expect(await store.restoreDeadLetter(dead.id)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^attempts: /),
    });
    expect(await store.restoreDeadLetter(dead.id, { ...good, seq: 1 })).toMatchObject({
      ok: false,
    });
    expect(
      await store.restoreDeadLetter(dead.id, {
        ...good,
        record: { ...good.record, seq: 1 },
        seq: 1,
      }),
    ).toEqual({
      ok: false,
      reason: 'seq 1 is already in the queue',
    });
    expect(wakes).toBe(before);
    expect(
      await store.restoreDeadLetter(dead.id, { ...good, state: 'rejected', attempts: 4 }),
    ).toEqual({
      ok: true,
      seq: 2,
    });
    expect(await row(2)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await store.deadLetters()).toEqual([]);
    expect(wakes).toBe(before + 1);
  });

  it('keeps settings it can parse and reads the rest as absent', async () => {
    expect(await store.readSetting('enrolled')).toBeUndefined();
    await store.writeSetting('enrolled', true);
    expect(await store.readSetting('enrolled')).toBe(true);
    await db.meta.put({ key: 'bundle-pending', value: { fromSeq: 'one' } });
    expect(await store.readSetting('bundle-pending')).toBeUndefined();
    await store.writeSetting('bundle-pending', { fromSeq: 1, toSeq: 4 });
    expect(await store.readSetting('bundle-pending')).toEqual({ fromSeq: 1, toSeq: 4 });
    await store.deleteSetting('bundle-pending');
    expect(await store.readSetting('bundle-pending')).toBeUndefined();
    // Once: the first value written stays.
    expect(await store.writeSettingOnce('operator-pin-failures', { count: 1 })).toEqual({
      count: 1,
    });
    expect(await store.writeSettingOnce('operator-pin-failures', { count: 2 })).toEqual({
      count: 1,
    });
    expect(await store.readSetting('operator-pin-failures')).toEqual({ count: 1 });
  });

  it('keeps one device key: two tabs starting at once end up with the same one', async () => {
    const name = `keys-${crypto.randomUUID()}`;
    const tabA = openTestStore(name).store;
    const tabB = openTestStore(name).store;
    const [a, b] = await Promise.all([loadOrCreateDeviceKey(tabA), loadOrCreateDeviceKey(tabB)]);
    const [again] = await Promise.all([loadOrCreateDeviceKey(tabA)]);
    const jwk = async (key: CryptoKeyPair) => JSON.stringify(await exportPublicKey(key.publicKey));
    expect(await jwk(b)).toBe(await jwk(a));
    expect(await jwk(again)).toBe(await jwk(a));
    expect(a.privateKey.extractable).toBe(false);
    tabA.close();
    tabB.close();
  });
});
