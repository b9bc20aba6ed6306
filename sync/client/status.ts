import { liveQuery } from 'dexie';
import type { Observable } from 'dexie';
import type { DeliveryState, KioskDatabase } from './db';
import { countByState } from './db';

export interface DeliveryView {
  state: DeliveryState;
  rejectReason?: string;
  deliveredAt?: number;
}

/** Live delivery state of one transaction, for the receipt screen. */
export function observeDelivery(
  db: KioskDatabase,
  txId: string,
): Observable<DeliveryView | undefined> {
  return liveQuery(async () => {
    const row = await db.outbox.where('txId').equals(txId).first();
    return row
      ? { state: row.state, rejectReason: row.rejectReason, deliveredAt: row.deliveredAt }
      : undefined;
  });
}

export interface QueueView {
  queued: number;
  rejected: number;
  delivered: number;
  /** Epoch ms of the oldest queued transaction, if any. */
  oldestQueuedAt?: number;
  lastDeliveredAt?: number;
}

/** Live queue figures for the operator screen and heartbeat. */
export function observeQueue(db: KioskDatabase): Observable<QueueView> {
  return liveQuery(async () => {
    const [queued, rejected, delivered, oldest, last] = await Promise.all([
      countByState(db, 'queued'),
      countByState(db, 'rejected'),
      countByState(db, 'delivered'),
      db.outbox.where('[state+seq]').between(['queued', 0], ['queued', Infinity]).first(),
      db.outbox
        .where('state')
        .equals('delivered')
        .reverse()
        .sortBy('deliveredAt')
        .then((rows) => rows[0]),
    ]);
    return {
      queued,
      rejected,
      delivered,
      oldestQueuedAt: oldest?.queuedAt,
      lastDeliveredAt: last?.deliveredAt,
    };
  });
}
