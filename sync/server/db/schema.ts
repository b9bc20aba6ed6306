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
    /** When it was first raised. */
    at: string;
    /** `<seq or ->␠<kind>␠<detail>`: unique per kiosk (migration 0007). */
    incident: string;
    /** How many times it was raised. */
    repeats: Generated<number>;
    /** When it was last raised. */
    last_at: string;
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
  /** The durable job queue (0002-job-queue; sync/server/jobs/job-queue.ts). */
  jobs: {
    id: Generated<number>;
    queue: string;
    job_key: string | null;
    payload_json: string;
    state: 'queued' | 'active' | 'done' | 'dead';
    attempts: number;
    max_attempts: number;
    /** Epoch ms. */
    run_at: number;
    locked_by: string | null;
    /** Epoch ms. */
    locked_until: number | null;
    last_error: string | null;
    created_at: string;
    finished_at: string | null;
  };
  /** Agencies (0003-agencies-and-status; sync/server/agency). */
  agencies: {
    agency_id: string;
    name: string;
    /** Hex SHA-256 of the secret part of the agency's API key. */
    key_hash: string;
    /** The agency's P-256 public key (JWK as JSON text): personal fields are sealed to it. */
    public_key: string;
    webhook_url: string | null;
    /** The Standard Webhooks signing secret (`whsec_…`), when webhooks are on. */
    webhook_secret: string | null;
    /** The last feed position given out (positions are gapless per agency). */
    feed_head: number;
    created_at: string;
    disabled_at: string | null;
  };
  /** Which agency owns a service (one owner per service). */
  agency_services: {
    service_id: string;
    agency_id: string;
  };
  /** Each agency's feed of delivered (and voided) applications. */
  agency_feed: {
    agency_id: string;
    position: number;
    /** The CloudEvent id (also the webhook-id). */
    event_id: string;
    kind: 'delivered' | 'voided';
    /** The application's transaction id. */
    tx_id: string;
    /** The record this entry reports: the application itself, or the void that cancels it. */
    record_tx_id: string;
    ref: string;
    service_id: string;
    added_at: string;
    lease_owner: string | null;
    /** Epoch ms. */
    lease_until: number | null;
    deliveries: number;
    acked_at: string | null;
    /** The consumer that acknowledged it, or `webhook` when a push was answered 2xx. */
    acked_by: string | null;
  };
  /** The current status of each application an agency has posted a status for. */
  application_status: {
    tx_id: string;
    ref: string;
    agency_id: string;
    state: string;
    detail_json: string;
    /** When the current state began (the agency's `occurredAt`). */
    since: string;
    /** How many status events there are (0: only received). */
    version: number;
    /** When the first decision (approved or refused) was made. */
    decided_at: string | null;
  };
  /** Every status change, append-only. */
  status_events: {
    agency_id: string;
    event_id: string;
    tx_id: string;
    ref: string;
    version: number;
    from_state: string;
    state: string;
    detail_json: string;
    occurred_at: string;
    recorded_at: string;
    /** SHA-256 of the canonical JSON of the change as posted (same event id, other content: refused). */
    request_digest: string;
  };
  /** Every call to the agency interface, authenticated or not. */
  agency_calls: {
    id: Generated<number>;
    agency_id: string | null;
    at: string;
    method: string;
    path: string;
    status: number;
    outcome: string;
  };
  /** SMS alert subscriptions (0004-sms-alerts; sync/server/sms). */
  sms_subscriptions: {
    subscription_id: string;
    kiosk_id: string;
    opt_in_ref: string;
    /** The application reference the alerts are about; null for a general opt-in. */
    for_ref: string | null;
    /** The application's service, once known (for the figures). */
    service_id: string | null;
    language: string;
    /** `all` or `ready` (the opt-in form's choice). */
    alerts: string;
    country: string | null;
    phone_state: 'unchecked' | 'valid' | 'invalid';
    /** Hex HMAC-SHA256 of the E.164 number under the gateway's phone key. */
    phone_hash: string | null;
    /** The E.164 number sealed to the gateway's key (a SealedBox as JSON text). */
    phone_sealed: string | null;
    created_at: string;
    ended_at: string | null;
    end_reason: string | null;
  };
  /** Every SMS alert, once per alert key. */
  sms_messages: {
    message_id: string;
    alert_key: string;
    subscription_id: string;
    kind: string;
    template: string;
    params_json: string;
    service_id: string | null;
    language: string;
    state:
      | 'queued'
      | 'submitting'
      | 'sending'
      | 'delivered'
      | 'temporary-failure'
      | 'permanent-failure'
      | 'technical-failure'
      | 'cancelled';
    /** Not to be sent before this time (reminders). */
    not_before: string;
    text: string | null;
    segments: number | null;
    submit_token: string | null;
    smsc_message_id: string | null;
    submitted_at: string | null;
    /** The delivery receipt's `stat` (DELIVRD, UNDELIV, …) and `err`. */
    receipt_stat: string | null;
    receipt_error: string | null;
    receipt_at: string | null;
    detail: string | null;
    created_at: string;
    updated_at: string;
  };
  /** Mobile-originated messages (a reply of STOP). */
  sms_inbound: {
    id: Generated<number>;
    phone_hash: string;
    keyword: string;
    received_at: string;
    action: string;
  };
  /** Records refused as seq-conflict against a held record (0005-chain-repairs). */
  chain_conflicts: {
    id: Generated<number>;
    kiosk_id: string;
    seq: number;
    tx_id: string;
    hash: string;
    prev_hash: string;
    held_tx_id: string;
    record_json: string;
    personal_json: string | null;
    received_at: string;
    resolved_at: string | null;
    repair_id: number | null;
  };
  /** Every chain repair decision, append-only. */
  chain_repairs: {
    id: Generated<number>;
    kiosk_id: string;
    seq: number;
    kept: 'held' | 'refused';
    kept_tx_id: string;
    set_aside_tx_id: string;
    set_aside_record_json: string;
    set_aside_personal_json: string | null;
    reason: string;
    decided_by: string;
    decided_at: string;
    head_before: number;
    head_after: number;
  };
}

/** The SQL dialects the gateway speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

export type GatewayDb = Kysely<GatewayTables>;

/**
 * What the agency feeds and SMS subscriptions need of a record a batch has just chained (columns
 * of `records`), handed to them inside the batch's transaction.
 */
export interface ChainedRecord {
  tx_id: string;
  kind: string;
  ref: string;
  service_id: string;
  subject_tx_id: string | null;
}
