import pg from 'pg';
import type { PoolClient } from 'pg';
import { GENESIS_HASH } from '../protocol/records';
import type { ChainRecord } from '../protocol/records';
import { sealedBoxSchema } from '../protocol/sealed-box';
import type { PublicKeyJwk } from '../protocol/device-signature';
import { heartbeatRequestSchema } from '../protocol/wire';
import type { ChainTx } from './place-batch';
import { placeBatch } from './place-batch';
import type { GatewayStore } from './store';
import { NONCE_TTL_MS } from './store';

const schema = `
CREATE TABLE IF NOT EXISTS kiosks (
  kiosk_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  head_seq BIGINT NOT NULL DEFAULT 0,
  head_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_tokens (
  token_hash TEXT PRIMARY KEY,
  kiosk_id TEXT NOT NULL,
  used_at TEXT
);
CREATE TABLE IF NOT EXISTS records (
  kiosk_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  tx_id TEXT NOT NULL UNIQUE,
  ref TEXT NOT NULL,
  service_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  chain_state TEXT NOT NULL CHECK (chain_state IN ('chained', 'awaiting')),
  record_json TEXT NOT NULL,
  personal_json TEXT,
  PRIMARY KEY (kiosk_id, seq)
);
CREATE INDEX IF NOT EXISTS records_ref ON records (ref);
ALTER TABLE records ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'transaction';
ALTER TABLE records ADD COLUMN IF NOT EXISTS subject_tx_id TEXT;
CREATE INDEX IF NOT EXISTS records_subject ON records (subject_tx_id);
CREATE TABLE IF NOT EXISTS tamper_alerts (
  id BIGSERIAL PRIMARY KEY,
  kiosk_id TEXT NOT NULL,
  seq BIGINT,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS request_nonces (
  kiosk_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (kiosk_id, nonce)
);
CREATE INDEX IF NOT EXISTS request_nonces_seen ON request_nonces (seen_at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeats (
  kiosk_id TEXT PRIMARY KEY,
  beat_json TEXT NOT NULL,
  received_at TEXT NOT NULL
);
`;

// BIGINT columns come back as strings by default; our sequence numbers fit in a double.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * PostgreSQL store, selected when DATABASE_URL is set. A batch runs in one transaction that
 * first locks the kiosk's row (`SELECT … FOR UPDATE`), so two gateways behind a load balancer
 * place one kiosk's records one batch at a time.
 */
