import type { ChainRecord, RecordKind } from '../protocol/records';
import type { ChainHead, ItemResult } from '../protocol/wire';
import type { TamperAlert, VerifiedItem } from './store';

export interface StoredRecordRow {
  kioskId: string;
  seq: number;
  /** The record's id (every kind has `body.txId`). */
  txId: string;
  /** Transactions: reference number, service and channel; other kinds: empty and the kind. */
  ref: string;
  serviceId: string;
  channel: string;
  kind: RecordKind;
  /** The transaction a void or reprint refers to. */
  subjectTxId: string | null;
  hash: string;
  prevHash: string;
  createdAt: string;
  receivedAt: string;
  chainState: 'chained' | 'awaiting';
  json: string;
  personalJson: string | null;
}

/** The reads and writes `placeBatch` needs, run inside one database transaction by a store. */
export interface ChainTx {
  head(kioskId: string): Promise<ChainHead | undefined>;
  byTxId(txId: string): Promise<{ kioskId: string; seq: number; hash: string } | undefined>;
  bySeq(
    kioskId: string,
    seq: number,
  ): Promise<{ txId: string; hash: string; prevHash: string; chainState: string } | undefined>;
  insert(row: StoredRecordRow): Promise<void>;
  markChained(kioskId: string, seq: number): Promise<void>;
  setHead(kioskId: string, head: ChainHead): Promise<void>;
  alert(alert: TamperAlert): Promise<void>;
  /**
   * Keeps a record refused as `seq-conflict` against a record held (`awaiting`) at its seq, so
   * an administrator can compare the two and choose (dashboard/chain-repair.ts).
   */
  conflict?(row: {
    kioskId: string;
    seq: number;
    txId: string;
    hash: string;
    prevHash: string;
    heldTxId: string;
    json: string;
    personalJson: string | null;
    receivedAt: string;
  }): Promise<void>;
}

/** What becomes of one record: placed (chained or held), a duplicate, or rejected with why. */
type Placement =
  | { status: 'accepted'; chainState: 'chained' | 'awaiting' }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: string; detail: string; heldTxId?: string };

/**
 * Places verified records in a kiosk's chain; one algorithm for every store. Idempotent by
 * transaction id: a record already held (same kiosk, seq and hash) is `duplicate`; the same id
 * with other content, or a seq that another record holds, is rejected and raises a tamper alert.
 * A record beyond the head is held as `awaiting` until the gap closes; a record at head+1 whose
 * prevHash does not match is a chain mismatch.
 */
export async function placeBatch(
  tx: ChainTx,
  kioskId: string,
  items: VerifiedItem[],
  receivedAt: string,
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const start = await tx.head(kioskId);
  if (!start) throw new Error(`unknown kiosk ${kioskId}`);
  let head = start;
  const results: ItemResult[] = [];
  const alert = (seq: number, kind: string, detail: string): Promise<void> =>
    tx.alert({ kioskId, seq, kind, detail, at: receivedAt });
  const sorted = [...items].sort((a, b) => a.record.seq - b.record.seq);
  for (const { record, personal } of sorted) {
    const id = record.body.txId;
    const placement = await place(tx, kioskId, head, record);
    if (placement.status === 'duplicate') {
      results.push({ id, seq: record.seq, status: 'duplicate' });
      continue;
    }
    if (placement.status !== 'accepted') {
      await alert(record.seq, placement.reason, placement.detail);
      if (placement.heldTxId && tx.conflict) {
        await tx.conflict({
          kioskId,
          seq: record.seq,
          txId: id,
          hash: record.hash,
          prevHash: record.prevHash,
          heldTxId: placement.heldTxId,
          json: JSON.stringify(record),
          personalJson: personal ? JSON.stringify(personal) : null,
          receivedAt,
        });
      }
      results.push({ id, seq: record.seq, status: 'rejected', reason: placement.reason });
      continue;
    }
    await tx.insert({
      kioskId,
      seq: record.seq,
      txId: id,
      ...recordColumns(record),
      hash: record.hash,
      prevHash: record.prevHash,
      createdAt: record.createdAt,
      receivedAt,
      chainState: placement.chainState,
      json: JSON.stringify(record),
      personalJson: personal ? JSON.stringify(personal) : null,
    });
    results.push({ id, seq: record.seq, status: 'accepted' });
    if (placement.chainState === 'chained') {
      head = await linkHeld(tx, kioskId, { seq: record.seq, hash: record.hash }, alert);
    }
  }
  if (head.seq !== start.seq) await tx.setHead(kioskId, head);
  return { results, head };
}

