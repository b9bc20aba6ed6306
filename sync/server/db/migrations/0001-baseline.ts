import { sql } from 'kysely';
import type { GatewayMigration } from './index';

/**
 * The gateway's tables as they stood when migrations began (protocol v1: kiosks, enrolment
 * tokens, records with sealed personal fields and record kinds, tamper alerts, request nonces,
 * settings, heartbeats).
 *
 * Gateways older than migrations made these tables themselves, in one of three shapes (records
 * without `personal_json`, or also without `kind` and `subject_tx_id`). So this one migration
 * creates only what is missing and adds the missing columns: it adopts any earlier database as
 * well as an empty one. Later migrations run once per database and need no such guards.
 */
export const baseline: GatewayMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('kiosks')
      .ifNotExists()
      .addColumn('kiosk_id', 'text', (col) => col.primaryKey())
      .addColumn('public_key', 'text', (col) => col.notNull())
      .addColumn('enrolled_at', 'text', (col) => col.notNull())
      .addColumn('head_seq', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('head_hash', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('enrolment_tokens')
      .ifNotExists()
      .addColumn('token_hash', 'text', (col) => col.primaryKey())
      .addColumn('kiosk_id', 'text', (col) => col.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema
      .createTable('records')
      .ifNotExists()
      .addColumn('kiosk_id', 'text', (col) => col.notNull())
      .addColumn('seq', 'bigint', (col) => col.notNull())
      .addColumn('tx_id', 'text', (col) => col.notNull().unique())
      .addColumn('ref', 'text', (col) => col.notNull())
      .addColumn('service_id', 'text', (col) => col.notNull())
      .addColumn('channel', 'text', (col) => col.notNull())
      .addColumn('hash', 'text', (col) => col.notNull())
      .addColumn('prev_hash', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('received_at', 'text', (col) => col.notNull())
      .addColumn('chain_state', 'text', (col) =>
        col.notNull().check(sql`chain_state IN ('chained', 'awaiting')`),
      )
      .addColumn('record_json', 'text', (col) => col.notNull())
      .addColumn('personal_json', 'text')
      .addColumn('kind', 'text', (col) => col.notNull().defaultTo('transaction'))
      .addColumn('subject_tx_id', 'text')
      .addPrimaryKeyConstraint('records_pkey', ['kiosk_id', 'seq'])
      .execute();
    // Adopt the earlier shapes of `records` (the columns of the table this connection sees).
    const { rows } = await (
      dialect === 'postgres'
        ? sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'records'`
        : sql<{ name: string }>`SELECT name FROM pragma_table_info('records')`
    ).execute(db);
    const columns = new Set(rows.map((row) => row.name));
    if (!columns.has('personal_json')) {
      await db.schema.alterTable('records').addColumn('personal_json', 'text').execute();
    }
    if (!columns.has('kind')) {
      await db.schema
        .alterTable('records')
        .addColumn('kind', 'text', (col) => col.notNull().defaultTo('transaction'))
        .execute();
    }
    if (!columns.has('subject_tx_id')) {
      await db.schema.alterTable('records').addColumn('subject_tx_id', 'text').execute();
    }
    await db.schema.createIndex('records_ref').ifNotExists().on('records').column('ref').execute();
    await db.schema
      .createIndex('records_subject')
      .ifNotExists()
      .on('records')
      .column('subject_tx_id')
      .execute();
    await db.schema
      .createTable('tamper_alerts')
      .ifNotExists()
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
        dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
      )
      .addColumn('kiosk_id', 'text', (col) => col.notNull())
      .addColumn('seq', 'bigint')
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('detail', 'text', (col) => col.notNull())
      .addColumn('at', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('request_nonces')
      .ifNotExists()
      .addColumn('kiosk_id', 'text', (col) => col.notNull())
      .addColumn('nonce', 'text', (col) => col.notNull())
      .addColumn('seen_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('request_nonces_pkey', ['kiosk_id', 'nonce'])
      .execute();
    await db.schema
      .createIndex('request_nonces_seen')
      .ifNotExists()
      .on('request_nonces')
      .column('seen_at')
      .execute();
    await db.schema
      .createTable('settings')
      .ifNotExists()
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('value', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('heartbeats')
      .ifNotExists()
      .addColumn('kiosk_id', 'text', (col) => col.primaryKey())
      .addColumn('beat_json', 'text', (col) => col.notNull())
      .addColumn('received_at', 'text', (col) => col.notNull())
      .execute();
  },
};
