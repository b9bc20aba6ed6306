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
  /** Rows that could not be read back; kept in the dead-letter table for the operator. */
  deadLetters: number;
  /** Epoch ms of the oldest queued transaction, if any. */
  oldestQueuedAt?: number;
  lastDeliveredAt?: number;
}

/** Live queue figures for the operator screen and heartbeat (combine with `engine.status.link`). */
export function observeQueue(db: KioskDatabase): Observable<QueueView> {
  return liveQuery(async () => {
    const [queued, rejected, delivered, deadLetters, oldest, last] = await Promise.all([
      countByState(db, 'queued'),
      countByState(db, 'rejected'),
      countByState(db, 'delivered'),
      db.deadLetters.count(),
      db.outbox.where('[state+seq]').between(['queued', 0], ['queued', Infinity]).first(),
      db.outbox
        .where('state')
        .anyOf('delivered', 'purged')
        .reverse()
        .sortBy('deliveredAt')
        .then((rows) => rows[0]),
    ]);
    return {
      queued,
      rejected,
      delivered,
      deadLetters,
      oldestQueuedAt: oldest?.queuedAt,
      lastDeliveredAt: last?.deliveredAt,
    };
  });
}

export interface ProblemView {
  kind: 'rejected' | 'dead-letter';
  key: string;
  ref?: string;
  reason: string;
  at?: number;
}

/** Live list of what needs the operator: rejected transactions and dead-lettered rows. */
export function observeProblems(db: KioskDatabase): Observable<ProblemView[]> {
  return liveQuery(async () => {
    const [rejected, dead] = await Promise.all([
      db.outbox.where('state').equals('rejected').toArray(),
      db.deadLetters.toArray(),
    ]);
    return [
      ...rejected.map((row) => ({
        kind: 'rejected' as const,
        key: row.txId,
        ref: row.ref,
        reason: row.rejectReason ?? 'rejected',
        at: row.queuedAt,
      })),
      ...dead.map((row) => ({
        kind: 'dead-letter' as const,
        key: row.key,
        reason: row.reason,
        at: row.at,
      })),
    ];
  });
}