/** Decides where one record goes, given the kiosk's head; writes nothing. */
async function place(
  tx: ChainTx,
  kioskId: string,
  head: ChainHead,
  record: ChainRecord,
): Promise<Placement> {
  const reject = (reason: string, detail: string): Placement => ({
    status: 'rejected',
    reason,
    detail,
  });
  const id = record.body.txId;
  const existing = await tx.byTxId(id);
  if (existing) {
    const same =
      existing.hash === record.hash && existing.kioskId === kioskId && existing.seq === record.seq;
    return same
      ? { status: 'duplicate' }
      : reject('conflicting-duplicate', `transaction ${id} was sent again with different content`);
  }
  if (record.seq <= head.seq) {
    return reject(
      'seq-conflict',
      `a different record already holds seq ${record.seq} in the chain`,
    );
  }
  const held = await tx.bySeq(kioskId, record.seq);
  if (held) {
    return {
      status: 'rejected',
      reason: 'seq-conflict',
      detail: `a different record is already held at seq ${record.seq}`,
      ...(held.chainState === 'awaiting' ? { heldTxId: held.txId } : {}),
    };
  }
  if (record.seq > head.seq + 1) return { status: 'accepted', chainState: 'awaiting' };
  if (record.prevHash !== head.hash) {
    return reject('chain-mismatch', `prevHash does not match the hash of seq ${head.seq}`);
  }
  return { status: 'accepted', chainState: 'chained' };
}

/**
 * A record was just chained at `head`: links the records held after it, in order, while each
 * continues the chain; a held record that does not (a forked segment) raises a chain-mismatch
 * alert and stays held. Returns the new head.
 */
async function linkHeld(
  tx: ChainTx,
  kioskId: string,
  head: ChainHead,
  alert: (seq: number, kind: string, detail: string) => Promise<void>,
): Promise<ChainHead> {
  let linked = head;
  for (;;) {
    const next = await tx.bySeq(kioskId, linked.seq + 1);
    if (!next || next.chainState !== 'awaiting') return linked;
    if (next.prevHash !== linked.hash) {
      await alert(
        linked.seq + 1,
        'chain-mismatch',
        'a held record does not link to its predecessor',
      );
      return linked;
    }
    await tx.markChained(kioskId, linked.seq + 1);
    linked = { seq: linked.seq + 1, hash: next.hash };
  }
}

/** The columns a store indexes for a record, by kind. */
export function recordColumns(
  record: ChainRecord,
): Pick<StoredRecordRow, 'ref' | 'serviceId' | 'channel' | 'kind' | 'subjectTxId'> {
  switch (record.kind) {
    case 'transaction':
      return {
        ref: record.body.ref,
        serviceId: record.body.serviceId,
        channel: record.body.channel,
        kind: record.kind,
        subjectTxId: null,
      };
    case 'void':
      return {
        ref: '',
        serviceId: '',
        channel: '',
        kind: record.kind,
        subjectTxId: record.body.voids.txId,
      };
    case 'reprint':
      return {
        ref: '',
        serviceId: '',
        channel: '',
        kind: record.kind,
        subjectTxId: record.body.reprints.txId,
      };
    default:
      return { ref: '', serviceId: '', channel: '', kind: record.kind, subjectTxId: null };
  }
}
