import path from 'node:path';
import pg from 'pg';
import { commitDataset } from './dataset';
import type { CommittedKiosk } from './dataset';
import { startBenchGateway } from './gateway';
import type { BenchGateway } from './gateway';
import { measureIngest } from './ingest';
import type { IngestResult } from './ingest';

export interface ScaleOut {
  one: IngestResult;
  two: IngestResult;
  /** Two gateway processes' ingest over one's, same kiosks and data, each on a fresh database. */
  ratio: number;
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
  const results: IngestResult[] = [];
  try {
    for (const processes of [1, 2]) {
      const database = await freshDatabase(
        input.databaseUrl,
        `sp_bench_scale_${suffix}_${processes}`,
      );
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
        results.push(
          await measureIngest({
            store: 'postgres',
            gatewayUrls: gateways.map((g) => g.url),
            kiosks,
            batchSize: input.batchSize,
          }),
        );
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
