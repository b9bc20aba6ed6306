import type { ChainRecord } from '../../protocol/records';
import type { ChainHead, DecisionStatus } from '../../protocol/wire';
import type { EcPublicJwk } from '../../protocol/crypto-primitives';
import type { OfficerRosterEntry } from '../../protocol/officer-roster';
import type { LocalCiphertext } from '../data-key';
import type { LinkEstimate } from '../link-policy';

/**
 * The kiosk's outbox store: what the sync client keeps on disk, in the terms its policy modules
 * (commit, engine, bundles, officer tools) use. Every reader and writer goes through this
 * interface; only its Dexie implementation (`dexie-outbox-store.ts`, over `dexie-schema.ts`)
 * knows the IndexedDB layout, and lint keeps it that way.
 *
 * Layering as in Workbox background sync: policy (SyncEngine, commit) → this interface →
 * the schema-aware store.
 */
export type DeliveryState = 'queued' | 'delivered' | 'rejected' | 'purged';

/** One chain record and its delivery state: the outbox row. */
export interface OutboxRow {
  seq: number;
  /** The record's id (`record.body.txId`), for every record kind. */
  txId: string;
  /** Reference number and service: transaction rows only (officer records have neither). */
  ref?: string;
  serviceId?: string;
  state: DeliveryState;
  record: ChainRecord;
  /** Epoch ms on the kiosk clock when committed. */
  queuedAt: number;
  deliveredAt?: number;
  rejectReason?: string;
  attempts: number;
  /**
   * The personal fields (salt and values) encrypted with the data key: the kiosk's own copy, used
   * to reprint and to seal the values to the gateway when the record is sent. Removed by purge.
   */
  personalLocal?: LocalCiphertext;
  purgedAt?: number;
  /** Committed under schema v1, before personal fields were encrypted (see the v2 upgrade). */
  legacyPlaintext?: boolean;
}

/** A row that could not be read back as a valid outbox row: kept with its reason, never retried. */
export interface DeadLetterRow {
  id?: number;
  table: 'outbox';
  key: string;
  reason: string;
  raw: unknown;
  at: number;
}

/** Queue figures for the operator console, the officer tools and the heartbeat. */
export interface QueueFigures {
  queued: number;
  rejected: number;
  delivered: number;
  /** Rows that could not be read back; kept in the dead-letter table for the operator. */
  deadLetters: number;
  /** Epoch ms of the oldest queued row, if any. */
  oldestQueuedAt?: number;
  /** Epoch ms of the latest delivery (delivered or since purged), if any. */
  lastDeliveredAt?: number;
}

/**
 * An application's decision as the gateway last gave it, and when that was heard (epoch ms):
 * what the status check shows when the link is down (status-cache.ts).
 */
export interface SeenStatus extends DecisionStatus {
  checkedAt: number;
}

/** What the gateway said about one sent row (decided by the engine, written by the store). */
export type DeliveryOutcome =
  | { seq: number; outcome: 'delivered' }
  | { seq: number; outcome: 'rejected'; reason: string }
  /** No usable result for this row: it stays queued and is sent again. */
  | { seq: number; outcome: 'unanswered' };

/** A record the gateway says it holds (`GET …/acks`): matched by seq, id and hash. */
export interface HeldRecord {
  seq: number;
  id: string;
  hash: string;
}

/** The gateway's config as last fetched: its ETag and the key personal fields are sealed to. */
export interface GatewayConfigCache {
  etag?: string;
  gatewayKey: EcPublicJwk;
  /** Epoch ms (kiosk clock) when the config was last re-validated. */
  checkedAt: number;
  /** The batch protocol the last health probe agreed (engine.ts sends in it before the next). */
  protocol?: 1 | 2;
}

export interface PinFailures {
  count: number;
  lockedUntil?: number;
}

/**
 * Small values kept beside the outbox, by key. Each is parsed when read back: a value that no
 * longer parses reads as absent (the owner starts afresh), never as something it is not.
 */
export interface Settings {
  /** The kiosk's signing key pair (non-extractable CryptoKeys, stored by structured clone). */
  'device-key': CryptoKeyPair;
  /** The gateway has this kiosk's device key. */
  enrolled: boolean;
  'gateway-config': GatewayConfigCache;
  /** The seq range of the last exported USB bundle, until the gateway holds all of it. */
  'bundle-pending': { fromSeq: number; toSeq: number };
  'officer-roster': OfficerRosterEntry[];
  'officer-pin-failures': Record<string, PinFailures>;
  'operator-pin-failures': PinFailures;
  /**
   * The receipt a citizen has not finished with (open-receipt.ts): written with its commit,
   * cleared when the session ends, so a crash cannot lose a receipt.
   */
  'open-receipt': { txId: string; at: number };
  /** The link's pace as last measured, resumed after a restart (link-policy.ts). */
  'link-estimate': LinkEstimate;
  /** The config in force per part, as last recorded in the chain (`config-change` records). */
  'config-digests': Partial<
    Record<'site' | 'catalogue' | 'roster', { version: string; digest: string }>
  >;
}
export type SettingKey = keyof Settings;

