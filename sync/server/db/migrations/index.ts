import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationResult } from 'kysely';
import type { SqlDialect } from '../schema';
import * as baseline from './0001-baseline';
import * as jobQueue from './0002-job-queue';
import * as agenciesAndStatus from './0003-agencies-and-status';
import * as smsAlerts from './0004-sms-alerts';
import * as chainRepairs from './0005-chain-repairs';
import * as recordsLz4 from './0006-records-lz4';
import * as tamperAlertRepeats from './0007-tamper-alert-repeats';

/**
 * One step of the gateway database's schema, written with Kysely's schema builder so the same
 * code makes SQLite and PostgreSQL tables: a module `NNNN-what-it-does.ts` that exports
 * `up(db, dialect)`. `dialect` is there for the few places the two differ (an auto-numbered key:
 * `integer … autoincrement` in SQLite, `bigserial` in PostgreSQL).
 */
export interface GatewayMigration {
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>;
}

/**
 * Every migration, in the order they run: the key is the migration's name, kept in the
 * `kysely_migration` table once it has run. To change the schema, add a file
 * `NNNN-what-it-does.ts` exporting `up` and append it here with the next number;
 * never edit or reorder one that has shipped. Update the matching table types in ../schema.ts.
 */
export const gatewayMigrations: Readonly<Record<string, GatewayMigration>> = {
  '0001-baseline': baseline,
  '0002-job-queue': jobQueue,
  '0003-agencies-and-status': agenciesAndStatus,
  '0004-sms-alerts': smsAlerts,
  '0005-chain-repairs': chainRepairs,
  '0006-records-lz4': recordsLz4,
  '0007-tamper-alert-repeats': tamperAlertRepeats,
};

/**
 * Brings the database to the latest schema. Concurrent starts are safe: on PostgreSQL Kysely
 * holds an advisory lock while it migrates (and each migration is one transaction); on SQLite the
 * caller runs this inside a write transaction (connect.ts), which other processes wait for.
 * Throws, naming the migration, when one fails; nothing of a failed migration stays.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialect): Promise<string[]> {
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  const failed = results?.find((result: MigrationResult) => result.status === 'Error');
  if (error !== undefined) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(
      `gateway database migration ${failed?.migrationName ?? ''} failed: ${cause}`.replace(
        '  ',
        ' ',
      ),
      { cause: error },
    );
  }
  return (results ?? []).map((result) => result.migrationName);
}

/** Whether any migration has not run on this database yet (only reads an up-to-date one). */
export async function hasPendingMigrations(
  db: Kysely<unknown>,
  dialect: SqlDialect,
): Promise<boolean> {
  const known = await migrator(db, dialect).getMigrations();
  return known.some((migration) => migration.executedAt === undefined);
}

function migrator(db: Kysely<unknown>, dialect: SqlDialect): Migrator {
  return new Migrator({
    db,
    provider: {
      async getMigrations() {
        const migrations: Record<string, Migration> = {};
        for (const [name, migration] of Object.entries(gatewayMigrations)) {
          migrations[name] = { up: (target) => migration.up(target, dialect) };
        }
        return migrations;
      },
    },
  });
}
