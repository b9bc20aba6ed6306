import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Dialect } from 'kysely';
import pg from 'pg';
import { hasPendingMigrations, migrateToLatest } from './migrations/index';
import type { GatewayDb, GatewayTables, SqlDialect } from './schema';

/** Where the gateway keeps its data: a SQLite file, or a PostgreSQL database by URL. */
export type StoreLocation = { sqliteFile: string } | { databaseUrl: string };

export interface OpenDatabase {
  db: GatewayDb;
  dialect: SqlDialect;
}

/**
 * Opens the gateway database and brings its schema to the latest migration.
 *
 * SQLite (better-sqlite3): WAL with `synchronous=FULL`, so a committed batch survives a power
 * cut; one connection, which Kysely lends to one query or transaction at a time; transactions
 * begin IMMEDIATE (they take the write lock at once, so two processes on one file queue instead
 * of failing when a read turns into a write).
 *
 * PostgreSQL (pg): a pool of 10; BIGINT (int8) comes back as a JS number, as SQLite's INTEGER
 * does (sequence numbers and counts stay far below 2^53).
 */
export async function openDatabase(location: StoreLocation): Promise<OpenDatabase> {
  if ('databaseUrl' in location) {
    const pool = new pg.Pool({
      connectionString: location.databaseUrl,
      max: 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === pg.types.builtins.INT8
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    const db = new Kysely<GatewayTables>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db as Kysely<unknown>, 'postgres');
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return { db, dialect: 'postgres' };
  }

  const sqlite = new Database(location.sqliteFile);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<GatewayTables>({ dialect: immediateSqliteDialect(sqlite) });
  // One write transaction around the whole migration: atomic, and a second process opening the
  // same file waits (busy timeout) and then finds nothing left to do. A database that is up to
  // date is only read, so opening it beside a running gateway takes no write lock.
  try {
    if (await hasPendingMigrations(db as Kysely<unknown>, 'sqlite')) {
      sqlite.exec('BEGIN IMMEDIATE');
      await migrateToLatest(db as Kysely<unknown>, 'sqlite');
      sqlite.exec('COMMIT');
    }
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    await db.destroy();
    throw error;
  }
  return { db, dialect: 'sqlite' };
}

/**
 * Kysely's SQLite dialect with two changes to its transactions: they begin IMMEDIATE, and a
 * rollback after SQLite has already rolled back by itself (which it does on SQLITE_FULL) is
 * skipped, so the caller sees the original error (the storage-full answer depends on it) rather
 * than "no transaction is active".
 */
function immediateSqliteDialect(sqlite: Database.Database): Dialect {
  const base = new SqliteDialect({ database: sqlite });
  class ImmediateSqliteDriver extends SqliteDriver {
    override async beginTransaction(connection: DatabaseConnection): Promise<void> {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    }

    override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
      if (sqlite.inTransaction) await super.rollbackTransaction(connection);
    }
  }
  return {
    createAdapter: () => base.createAdapter(),
    createDriver: () => new ImmediateSqliteDriver({ database: sqlite }),
    createIntrospector: (db) => base.createIntrospector(db),
    createQueryCompiler: () => base.createQueryCompiler(),
  };
}
