import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayMigrations } from '../../../sync/server/db/migrations/index';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { launchGatewayChild } from '../../support/gateway-process';
import { makeChain } from '../../support/chain-fixture';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-migrate-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const latest = Object.keys(gatewayMigrations);

/** The tables as the first gateway made them (before sealed personal fields and record kinds). */
const firstGatewaySchema = `
CREATE TABLE kiosks (kiosk_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL,
  head_seq INTEGER NOT NULL DEFAULT 0, head_hash TEXT NOT NULL);
CREATE TABLE enrolment_tokens (token_hash TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, used_at TEXT);
CREATE TABLE records (kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, tx_id TEXT NOT NULL UNIQUE,
  ref TEXT NOT NULL, service_id TEXT NOT NULL, channel TEXT NOT NULL, hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL, created_at TEXT NOT NULL, received_at TEXT NOT NULL,
  chain_state TEXT NOT NULL CHECK (chain_state IN ('chained', 'awaiting')),
  record_json TEXT NOT NULL, PRIMARY KEY (kiosk_id, seq));
CREATE INDEX records_ref ON records (ref);
CREATE TABLE tamper_alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,
  seq INTEGER, kind TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE request_nonces (kiosk_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at INTEGER NOT NULL,
  PRIMARY KEY (kiosk_id, nonce));
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE heartbeats (kiosk_id TEXT PRIMARY KEY, beat_json TEXT NOT NULL, received_at TEXT NOT NULL);
`;

/** The tables as the last PostgreSQL gateway before migrations made them. */
const lastPostgresSchema = firstGatewaySchema
  .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/, 'BIGSERIAL PRIMARY KEY')
  .replace(/INTEGER/g, 'BIGINT').concat(`
ALTER TABLE records ADD COLUMN personal_json TEXT;
ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'transaction';
ALTER TABLE records ADD COLUMN subject_tx_id TEXT;
CREATE INDEX records_subject ON records (subject_tx_id);`);

/** Puts one enrolled kiosk with its first record into an old database, as the old code did. */
async function seedOldDatabase(run: (text: string, values: unknown[]) => Promise<void>) {
  const kioskId = `legacy-${crypto.randomUUID().slice(0, 8)}`;
  const { records, publicKey } = await makeChain(kioskId, 2);
  const [r1, r2] = records;
  if (!r1 || !r2) throw new Error('fixture');
  await run(
    'INSERT INTO kiosks (kiosk_id, public_key, enrolled_at, head_seq, head_hash) VALUES ($1, $2, $3, 1, $4)',
    [kioskId, JSON.stringify(publicKey), '2026-01-01T00:00:00.000Z', r1.hash],
  );
  await run(
    `INSERT INTO records (kiosk_id, seq, tx_id, ref, service_id, channel, hash, prev_hash,
       created_at, received_at, chain_state, record_json) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, 'chained', $10)`,
    [
      kioskId,
      r1.body.txId,
      r1.body.ref,
      r1.body.serviceId,
      r1.body.channel,
      r1.hash,
      r1.prevHash,
      r1.createdAt,
      '2026-01-01T00:00:01.000Z',
      JSON.stringify(r1),
    ],
  );
  // The same refusal three times (a batch resent after its answer was lost) and another once.
  for (const [seq, at] of [
    [2, '2026-01-01T00:00:02.000Z'],
    [2, '2026-01-01T00:00:05.000Z'],
    [null, '2026-01-01T00:00:06.000Z'],
    [2, '2026-01-01T00:00:09.000Z'],
  ] as const) {
    await run(
      'INSERT INTO tamper_alerts (kiosk_id, seq, kind, detail, at) VALUES ($1, $2, $3, $4, $5)',
      [kioskId, seq, 'chain-mismatch', 'prevHash does not match the hash of seq 1', at],
    );
  }
  return { kioskId, r1, r2 };
}

/** The old database's four alerts, as two incidents once migrated. */
function expectCollapsedAlerts(
  alerts: Array<{ seq: number | null; at: string; repeats: number; lastAt: string }>,
) {
  expect(alerts.map(({ seq, at, repeats, lastAt }) => ({ seq, at, repeats, lastAt }))).toEqual([
    { seq: 2, at: '2026-01-01T00:00:02.000Z', repeats: 3, lastAt: '2026-01-01T00:00:09.000Z' },
    { seq: null, at: '2026-01-01T00:00:06.000Z', repeats: 1, lastAt: '2026-01-01T00:00:06.000Z' },
  ]);
}

const sealed = {
  alg: 'ECDH-ES+HKDF-SHA256+A256GCM' as const,
  epk: { kty: 'EC' as const, crv: 'P-256' as const, x: 'x'.repeat(43), y: 'y'.repeat(43) },
  iv: 'AAAAAAAAAAAAAAAA',
  ct: 'c'.repeat(40),
};

