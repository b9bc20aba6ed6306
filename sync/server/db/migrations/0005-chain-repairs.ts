import type { Kysely } from 'kysely';
import type { SqlDialect } from '../schema';

/**
 * Repairing a wedged chain (sync/server/dashboard/chain-repair.ts).
 *
 * - `chain_conflicts`: a record refused as `seq-conflict` because another record is held
 *   (`awaiting`) at its seq, kept whole (record and sealed personal fields) so an administrator
 *   can compare the two and choose; one row per kiosk, seq and refused record.
 * - `chain_repairs`: every decision, append-only: which record was kept, the one set aside (kept
 *   here whole, never deleted), the administrator's reason, when, and the head before and after.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const autoId = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
        dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
      );
  await autoId('chain_conflicts')
    .addColumn('kiosk_id', 'text', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('tx_id', 'text', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('prev_hash', 'text', (col) => col.notNull())
    .addColumn('held_tx_id', 'text', (col) => col.notNull())
    .addColumn('record_json', 'text', (col) => col.notNull())
    .addColumn('personal_json', 'text')
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('repair_id', 'bigint')
    .addUniqueConstraint('chain_conflicts_record', ['kiosk_id', 'seq', 'tx_id'])
    .execute();
  await autoId('chain_repairs')
    .addColumn('kiosk_id', 'text', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('kept', 'text', (col) => col.notNull())
    .addColumn('kept_tx_id', 'text', (col) => col.notNull())
    .addColumn('set_aside_tx_id', 'text', (col) => col.notNull())
    .addColumn('set_aside_record_json', 'text', (col) => col.notNull())
    .addColumn('set_aside_personal_json', 'text')
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('decided_by', 'text', (col) => col.notNull())
    .addColumn('decided_at', 'text', (col) => col.notNull())
    .addColumn('head_before', 'bigint', (col) => col.notNull())
    .addColumn('head_after', 'bigint', (col) => col.notNull())
    .execute();
}
