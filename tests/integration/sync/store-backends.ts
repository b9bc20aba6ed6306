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
 * The backends of the store suite (every `gateway-store*.test.ts`): a fresh SQLite file always,
 * and PostgreSQL when DATABASE_URL is set (CI sets it); without it that half is skipped and
 * `label` says so once.
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
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    backends.push({ name: 'PostgreSQL', location: { databaseUrl }, cleanup: () => undefined });
  } else {
    console.log(
      `${label}: PostgreSQL tests skipped: DATABASE_URL is not set ` +
        '(eval "$(bash build/scripts/start-postgres.sh)" to run them)',
    );
  }
  return backends;
}
