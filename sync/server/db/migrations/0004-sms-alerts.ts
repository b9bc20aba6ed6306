import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialect } from '../schema';

/**
 * SMS alerts (sync/server/sms): who asked for them, every message and what became of it, and
 * what citizens sent back.
 *
 * - `sms_subscriptions`: one per opt-in record (`subscription_id` is its transaction id), tied to
 *   the application reference it names (`for_ref`, null for a general opt-in), the language the
 *   citizen used and, once checked, the phone number: `phone_sealed` (E.164 sealed to the
 *   gateway's key, like every personal field) and `phone_hash` (HMAC-SHA256 of it under a gateway
 *   secret: how a STOP reply finds its subscriptions, and how subscribers are counted, without
 *   the number in clear). `ended_at`/`end_reason` when a STOP (or a bad number) ends it.
 * - `sms_messages`: one per alert, unique by `alert_key` for as long as the gateway lives (the
 *   idempotency key: a status change, a reminder or a confirmation is never sent twice). `state`
 *   follows GOV.UK Notify's words: queued → sending → delivered | temporary-failure |
 *   permanent-failure, or technical-failure when it never reached the SMS centre; `submitting`
 *   marks the window between submit_sm and its response (a message found there is never resent).
 *   `smsc_message_id` is the SMS centre's id from submit_sm_resp, which its delivery receipts name.
 * - `sms_inbound`: messages citizens sent (mobile-originated), with what was done about them.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('sms_subscriptions')
    .addColumn('subscription_id', 'text', (col) => col.primaryKey())
    .addColumn('kiosk_id', 'text', (col) => col.notNull())
    .addColumn('opt_in_ref', 'text', (col) => col.notNull())
    .addColumn('for_ref', 'text')
    .addColumn('service_id', 'text')
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('alerts', 'text', (col) => col.notNull())
    .addColumn('country', 'text')
    .addColumn('phone_state', 'text', (col) =>
      col.notNull().check(sql`phone_state IN ('unchecked', 'valid', 'invalid')`),
    )
    .addColumn('phone_hash', 'text')
    .addColumn('phone_sealed', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema
    .createIndex('sms_subscriptions_for_ref')
    .on('sms_subscriptions')
    .column('for_ref')
    .execute();
  await db.schema
    .createIndex('sms_subscriptions_phone')
    .on('sms_subscriptions')
    .column('phone_hash')
    .execute();
  await db.schema
    .createTable('sms_messages')
    .addColumn('message_id', 'text', (col) => col.primaryKey())
    .addColumn('alert_key', 'text', (col) => col.notNull().unique())
    .addColumn('subscription_id', 'text', (col) =>
      col.notNull().references('sms_subscriptions.subscription_id'),
    )
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('template', 'text', (col) => col.notNull())
    .addColumn('params_json', 'text', (col) => col.notNull())
    .addColumn('service_id', 'text')
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`state IN ('queued', 'submitting', 'sending', 'delivered', 'temporary-failure', 'permanent-failure', 'technical-failure', 'cancelled')`,
        ),
    )
    .addColumn('not_before', 'text', (col) => col.notNull())
    .addColumn('text', 'text')
    .addColumn('segments', 'bigint')
    .addColumn('submit_token', 'text')
    .addColumn('smsc_message_id', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('receipt_stat', 'text')
    .addColumn('receipt_error', 'text')
    .addColumn('receipt_at', 'text')
    .addColumn('detail', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('sms_messages_smsc_id')
    .on('sms_messages')
    .column('smsc_message_id')
    .execute();
  await db.schema
    .createIndex('sms_messages_subscription')
    .on('sms_messages')
    .columns(['subscription_id', 'state'])
    .execute();
  await db.schema
    .createTable('sms_inbound')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
      dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('phone_hash', 'text', (col) => col.notNull())
    .addColumn('keyword', 'text', (col) => col.notNull())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .execute();
}
