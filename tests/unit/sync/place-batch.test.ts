/**
 * Chain placement's contract with the store that runs it (sync/server/place-batch.ts): what it
 * reads and writes, and how much at a time. The placement rules themselves are tested through
 * the real store on SQLite and PostgreSQL (tests/integration/sync/gateway-ingest.test.ts); here a
 * store in memory records each call, which a real database cannot show.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../../sync/protocol/records';
import type { ChainRecord } from '../../../sync/protocol/records';
import type { ChainHead } from '../../../sync/protocol/wire';
import { placeBatch } from '../../../sync/server/place-batch';
import type { ChainTx, StoredRecordRow } from '../../../sync/server/place-batch';
import type { TamperAlert } from '../../../sync/server/store';

const kioskId = 'placement-kiosk-01';
const receivedAt = '2026-11-23T09:00:00.000Z';
const hashOf = (seq: number, fork = ''): string =>
  `${fork}${seq}`.padStart(64, fork ? 'f' : '0').slice(-64);

/**
 * An officer sign-in at `seq` linked to `prevSeq`'s hash. Placement reads only ids, seqs and
 * hashes; signatures are ingest's business (tested there).
 */
function record(seq: number, options: { prev?: string; fork?: string } = {}): ChainRecord {
  return {
    v: 1,
    kioskId,
    seq,
    prevHash: options.prev ?? (seq === 1 ? GENESIS_HASH : hashOf(seq - 1, options.fork)),
    createdAt: '2026-11-23T08:00:00.000Z',
    kind: 'officer-sign-in',
    body: { txId: `tx-${options.fork ?? ''}${seq}`, officerId: '00012345', method: 'pin' },
    hash: hashOf(seq, options.fork),
    sig: 'not-checked-here',
  } as ChainRecord;
}

/** A ChainTx over memory that logs every call, as one database transaction would see them. */
function memoryTx() {
  const rows = new Map<number, StoredRecordRow>();
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  const log: string[] = [];
  const inserts: number[] = [];
  const alerts: TamperAlert[] = [];
  const conflicts: Array<{ seq: number; txId: string; heldTxId: string }> = [];
  const tx: ChainTx = {
    async head(id) {
      log.push('head');
      return id === kioskId ? head : undefined;
    },
    async findIds(ids) {
      log.push('findIds');
      return [...rows.values()]
        .filter((row) => ids.includes(row.txId))
        .map(({ txId, kioskId: kiosk, seq, hash }) => ({ txId, kioskId: kiosk, seq, hash }));
    },
    async heldAfter(_id, afterSeq) {
      log.push('heldAfter');
      return [...rows.values()]
        .filter((row) => row.chainState === 'awaiting' && row.seq > afterSeq)
        .map(({ seq, txId, hash, prevHash }) => ({ seq, txId, hash, prevHash }));
    },
    async insert(batch) {
      log.push(`insert ${batch.length}`);
      inserts.push(batch.length);
      for (const row of batch) rows.set(row.seq, row);
    },
    async markChained(_id, seqs) {
      log.push(`markChained ${seqs.join(',')}`);
      for (const seq of seqs) {
        const row = rows.get(seq);
        if (!row) throw new Error(`marked seq ${seq} that was never written`);
        row.chainState = 'chained';
      }
    },
    async setHead(_id, next) {
      log.push(`setHead ${next.seq}`);
      head = next;
    },
    async alert(alert) {
      log.push(`alert ${alert.seq} ${alert.kind}`);
      alerts.push(alert);
    },
    async conflict({ seq, txId, heldTxId }) {
      conflicts.push({ seq, txId, heldTxId });
    },
  };
  return { tx, rows, log, inserts, alerts, conflicts, head: () => head };
}

const items = (records: ChainRecord[]) => records.map((record) => ({ record }));

describe('chain placement and its store', () => {
  it('reads the head, the ids and the held records once, and writes a batch in slices of 500 rows', async () => {
    const store = memoryTx();
    const records = Array.from({ length: 1001 }, (_, i) => record(i + 1));
    const reply = await placeBatch(store.tx, kioskId, items(records), receivedAt);
    expect(reply.head).toEqual({ seq: 1001, hash: hashOf(1001) });
    expect(reply.results.every((result) => result.status === 'accepted')).toBe(true);
    // A bundle of many thousand records is never held whole a second time, as rows.
    expect(store.inserts).toEqual([500, 500, 1]);
    expect(store.log.slice(0, 3)).toEqual(['head', 'findIds', 'heldAfter']);
    expect(store.log.slice(-2)).toEqual(['markChained ', 'setHead 1001']);
    expect(store.rows.get(1001)).toMatchObject({ chainState: 'chained', receivedAt });
  });

  it('leaves the head alone when nothing joined the chain, and links held records after the rows are written', async () => {
    const store = memoryTx();
    await placeBatch(store.tx, kioskId, items([record(1)]), receivedAt);
    store.log.length = 0;
    // Only held records: no new head to write.
    const held = await placeBatch(store.tx, kioskId, items([record(3), record(4)]), receivedAt);
    expect(held.head).toEqual({ seq: 1, hash: hashOf(1) });
    expect(store.log.filter((call) => call.startsWith('setHead'))).toEqual([]);
    store.log.length = 0;
    // Seq 2 closes the gap: it is inserted before the held records are marked, then the head.
    const filled = await placeBatch(store.tx, kioskId, items([record(2)]), receivedAt);
    expect(filled.head).toEqual({ seq: 4, hash: hashOf(4) });
    expect(store.log).toEqual([
      'head',
      'findIds',
      'heldAfter',
      'insert 1',
      'markChained 3,4',
      'setHead 4',
    ]);
  });

  it('stops linking at a held record that does not continue the chain, and says which', async () => {
    const store = memoryTx();
    // Seq 3 and 4 of a fork: seq 3 links to a seq 2 that is not the kiosk's.
    await placeBatch(
      store.tx,
      kioskId,
      items([record(1), record(3, { fork: 'e' }), record(4, { fork: 'e' })]),
      receivedAt,
    );
    const filled = await placeBatch(store.tx, kioskId, items([record(2)]), receivedAt);
    expect(filled.head).toEqual({ seq: 2, hash: hashOf(2) });
    expect(store.alerts).toEqual([
      {
        kioskId,
        seq: 3,
        kind: 'chain-mismatch',
        detail: 'a held record does not link to its predecessor',
        at: receivedAt,
      },
    ]);
    expect(store.log.slice(-2)).toEqual(['markChained ', 'setHead 2']);
  });

  it('keeps a record refused at a seq held earlier in the same batch, naming the held one for repair', async () => {
    const store = memoryTx();
    const reply = await placeBatch(
      store.tx,
      kioskId,
      items([record(1), record(3), record(3, { fork: 'e' })]),
      receivedAt,
    );
    expect(reply.results.map((result) => [result.id, result.status, result.reason])).toEqual([
      ['tx-1', 'accepted', undefined],
      ['tx-3', 'accepted', undefined],
      ['tx-e3', 'rejected', 'seq-conflict'],
    ]);
    // The administrator compares the two at seq 3 (dashboard/chain-repair.ts).
    expect(store.conflicts).toEqual([{ seq: 3, txId: 'tx-e3', heldTxId: 'tx-3' }]);
  });

  it('refuses a batch for a kiosk the store does not know, before reading anything else', async () => {
    const store = memoryTx();
    await expect(
      placeBatch(store.tx, 'someone-else', items([record(1)]), receivedAt),
    ).rejects.toThrow('unknown kiosk someone-else');
    expect(store.log).toEqual(['head']);
  });
});
