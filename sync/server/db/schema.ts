import type { Generated, Kysely } from 'kysely';

/**
 * The gateway database's tables as the code reads and writes them: one description for SQLite
 * and PostgreSQL. The tables themselves are made by the migrations (./migrations); a migration
 * that adds or changes a column changes the matching interface here in the same commit.
 *
 * Conventions, so both dialects hold the same values:
 * - times are ISO 8601 text (UTC, `Date.toISOString()`), except `seen_at` (epoch milliseconds);
 * - whole numbers are BIGINT (SQLite: INTEGER affinity) and come back as JS numbers (the
 *   PostgreSQL pool parses int8 as a number, see connect.ts);
 * - JSON is stored as text (`*_json`) and parsed with a zod schema where it is read back.
 */
export interface GatewayTables {
  /** One row per enrolled kiosk: its device key and its chain head. */
  kiosks: {
    kiosk_id: string;
    /** The device public key, a P-256 JWK as JSON text. */
    public_key: string;
    enrolled_at: string;
    head_seq: number;
    head_hash: string;
  };
  /** One-time enrolment tokens, by SHA-256 of the token. */
  enrolment_tokens: {
    token_hash: string;
    kiosk_id: string;
    used_at: string | null;
  };
  /** Every chain record received, once per transaction id (`tx_id` is unique). */
  records: {
    kiosk_id: string;
    seq: number;
    tx_id: string;
    /** Transactions: receipt reference, service and channel; other kinds: empty strings. */
    ref: string;
    service_id: string;
    channel: string;
    kind: string;
    /** The transaction a void or reprint refers to. */
    subject_tx_id: string | null;
    hash: string;
    prev_hash: string;
    created_at: string;
    received_at: string;
    chain_state: 'chained' | 'awaiting';
    record_json: string;
    /** The sealed personal fields, still sealed (a SealedBox as JSON text). */
    personal_json: string | null;
  };
  tamper_alerts: {
    id: Generated<number>;
    kiosk_id: string;
    seq: number | null;
    kind: string;
    detail: string;
    at: string;
  };
  /** Request nonces seen in the last NONCE_TTL_MS, per kiosk (replay protection). */
  request_nonces: {
    kiosk_id: string;
    nonce: string;
    seen_at: number;
  };
  /** Gateway-wide settings: the sealing key, the administrator password hash. */
  settings: {
    key: string;
    value: string;
  };
  /** The latest heartbeat of each kiosk. */
  heartbeats: {
    kiosk_id: string;
    beat_json: string;
    received_at: string;
  };
}

/** The SQL dialects the gateway speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

export type GatewayDb = Kysely<GatewayTables>;
