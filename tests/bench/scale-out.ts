import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { commitDataset } from './dataset';
import type { CommittedKiosk } from './dataset';
import { startBenchGateway } from './gateway';
import type { BenchGateway } from './gateway';
import { measureIngest } from './ingest';
import type { IngestResult } from './ingest';

/** One case of the scale-out: its ingest, and how busy its gateway processes were. */
export type ScaleCase = IngestResult & {
  /** CPU time the gateway processes used over the whole case (warm-up included), in cores. */
  gatewayCores: number;
  /**
   * CPU time PostgreSQL's backends for this case's database used over their lives (the gateways'
   * migrations included), over the case's time, in cores; 0 when /proc cannot say.
   */
  databaseCores: number;
};

export interface ScaleOut {
  one: ScaleCase;
  two: ScaleCase;
  /** Two gateway processes' ingest over one's, same kiosks and data, each on a fresh database. */
  ratio: number;
}

/** Why PostgreSQL at `databaseUrl` cannot be used (no connection, no CREATEDB), or undefined. */
export async function postgresUnusable(databaseUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ rolcreatedb: boolean }>(
      'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]?.rolcreatedb ? undefined : 'its role may not create databases (CREATEDB)';
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The server processes serving database `name` now (pg_stat_activity). */
async function backendPids(databaseUrl: string, name: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** A throwaway database on the server `databaseUrl` names (the role may CREATEDB). */
async function freshDatabase(
  databaseUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: databaseUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Scale out on PostgreSQL: the same kiosks (`kiosks` chains of `perKiosk` transactions, posted
 * at once, one batch after another each) ingested by one gateway process, then by two processes
 * on one database, each kiosk's batches going to the two in turn (the gateway keeps nothing per
 * process, so a chain continues across them). Each case gets a fresh database, so both start
 * from the same empty tables with the same data.
 */
export async function measureScaleOut(input: {
  databaseUrl: string;
  kiosks: number;
  perKiosk: number;
  batchSize: number;
  dataDir: string;
  log: (message: string) => void;
}): Promise<ScaleOut> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const ids = Array.from({ length: input.kiosks }, (_, i) => `bench-s${i}-${suffix}`);
  const tokens = ids.map((kioskId, i) => ({ kioskId, token: `bench-scale-${suffix}-${i}` }));
  input.log(`scale-out: committing ${input.kiosks} × ${input.perKiosk} transactions`);
  const data: CommittedKiosk[] = [];
  for (const id of ids) data.push(await commitDataset(id, input.perKiosk));
  const kiosks = data.map((kiosk, i) => ({ kiosk, token: tokens[i]?.token ?? '' }));
  const results: ScaleCase[] = [];
  try {
    for (const processes of [1, 2]) {
      const databaseName = `sp_bench_scale_${suffix}_${processes}`;
      const database = await freshDatabase(input.databaseUrl, databaseName);
      const gateways: BenchGateway[] = [];
      try {
        for (let i = 0; i < processes; i += 1) {
          gateways.push(
            await startBenchGateway({
              dataDir: path.join(input.dataDir, `scale-${processes}-${i}`),
              host: '127.0.0.1',
              tokens,
              databaseUrl: database.url,
            }),
          );
        }
        input.log(
          `scale-out: ${input.kiosks} kiosks at once into ${processes} gateway process${processes > 1 ? 'es' : ''} on one PostgreSQL`,
        );
        const cpu = (): number => gateways.reduce((sum, g) => sum + cpuSeconds(g.child.pid), 0);
        const cpuBefore = cpu();
        const started = performance.now();
        const result = await measureIngest({
          store: 'postgres',
          gatewayUrls: gateways.map((g) => g.url),
          kiosks,
          batchSize: input.batchSize,
        });
        const wallSeconds = (performance.now() - started) / 1000;
        const gatewayCores = (cpu() - cpuBefore) / wallSeconds;
        const backends = await backendPids(input.databaseUrl, databaseName).catch(() => []);
        const databaseSeconds = backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
        results.push({ ...result, gatewayCores, databaseCores: databaseSeconds / wallSeconds });
      } finally {
        for (const gateway of gateways) await gateway.stop();
        await database.drop().catch(() => undefined);
      }
    }
  } finally {
    for (const kiosk of data) kiosk.db.close();
  }
  const [one, two] = results;
  if (!one || !two) throw new Error('scale-out: a measurement is missing');
  return { one, two, ratio: two.perSecond / one.perSecond };
}
