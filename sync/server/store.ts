import type { GatewayRecord } from '../protocol/records';
import type { SealedBox } from '../protocol/sealed-box';
import type { ChainHead, HeartbeatRequest, ItemResult } from '../protocol/wire';
import type { PublicKeyJwk } from '../protocol/device-signature';
import type { JobQueue } from './jobs/job-queue';
import type { AgencyStore } from './agency/agencies';
import type { SmsStore } from './sms/sms-store';
import type { ChainRepairStore } from './chain-repair';

export interface KioskRow {
  kioskId: string;
  publicKey: PublicKeyJwk;
  head: ChainHead;
  enrolledAt: string;
}

/** A tamper alert as raised: a refused record or request (`seq` null when no record is named). */
export interface TamperAlert {
  kioskId: string;
  seq: number | null;
  kind: string;
  detail: string;
  /** ISO 8601, when it was raised (when first raised, once stored). */
  at: string;
}

/**
 * A tamper alert as stored: one per incident (the same kiosk, seq, kind and detail), however many
 * times it was raised (a batch resent after its answer was lost raises its refusals again).
 */
export interface StoredTamperAlert extends TamperAlert {
  /** How many times it was raised, at least 1. */
  repeats: number;
  /** ISO 8601, when it was last raised (`at` when raised once). */
  lastAt: string;
}

/**
 * A record that passed hash, signature and personal-data checks, ready to be chained. Its `sig`
 * is absent when a v2 segment's signature (on a later record) proves it (records.ts).
 */
export interface VerifiedItem {
  record: GatewayRecord;
  /** The personal fields as the kiosk sealed them to this gateway; stored sealed. */
  personal?: SealedBox;
}

export type EnrolOutcome = 'enrolled' | 'already-enrolled' | 'bad-token';

export interface ReceivedRef {
  ref: string;
  serviceId: string;
  receivedAt: string;
}

/** One of a kiosk's records as the gateway holds it (for `GET …/acks`). */
export interface HeldRecord {
  seq: number;
  id: string;
  hash: string;
  state: 'chained' | 'awaiting';
}

/** Transactions on one day (UTC, from the record's createdAt) at one kiosk, service and channel. */
export interface TransactionCount {
  day: string;
  kioskId: string;
  serviceId: string;
  channel: string;
  count: number;
  /** How many of `count` a void record cancels. */
  voided: number;
}

/** Nonces are remembered this long; the signature window is shorter, so a replay is caught. */
export const NONCE_TTL_MS = 15 * 60_000;

/**
 * Persistence of the reference gateway (SQLite or PostgreSQL). Each method is atomic:
 * `applyBatch` places a whole batch in one database transaction that commits before the reply is
 * sent, so a crash leaves all of it or none, and a retry of a committed batch finds every item
 * by its transaction id (`duplicate`). The same transaction adds each newly chained application
 * to the feed of the agency that owns its service, with its webhook job.
 */
export interface GatewayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The durable job queue in this database (jobs/job-queue.ts). */
  readonly jobs: JobQueue;
  /** Agencies, their feeds, application status and its history (agency/agencies.ts). */
  readonly agencies: AgencyStore;
  /** SMS subscriptions, messages and receipts (sms/sms-store.ts). */
  readonly sms: SmsStore;
  /** Wedged chains and their repairs (chain-repair.ts). */
  readonly chains: ChainRepairStore;
  /**
   * Issues a one-time enrolment token (its hash) to a kiosk; the same again is a no-op.
   * Throws when the token is already issued to another kiosk.
   */
  addEnrolmentToken(kioskId: string, tokenHash: string): Promise<void>;
  enrol(kioskId: string, tokenHash: string, publicKey: PublicKeyJwk): Promise<EnrolOutcome>;
  getKiosk(kioskId: string): Promise<KioskRow | undefined>;
  applyBatch(
    kioskId: string,
    items: VerifiedItem[],
  ): Promise<{ results: ItemResult[]; head: ChainHead }>;
  /** Stores an alert; the same incident raised again counts on the stored one (`repeats`). */
  addTamperAlert(alert: TamperAlert): Promise<void>;
  /** A kiosk's alerts (or every kiosk's), in the order first raised. */
  listTamperAlerts(kioskId?: string): Promise<StoredTamperAlert[]>;
  countRecords(kioskId: string): Promise<{ chained: number; awaiting: number }>;
  listRecords(kioskId: string): Promise<GatewayRecord[]>;
  /** The sealed personal fields of one record, as received. */
  readPersonal(kioskId: string, seq: number): Promise<SealedBox | undefined>;
  /** Records a request nonce; false when this kiosk already used it (a replay). */
  useNonce(kioskId: string, nonce: string, atMs: number): Promise<boolean>;
  getSetting(key: string): Promise<string | undefined>;
  /** Stores `value`, replacing what was there (the administrator password hash). */
  putSetting(key: string, value: string): Promise<void>;
  /** Stores `value` unless the key exists; returns what is stored (first writer wins). */
  putSettingIfAbsent(key: string, value: string): Promise<string>;
  recordHeartbeat(kioskId: string, beat: HeartbeatRequest, receivedAt: string): Promise<void>;
  lastHeartbeat(
    kioskId: string,
  ): Promise<{ beat: HeartbeatRequest; receivedAt: string } | undefined>;
  findByRefs(refs: string[]): Promise<ReceivedRef[]>;
  /** A kiosk's records from `fromSeq` on, in seq order, at most `limit`. */
  recordsFrom(kioskId: string, fromSeq: number, limit: number): Promise<HeldRecord[]>;
  listKiosks(): Promise<KioskRow[]>;
  /**
   * The transactions of one service that no void cancels, oldest first, with their non-personal
   * fields (the SMS opt-ins for the dashboard's subscriber figures).
   */
  transactionsOf(
    serviceId: string,
  ): Promise<
    Array<{ kioskId: string; ref: string; createdAt: string; fields: Record<string, string> }>
  >;
  /** Transaction counts per day, kiosk, service and channel, for days from `fromDay` on. */
  transactionCounts(fromDay: string): Promise<TransactionCount[]>;
  close(): Promise<void>;
}
