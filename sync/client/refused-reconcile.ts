import type { AcksReply } from '../protocol/wire';
import type { OutboxStore } from './store/outbox-store';

/** The gateway's reason for a record it refused because another record held its seq. */
export const SEQ_CONFLICT = 'seq-conflict';

/**
 * Records the gateway refused as `seq-conflict` (a stray record held its seq) stay `rejected`
 * here until an administrator repairs the chain on the fleet dashboard by putting this kiosk's
 * record in place. Then the gateway lists it as chained (`GET …/acks`) with the same id and
 * hash, and this marks it delivered. Returns how many rows it marked.
 */
export async function reconcileRefused(
  store: OutboxStore,
  getAcks: (fromSeq: number) => Promise<AcksReply>,
  at: number,
): Promise<number> {
  const refused = (await store.rows('rejected'))
    .filter((row) => row.rejectReason === SEQ_CONFLICT)
    .slice(0, 20);
  let marked = 0;
  for (const row of refused) {
    const acks = await getAcks(row.seq);
    const held = acks.records.find((record) => record.seq === row.seq);
    if (!held || held.state !== 'chained') continue;
    marked += await store.confirmHeld(
      [{ seq: held.seq, id: held.id, hash: held.hash }],
      at,
      'rejected',
    );
  }
  return marked;
}
