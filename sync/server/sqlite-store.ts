import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../protocol/records';
import type { ChainRecord } from '../protocol/records';
import { sealedBoxSchema } from '../protocol/sealed-box';
import type { PublicKeyJwk } from '../protocol/device-signature';
import { heartbeatRequestSchema } from '../protocol/wire';
import type { ChainTx, StoredRecordRow } from './place-batch';
import { placeBatch } from './place-batch';
import type { EnrolOutcome, GatewayStore, KioskRow, TamperAlert } from './store';
import { NONCE_TTL_MS } from './store';

const schema = `
CREATE TABLE IF NOT EXISTS kiosks (
  kiosk_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  head_seq INTEGER NOT NULL DEFAULT 0,
  head_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_tokens (
  token_hash TEXT PRIMARY KEY,
  kiosk_id TEXT NOT NULL,
  used_at TEXT
);
CREATE TABLE IF NOT EXISTS records (
  kiosk_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
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
CREATE TABLE IF NOT EXISTS tamper_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kiosk_id TEXT NOT NULL,
  seq INTEGER,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS request_nonces (
  kiosk_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
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

interface KioskDbRow {
  kiosk_id: string;
  public_key: string;
  enrolled_at: string;
  head_seq: number;
  head_hash: string;
}

/**
 * SQLite store (WAL, synchronous=FULL): a batch is durable before its reply is sent. Calls are
 * serialised through one queue, because a batch transaction spans awaits and must not interleave
 * with other writes on the same connection.
 */
export function openSqliteStore(file: string, now: () => Date = () => new Date()): GatewayStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  // Gateways created before personal fields were sealed lack this column.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(records)').all();
  if (!columns.some((column) => column.name === 'personal_json')) {
    db.exec('ALTER TABLE records ADD COLUMN personal_json TEXT');
  }
  // Gateways created before officer records held only transactions.
  if (!columns.some((column) => column.name === 'kind')) {
    db.exec("ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'transaction'");
    db.exec('ALTER TABLE records ADD COLUMN subject_tx_id TEXT');
  }
  db.exec('CREATE INDEX IF NOT EXISTS records_subject ON records (subject_tx_id)');

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => T | Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const getKioskStmt = db.prepare<[string], KioskDbRow>('SELECT * FROM kiosks WHERE kiosk_id = ?');
  const byTxId = db.prepare<[string], { kiosk_id: string; seq: number; hash: string }>(
    'SELECT kiosk_id, seq, hash FROM records WHERE tx_id = ?',
  );
  const bySeq = db.prepare<
    [string, number],
    { tx_id: string; hash: string; prev_hash: string; chain_state: string }
  >('SELECT tx_id, hash, prev_hash, chain_state FROM records WHERE kiosk_id = ? AND seq = ?');
  const insertRecord = db.prepare<[StoredRecordRow]>(
    `INSERT INTO records (kiosk_id, seq, tx_id, ref, service_id, channel, hash, prev_hash, created_at,
       received_at, chain_state, record_json, personal_json, kind, subject_tx_id)
     VALUES (@kioskId, @seq, @txId, @ref, @serviceId, @channel, @hash, @prevHash, @createdAt,
       @receivedAt, @chainState, @json, @personalJson, @kind, @subjectTxId)`,
  );
  const setHead = db.prepare('UPDATE kiosks SET head_seq = ?, head_hash = ? WHERE kiosk_id = ?');
  const markChained = db.prepare(
    "UPDATE records SET chain_state = 'chained' WHERE kiosk_id = ? AND seq = ?",
  );
  const insertAlert = db.prepare(
    'INSERT INTO tamper_alerts (kiosk_id, seq, kind, detail, at) VALUES (?, ?, ?, ?, ?)',
  );

  const toKiosk = (row: KioskDbRow): KioskRow => ({
    kioskId: row.kiosk_id,
    publicKey: JSON.parse(row.public_key) as PublicKeyJwk,
    enrolledAt: row.enrolled_at,
    head: { seq: row.head_seq, hash: row.head_hash },
  });

  const chainTx: ChainTx = {
    async head(kioskId) {
      const row = getKioskStmt.get(kioskId);
      return row ? { seq: row.head_seq, hash: row.head_hash } : undefined;
    },
    async byTxId(txId) {
      const row = byTxId.get(txId);
      return row ? { kioskId: row.kiosk_id, seq: row.seq, hash: row.hash } : undefined;
    },
    async bySeq(kioskId, seq) {
      const row = bySeq.get(kioskId, seq);
      return row
        ? { txId: row.tx_id, hash: row.hash, prevHash: row.prev_hash, chainState: row.chain_state }
        : undefined;
    },
    async insert(row) {
      insertRecord.run(row);
    },
    async markChained(kioskId, seq) {
      markChained.run(kioskId, seq);
    },
    async setHead(kioskId, head) {
      setHead.run(head.seq, head.hash, kioskId);
    },
    async alert(a) {
      insertAlert.run(a.kioskId, a.seq, a.kind, a.detail, a.at);
    },
  };

  const enrolTx = db.transaction(
    (kioskId: string, tokenHash: string, publicKey: PublicKeyJwk): EnrolOutcome => {
      const existing = getKioskStmt.get(kioskId);
      if (existing) {
        return existing.public_key === JSON.stringify(publicKey) ? 'already-enrolled' : 'bad-token';
      }
      const token = db
        .prepare<[string, string], { used_at: string | null }>(
          'SELECT used_at FROM enrolment_tokens WHERE token_hash = ? AND kiosk_id = ?',
        )
        .get(tokenHash, kioskId);
      if (!token || token.used_at) return 'bad-token';
      const at = now().toISOString();
      db.prepare('UPDATE enrolment_tokens SET used_at = ? WHERE token_hash = ?').run(at, tokenHash);
      db.prepare(
        'INSERT INTO kiosks (kiosk_id, public_key, enrolled_at, head_seq, head_hash) VALUES (?, ?, ?, 0, ?)',
      ).run(kioskId, JSON.stringify(publicKey), at, GENESIS_HASH);
      return 'enrolled';
    },
  );

  return {
    kind: 'sqlite',
    addEnrolmentToken: (kioskId, tokenHash) =>
      serial(() => {
        db.prepare(
          'INSERT OR IGNORE INTO enrolment_tokens (token_hash, kiosk_id) VALUES (?, ?)',
        ).run(tokenHash, kioskId);
      }),
    enrol: (kioskId, tokenHash, publicKey) => serial(() => enrolTx(kioskId, tokenHash, publicKey)),
    getKiosk: (kioskId) =>
      serial(() => {
        const row = getKioskStmt.get(kioskId);
        return row ? toKiosk(row) : undefined;
      }),
    applyBatch: (kioskId, items) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const outcome = await placeBatch(chainTx, kioskId, items, now().toISOString());
          db.exec('COMMIT');
          return outcome;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    addTamperAlert: (a: TamperAlert) =>
      serial(() => {
        insertAlert.run(a.kioskId, a.seq, a.kind, a.detail, a.at);
      }),
    listTamperAlerts: (kioskId) =>
      serial(() =>
        db
          .prepare<
            [],
            { kiosk_id: string; seq: number | null; kind: string; detail: string; at: string }
          >('SELECT kiosk_id, seq, kind, detail, at FROM tamper_alerts ORDER BY id')
          .all()
          .filter((row) => !kioskId || row.kiosk_id === kioskId)
          .map((row) => ({
            kioskId: row.kiosk_id,
            seq: row.seq,
            kind: row.kind,
            detail: row.detail,
            at: row.at,
          })),
      ),
    countRecords: (kioskId) =>
      serial(() => {
        const rows = db
          .prepare<[string], { chain_state: string; n: number }>(
            'SELECT chain_state, COUNT(*) AS n FROM records WHERE kiosk_id = ? GROUP BY chain_state',
          )
          .all(kioskId);
        const count = (state: string): number => rows.find((r) => r.chain_state === state)?.n ?? 0;
        return { chained: count('chained'), awaiting: count('awaiting') };
      }),
    listRecords: (kioskId) =>
      serial(() =>
        db
          .prepare<[string], { record_json: string }>(
            'SELECT record_json FROM records WHERE kiosk_id = ? ORDER BY seq',
          )
          .all(kioskId)
          .map((row) => JSON.parse(row.record_json) as ChainRecord),
      ),
    readPersonal: (kioskId, seq) =>
      serial(() => {
        const row = db
          .prepare<[string, number], { personal_json: string | null }>(
            'SELECT personal_json FROM records WHERE kiosk_id = ? AND seq = ?',
          )
          .get(kioskId, seq);
        return row?.personal_json
          ? sealedBoxSchema.parse(JSON.parse(row.personal_json) as unknown)
          : undefined;
      }),
    useNonce: (kioskId, nonce, atMs) =>
      serial(() => {
        db.prepare('DELETE FROM request_nonces WHERE seen_at < ?').run(atMs - NONCE_TTL_MS);
        const inserted = db
          .prepare(
            'INSERT OR IGNORE INTO request_nonces (kiosk_id, nonce, seen_at) VALUES (?, ?, ?)',
          )
          .run(kioskId, nonce, atMs);
        return inserted.changes === 1;
      }),
    getSetting: (key) =>
      serial(
        () =>
          db
            .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
            .get(key)?.value,
      ),
    putSetting: (key, value) =>
      serial(() => {
        db.prepare(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        ).run(key, value);
      }),
    putSettingIfAbsent: (key, value) =>
      serial(() => {
        db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, value);
        const row = db
          .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
          .get(key);
        return row?.value ?? value;
      }),
    recordHeartbeat: (kioskId, beat, receivedAt) =>
      serial(() => {
        db.prepare(
          `INSERT INTO heartbeats (kiosk_id, beat_json, received_at) VALUES (?, ?, ?)
           ON CONFLICT (kiosk_id) DO UPDATE SET beat_json = excluded.beat_json,
             received_at = excluded.received_at`,
        ).run(kioskId, JSON.stringify(beat), receivedAt);
      }),
    lastHeartbeat: (kioskId) =>
      serial(() => {
        const row = db
          .prepare<[string], { beat_json: string; received_at: string }>(
            'SELECT beat_json, received_at FROM heartbeats WHERE kiosk_id = ?',
          )
          .get(kioskId);
        return row
          ? {
              beat: heartbeatRequestSchema.parse(JSON.parse(row.beat_json) as unknown),
              receivedAt: row.received_at,
            }
          : undefined;
      }),
    findByRefs: (refs) =>
      serial(() => {
        if (refs.length === 0) return [];
        return db
          .prepare<string[], { ref: string; service_id: string; received_at: string }>(
            `SELECT ref, service_id, received_at FROM records WHERE ref IN (${refs.map(() => '?').join(',')})`,
          )
          .all(...refs)
          .map((row) => ({ ref: row.ref, serviceId: row.service_id, receivedAt: row.received_at }));
      }),
    recordsFrom: (kioskId, fromSeq, limit) =>
      serial(() =>
        db
          .prepare<
            [string, number, number],
            { seq: number; tx_id: string; hash: string; chain_state: 'chained' | 'awaiting' }
          >(
            'SELECT seq, tx_id, hash, chain_state FROM records WHERE kiosk_id = ? AND seq >= ? ORDER BY seq LIMIT ?',
          )
          .all(kioskId, fromSeq, limit)
          .map((row) => ({ seq: row.seq, id: row.tx_id, hash: row.hash, state: row.chain_state })),
      ),
    listKiosks: () =>
      serial(() =>
        db.prepare<[], KioskDbRow>('SELECT * FROM kiosks ORDER BY kiosk_id').all().map(toKiosk),
      ),
    transactionCounts: (fromDay) =>
      serial(() =>
        db
          .prepare<
            [string],
            {
              day: string;
              kiosk_id: string;
              service_id: string;
              channel: string;
              n: number;
              voided: number;
            }
          >(
            `SELECT substr(r.created_at, 1, 10) AS day, r.kiosk_id, r.service_id, r.channel,
  COUNT(*) AS n, SUM(CASE WHEN v.tx_id IS NULL THEN 0 ELSE 1 END) AS voided
FROM records r LEFT JOIN records v ON v.kind = 'void' AND v.subject_tx_id = r.tx_id
WHERE r.kind = 'transaction' AND r.created_at >= ?
GROUP BY substr(r.created_at, 1, 10), r.kiosk_id, r.service_id, r.channel
ORDER BY day`,
          )
          .all(fromDay)
          .map((row) => ({
            day: row.day,
            kioskId: row.kiosk_id,
            serviceId: row.service_id,
            channel: row.channel,
            count: row.n,
            voided: row.voided,
          })),
      ),
    close: () =>
      serial(() => {
        db.close();
      }),
  };
}
