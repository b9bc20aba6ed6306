import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialect } from '../schema';

/**
 * The back-office loop (sync/server/agency): agencies, the services each owns, each agency's
 * feed of delivered applications, application status with its full history, and the log of
 * every agency call.
 *
 * - `agencies.key_hash` is the SHA-256 of the random secret in the agency's API key (the key
 *   itself is shown once, when made); `public_key` is the agency's P-256 key that personal fields
 *   are sealed to for it; `feed_head` is the last feed position given out.
 * - `agency_services`: one owner per service (`service_id` is the key).
 * - `agency_feed`: per agency, gapless `position`s in commit order; a consumer leases entries
 *   (`lease_owner`, `lease_until` epoch ms) and acknowledges them (`acked_at`).
 * - `status_events` is append-only: one row per accepted change, `version` 1, 2, … per
 *   application; `application_status` is the current state, updated with it in one transaction.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const autoId = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
        dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
      );
  await db.schema
    .createTable('agencies')
    .addColumn('agency_id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull())
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('feed_head', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('disabled_at', 'text')
    .execute();
  await db.schema
    .createTable('agency_services')
    .addColumn('service_id', 'text', (col) => col.primaryKey())
    .addColumn('agency_id', 'text', (col) => col.notNull().references('agencies.agency_id'))
    .execute();
  await db.schema
    .createTable('agency_feed')
    .addColumn('agency_id', 'text', (col) => col.notNull().references('agencies.agency_id'))
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull().unique())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind IN ('delivered', 'voided')`))
    .addColumn('tx_id', 'text', (col) => col.notNull())
    .addColumn('record_tx_id', 'text', (col) => col.notNull())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('service_id', 'text', (col) => col.notNull())
    .addColumn('added_at', 'text', (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('deliveries', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('acked_at', 'text')
    .addColumn('acked_by', 'text')
    .addPrimaryKeyConstraint('agency_feed_pkey', ['agency_id', 'position'])
    .addUniqueConstraint('agency_feed_record', ['agency_id', 'record_tx_id'])
    .execute();
  await db.schema
    .createIndex('agency_feed_unacked')
    .on('agency_feed')
    .columns(['agency_id', 'acked_at', 'position'])
    .execute();
  await db.schema
    .createTable('application_status')
    .addColumn('tx_id', 'text', (col) => col.primaryKey())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('agency_id', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('detail_json', 'text', (col) => col.notNull())
    .addColumn('since', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema
    .createIndex('application_status_ref')
    .on('application_status')
    .column('ref')
    .execute();
  await db.schema
    .createTable('status_events')
    .addColumn('agency_id', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('tx_id', 'text', (col) => col.notNull())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('from_state', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('detail_json', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'text', (col) => col.notNull())
    .addColumn('request_digest', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('status_events_pkey', ['agency_id', 'event_id'])
    .addUniqueConstraint('status_events_version', ['tx_id', 'version'])
    .execute();
  await autoId('agency_calls')
    .addColumn('agency_id', 'text')
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('method', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('status', 'bigint', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('agency_calls_agency')
    .on('agency_calls')
    .columns(['agency_id', 'id'])
    .execute();
}
