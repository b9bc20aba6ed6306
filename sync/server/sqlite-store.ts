import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../protocol/records';
import type { ChainRecord } from '../protocol/records';
import type { PublicKeyJwk } from '../protocol/device-signature';
import type { ChainHead, ItemResult } from '../protocol/wire';
import type { EnrolOutcome, GatewayStore, KioskRow, TamperAlert, VerifiedItem } from './store';

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
`;

interface KioskDbRow {
  kiosk_id: string;
  public_key: string;
  enrolled_at: string;
  head_seq: number;
  head_hash: string;
}

/** SQLite store (WAL, synchronous=FULL): a batch is durable before its reply is sent. */
export function openSqliteStore(file: string, now: () => Date = () => new Date()): GatewayStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(schema);

  const getKioskStmt = db.prepare<[string], KioskDbRow>('SELECT * FROM kiosks WHERE kiosk_id = ?');
  const byTxId = db.prepare<[string], { kiosk_id: string; seq: number; hash: string }>(
    'SELECT kiosk_id, seq, hash FROM records WHERE tx_id = ?',
  );
  const bySeq = db.prepare<
    [string, number],
    { tx_id: string; hash: string; prev_hash: string; chain_state: string }
  >('SELECT tx_id, hash, prev_hash, chain_state FROM records WHERE kiosk_id = ? AND seq = ?');
  const insertRecord = db.prepare(
    `INSERT INTO records (kiosk_id, seq, tx_id, ref, service_id, channel, hash, prev_hash, created_at,
       received_at, chain_state, record_json)
     VALUES (@kioskId, @seq, @txId, @ref, @serviceId, @channel, @hash, @prevHash, @createdAt,
       @receivedAt, @chainState, @json)`,
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

  const alert = (kioskId: string, seq: number | null, kind: string, detail: string): void => {
    insertAlert.run(kioskId, seq, kind, detail, now().toISOString());
  };

  const applyBatchTx = db.transaction((kioskId: string, items: VerifiedItem[]) => {
    const kiosk = getKioskStmt.get(kioskId);
    if (!kiosk) throw new Error(`unknown kiosk ${kioskId}`);
    let head: ChainHead = { seq: kiosk.head_seq, hash: kiosk.head_hash };
    const results: ItemResult[] = [];
    const receivedAt = now().toISOString();
    const sorted = [...items].sort((a, b) => a.record.seq - b.record.seq);
    for (const { record } of sorted) {
      const id = record.body.txId;
      const existing = byTxId.get(id);
      if (existing) {
        if (
          existing.hash === record.hash &&
          existing.kiosk_id === kioskId &&
          existing.seq === record.seq
        ) {
          results.push({ id, seq: record.seq, status: 'duplicate' });
        } else {
          alert(
            kioskId,
            record.seq,
            'conflicting-duplicate',
            `transaction ${id} was sent again with different content`,
          );
          results.push({
            id,
            seq: record.seq,
            status: 'rejected',
            reason: 'conflicting-duplicate',
          });
        }
        continue;
      }
      const atSeq = bySeq.get(kioskId, record.seq);
      if (atSeq) {
        alert(
          kioskId,
          record.seq,
          'seq-conflict',
          `a different record already holds seq ${record.seq}`,
        );
        results.push({ id, seq: record.seq, status: 'rejected', reason: 'seq-conflict' });
        continue;
      }
      let chainState: 'chained' | 'awaiting' = 'awaiting';
      if (record.seq === head.seq + 1) {
        if (record.prevHash !== head.hash) {
          alert(
            kioskId,
            record.seq,
            'chain-mismatch',
            `prevHash does not match the hash of seq ${head.seq}`,
          );
          results.push({ id, seq: record.seq, status: 'rejected', reason: 'chain-mismatch' });
          continue;
        }
        chainState = 'chained';
      } else if (record.seq <= head.seq) {
        alert(
          kioskId,
          record.seq,
          'seq-conflict',
          `seq ${record.seq} is behind the chain head ${head.seq}`,
        );
        results.push({ id, seq: record.seq, status: 'rejected', reason: 'seq-conflict' });
        continue;
      }
      insertRecord.run({
        kioskId,
        seq: record.seq,
        txId: id,
        ref: record.body.ref,
        serviceId: record.body.serviceId,
        channel: record.body.channel,
        hash: record.hash,
        prevHash: record.prevHash,
        createdAt: record.createdAt,
        receivedAt,
        chainState,
        json: JSON.stringify(record),
      });
      results.push({ id, seq: record.seq, status: 'accepted' });
      if (chainState === 'chained') {
        head = { seq: record.seq, hash: record.hash };
        // A gap just closed: link the records that were held as awaiting.
        for (;;) {
          const next = bySeq.get(kioskId, head.seq + 1);
          if (!next || next.chain_state !== 'awaiting') break;
          if (next.prev_hash !== head.hash) {
            alert(
              kioskId,
              head.seq + 1,
              'chain-mismatch',
              'a held record does not link to its predecessor',
            );
            break;
          }
          markChained.run(kioskId, head.seq + 1);
          head = { seq: head.seq + 1, hash: next.hash };
        }
      }
    }
    setHead.run(head.seq, head.hash, kioskId);
    return { results, head };
  });

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
    async addEnrolmentToken(kioskId, tokenHash) {
      db.prepare('INSERT OR IGNORE INTO enrolment_tokens (token_hash, kiosk_id) VALUES (?, ?)').run(
        tokenHash,
        kioskId,
      );
    },
    async enrol(kioskId, tokenHash, publicKey) {
      return enrolTx(kioskId, tokenHash, publicKey);
    },
    async getKiosk(kioskId) {
      const row = getKioskStmt.get(kioskId);
      return row ? toKiosk(row) : undefined;
    },
    async applyBatch(kioskId, items) {
      return applyBatchTx(kioskId, items);
    },
    async addTamperAlert(a: TamperAlert) {
      insertAlert.run(a.kioskId, a.seq, a.kind, a.detail, a.at);
    },
    async listTamperAlerts(kioskId) {
      const rows = db
        .prepare<
          [],
          { kiosk_id: string; seq: number | null; kind: string; detail: string; at: string }
        >('SELECT kiosk_id, seq, kind, detail, at FROM tamper_alerts ORDER BY id')
        .all();
      return rows
        .filter((row) => !kioskId || row.kiosk_id === kioskId)
        .map((row) => ({
          kioskId: row.kiosk_id,
          seq: row.seq,
          kind: row.kind,
          detail: row.detail,
          at: row.at,
        }));
    },
    async countRecords(kioskId) {
      const rows = db
        .prepare<[string], { chain_state: string; n: number }>(
          'SELECT chain_state, COUNT(*) AS n FROM records WHERE kiosk_id = ? GROUP BY chain_state',
        )
        .all(kioskId);
      const count = (state: string): number => rows.find((r) => r.chain_state === state)?.n ?? 0;
      return { chained: count('chained'), awaiting: count('awaiting') };
    },
    async listRecords(kioskId) {
      return db
        .prepare<[string], { record_json: string }>(
          'SELECT record_json FROM records WHERE kiosk_id = ? ORDER BY seq',
        )
        .all(kioskId)
        .map((row) => JSON.parse(row.record_json) as ChainRecord);
    },
    async close() {
      db.close();
    },
  };
}
