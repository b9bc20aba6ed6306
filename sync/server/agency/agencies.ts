import type { ApplicationState, StatusDetail } from '../../protocol/application-status';
import type { EcPublicJwk } from '../../protocol/crypto-primitives';
import type { GatewayRecord } from '../../protocol/records';
import type { SealedBox } from '../../protocol/sealed-box';

/** An agency as the administrator registered it (no credentials). */
export interface Agency {
  agencyId: string;
  name: string;
  /** The services it owns; each service has one owner. */
  services: string[];
  /** Personal fields are sealed to this key for the agency. */
  publicKey: EcPublicJwk;
  webhookUrl: string | null;
  createdAt: string;
  disabledAt: string | null;
  /** The last feed position given out. */
  feedHead: number;
}

/** An agency with what authenticates it and signs its webhooks (never leaves the gateway). */
export interface AgencySecrets extends Agency {
  /** Hex SHA-256 of the secret part of its API key. */
  keyHash: string;
  webhookSecret: string | null;
}

export interface NewAgency {
  agencyId: string;
  name: string;
  services: string[];
  keyHash: string;
  publicKey: EcPublicJwk;
  webhookUrl?: string | null;
  webhookSecret?: string | null;
}

export interface AgencyChange {
  name?: string;
  /** Replaces the services it owns; applications of a new service already delivered join its feed. */
  services?: string[];
  keyHash?: string;
  publicKey?: EcPublicJwk;
  webhookUrl?: string | null;
  webhookSecret?: string | null;
  disabled?: boolean;
}

/** Registration refused: the id is taken, or a service already has an owner. */
export class AgencyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgencyConflictError';
  }
}

/** One entry of an agency's feed, with the record it reports. */
export interface FeedEntry {
  agencyId: string;
  position: number;
  eventId: string;
  kind: 'delivered' | 'voided';
  /** The application's transaction id and reference. */
  txId: string;
  ref: string;
  serviceId: string;
  /** The application's record (`delivered`), or the void record (`voided`). */
  record: GatewayRecord;
  /** The application's personal fields sealed to the gateway (`delivered` only). */
  personal?: SealedBox;
  /** When the gateway received the record. */
  receivedAt: string;
  addedAt: string;
  /** How many times it has been handed out (claims and webhook attempts). */
  deliveries: number;
  ackedAt: string | null;
}

/** Where an agency's feed stands. */
export interface FeedCursor {
  /** Every position up to here is acknowledged (the durable cursor). */
  ackedThrough: number;
  /** The last position given out. */
  head: number;
  /** Entries not yet acknowledged, and how many of them are leased now. */
  unacked: number;
  leased: number;
}

/** A status change as an agency posted it. */
export interface StatusChangeInput {
  agencyId: string;
  ref: string;
  eventId: string;
  state: Exclude<ApplicationState, 'received'>;
  detail: StatusDetail;
  /** When it happened in the agency's system (ISO 8601). */
  occurredAt: string;
  /** Refuse unless the application is in this state now (optimistic ordering). */
  expectedState?: ApplicationState;
  /** SHA-256 of the canonical JSON of the change (for the same-event-id check). */
  digest: string;
}

export interface StatusEvent {
  version: number;
  eventId: string;
  agencyId: string;
  from: ApplicationState;
  state: ApplicationState;
  detail: StatusDetail;
  occurredAt: string;
  recordedAt: string;
}

/** An application's status as the gateway holds it. */
export interface ApplicationStatus {
  ref: string;
  txId: string;
  serviceId: string;
  kioskId: string;
  /** When the citizen submitted it (the record's createdAt) and the gateway received it. */
  submittedAt: string;
  receivedAt: string;
  state: ApplicationState;
  /** When the current state began. */
  since: string;
  detail: StatusDetail;
  /** Status events so far (0: only received). */
  version: number;
}

export type StatusChangeResult =
  | { result: 'recorded' | 'duplicate'; status: ApplicationStatus; event: StatusEvent }
  | {
      result:
        | 'unknown-reference'
        | 'event-id-reused'
        | 'illegal-transition'
        | 'detail-required'
        | 'state-mismatch'
        | 'out-of-order';
      message: string;
      status?: ApplicationStatus;
    };

/** One call to the agency interface, for the log. */
export interface AgencyCall {
  agencyId: string | null;
  at: string;
  method: string;
  path: string;
  status: number;
  outcome: string;
}

/** One application for the processing-time figures. */
export interface DecisionRow {
  serviceId: string;
  kioskId: string;
  submittedAt: string;
  /** When it was first approved or refused; null while undecided. */
  decidedAt: string | null;
  /** Whether an agency owns its service (only those are decided through this gateway). */
  tracked: boolean;
}

/**
 * The agencies' tables (migration 0003). Every method is one transaction. Feed entries are
 * added by the store itself when a batch chains a transaction of an owned service (in the
 * batch's own transaction), and for applications already delivered when a service gets an owner.
 */
export interface AgencyStore {
  register(agency: NewAgency): Promise<{ backfilled: number }>;
  update(agencyId: string, change: AgencyChange): Promise<{ backfilled: number }>;
  get(agencyId: string): Promise<AgencySecrets | undefined>;
  list(): Promise<Agency[]>;

  /**
   * Leases up to `limit` unacknowledged entries to `consumer` for `leaseMs`, lowest position
   * first: entries never handed out, and entries whose lease ran out (at least once). Entries
   * leased to another consumer are skipped, so two consumers never both get one as new.
   */
  claimFeed(
    agencyId: string,
    consumer: string,
    limit: number,
    leaseMs: number,
  ): Promise<FeedEntry[]>;
  /** Acknowledges entries (idempotent); returns the positions that are not in the feed. */
  ackFeed(
    agencyId: string,
    ackedBy: string,
    positions: number[],
  ): Promise<{ acked: number; unknown: number[] }>;
  /** Entries after `after`, in order, without leasing them (replay from a cursor). */
  readFeed(agencyId: string, after: number, limit: number): Promise<FeedEntry[]>;
  feedEntry(agencyId: string, position: number): Promise<FeedEntry | undefined>;
  feedCursor(agencyId: string): Promise<FeedCursor>;

  /** Records a status change once per event id, if the move is legal; see StatusChangeResult. */
  postStatus(change: StatusChangeInput): Promise<StatusChangeResult>;
  /** An application's status and history, only if `agencyId` owns its service. */
  statusForAgency(
    agencyId: string,
    ref: string,
  ): Promise<{ status: ApplicationStatus; history: StatusEvent[] } | undefined>;
  /** The status of each known reference (kiosks' status check). */
  statusByRefs(refs: string[]): Promise<ApplicationStatus[]>;

  logCall(call: AgencyCall): Promise<void>;
  /** The latest calls, newest first. */
  listCalls(options?: { agencyId?: string; limit?: number }): Promise<AgencyCall[]>;

  /** Applications submitted since `fromDay` (voided ones left out), for the figures. */
  decisionRows(fromDay: string): Promise<DecisionRow[]>;
}
