import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { commitTransaction } from '../../../sync/client/commit';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { hashOfficerPin, verifyOfficerPin } from '../../../sync/client/officer-pin';
import { listQueueItems, retryRejected } from '../../../sync/client/officer-queue';
import { recordReprint, voidTransaction } from '../../../sync/client/officer-records';
import { buildEndOfDayReport } from '../../../sync/client/officer-report';
import { OfficerSession, cacheRoster } from '../../../sync/client/officer-session';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import { recordHash } from '../../../sync/protocol/records';
import { openTestStore } from '../../support/chain-fixture';

const ITER = 1000;

async function kiosk() {
  const { store, db } = openTestStore(`officer-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(store);
  return { store, db, kioskId: 'counter-01', keys };
}

function fakeClock() {
  let now = 1_700_000_000_000;
  const timers: Array<{ at: number; cb: () => void }> = [];
  return {
    now: () => now,
    setTimeout: (cb: () => void, ms: number) => {
      const t = { at: now + ms, cb };
      timers.push(t);
      return t;
    },
    clearTimeout: (handle: unknown) => {
      const i = timers.indexOf(handle as { at: number; cb: () => void });
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of [...timers]) {
        if (t.at > now) continue;
        timers.splice(timers.indexOf(t), 1);
        t.cb();
      }
    },
  };
}

const sale = {
  serviceId: 'vehicle-licensing',
  catalogueVersion: '1',
  language: 'en',
  fee: { amountMinor: 5000, currency: 'BZD' },
  fields: { paymentMethod: 'mobile-money' },
} as const;

describe('officer PINs', () => {
  it('verifies the right PIN and refuses a wrong one or a hash weaker than the minimum', async () => {
    const hash = await hashOfficerPin('482913', { iterations: ITER });
    expect(await verifyOfficerPin('482913', hash, { minIterations: ITER })).toBe(true);
    expect(await verifyOfficerPin('482914', hash, { minIterations: ITER })).toBe(false);
    expect(await verifyOfficerPin('482913', hash)).toBe(false);
  });
});

describe('officer session', () => {
  it('signs in with card and PIN from the cached roster and records sign-in and sign-out in the chain', async () => {
    const deps = await kiosk();
    const roster = [
      {
        officerId: '00012345',
        name: 'Maya Cal',
        pinHash: await hashOfficerPin('482913', { iterations: ITER }),
      },
    ];
    expect(await cacheRoster(deps, roster)).toEqual({ ok: true, changed: true });
    expect(await cacheRoster(deps, roster)).toEqual({ ok: true, changed: false });
    const session = new OfficerSession({ ...deps, inactivityMs: 60_000, minPinIterations: ITER });
    const result = await session.signIn({ officerId: '00012345', pin: '482913', method: 'card' });
    expect(result).toMatchObject({ result: 'signed-in', officer: { name: 'Maya Cal' } });
    await session.signOut();
    const kinds = (await deps.db.outbox.orderBy('seq').toArray()).map((r) => r.record.kind);
    expect(kinds).toEqual(['config-change', 'officer-sign-in', 'officer-sign-out']);
  });

  it('tells a kiosk that never received a roster apart from one whose office roster lists nobody', async () => {
    const deps = await kiosk();
    const session = new OfficerSession({ ...deps, inactivityMs: 60_000, minPinIterations: ITER });
    const attempt = { officerId: '00012345', pin: '482913', method: 'pin' } as const;
    expect(await session.signIn(attempt)).toEqual({ result: 'no-roster' });
    expect(await cacheRoster(deps, [])).toMatchObject({ ok: true });
    expect(await session.signIn(attempt)).toEqual({ result: 'empty-roster' });
  });

  it('locks an officer id out after five wrong PINs, even with the right PIN after', async () => {
    const deps = await kiosk();
    await cacheRoster(deps, [
      {
        officerId: '00012345',
        name: 'Maya Cal',
        pinHash: await hashOfficerPin('482913', { iterations: ITER }),
      },
    ]);
    const session = new OfficerSession({ ...deps, inactivityMs: 60_000, minPinIterations: ITER });
    const results = [];
    for (let i = 0; i < 5; i += 1)
      results.push(
        (await session.signIn({ officerId: '00012345', pin: '000000', method: 'pin' })).result,
      );
    expect(results).toEqual(['wrong-pin', 'wrong-pin', 'wrong-pin', 'wrong-pin', 'locked']);
    expect(
      (await session.signIn({ officerId: '00012345', pin: '482913', method: 'pin' })).result,
    ).toBe('locked');
    expect(session.officer).toBeUndefined();
  });

  it('signs the officer out after inactivity with a signed sign-out record', async () => {
    const deps = await kiosk();
    await cacheRoster(deps, [
      {
        officerId: '00012345',
        name: 'Maya Cal',
        pinHash: await hashOfficerPin('482913', { iterations: ITER }),
      },
    ]);
    const clock = fakeClock();
    const session = new OfficerSession({
      ...deps,
      inactivityMs: 5 * 60_000,
      minPinIterations: ITER,
      clock,
    });
    await session.signIn({ officerId: '00012345', pin: '482913', method: 'pin' });
    clock.advance(4 * 60_000);
    session.touch();
    clock.advance(4 * 60_000);
    expect(session.officer).toBeDefined();
    clock.advance(60_000);
    expect(session.officer).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const last = await deps.db.outbox.orderBy('seq').last();
    expect(last?.record).toMatchObject({ kind: 'officer-sign-out', body: { cause: 'inactivity' } });
  });
});

describe('assisted transactions, voids and the end-of-day report', () => {
  it('keeps a self-service transaction record byte for byte as before (no officerId key)', async () => {
    const deps = await kiosk();
    const tx = await commitTransaction(deps, { ...sale, channel: 'self-service' });
    expect(canonicalJson(tx.record.body)).not.toContain('officerId');
    expect(await recordHash(tx.record)).toBe(tx.record.hash);
    await expect(
      commitTransaction(deps, { ...sale, channel: 'self-service', officerId: '00012345' }),
    ).rejects.toThrow();
  });

  it('voids only an undelivered transaction, with a reason, and leaves the original in place', async () => {
    const deps = await kiosk();
    const a = await commitTransaction(deps, {
      ...sale,
      channel: 'assisted',
      officerId: '00012345',
    });
    const b = await commitTransaction(deps, {
      ...sale,
      channel: 'assisted',
      officerId: '00012345',
    });
    await deps.db.outbox.update(b.seq, { state: 'delivered', deliveredAt: 1 });
    await expect(
      voidTransaction(deps, { officerId: '00012345', txId: a.txId, reason: '' }),
    ).rejects.toThrow(/reason/);
    const v = await voidTransaction(deps, {
      officerId: '00012345',
      txId: a.txId,
      reason: 'wrong service chosen',
    });
    expect(v).toMatchObject({ kind: 'void', body: { voids: { txId: a.txId, seq: a.seq } } });
    await expect(
      voidTransaction(deps, { officerId: '00012345', txId: a.txId, reason: 'again' }),
    ).rejects.toThrow(/already/);
    await expect(
      voidTransaction(deps, { officerId: '00012345', txId: b.txId, reason: 'too late' }),
    ).rejects.toThrow(/delivered/);
    expect(await deps.db.outbox.get(a.seq)).toMatchObject({ state: 'queued', txId: a.txId });
    await recordReprint(deps, { txId: b.txId, officerId: '00012345' });

    const items = await listQueueItems(deps.store);
    const report = buildEndOfDayReport({
      kioskId: deps.kioskId,
      day: '2026-11-23',
      items,
      gatewayHeld: new Set([b.txId]),
    });
    expect(report).toMatchObject({
      transactions: 1,
      voided: 1,
      totals: { BZD: 5000 },
      reconciliation: { delivered: 1, awaiting: 0, rejected: 0 },
      unconfirmed: 0,
      byPaymentMethod: [{ key: 'mobile-money', count: 1, totals: { BZD: 5000 } }],
      byChannel: [{ key: 'assisted', count: 1 }],
    });
  });

  it('retries a rejected item by putting it back in the queue, and nothing else', async () => {
    const deps = await kiosk();
    const a = await commitTransaction(deps, { ...sale, channel: 'self-service' });
    await expect(retryRejected(deps.store, a.seq)).rejects.toThrow();
    await deps.db.outbox.update(a.seq, { state: 'rejected', rejectReason: 'personal-unreadable' });
    await retryRejected(deps.store, a.seq);
    expect(await deps.db.outbox.get(a.seq)).toMatchObject({ state: 'queued', attempts: 0 });
  });
});
