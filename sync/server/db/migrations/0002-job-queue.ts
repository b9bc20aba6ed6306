import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialect } from '../schema';

/**
 * The gateway's durable job queue (sync/server/jobs): work that must survive a crash and be done
 * by exactly one gateway process at a time, such as webhook deliveries and SMS sends.
 *
 * - `queue` names the kind of work; `job_key`, when given, makes a job unique in its queue for
 *   as long as its row is kept (enqueueing the same key again adds nothing).
 * - `state`: `queued` (waiting for `run_at`), `active` (claimed by `locked_by` until
 *   `locked_until`; a lease that runs out makes it claimable again), `done`, `dead` (gave up).
 * - `run_at` and `locked_until` are epoch milliseconds, so "due" is a number comparison.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
      dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('queue', 'text', (col) => col.notNull())
    .addColumn('job_key', 'text')
    .addColumn('payload_json', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col.notNull().check(sql`state IN ('queued', 'active', 'done', 'dead')`),
    )
    .addColumn('attempts', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', 'bigint', (col) => col.notNull())
    .addColumn('run_at', 'bigint', (col) => col.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('jobs_queue_key')
    .unique()
    .on('jobs')
    .columns(['queue', 'job_key'])
    .execute();
  await db.schema
    .createIndex('jobs_due')
    .on('jobs')
    .columns(['queue', 'state', 'run_at'])
    .execute();
}
