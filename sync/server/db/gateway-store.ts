import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { GENESIS_HASH, gatewayRecordSchema } from '../../protocol/records';
import type { GatewayRecord } from '../../protocol/records';
import { sealedBoxSchema } from '../../protocol/sealed-box';
import type { PublicKeyJwk } from '../../protocol/device-signature';
import { heartbeatRequestSchema } from '../../protocol/wire';
import type { ChainTx } from '../place-batch';
import { placeBatch } from '../place-batch';
import type { GatewayStore, KioskRow, TamperAlert, VerifiedItem } from '../store';
import type { ChainHead, ItemResult } from '../../protocol/wire';
import { NONCE_TTL_MS } from '../store';
import { openDatabase } from './connect';
import { jobQueueStore } from './job-queue-store';
import { agencyStore, appendToFeeds } from './agency-store';
import { addSubscriptionsIn, smsStore } from './sms-store';
import { chainRepairStore } from './chain-repair-store';
import type { ChainedRecord } from './schema';
import type { StoreLocation } from './connect';
import type { GatewayTables } from './schema';

export type { StoreLocation } from './connect';

/** Rows a records INSERT carries at most (placeBatch writes at most 500 rows at a time). */
const INSERT_CHUNK_ROWS = 500;

/** Expired request nonces are swept at most this often per store (they never block a request). */
const NONCE_SWEEP_MS = 60_000;

/** `items` in runs of at most `size` (none for an empty list). */
function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Stores a tamper alert, once per incident (migration 0007): the same kiosk, seq, kind and detail
 * raised again counts on the first row (`repeats` + 1, `last_at`) instead of adding one.
 */
async function raiseTamperAlert(
  db: Kysely<GatewayTables> | Transaction<GatewayTables>,
  a: TamperAlert,
): Promise<void> {
  await db
    .insertInto('tamper_alerts')
    .values({
      kiosk_id: a.kioskId,
      seq: a.seq,
      kind: a.kind,
      detail: a.detail,
      at: a.at,
      incident: `${a.seq ?? '-'} ${a.kind} ${a.detail}`,
      last_at: a.at,
    })
    .onConflict((conflict) =>
      conflict.columns(['kiosk_id', 'incident']).doUpdateSet((eb) => ({
        repeats: eb('tamper_alerts.repeats', '+', 1),
        last_at: eb.ref('excluded.last_at'),
      })),
    )
    .execute();
}

const toKiosk = (row: GatewayTables['kiosks']): KioskRow => ({
  kioskId: row.kiosk_id,
  publicKey: JSON.parse(row.public_key) as PublicKeyJwk,
  enrolledAt: row.enrolled_at,
  head: { seq: row.head_seq, hash: row.head_hash },
});

/**
 * The gateway's one store, over Kysely: the same queries for SQLite and PostgreSQL (the schema
 * is in ./schema.ts, made by ./migrations). Each method is one statement or one transaction.
 * `applyBatch` places a batch in one transaction that has committed when it returns, so a crash
 * keeps all of a batch or none, and a retried batch finds every item by transaction id.
 *
 * Concurrency: on PostgreSQL a batch first locks its kiosk's row (`SELECT … FOR UPDATE`), so
 * gateway processes sharing one database place a kiosk's batches one at a time; on SQLite the
 * transaction holds the file's write lock (BEGIN IMMEDIATE) and the process's one connection.
 *
 * To add to the store: a migration (./migrations), the table's type (./schema.ts), the method in
 * the GatewayStore interface (../store.ts) and here, and a case in the store suite
 * (tests/integration/sync/gateway-store.test.ts), which runs on both dialects.
 */
