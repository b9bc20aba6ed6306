import type { GatewayRecord, RecordKind } from '../protocol/records';
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

/**
 * The reads and writes `placeBatch` needs, run inside one database transaction by a store. Each
 * is one statement (or one per few hundred rows), so placing a batch costs a handful of round
 * trips whatever its size.
 */
export interface ChainTx {
  /** The kiosk's chain head; a store that shares its database also locks the kiosk here. */
  head(kioskId: string): Promise<ChainHead | undefined>;
  /** The stored records that have any of these ids, whichever kiosk sent them. */
  findIds(
    txIds: readonly string[],
  ): Promise<Array<{ txId: string; kioskId: string; seq: number; hash: string }>>;
  /** The kiosk's records held as awaiting, with a seq above `afterSeq`. */
  heldAfter(
    kioskId: string,
    afterSeq: number,
  ): Promise<Array<{ seq: number; txId: string; hash: string; prevHash: string }>>;
  /** Inserts the rows (none: nothing to do). */
  insert(rows: readonly StoredRecordRow[]): Promise<void>;
  /** Marks stored held records as chained (none: nothing to do). */
  markChained(kioskId: string, seqs: readonly number[]): Promise<void>;
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

/** Rows written at a time, so a bundle of many thousand records is not held twice in memory. */
const INSERT_ROWS = 500;

/** A record held as awaiting (stored, or placed earlier in this batch). */
interface Held {
  txId: string;
  hash: string;
  prevHash: string;
}

/** What the batch knows while it places records: the head, the ids and the held records. */
interface ChainView {
  kioskId: string;
  head: ChainHead;
  known: Map<string, { kioskId: string; seq: number; hash: string }>;
  held: Map<number, Held>;
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
 * prevHash does not match is a chain mismatch. It reads the batch's ids and the kiosk's held
 * records once, decides in memory, and writes the new rows in bulk.
 */
export async function placeBatch(
  tx: ChainTx,
  kioskId: string,
  items: VerifiedItem[],
  receivedAt: string,
): Promise<{ results: ItemResult[]; head: ChainHead }> {
  const start = await tx.head(kioskId);
  if (!start) throw new Error(`unknown kiosk ${kioskId}`);
  const sorted = [...items].sort((a, b) => a.record.seq - b.record.seq);
  const found = await tx.findIds(sorted.map((item) => item.record.body.txId));
  const stored = await tx.heldAfter(kioskId, start.seq);
  const view: ChainView = {
    kioskId,
    head: start,
    known: new Map(found.map(({ txId, ...rest }) => [txId, rest])),
    held: new Map(stored.map(({ seq, ...held }) => [seq, held])),
  };
  const results: ItemResult[] = [];
  const linked: number[] = [];
  let unwritten: StoredRecordRow[] = [];
  const write = async (): Promise<void> => {
    await tx.insert(unwritten);
    unwritten = [];
  };
  const alert = (seq: number, kind: string, detail: string): Promise<void> =>
    tx.alert({ kioskId, seq, kind, detail, at: receivedAt });
  for (const { record, personal } of sorted) {
    const id = record.body.txId;
    const placement = place(view, record);
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
    const row: StoredRecordRow = {
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
    };
    unwritten.push(row);
    view.known.set(id, { kioskId, seq: record.seq, hash: record.hash });
    results.push({ id, seq: record.seq, status: 'accepted' });
    if (placement.chainState === 'awaiting') {
      view.held.set(record.seq, { txId: id, hash: record.hash, prevHash: record.prevHash });
    } else {
      view.head = { seq: record.seq, hash: record.hash };
      await linkHeld(view, linked, alert);
    }
    if (unwritten.length >= INSERT_ROWS) await write();
  }
  await write();
  await tx.markChained(kioskId, linked);
  if (view.head.seq !== start.seq) await tx.setHead(kioskId, view.head);
  return { results, head: view.head };
}

/** Decides where one record goes, given what the batch knows; changes nothing. */
function place(view: ChainView, record: GatewayRecord): Placement {
  const reject = (reason: string, detail: string): Placement => ({
    status: 'rejected',
    reason,
    detail,
  });
  const { head } = view;
  const id = record.body.txId;
  const existing = view.known.get(id);
  if (existing) {
    const same =
      existing.hash === record.hash &&
      existing.kioskId === view.kioskId &&
      existing.seq === record.seq;
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
  const held = view.held.get(record.seq);
  if (held) {
    return {
      status: 'rejected',
      reason: 'seq-conflict',
      detail: `a different record is already held at seq ${record.seq}`,
      heldTxId: held.txId,
    };
  }
  if (record.seq > head.seq + 1) return { status: 'accepted', chainState: 'awaiting' };
  if (record.prevHash !== head.hash) {
    return reject('chain-mismatch', `prevHash does not match the hash of seq ${head.seq}`);
  }
  return { status: 'accepted', chainState: 'chained' };
}

/**
 * A record was just chained at the view's head: links the records held after it, in order,
 * while each continues the chain (listing them in `linked`, to be marked chained once the batch's
 * rows are written); a held record that does not (a forked segment) raises a chain-mismatch
 * alert and stays held.
 */
async function linkHeld(
  view: ChainView,
  linked: number[],
  alert: (seq: number, kind: string, detail: string) => Promise<void>,
): Promise<void> {
  for (;;) {
    const seq = view.head.seq + 1;
    const next = view.held.get(seq);
    if (!next) return;
    if (next.prevHash !== view.head.hash) {
      await alert(seq, 'chain-mismatch', 'a held record does not link to its predecessor');
      return;
    }
    view.held.delete(seq);
    linked.push(seq);
    view.head = { seq, hash: next.hash };
  }
}

/** The columns a store indexes for a record, by kind. */
export function recordColumns(
  record: GatewayRecord,
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
