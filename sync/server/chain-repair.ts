import type { GatewayRecord } from '../protocol/records';

/**
 * Repairing a wedged chain. A record held as `awaiting` right after a kiosk's head whose
 * prevHash does not continue the chain (from a bug, a forked database or a stolen key) can
 * never link, and the true record for that seq is refused as `seq-conflict`: the head stops for
 * good. The gateway keeps the refused record (migration 0005) and an administrator chooses, on
 * the fleet dashboard, which of the two takes the seq, with a reason; the one set aside is kept
 * whole in the repair's record, never deleted.
 */

/** One record as the dashboard compares them. */
export interface ChainCandidate {
  txId: string;
  seq: number;
  kind: string;
  createdAt: string;
  receivedAt: string;
  hash: string;
  prevHash: string;
  /** Whether its prevHash is the hash of the chained record before it (it would link). */
  links: boolean;
  /** Where it is: in the chain, held after a gap, or refused (kept for the decision). */
  state: 'chained' | 'awaiting' | 'refused';
  ref: string;
  serviceId: string;
  record: GatewayRecord;
}

/** A seq where a held record and one or more refused records compete. */
export interface ChainConflict {
  kioskId: string;
  seq: number;
  /** The kiosk's head now; `wedged` when the held record sits right after it and cannot link. */
  headSeq: number;
  wedged: boolean;
  held: ChainCandidate | undefined;
  refused: Array<ChainCandidate & { conflictId: number }>;
}

/** A wedge: the record held right after a kiosk's head does not continue its chain. */
export interface ChainWedge {
  kioskId: string;
  headSeq: number;
  heldTxId: string;
  /** Refused records waiting for a decision at that seq. */
  refused: number;
}

export interface ChainRepair {
  id: number;
  kioskId: string;
  seq: number;
  kept: 'held' | 'refused';
  keptTxId: string;
  setAsideTxId: string;
  setAsideRecord: GatewayRecord;
  reason: string;
  decidedBy: string;
  decidedAt: string;
  headBefore: number;
  headAfter: number;
}

export type RepairChoice = { keep: 'held' } | { keep: 'refused'; conflictId: number };

export type RepairOutcome =
  | { ok: true; headBefore: number; headAfter: number; repairs: number[] }
  | {
      ok: false;
      code: 'not-found' | 'not-held' | 'already-chained' | 'reason-required';
      message: string;
    };

/** A repair's reason: said in words, so the record explains itself later. */
export const MIN_REASON_CHARS = 10;

export interface ChainRepairStore {
  /** Kiosks whose chain is wedged now. */
  wedges(): Promise<ChainWedge[]>;
  /** Seqs with refused records not yet decided (and wedged seqs), with both sides. */
  conflicts(kioskId?: string): Promise<ChainConflict[]>;
  /**
   * Decides a seq: keeps the held record (the refused ones are set aside), or puts the refused
   * record `conflictId` in its place (the held one, which must still be awaiting, is set aside)
   * and links the records held after it. One transaction; every set-aside record gets a repair
   * row with the reason and who decided.
   */
  repair(
    kioskId: string,
    seq: number,
    choice: RepairChoice,
    decision: { reason: string; decidedBy: string },
  ): Promise<RepairOutcome>;
  /** Every repair, newest first. */
  repairs(kioskId?: string): Promise<ChainRepair[]>;
}