export async function openGatewayStore(
  location: StoreLocation,
  options: { now?: () => Date } = {},
): Promise<GatewayStore> {
  const now = options.now ?? (() => new Date());
  const { db, dialect } = await openDatabase(location);
  const lockRows = dialect === 'postgres';
  /** When this store last swept expired request nonces (ms; see useNonce). */
  let noncesSweptAt = -Infinity;

  /**
   * `chained` collects the records this transaction chains, for the feeds: placement writes the
   * batch's rows before it marks held ones chained, so they come with their seq, to be put back
   * in chain order.
   */
  const chainTx = (
    trx: Transaction<GatewayTables>,
    chained: Array<ChainedRecord & { seq: number }>,
  ): ChainTx => ({
    async head(kioskId) {
      const row = await trx
        .selectFrom('kiosks')
        .select(['head_seq', 'head_hash'])
        .where('kiosk_id', '=', kioskId)
        .$if(lockRows, (query) => query.forUpdate())
        .executeTakeFirst();
      return row ? { seq: row.head_seq, hash: row.head_hash } : undefined;
    },
    async findIds(txIds) {
      const found = [];
      for (const ids of chunks(txIds, 500)) {
        const rows = await trx
          .selectFrom('records')
          .select(['tx_id', 'kiosk_id', 'seq', 'hash'])
          .where('tx_id', 'in', ids)
          .execute();
        for (const row of rows) {
          found.push({ txId: row.tx_id, kioskId: row.kiosk_id, seq: row.seq, hash: row.hash });
        }
      }
      return found;
    },
    async heldAfter(kioskId, afterSeq) {
      const rows = await trx
        .selectFrom('records')
        .select(['seq', 'tx_id', 'hash', 'prev_hash'])
        .where('kiosk_id', '=', kioskId)
        .where('seq', '>', afterSeq)
        .where('chain_state', '=', 'awaiting')
        .execute();
      return rows.map((row) => ({
        seq: row.seq,
        txId: row.tx_id,
        hash: row.hash,
        prevHash: row.prev_hash,
      }));
    },
    async insert(rows) {
      // One INSERT for each write placeBatch makes (at most INSERT_ROWS, 500): 15 columns a row,
      // 7,500 parameters, under both dialects' bound-parameter limits (SQLite 32,766, pg 65,535).
      for (const part of chunks(rows, INSERT_CHUNK_ROWS)) {
        await trx
          .insertInto('records')
          .values(
            part.map((row) => ({
              kiosk_id: row.kioskId,
              seq: row.seq,
              tx_id: row.txId,
              ref: row.ref,
              service_id: row.serviceId,
              channel: row.channel,
              kind: row.kind,
              subject_tx_id: row.subjectTxId,
              hash: row.hash,
              prev_hash: row.prevHash,
              created_at: row.createdAt,
              received_at: row.receivedAt,
              chain_state: row.chainState,
              record_json: row.json,
              personal_json: row.personalJson,
            })),
          )
          .execute();
        for (const row of part) {
          if (row.chainState === 'chained') {
            chained.push({
              seq: row.seq,
              tx_id: row.txId,
              kind: row.kind,
              ref: row.ref,
              service_id: row.serviceId,
              subject_tx_id: row.subjectTxId,
            });
          }
        }
      }
    },
    async markChained(kioskId, seqs) {
      for (const part of chunks(seqs, 500)) {
        const marked = await trx
          .updateTable('records')
          .set({ chain_state: 'chained' })
          .where('kiosk_id', '=', kioskId)
          .where('seq', 'in', part)
          .returning(['seq', 'tx_id', 'kind', 'ref', 'service_id', 'subject_tx_id'])
          .execute();
        chained.push(...marked);
      }
    },
    async setHead(kioskId, head) {
      await trx
        .updateTable('kiosks')
        .set({ head_seq: head.seq, head_hash: head.hash })
        .where('kiosk_id', '=', kioskId)
        .execute();
    },
    async alert(a) {
      await raiseTamperAlert(trx, a);
    },
    async conflict(row) {
      await trx
        .insertInto('chain_conflicts')
        .values({
          kiosk_id: row.kioskId,
          seq: row.seq,
          tx_id: row.txId,
          hash: row.hash,
          prev_hash: row.prevHash,
          held_tx_id: row.heldTxId,
          record_json: row.json,
          personal_json: row.personalJson,
          received_at: row.receivedAt,
          resolved_at: null,
          repair_id: null,
        })
        .onConflict((conflict) => conflict.columns(['kiosk_id', 'seq', 'tx_id']).doNothing())
        .execute();
    },
  });

  /** Places verified records in one transaction, with what follows from chaining them. */
  const placeIn = async (
    trx: Transaction<GatewayTables>,
    kioskId: string,
    items: VerifiedItem[],
  ): Promise<{ results: ItemResult[]; head: ChainHead }> => {
    const chained: Array<ChainedRecord & { seq: number }> = [];
    const at = now();
    const placed = await placeBatch(chainTx(trx, chained), kioskId, items, at.toISOString());
    chained.sort((a, b) => a.seq - b.seq);
    const inOrder = chained.map(({ seq: _seq, ...record }) => record);
    await appendToFeeds(trx, dialect, inOrder, at);
    await addSubscriptionsIn(trx, inOrder, at);
    return placed;
  };

  const readSetting = async (key: string): Promise<string | undefined> =>
    (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())
      ?.value;

  return {
    kind: dialect,
    jobs: jobQueueStore(db, dialect, now),
    agencies: agencyStore(db, dialect, now),
    sms: smsStore(db, dialect, now),
    chains: chainRepairStore(db, dialect, now, placeIn),
    async addEnrolmentToken(kioskId, tokenHash) {
      await db
        .insertInto('enrolment_tokens')
        .values({ token_hash: tokenHash, kiosk_id: kioskId, used_at: null })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      // The same token for the same kiosk again is a no-op; one already issued to another kiosk
      // would be kept for that kiosk only, so this one could never enrol: say so.
      const issued = await db
        .selectFrom('enrolment_tokens')
        .select('kiosk_id')
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (issued && issued.kiosk_id !== kioskId) {
        throw new Error(
          `enrolment token for ${kioskId} refused: that token is already issued to another kiosk; issue a new one`,
        );
      }
    },
    enrol(kioskId, tokenHash, publicKey) {
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('kiosks')
          .select('public_key')
          .where('kiosk_id', '=', kioskId)
          .$if(lockRows, (query) => query.forUpdate())
          .executeTakeFirst();
        if (existing) {
          return existing.public_key === JSON.stringify(publicKey)
            ? 'already-enrolled'
            : 'bad-token';
        }
        const at = now().toISOString();
        const used = await trx
          .updateTable('enrolment_tokens')
          .set({ used_at: at })
          .where('token_hash', '=', tokenHash)
          .where('kiosk_id', '=', kioskId)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (used.numUpdatedRows !== 1n) return 'bad-token';
        await trx
          .insertInto('kiosks')
          .values({
            kiosk_id: kioskId,
            public_key: JSON.stringify(publicKey),
            enrolled_at: at,
            head_seq: 0,
            head_hash: GENESIS_HASH,
          })
          .execute();
        return 'enrolled';
      });
    },
    async getKiosk(kioskId) {
      const row = await db
        .selectFrom('kiosks')
        .selectAll()
        .where('kiosk_id', '=', kioskId)
        .executeTakeFirst();
      return row ? toKiosk(row) : undefined;
    },
    applyBatch(kioskId, items) {
      return db.transaction().execute((trx) => placeIn(trx, kioskId, items));
    },
    async addTamperAlert(a) {
      await raiseTamperAlert(db, a);
    },
    async listTamperAlerts(kioskId) {
      const rows = await db
        .selectFrom('tamper_alerts')
        .select(['kiosk_id', 'seq', 'kind', 'detail', 'at', 'repeats', 'last_at'])
        .$if(kioskId !== undefined, (query) => query.where('kiosk_id', '=', kioskId ?? ''))
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        kioskId: row.kiosk_id,
        seq: row.seq,
        kind: row.kind,
        detail: row.detail,
        at: row.at,
        repeats: Number(row.repeats),
        lastAt: row.last_at,
      }));
    },
    async countRecords(kioskId) {
      const rows = await db
        .selectFrom('records')
        .select((eb) => ['chain_state', eb.fn.countAll<number>().as('n')])
        .where('kiosk_id', '=', kioskId)
        .groupBy('chain_state')
        .execute();
      const count = (state: string): number =>
        Number(rows.find((row) => row.chain_state === state)?.n ?? 0);
      return { chained: count('chained'), awaiting: count('awaiting') };
    },
    async listRecords(kioskId) {
      const rows = await db
        .selectFrom('records')
        .select('record_json')
        .where('kiosk_id', '=', kioskId)
        .orderBy('seq')
        .execute();
      return rows.map((row) => JSON.parse(row.record_json) as GatewayRecord);
    },
    async readPersonal(kioskId, seq) {
      const row = await db
        .selectFrom('records')
        .select('personal_json')
        .where('kiosk_id', '=', kioskId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return row?.personal_json
        ? sealedBoxSchema.parse(JSON.parse(row.personal_json) as unknown)
        : undefined;
    },
    async useNonce(kioskId, nonce, atMs) {
      // One statement per request: a nonce is new, or seen so long ago that it has expired (then
      // it is taken again). Expired rows are swept now and then, only to keep the table small.
      const taken = await db
        .insertInto('request_nonces')
        .values({ kiosk_id: kioskId, nonce, seen_at: atMs })
        .onConflict((conflict) =>
          conflict
            .columns(['kiosk_id', 'nonce'])
            .doUpdateSet({ seen_at: atMs })
            .where('request_nonces.seen_at', '<', atMs - NONCE_TTL_MS),
        )
        .executeTakeFirst();
      if (Math.abs(atMs - noncesSweptAt) >= NONCE_SWEEP_MS) {
        noncesSweptAt = atMs;
        await db
          .deleteFrom('request_nonces')
          .where('seen_at', '<', atMs - NONCE_TTL_MS)
          .execute();
      }
      return taken.numInsertedOrUpdatedRows === 1n;
    },
    getSetting: readSetting,
    async putSetting(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    },
    async putSettingIfAbsent(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return (await readSetting(key)) ?? value;
    },
    async recordHeartbeat(kioskId, beat, receivedAt) {
      await db
        .insertInto('heartbeats')
        .values({ kiosk_id: kioskId, beat_json: JSON.stringify(beat), received_at: receivedAt })
        .onConflict((conflict) =>
          conflict.column('kiosk_id').doUpdateSet((eb) => ({
            beat_json: eb.ref('excluded.beat_json'),
            received_at: eb.ref('excluded.received_at'),
          })),
        )
        .execute();
    },
    async lastHeartbeat(kioskId) {
      const row = await db
        .selectFrom('heartbeats')
        .select(['beat_json', 'received_at'])
        .where('kiosk_id', '=', kioskId)
        .executeTakeFirst();
      return row
        ? {
            beat: heartbeatRequestSchema.parse(JSON.parse(row.beat_json) as unknown),
            receivedAt: row.received_at,
          }
        : undefined;
    },
    async findByRefs(refs) {
      if (refs.length === 0) return [];
      const rows = await db
        .selectFrom('records')
        .select(['ref', 'service_id', 'received_at'])
        .where('ref', 'in', refs)
        .execute();
      return rows.map((row) => ({
        ref: row.ref,
        serviceId: row.service_id,
        receivedAt: row.received_at,
      }));
    },
    async recordsFrom(kioskId, fromSeq, limit) {
      const rows = await db
        .selectFrom('records')
        .select(['seq', 'tx_id', 'hash', 'chain_state'])
        .where('kiosk_id', '=', kioskId)
        .where('seq', '>=', fromSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        seq: row.seq,
        id: row.tx_id,
        hash: row.hash,
        state: row.chain_state,
      }));
    },
    async listKiosks() {
      const rows = await db.selectFrom('kiosks').selectAll().orderBy('kiosk_id').execute();
      return rows.map(toKiosk);
    },
    async transactionsOf(serviceId) {
      const rows = await db
        .selectFrom('records as r')
        .leftJoin('records as v', (join) =>
          join.on('v.kind', '=', 'void').onRef('v.subject_tx_id', '=', 'r.tx_id'),
        )
        .select(['r.kiosk_id', 'r.ref', 'r.created_at', 'r.record_json'])
        .where('r.kind', '=', 'transaction')
        .where('r.service_id', '=', serviceId)
        .where('v.tx_id', 'is', null)
        .orderBy('r.created_at')
        .execute();
      return rows.flatMap((row) => {
        const record = gatewayRecordSchema.safeParse(JSON.parse(row.record_json) as unknown);
        if (!record.success || record.data.kind !== 'transaction') return [];
        return [
          {
            kioskId: row.kiosk_id,
            ref: row.ref,
            createdAt: row.created_at,
            fields: record.data.body.fields,
          },
        ];
      });
    },
    async transactionCounts(fromDay) {
      // The UTC day is the first ten characters of the ISO 8601 createdAt.
      const day = sql<string>`substr(r.created_at, 1, 10)`;
      const rows = await db
        .selectFrom('records as r')
        .leftJoin('records as v', (join) =>
          join.on('v.kind', '=', 'void').onRef('v.subject_tx_id', '=', 'r.tx_id'),
        )
        .select((eb) => [
          day.as('day'),
          'r.kiosk_id',
          'r.service_id',
          'r.channel',
          eb.fn.countAll<number>().as('n'),
          eb.fn
            .sum<number>(
              eb.case().when('v.tx_id', 'is', null).then(eb.lit(0)).else(eb.lit(1)).end(),
            )
            .as('voided'),
        ])
        .where('r.kind', '=', 'transaction')
        .where('r.created_at', '>=', fromDay)
        .groupBy([day, 'r.kiosk_id', 'r.service_id', 'r.channel'])
        .orderBy('day')
        .execute();
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
      await db.destroy();
    },
  };
}