export async function openPostgresStore(
  connectionString: string,
  now: () => Date = () => new Date(),
): Promise<GatewayStore> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // Concurrent first starts would race on CREATE TABLE IF NOT EXISTS; a lock makes it orderly.
  const setup = await pool.connect();
  try {
    await setup.query('SELECT pg_advisory_lock(727001)');
    await setup.query(schema);
  } finally {
    await setup.query('SELECT pg_advisory_unlock(727001)').catch(() => undefined);
    setup.release();
  }

  const inTransaction = async <T>(task: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await task(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const chainTx = (client: PoolClient): ChainTx => ({
    async head(kioskId) {
      const { rows } = await client.query<{ head_seq: number; head_hash: string }>(
        'SELECT head_seq, head_hash FROM kiosks WHERE kiosk_id = $1 FOR UPDATE',
        [kioskId],
      );
      const row = rows[0];
      return row ? { seq: row.head_seq, hash: row.head_hash } : undefined;
    },
    async byTxId(txId) {
      const { rows } = await client.query<{ kiosk_id: string; seq: number; hash: string }>(
        'SELECT kiosk_id, seq, hash FROM records WHERE tx_id = $1',
        [txId],
      );
      const row = rows[0];
      return row ? { kioskId: row.kiosk_id, seq: row.seq, hash: row.hash } : undefined;
    },
    async bySeq(kioskId, seq) {
      const { rows } = await client.query<{
        tx_id: string;
        hash: string;
        prev_hash: string;
        chain_state: string;
      }>(
        'SELECT tx_id, hash, prev_hash, chain_state FROM records WHERE kiosk_id = $1 AND seq = $2',
        [kioskId, seq],
      );
      const row = rows[0];
      return row
        ? { txId: row.tx_id, hash: row.hash, prevHash: row.prev_hash, chainState: row.chain_state }
        : undefined;
    },
    async insert(r) {
      await client.query(
        `INSERT INTO records (kiosk_id, seq, tx_id, ref, service_id, channel, hash, prev_hash,
           created_at, received_at, chain_state, record_json, personal_json, kind, subject_tx_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          r.kioskId,
          r.seq,
          r.txId,
          r.ref,
          r.serviceId,
          r.channel,
          r.hash,
          r.prevHash,
          r.createdAt,
          r.receivedAt,
          r.chainState,
          r.json,
          r.personalJson,
          r.kind,
          r.subjectTxId,
        ],
      );
    },
    async markChained(kioskId, seq) {
      await client.query(
        "UPDATE records SET chain_state = 'chained' WHERE kiosk_id = $1 AND seq = $2",
        [kioskId, seq],
      );
    },
    async setHead(kioskId, head) {
      await client.query('UPDATE kiosks SET head_seq = $1, head_hash = $2 WHERE kiosk_id = $3', [
        head.seq,
        head.hash,
        kioskId,
      ]);
    },
    async alert(a) {
      await client.query(
        'INSERT INTO tamper_alerts (kiosk_id, seq, kind, detail, at) VALUES ($1, $2, $3, $4, $5)',
        [a.kioskId, a.seq, a.kind, a.detail, a.at],
      );
    },
  });

  return {
    kind: 'postgres',
    async addEnrolmentToken(kioskId, tokenHash) {
      await pool.query(
        'INSERT INTO enrolment_tokens (token_hash, kiosk_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [tokenHash, kioskId],
      );
    },
    enrol(kioskId, tokenHash, publicKey) {
      return inTransaction(async (client) => {
        const existing = await client.query<{ public_key: string }>(
          'SELECT public_key FROM kiosks WHERE kiosk_id = $1 FOR UPDATE',
          [kioskId],
        );
        const row = existing.rows[0];
        if (row) {
          return row.public_key === JSON.stringify(publicKey) ? 'already-enrolled' : 'bad-token';
        }
        const at = now().toISOString();
        const used = await client.query(
          `UPDATE enrolment_tokens SET used_at = $1
           WHERE token_hash = $2 AND kiosk_id = $3 AND used_at IS NULL`,
          [at, tokenHash, kioskId],
        );
        if (used.rowCount !== 1) return 'bad-token';
        await client.query(
          `INSERT INTO kiosks (kiosk_id, public_key, enrolled_at, head_seq, head_hash)
           VALUES ($1, $2, $3, 0, $4)`,
          [kioskId, JSON.stringify(publicKey), at, GENESIS_HASH],
        );
        return 'enrolled';
      });
    },
    async getKiosk(kioskId) {
      const { rows } = await pool.query<{
        kiosk_id: string;
        public_key: string;
        enrolled_at: string;
        head_seq: number;
        head_hash: string;
      }>('SELECT * FROM kiosks WHERE kiosk_id = $1', [kioskId]);
      const row = rows[0];
      return row
        ? {
            kioskId: row.kiosk_id,
            publicKey: JSON.parse(row.public_key) as PublicKeyJwk,
            enrolledAt: row.enrolled_at,
            head: { seq: row.head_seq, hash: row.head_hash },
          }
        : undefined;
    },
    applyBatch(kioskId, items) {
      return inTransaction((client) =>
        placeBatch(chainTx(client), kioskId, items, now().toISOString()),
      );
    },
    async addTamperAlert(a) {
      await pool.query(
        'INSERT INTO tamper_alerts (kiosk_id, seq, kind, detail, at) VALUES ($1, $2, $3, $4, $5)',
        [a.kioskId, a.seq, a.kind, a.detail, a.at],
      );
    },
    async listTamperAlerts(kioskId) {
      const { rows } = await pool.query<{
        kiosk_id: string;
        seq: number | null;
        kind: string;
        detail: string;
        at: string;
      }>(
        `SELECT kiosk_id, seq, kind, detail, at FROM tamper_alerts
         WHERE $1::text IS NULL OR kiosk_id = $1 ORDER BY id`,
        [kioskId ?? null],
      );
      return rows.map((row) => ({
        kioskId: row.kiosk_id,
        seq: row.seq,
        kind: row.kind,
        detail: row.detail,
        at: row.at,
      }));
    },
    async countRecords(kioskId) {
      const { rows } = await pool.query<{ chain_state: string; n: string }>(
        'SELECT chain_state, COUNT(*) AS n FROM records WHERE kiosk_id = $1 GROUP BY chain_state',
        [kioskId],
      );
      const count = (state: string): number =>
        Number(rows.find((r) => r.chain_state === state)?.n ?? 0);
      return { chained: count('chained'), awaiting: count('awaiting') };
    },
    async listRecords(kioskId) {
      const { rows } = await pool.query<{ record_json: string }>(
        'SELECT record_json FROM records WHERE kiosk_id = $1 ORDER BY seq',
        [kioskId],
      );
      return rows.map((row) => JSON.parse(row.record_json) as ChainRecord);
    },
    async readPersonal(kioskId, seq) {
      const { rows } = await pool.query<{ personal_json: string | null }>(
        'SELECT personal_json FROM records WHERE kiosk_id = $1 AND seq = $2',
        [kioskId, seq],
      );
      const json = rows[0]?.personal_json;
      return json ? sealedBoxSchema.parse(JSON.parse(json) as unknown) : undefined;
    },
    async useNonce(kioskId, nonce, atMs) {
      await pool.query('DELETE FROM request_nonces WHERE seen_at < $1', [atMs - NONCE_TTL_MS]);
      const inserted = await pool.query(
        `INSERT INTO request_nonces (kiosk_id, nonce, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [kioskId, nonce, atMs],
      );
      return inserted.rowCount === 1;
    },
    async getSetting(key) {
      const { rows } = await pool.query<{ value: string }>(
        'SELECT value FROM settings WHERE key = $1',
        [key],
      );
      return rows[0]?.value;
    },
    async putSetting(key, value) {
      await pool.query(
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
        [key, value],
      );
    },
    async putSettingIfAbsent(key, value) {
      await pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        key,
        value,
      ]);
      const { rows } = await pool.query<{ value: string }>(
        'SELECT value FROM settings WHERE key = $1',
        [key],
      );
      return rows[0]?.value ?? value;
    },
    async recordHeartbeat(kioskId, beat, receivedAt) {
      await pool.query(
        `INSERT INTO heartbeats (kiosk_id, beat_json, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (kiosk_id) DO UPDATE SET beat_json = EXCLUDED.beat_json,
           received_at = EXCLUDED.received_at`,
        [kioskId, JSON.stringify(beat), receivedAt],
      );
    },
    async lastHeartbeat(kioskId) {
      const { rows } = await pool.query<{ beat_json: string; received_at: string }>(
        'SELECT beat_json, received_at FROM heartbeats WHERE kiosk_id = $1',
        [kioskId],
      );
      const row = rows[0];
      return row
        ? {
            beat: heartbeatRequestSchema.parse(JSON.parse(row.beat_json) as unknown),
            receivedAt: row.received_at,
          }
        : undefined;
    },
    async findByRefs(refs) {
      if (refs.length === 0) return [];
      const { rows } = await pool.query<{ ref: string; service_id: string; received_at: string }>(
        'SELECT ref, service_id, received_at FROM records WHERE ref = ANY($1::text[])',
        [refs],
      );
      return rows.map((row) => ({
        ref: row.ref,
        serviceId: row.service_id,
        receivedAt: row.received_at,
      }));
    },
    async recordsFrom(kioskId, fromSeq, limit) {
      const { rows } = await pool.query<{
        seq: number;
        tx_id: string;
        hash: string;
        chain_state: 'chained' | 'awaiting';
      }>(
        'SELECT seq, tx_id, hash, chain_state FROM records WHERE kiosk_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3',
        [kioskId, fromSeq, limit],
      );
      return rows.map((row) => ({
        seq: Number(row.seq),
        id: row.tx_id,
        hash: row.hash,
        state: row.chain_state,
      }));
    },
    async listKiosks() {
      const { rows } = await pool.query<{
        kiosk_id: string;
        public_key: string;
        enrolled_at: string;
        head_seq: number;
        head_hash: string;
      }>('SELECT * FROM kiosks ORDER BY kiosk_id');
      return rows.map((row) => ({
        kioskId: row.kiosk_id,
        publicKey: JSON.parse(row.public_key) as PublicKeyJwk,
        enrolledAt: row.enrolled_at,
        head: { seq: row.head_seq, hash: row.head_hash },
      }));
    },
    async transactionCounts(fromDay) {
      const { rows } = await pool.query<{
        day: string;
        kiosk_id: string;
        service_id: string;
        channel: string;
        n: string;
        voided: string;
      }>(
        `SELECT substr(r.created_at, 1, 10) AS day, r.kiosk_id, r.service_id, r.channel,
  COUNT(*) AS n, SUM(CASE WHEN v.tx_id IS NULL THEN 0 ELSE 1 END) AS voided
FROM records r LEFT JOIN records v ON v.kind = 'void' AND v.subject_tx_id = r.tx_id
WHERE r.kind = 'transaction' AND r.created_at >= $1
GROUP BY substr(r.created_at, 1, 10), r.kiosk_id, r.service_id, r.channel
ORDER BY day`,
        [fromDay],
      );
      return rows.map((row) => ({
        day: row.day,
        kioskId: row.kiosk_id,
        serviceId: row.service_id,
        channel: row.channel,
        count: Number(row.n),
        voided: Number(row.voided),
      }));
    },
    async close() {
      await pool.end();
    },
  };
}
