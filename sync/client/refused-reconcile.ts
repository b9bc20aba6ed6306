import type { AcksReply } from '../protocol/wire';
import type { KioskDatabase } from './db';

/** The gateway's reason for a record it refused because another record held its seq. */
export const SEQ_CONFLICT = 'seq-conflict';

/**
 * Records the gateway refused as `seq-conflict` (a stray record held its seq) stay `rejected`
 * here until an administrator repairs the chain on the fleet dashboard by putting this kiosk's
 * record in place. Then the gateway lists it as chained (`GET …/acks`) with the same id and
 * hash, and this marks it delivered. Returns how many rows it marked.
 */
export async function reconcileRefused(
  db: KioskDatabase,
  getAcks: (fromSeq: number) => Promise<AcksReply>,
  at: number,
): Promise<number> {
  const refused = await db.outbox
    .where('state')
    .equals('rejected')
    .filter((row) => row.rejectReason === SEQ_CONFLICT)
    .limit(20)
    .toArray();
  let marked = 0;
  for (const row of refused) {
    const acks = await getAcks(row.seq);
    const held = acks.records.find((record) => record.seq === row.seq);
    if (
      !held ||
      held.state !== 'chained' ||
      held.id !== row.txId ||
      held.hash !== row.record.hash
    ) {
      continue;
    }
    await db.transaction('rw', db.outbox, async () => {
      const current = await db.outbox.get(row.seq);
      if (current?.state !== 'rejected') return;
      await db.outbox.update(row.seq, {
        state: 'delivered',
        deliveredAt: at,
        rejectReason: undefined,
      });
      marked += 1;
    });
  }
  return marked;
}