/** A live query's result stream (Dexie's liveQuery, or any observable of that shape). */
export interface Subscribable<T> {
  subscribe(
    observer:
      ((value: T) => void) | { next?: (value: T) => void; error?: (error: unknown) => void },
  ): { unsubscribe(): void };
}

export interface OutboxStore {
  /** The chain head: the last committed record's seq and hash (seq 0 and the genesis hash when empty). */
  readHead(): Promise<ChainHead>;
  /**
   * Adds the row, moves the head to its record and writes `settings` (the open-receipt marker),
   * in one IndexedDB transaction, only if the head is still `expected` (else
   * `SyncError('commit-conflict')` and nothing is written). Resolves after the transaction has
   * completed; then wakes the `onQueued` listeners.
   */
  append(row: OutboxRow, expected: ChainHead, settings?: Partial<Settings>): Promise<void>;

  /**
   * Queued rows in chain order, oldest first, each parsed; with `afterSeq`, only the rows after
   * it. A row that fails to parse is moved to the dead letters with its reason, never returned.
   */
  queued(limit: number, afterSeq?: number): Promise<OutboxRow[]>;
  /**
   * Writes the outcomes of one batch in one transaction. Only rows still queued change; every
   * one counts an attempt. Returns how many rows left the queue (delivered or rejected).
   */
  settle(outcomes: readonly DeliveryOutcome[], at: number): Promise<number>;
  /**
   * Marks rows delivered that the gateway holds with the same id and hash: rows still queued, or
   * with `from: 'rejected'` rows it refused and an administrator has since put in the chain
   * (their reason is cleared). Returns how many rows it marked.
   */
  confirmHeld(
    records: readonly HeldRecord[],
    at: number,
    from?: 'queued' | 'rejected',
  ): Promise<number>;
  /** How many rows are queued, optionally only within a seq range (inclusive). */
  countQueued(range?: { fromSeq: number; toSeq: number }): Promise<number>;
  figures(): Promise<QueueFigures>;

  /** One row by its record id or its receipt reference. */
  find(key: { txId: string } | { ref: string }): Promise<OutboxRow | undefined>;
  /** Every row in chain order, or only those in `state` (the officer's views, voids, reprints). */
  rows(state?: DeliveryState): Promise<OutboxRow[]>;
  deadLetters(): Promise<DeadLetterRow[]>;

  /** A rejected row goes back to the queue (its signed record unchanged); wakes `onQueued`. */
  requeueRejected(seq: number): Promise<void>;
  /**
   * A dead letter goes back to the queue once it parses, as it is or as corrected. Returns the
   * reason when it still does not parse (nothing changes then); wakes `onQueued` when it does.
   */
  restoreDeadLetter(
    id: number,
    corrected?: unknown,
  ): Promise<{ ok: true; seq: number } | { ok: false; reason: string }>;
  /**
   * Removes the personal data of rows delivered before `deliveredBefore` (epoch ms): the chain
   * record and the receipt stub stay. Returns how many rows were purged.
   */
  purgePersonal(deliveredBefore: number, at: number): Promise<number>;

  /** Keeps what the gateway said about these applications (one entry per reference). */
  rememberStatuses(statuses: readonly SeenStatus[]): Promise<void>;
  /** What was last heard about these references; unknown or unreadable ones are left out. */
  seenStatuses(refs: readonly string[]): Promise<SeenStatus[]>;
  /** Forgets what was heard before `beforeMs` (retention); returns how many. */
  forgetStatusesBefore(beforeMs: number): Promise<number>;

  readSetting<K extends SettingKey>(key: K): Promise<Settings[K] | undefined>;
  writeSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void>;
  /** Stores `value` unless the key already holds one; returns whichever is stored. */
  writeSettingOnce<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings[K]>;
  deleteSetting(key: SettingKey): Promise<void>;

  /** Re-runs `query` whenever what it read changes (reads made through this store). */
  observe<T>(query: () => Promise<T>): Subscribable<T>;
  /**
   * Calls `listener` after every transaction that queued work (a commit of any record kind, a
   * requeued row) has completed: the one place that wakes the sync engine.
   */
  onQueued(listener: () => void): () => void;
  close(): void;
}
