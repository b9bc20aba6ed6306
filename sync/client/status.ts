import type { DeliveryState, OutboxStore, QueueFigures, Subscribable } from './store/outbox-store';

/** Live views of the outbox for the UI: each re-runs when the rows it read change. */
export interface DeliveryView {
  state: DeliveryState;
  rejectReason?: string;
  deliveredAt?: number;
}

/** Live delivery state of one transaction, for the receipt screen. */
export function observeDelivery(
  store: OutboxStore,
  txId: string,
): Subscribable<DeliveryView | undefined> {
  return store.observe(async () => {
    const row = await store.find({ txId });
    return row
      ? { state: row.state, rejectReason: row.rejectReason, deliveredAt: row.deliveredAt }
      : undefined;
  });
}

export type QueueView = QueueFigures;

/** Live queue figures for the operator screen (combine with `engine.status.link`). */
export function observeQueue(store: OutboxStore): Subscribable<QueueView> {
  return store.observe(() => store.figures());
}

export interface ProblemView {
  kind: 'rejected' | 'dead-letter';
  key: string;
  ref?: string;
  reason: string;
  at?: number;
}

/** Live list of what needs the operator: rejected transactions and dead-lettered rows. */
export function observeProblems(store: OutboxStore): Subscribable<ProblemView[]> {
  return store.observe(async () => {
    const [rejected, dead] = await Promise.all([store.rows('rejected'), store.deadLetters()]);
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
