import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoreLocation } from '../../../sync/server/db/gateway-store';

/** A database the store suite runs against. */
export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  location: StoreLocation;
  cleanup: () => void;
}

/**
 * The PostgreSQL the gateway's PostgreSQL tests run against: DATABASE_URL. Without it they are
 * skipped on a developer's machine (`label` says so once) but never in CI: with CI=true a
 * missing DATABASE_URL is an error, since `.ci/run` starts PostgreSQL and sets it.
 */
export function postgresUrl(label: string): string | undefined {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) return databaseUrl;
  if (process.env.CI === 'true') {
    throw new Error(
      `${label}: CI=true but DATABASE_URL is not set; .ci/run starts PostgreSQL ` +
        '(build/scripts/start-postgres.sh) and its tests must not be skipped in CI',
    );
  }
  console.log(
    `${label}: PostgreSQL tests skipped: DATABASE_URL is not set ` +
      '(eval "$(bash build/scripts/start-postgres.sh)" to run them)',
  );
  return undefined;
}

/**
 * The backends of the store suite (every `gateway-store*.test.ts`): a fresh SQLite file always,
 * and PostgreSQL when DATABASE_URL is set (see `postgresUrl`: never skipped in CI).
 */
export function storeBackends(label: string): Backend[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-store-'));
  const backends: Backend[] = [
    {
      name: 'SQLite',
      location: { sqliteFile: path.join(dir, 'gateway.sqlite') },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  const databaseUrl = postgresUrl(label);
  if (databaseUrl) {
    backends.push({ name: 'PostgreSQL', location: { databaseUrl }, cleanup: () => undefined });
  }
  return backends;
}