describe('gateway database migrations', () => {
  it('adopt a SQLite database made by the first gateway, keeping its records and chain', async () => {
    const file = path.join(tempDir(), 'gateway.sqlite');
    const old = new Database(file);
    old.exec(firstGatewaySchema);
    const { kioskId, r1, r2 } = await seedOldDatabase(async (text, values) => {
      old.prepare(text.replace(/\$\d+/g, '?')).run(...values);
    });
    old.close();

    const store = await openGatewayStore({ sqliteFile: file });
    try {
      expect(await store.listRecords(kioskId)).toEqual([r1]);
      expectCollapsedAlerts(await store.listTamperAlerts(kioskId));
      const reply = await store.applyBatch(kioskId, [{ record: r2, personal: sealed }]);
      expect(reply).toMatchObject({ head: { seq: 2, hash: r2.hash } });
      expect(await store.readPersonal(kioskId, 2)).toEqual(sealed);
      const counts = await store.transactionCounts(r1.createdAt.slice(0, 10));
      expect(counts.find((row) => row.kioskId === kioskId)?.count).toBe(2);
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    const ran = check.prepare('SELECT name FROM kysely_migration ORDER BY name').all();
    check.close();
    expect(ran).toEqual(latest.map((name) => ({ name })));
    // Opening it again finds nothing to do.
    await (await openGatewayStore({ sqliteFile: file })).close();
  });

  it('start two gateway processes at once on one new SQLite file', async () => {
    const dataDir = tempDir();
    const started = await Promise.all(
      [0, 1].map(() => launchGatewayChild(['--port', '0', '--data', dataDir])),
    );
    for (const { child } of started) child.kill('SIGKILL');
    expect(started.map(({ url }) => url.startsWith('http://127.0.0.1:'))).toEqual([true, true]);
  });

  const databaseUrl = process.env.DATABASE_URL;

  /** A new, empty PostgreSQL database for one test; undefined when this role cannot make one. */
  async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
    if (!databaseUrl) return undefined;
    const name = `sp_migrate_${crypto.randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } catch (error) {
      console.log(`gateway-migrations: cannot create a database (${(error as Error).message})`);
      await admin.end();
      return undefined;
    }
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const again = new pg.Client({ connectionString: databaseUrl });
        await again.connect();
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await again.end();
      },
    };
  }

  it.skipIf(!databaseUrl)(
    'adopt a PostgreSQL database made by the gateway before migrations',
    async () => {
      const fresh = await freshDatabase();
      if (!fresh) return;
      try {
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        await client.query(lastPostgresSchema);
        const { kioskId, r1, r2 } = await seedOldDatabase(async (text, values) => {
          await client.query(text, values);
        });
        await client.end();

        const store = await openGatewayStore({ databaseUrl: fresh.url });
        try {
          expect(await store.listRecords(kioskId)).toEqual([r1]);
          expectCollapsedAlerts(await store.listTamperAlerts(kioskId));
          const reply = await store.applyBatch(kioskId, [{ record: r2, personal: sealed }]);
          expect(reply.head).toEqual({ seq: 2, hash: r2.hash });
          expect(await store.countRecords(kioskId)).toEqual({ chained: 2, awaiting: 0 });
        } finally {
          await store.close();
        }
        const check = new pg.Client({ connectionString: fresh.url });
        await check.connect();
        const ran = await check.query('SELECT name FROM kysely_migration ORDER BY name');
        await check.end();
        expect(ran.rows).toEqual(latest.map((name) => ({ name })));
      } finally {
        await fresh.drop();
      }
    },
  );

  it.skipIf(!databaseUrl)(
    "compress records' JSON with lz4 on a PostgreSQL that has it, and read older pglz rows as before",
    async () => {
      const fresh = await freshDatabase();
      if (!fresh) return;
      try {
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        await client.query(lastPostgresSchema);
        const { kioskId, r1, r2 } = await seedOldDatabase(async (text, values) => {
          await client.query(text, values);
        });
        const store = await openGatewayStore({ databaseUrl: fresh.url });
        try {
          await store.applyBatch(kioskId, [{ record: r2, personal: sealed }]);
          expect(await store.listRecords(kioskId)).toEqual([r1, r2]);
        } finally {
          await store.close();
        }
        const { rows: settings } = await client.query<{ lz4: boolean }>(
          "SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'",
        );
        const { rows } = await client.query<{ name: string; compression: string }>(
          `SELECT attname AS name, attcompression AS compression FROM pg_attribute
           WHERE attrelid = 'records'::regclass AND attname IN ('record_json', 'personal_json')
           ORDER BY attname`,
        );
        await client.end();
        const expected = settings[0]?.lz4 ? 'l' : '';
        expect(rows).toEqual([
          { name: 'personal_json', compression: expected },
          { name: 'record_json', compression: expected },
        ]);
      } finally {
        await fresh.drop();
      }
    },
  );

  it.skipIf(!databaseUrl)(
    'start two gateway processes at once on one new PostgreSQL database',
    async () => {
      const fresh = await freshDatabase();
      if (!fresh) return;
      try {
        const started = await Promise.all(
          [0, 1].map(() =>
            launchGatewayChild(['--port', '0'], { databaseUrl: fresh.url, timeoutMs: 30_000 }),
          ),
        );
        for (const { child } of started) child.kill('SIGKILL');
        expect(started).toHaveLength(2);
        const check = new pg.Client({ connectionString: fresh.url });
        await check.connect();
        const ran = await check.query('SELECT name FROM kysely_migration ORDER BY name');
        await check.end();
        expect(ran.rows).toEqual(latest.map((name) => ({ name })));
      } finally {
        await fresh.drop();
      }
    },
  );
});
