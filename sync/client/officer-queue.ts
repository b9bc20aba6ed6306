import type { ChainRecord, TransactionRecord } from '../protocol/records';
import type { DeliveryState, OutboxRow, OutboxStore } from './store/outbox-store';

/** One line of the officer's queue and day views. */
export interface QueueItem {
  seq: number;
  txId: string;
  kind: ChainRecord['kind'];
  ref?: string;
  serviceId?: string;
  channel?: 'self-service' | 'assisted';
  officerId?: string;
  fee?: { amountMinor: number; currency: string };
  paymentMethod?: string;
  state: DeliveryState;
  /** Set when a later void record names this transaction. */
  voided?: { reason: string };
  rejectReason?: string;
  attempts: number;
  queuedAt: number;
  deliveredAt?: number;
}

export function toQueueItem(row: OutboxRow, voided: Map<string, string>): QueueItem {
  const record = row.record;
  const base: QueueItem = {
    seq: row.seq,
    txId: row.txId,
    kind: record.kind,
    state: row.state,
    attempts: row.attempts,
    queuedAt: row.queuedAt,
    ...(row.deliveredAt !== undefined ? { deliveredAt: row.deliveredAt } : {}),
    ...(row.rejectReason !== undefined ? { rejectReason: row.rejectReason } : {}),
  };
  if (record.kind !== 'transaction') {
    return 'officerId' in record.body && record.body.officerId
      ? { ...base, officerId: record.body.officerId }
      : base;
  }
  const tx: TransactionRecord['body'] = record.body;
  const reason = voided.get(row.txId);
  return {
    ...base,
    ref: tx.ref,
    serviceId: tx.serviceId,
    channel: tx.channel,
    fee: tx.fee,
    ...(tx.officerId ? { officerId: tx.officerId } : {}),
    ...(tx.fields.paymentMethod ? { paymentMethod: tx.fields.paymentMethod } : {}),
    ...(reason !== undefined ? { voided: { reason } } : {}),
  };
}

/** Transactions already voided: the voided transaction's id and the void's reason. */
export function voidedTxIds(rows: readonly OutboxRow[]): Map<string, string> {
  const voided = new Map<string, string>();
  for (const row of rows) {
    if (row.record.kind === 'void') voided.set(row.record.body.voids.txId, row.record.body.reason);
  }
  return voided;
}

/** Every row committed since `sinceMs` (kiosk clock), oldest first, as queue items. */
export async function listQueueItems(
  store: OutboxStore,
  options: { sinceMs?: number; states?: DeliveryState[] } = {},
): Promise<QueueItem[]> {
  const rows = await store.rows();
  const voided = voidedTxIds(rows);
  return rows
    .filter((row) => options.sinceMs === undefined || row.queuedAt >= options.sinceMs)
    .filter((row) => !options.states || options.states.includes(row.state))
    .map((row) => toQueueItem(row, voided));
}

/**
 * Sends a rejected record again (after the cause was put right, for example the data key is
 * back so its personal fields can be sealed). The signed record itself cannot change: only its
 * delivery state goes back to `queued`, and the store wakes the sync engine.
 */
export function retryRejected(store: OutboxStore, seq: number): Promise<void> {
  return store.requeueRejected(seq);
}

/**
 * Puts a dead-lettered outbox row back in the queue once it parses: as it is (a newer version
 * reads it), or as corrected by the officer (`corrected`, the row's JSON). The signed record is
 * checked like any row, so a correction cannot change what was signed without the gateway
 * refusing it. Returns the reason when it still does not parse; nothing changes then.
 */
export function retryDeadLetter(
  store: OutboxStore,
  id: number,
  corrected?: unknown,
): Promise<{ ok: true; seq: number } | { ok: false; reason: string }> {
  return store.restoreDeadLetter(id, corrected);
}
