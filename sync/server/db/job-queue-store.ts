import type { Kysely, Selectable, Transaction } from 'kysely';
import { DEFAULT_MAX_ATTEMPTS } from '../jobs/job-queue';
import type { ClaimedJob, JobQueue, JobRow, JobSpec, JobState } from '../jobs/job-queue';
import type { GatewayTables, SqlDialect } from './schema';

type Executor = Kysely<GatewayTables> | Transaction<GatewayTables>;

const toRow = (row: Selectable<GatewayTables['jobs']>): JobRow => ({
  id: Number(row.id),
  queue: row.queue,
  key: row.job_key,
  state: row.state,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  runAt: row.run_at,
  lastError: row.last_error,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

/**
 * Enqueues jobs with `executor`: pass a transaction to commit them together with the data they
 * are about (an application and its webhook), which is how the store's own methods use it.
 */
export async function enqueueJobsIn(
  executor: Executor,
  specs: JobSpec[],
  now: Date,
): Promise<Array<{ id: number; created: boolean }>> {
  const results: Array<{ id: number; created: boolean }> = [];
  for (const spec of specs) {
    const maxAttempts = spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a whole number from 1, got ${maxAttempts}`);
    }
    const inserted = await executor
      .insertInto('jobs')
      .values({
        queue: spec.queue,
        job_key: spec.key ?? null,
        payload_json: JSON.stringify(spec.payload ?? null),
        state: 'queued',
        attempts: 0,
        max_attempts: maxAttempts,
        run_at: (spec.runAt ?? now).getTime(),
        locked_by: null,
        locked_until: null,
        last_error: null,
        created_at: now.toISOString(),
        finished_at: null,
      })
      .onConflict((conflict) => conflict.columns(['queue', 'job_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      results.push({ id: Number(inserted.id), created: true });
      continue;
    }
    const existing = await executor
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', spec.queue)
      .where('job_key', '=', spec.key ?? '')
      .executeTakeFirstOrThrow();
    results.push({ id: Number(existing.id), created: false });
  }
  return results;
}

/**
 * The job queue over Kysely: the same statements on SQLite and PostgreSQL. A claim is one
 * `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING …`; on PostgreSQL the inner select is
 * `FOR UPDATE SKIP LOCKED`, so gateway processes claiming at once take disjoint jobs without
 * waiting on each other; on SQLite the statement holds the database's one write lock.
 */
export function jobQueueStore(
  db: Kysely<GatewayTables>,
  dialect: SqlDialect,
  now: () => Date,
): JobQueue {
  return {
    enqueue(specs) {
      if (specs.length === 0) return Promise.resolve([]);
      return db.transaction().execute((trx) => enqueueJobsIn(trx, specs, now()));
    },
    async claim(queue, worker, limit, leaseMs) {
      const at = now().getTime();
      // The picked ids are a MATERIALIZED common table expression: with `id IN (SELECT … LIMIT
      // n FOR UPDATE SKIP LOCKED)` PostgreSQL may run the subquery again per row and lease more
      // than n jobs.
      const rows = await db
        .with(
          (cte) => cte('picked').materialized(),
          (qc) =>
            qc
              .selectFrom('jobs')
              .select('id')
              .where('queue', '=', queue)
              .where((w) =>
                w.or([
                  w.and([w('state', '=', 'queued'), w('run_at', '<=', at)]),
                  w.and([w('state', '=', 'active'), w('locked_until', '<', at)]),
                ]),
              )
              .orderBy('run_at')
              .orderBy('id')
              .limit(limit)
              .$if(dialect === 'postgres', (select) => select.forUpdate().skipLocked()),
        )
        .updateTable('jobs')
        .set((eb) => ({
          state: 'active',
          locked_by: worker,
          locked_until: at + leaseMs,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
        .returningAll()
        .execute();
      return rows
        .map((row): ClaimedJob => ({
          id: Number(row.id),
          queue: row.queue,
          key: row.job_key,
          payload: JSON.parse(row.payload_json) as unknown,
          attempt: row.attempts,
          maxAttempts: row.max_attempts,
          lockedUntil: row.locked_until ?? at + leaseMs,
          createdAt: row.created_at,
        }))
        .sort((a, b) => a.id - b.id);
    },
    async complete(id, worker) {
      const done = await db
        .updateTable('jobs')
        .set({
          state: 'done',
          locked_by: null,
          locked_until: null,
          finished_at: now().toISOString(),
        })
        .where('id', '=', id)
        .where('state', '=', 'active')
        .where('locked_by', '=', worker)
        .executeTakeFirst();
      return done.numUpdatedRows === 1n;
    },
    fail(id, worker, error, retryAt) {
      return db.transaction().execute(async (trx) => {
        const job = await trx
          .selectFrom('jobs')
          .select(['attempts', 'max_attempts'])
          .where('id', '=', id)
          .where('state', '=', 'active')
          .where('locked_by', '=', worker)
          .$if(dialect === 'postgres', (select) => select.forUpdate())
          .executeTakeFirst();
        if (!job) return undefined;
        const dead = retryAt === null || job.attempts >= job.max_attempts;
        await trx
          .updateTable('jobs')
          .set({
            state: dead ? 'dead' : 'queued',
            run_at: dead ? now().getTime() : retryAt.getTime(),
            locked_by: null,
            locked_until: null,
            last_error: error.slice(0, 2000),
            finished_at: dead ? now().toISOString() : null,
          })
          .where('id', '=', id)
          .execute();
        return dead ? 'dead' : 'queued';
      });
    },
    async get(id) {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRow(row) : undefined;
    },
    async list(queue, options = {}) {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('queue', '=', queue)
        .$if(options.state !== undefined, (select) =>
          select.where('state', '=', options.state ?? 'queued'),
        )
        .orderBy('id', 'desc')
        .limit(options.limit ?? 100)
        .execute();
      return rows.map(toRow);
    },
    async counts() {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['queue', 'state', eb.fn.countAll<number>().as('n')])
        .groupBy(['queue', 'state'])
        .orderBy('queue')
        .orderBy('state')
        .execute();
      return rows.map((row) => ({
        queue: row.queue,
        state: row.state as JobState,
        count: Number(row.n),
      }));
    },
    async purgeFinished(before) {
      const deleted = await db
        .deleteFrom('jobs')
        .where('state', 'in', ['done', 'dead'])
        .where('finished_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(deleted.numDeletedRows);
    },
  };
}
