import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialect } from '../schema';

/**
 * PostgreSQL only: a record's JSON (about 2.4 KB with its form answers) makes its row longer than
 * TOAST's 2 KB threshold, so every row is compressed as it is inserted; the default, pglz, was
 * about a quarter of PostgreSQL's CPU per ingested transaction (measured with
 * tests/bench/scale-out.ts: 0.08 against 0.06 ms per transaction with lz4). lz4 compresses
 * faster at a similar ratio. It applies to rows written from now on; older rows keep pglz and
 * read as before. A server built without lz4 (it is optional since PostgreSQL 14) keeps pglz.
 * SQLite does not compress rows: nothing to do there.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return;
  const { rows } = await sql<{ lz4: boolean }>`
    SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'
  `.execute(db);
  if (!rows[0]?.lz4) return;
  await sql`ALTER TABLE records ALTER COLUMN record_json SET COMPRESSION lz4`.execute(db);
  await sql`ALTER TABLE records ALTER COLUMN personal_json SET COMPRESSION lz4`.execute(db);
}
