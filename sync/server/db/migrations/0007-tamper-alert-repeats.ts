import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * One tamper alert per incident: the same refusal raised again (the same kiosk, seq, kind and
 * detail; a batch resent because its answer was lost, or a kiosk retrying what was refused)
 * counts on the first alert (`repeats`, `last_at`) instead of adding a row, so the dashboard
 * counts incidents and a kiosk that keeps resending cannot fill the table.
 *
 * - `incident`: the alert's identity within its kiosk, `<seq or ->␠<kind>␠<detail>`, unique
 *   with `kiosk_id` (a column rather than an index over `seq`, which may be NULL: NULLs never
 *   collide in a unique index on either database);
 * - `repeats`: how many times it was raised (1 for an alert raised once);
 * - `last_at`: when it was last raised (`at` stays the first time).
 *
 * Alerts already stored are collapsed the same way: the first of each incident is kept with the
 * count and the last time of all of them. `incident` and `last_at` stay nullable in SQLite's
 * table definition (it cannot add NOT NULL to a column of existing rows); every row has both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tamper_alerts').addColumn('incident', 'text').execute();
  await db.schema
    .alterTable('tamper_alerts')
    .addColumn('repeats', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('tamper_alerts').addColumn('last_at', 'text').execute();
  await sql`
    UPDATE tamper_alerts
    SET incident = COALESCE(CAST(seq AS TEXT), '-') || ' ' || kind || ' ' || detail, last_at = at
  `.execute(db);
  await sql`
    UPDATE tamper_alerts
    SET repeats = (SELECT COUNT(*) FROM tamper_alerts AS same
                   WHERE same.kiosk_id = tamper_alerts.kiosk_id
                     AND same.incident = tamper_alerts.incident),
        last_at = (SELECT MAX(same.at) FROM tamper_alerts AS same
                   WHERE same.kiosk_id = tamper_alerts.kiosk_id
                     AND same.incident = tamper_alerts.incident)
  `.execute(db);
  await sql`
    DELETE FROM tamper_alerts
    WHERE id NOT IN (SELECT MIN(id) FROM tamper_alerts GROUP BY kiosk_id, incident)
  `.execute(db);
  await db.schema
    .createIndex('tamper_alerts_incident')
    .on('tamper_alerts')
    .columns(['kiosk_id', 'incident'])
    .unique()
    .execute();
}
