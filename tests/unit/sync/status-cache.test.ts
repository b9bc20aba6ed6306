import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../../sync/client/store/outbox-store';
import {
  forgetStatusesBefore,
  lastSeenStatuses,
  lookUpStatuses,
} from '../../../sync/client/status-cache';
import type { DecisionStatusReply } from '../../../sync/protocol/wire';
import { openTestStore } from '../../support/chain-fixture';

describe('the kiosk remembers the last decisions it heard', () => {
  let db: KioskDatabase;
  let store: OutboxStore;
  afterEach(async () => {
    db.close();
    await db.delete();
  });
  const open = async () => {
    ({ store, db } = openTestStore(`status-${crypto.randomUUID()}`));
    await db.open();
    return store;
  };
  const answer =
    (statuses: DecisionStatusReply['statuses']) =>
    async (refs: string[]): Promise<DecisionStatusReply> => ({
      statuses: refs.map((ref) => statuses.find((s) => s.ref === ref) ?? { ref, state: 'unknown' }),
    });

  it('answers from the gateway when it can, and from what it last heard when it cannot', async () => {
    await open();
    const approved = {
      ref: 'ABCD-EFGH-J',
      state: 'approved' as const,
      since: '2026-11-30T09:00:00.000Z',
      nextStep: { en: 'Wait for the SMS', es: 'Espere el SMS' },
    };
    const online = await lookUpStatuses(
      store,
      ['ABCD-EFGH-J', 'ZZZZ-ZZZZ-Z'],
      answer([approved]),
      () => 1000,
    );
    expect(online).toEqual({
      online: true,
      statuses: [
        { ...approved, checkedAt: 1000 },
        { ref: 'ZZZZ-ZZZZ-Z', state: 'unknown', checkedAt: 1000 },
      ],
    });
    const down = async (): Promise<DecisionStatusReply> => {
      throw new TypeError('fetch failed');
    };
    // An unknown reference is not remembered: there was nothing to remember.
    expect(await lookUpStatuses(store, ['ABCD-EFGH-J', 'ZZZZ-ZZZZ-Z'], down, () => 5000)).toEqual({
      online: false,
      statuses: [{ ...approved, checkedAt: 1000 }],
    });
  });

  it('asks in requests of at most 50 references, and goes offline if any request fails', async () => {
    await open();
    const asked: number[] = [];
    const refs = Array.from({ length: 120 }, (_, i) => `REF${String(i).padStart(3, '0')}-AAAA-B`);
    const result = await lookUpStatuses(store, refs, async (chunk) => {
      asked.push(chunk.length);
      return { statuses: chunk.map((ref) => ({ ref, state: 'received' as const })) };
    });
    expect(asked).toEqual([50, 50, 20]);
    expect(result.statuses).toHaveLength(120);
    let calls = 0;
    const flaky = await lookUpStatuses(store, refs, async (chunk) => {
      calls += 1;
      if (calls === 2) throw new Error('reset');
      return { statuses: chunk.map((ref) => ({ ref, state: 'in-review' as const })) };
    });
    expect(flaky.online).toBe(false);
    expect(flaky.statuses.every((s) => s.state === 'received')).toBe(true);
  });

  it('ignores a damaged entry and forgets entries older than the retention period', async () => {
    await open();
    await lookUpStatuses(
      store,
      ['OLDD-OLDD-O'],
      answer([{ ref: 'OLDD-OLDD-O', state: 'refused', reason: 'Expired' }]),
      () => 100,
    );
    await lookUpStatuses(
      store,
      ['NEWW-NEWW-N'],
      answer([{ ref: 'NEWW-NEWW-N', state: 'collected' }]),
      () => 900,
    );
    await db.meta.put({
      key: 'status:BADD-BADD-B',
      value: { ref: 'BADD-BADD-B', state: 'approved' },
    });
    expect(
      (await lastSeenStatuses(store, ['BADD-BADD-B', 'NEWW-NEWW-N'])).map((s) => s.ref),
    ).toEqual(['NEWW-NEWW-N']);
    expect(await forgetStatusesBefore(store, 500)).toBe(2);
    expect(
      (await lastSeenStatuses(store, ['OLDD-OLDD-O', 'NEWW-NEWW-N'])).map((s) => s.ref),
    ).toEqual(['NEWW-NEWW-N']);
    expect(await db.meta.get('chain-head')).toBeUndefined();
  });
});
