import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { publicJwkOf } from '../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../sync/protocol/sealed-box';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import { SEALING_KEY_SETTING } from '../../sync/server/sealing-key';
import { commitDataset } from './dataset';
import type { CommittedKiosk } from './dataset';
import { startBenchGateway } from './gateway';
import type { BenchGateway } from './gateway';
import { buildStream, enrolStream, postStreams } from './ingest';
import type { IngestResult, Stream } from './ingest';

/**
 * Where the CPU went in a case's timed window, in cores (CPU seconds over wall seconds), from
 * /proc (Linux; zeros elsewhere). `machine` is every core's busy time, so `machine - ours` is
 * what other work on the machine took meanwhile.
 */
export interface CpuSplit {
  /** Each gateway process (all its threads: libuv's pool verifies signatures). */
  gateways: number[];
  /** Each gateway process's main thread (its event loop, where everything else runs). */
  gatewayLoops: number[];
  /** PostgreSQL backends serving this case's database (its pool's connections). */
  database: number;
  /** PostgreSQL's shared background processes (WAL writer, checkpointer, background writer). */
  databaseBackground: number;
  /** The bench process itself (the load generator). */
  bench: number;
  /** All cores' busy time (/proc/stat). */
  machine: number;
}

/**
 * What the case's PostgreSQL backends were doing in its timed window, sampled from
 * pg_stat_activity about 20 times a second: on average how many were in each state
 * (`idle`: waiting for a request; `idle in transaction`: waiting for the gateway in the middle of a
 * transaction; `active`: running a statement), and how many of the active ones were waiting, by
 * wait event (`Lock:transactionid` would be a batch waiting for another's row lock,
 * `Lock:advisory` the agency owners' lock, `IO:WALSync` a commit's flush).
 */
export interface BackendStates {
  samples: number;
  states: Record<string, number>;
  waits: Record<string, number>;
}

/** One case of the scale-out: its ingest, where the CPU went and what PostgreSQL waited on. */
export type ScaleCase = IngestResult & { cpu: CpuSplit; backends: BackendStates };

export interface ScaleOut {
  /** Every case in the order run: 1, 2, 1, 2, … gateway processes. */
  cases: ScaleCase[];
  /** Each pair's two-process rate over its one-process rate. */
  ratios: number[];
  /** The median of `ratios`. */
  ratio: number;
  /** The one- and two-process cases of the pair whose ratio is the median (or nearest). */
  one: ScaleCase;
  two: ScaleCase;
  /** 1-minute load average before the first case and after the last. */
  loadAverage: { before: number; after: number };
  /**
   * The best ratio these CPU costs allow on this machine: one process can use at most one core
   * for its event loop, two processes and PostgreSQL share `cores`. See `scaleCeiling`.
   */
  ceiling: ScaleCeiling;
}

export interface ScaleCeiling {
  cores: number;
  /** CPU milliseconds per transaction: gateway (all threads; its event loop alone), PostgreSQL. */
  gatewayMsPerTx: number;
  gatewayLoopMsPerTx: number;
  databaseMsPerTx: number;
  /** The bench's own CPU per transaction (it shares the cores in this bench, not in a site). */
  benchMsPerTx: number;
  /** One process: its event loop at one full core, or the machine, whichever binds first (tx/s). */
  oneProcessMax: number;
  /** Two processes: two event loops, or the machine, whichever binds first (tx/s). */
  twoProcessMax: number;
  /** twoProcessMax / oneProcessMax: the best ratio these costs allow on `cores`. */
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

/** CPU seconds (user + system, all threads) a process has used, from /proc; 0 when unknown. */
function cpuSeconds(pid: number | undefined): number {
  return pid === undefined ? 0 : cpuSecondsOf(`/proc/${pid}/stat`);
}

function cpuSecondsOf(file: string): number {
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th.
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of a process's main thread (the event loop), from /proc/<pid>/task/<pid>. */
function mainThreadSeconds(pid: number | undefined): number {
  return pid === undefined ? 0 : cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`);
}

/** Busy CPU seconds of all cores together (/proc/stat: all but idle and iowait); 0 elsewhere. */
function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** PostgreSQL's processes now: those serving database `name`, and the shared background ones. */
async function postgresPids(
  databaseUrl: string,
  name: string,
): Promise<{ database: number[]; background: number[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; datname: string | null; type: string }>(
      'SELECT pid, datname, backend_type AS type FROM pg_stat_activity',
    );
    return {
      database: rows.filter((row) => row.datname === name).map((row) => row.pid),
      background: rows
        .filter((row) => ['walwriter', 'checkpointer', 'background writer'].includes(row.type))
        .map((row) => row.pid),
    };
  } finally {
    await client.end();
  }
}

/**
 * Samples pg_stat_activity for database `name` until `stop` is called (one connection to the
 * server's own database, so its backend is not counted among the case's).
 */
function sampleBackends(databaseUrl: string, name: string): { stop: () => Promise<BackendStates> } {
  const client = new pg.Client({ connectionString: databaseUrl });
  const states: Record<string, number> = {};
  const waits: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ state: string | null; wait: string | null }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait FROM pg_stat_activity
          WHERE datname = $1 AND backend_type = 'client backend'`,
        [name],
      );
      samples += 1;
      for (const row of rows) {
        const state = row.state ?? 'unknown';
        states[state] = (states[state] ?? 0) + 1;
        if (state === 'active' && row.wait) waits[row.wait] = (waits[row.wait] ?? 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
      const mean = (counts: Record<string, number>): Record<string, number> =>
        Object.fromEntries(
          Object.entries(counts)
            .sort(([, a], [, b]) => b - a)
            .map(([key, n]) => [key, n / Math.max(1, samples)]),
        );
      return { samples, states: mean(states), waits: mean(waits) };
    },
  };
}

/** A snapshot of the CPU counters a case reads before and after its timed window. */
interface CpuSnapshot {
  at: number;
  gateways: number[];
  gatewayLoops: number[];
  database: Map<number, number>;
  background: Map<number, number>;
  bench: number;
  machine: number;
}

async function snapshot(
  databaseUrl: string,
  name: string,
  gateways: BenchGateway[],
): Promise<CpuSnapshot> {
  const pids = await postgresPids(databaseUrl, name).catch(() => ({
    database: [],
    background: [],
  }));
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    gateways: gateways.map((g) => cpuSeconds(g.child.pid)),
    gatewayLoops: gateways.map((g) => mainThreadSeconds(g.child.pid)),
    database: new Map(pids.database.map((pid) => [pid, cpuSeconds(pid)])),
    background: new Map(pids.background.map((pid) => [pid, cpuSeconds(pid)])),
    bench: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

function split(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const seconds = (after.at - before.at) / 1000;
  // A backend that started in the window counts from zero.
  const grown = (a: Map<number, number>, b: Map<number, number>): number =>
    [...b].reduce((sum, [pid, cpu]) => sum + cpu - (a.get(pid) ?? 0), 0);
  return {
    gateways: after.gateways.map((cpu, i) => (cpu - (before.gateways[i] ?? 0)) / seconds),
    gatewayLoops: after.gatewayLoops.map(
      (cpu, i) => (cpu - (before.gatewayLoops[i] ?? 0)) / seconds,
    ),
    database: grown(before.database, after.database) / seconds,
    databaseBackground: grown(before.background, after.background) / seconds,
    bench: (after.bench - before.bench) / seconds,
    machine: (after.machine - before.machine) / seconds,
  };
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

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/**
 * The best two-over-one ratio the measured CPU costs allow on `cores`, with nothing else on the
 * machine: a gateway process runs everything but its signature checks on one thread, so one
 * process tops out when its event loop is busy all the time (1000 / loop ms per tx), and any
 * number of processes top out when the gateways, PostgreSQL and the load generator together use
 * every core (cores · 1000 / their ms per tx). Costs per transaction are the medians over the
 * cases given (CPU time is far less sensitive to other load than throughput is).
 */
export function scaleCeiling(cases: ScaleCase[], cores: number): ScaleCeiling {
  const perTx = (pick: (c: ScaleCase) => number): number =>
    median(cases.map((c) => (pick(c) / c.perSecond) * 1000));
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const gatewayMsPerTx = perTx((c) => sum(c.cpu.gateways));
  const gatewayLoopMsPerTx = perTx((c) => sum(c.cpu.gatewayLoops));
  const databaseMsPerTx = perTx((c) => c.cpu.database + c.cpu.databaseBackground);
  const benchMsPerTx = perTx((c) => c.cpu.bench);
  const machineMax = (cores * 1000) / (gatewayMsPerTx + databaseMsPerTx + benchMsPerTx);
  const oneProcessMax = Math.min(1000 / gatewayLoopMsPerTx, machineMax);
  const twoProcessMax = Math.min(2000 / gatewayLoopMsPerTx, machineMax);
  return {
    cores,
    gatewayMsPerTx,
    gatewayLoopMsPerTx,
    databaseMsPerTx,
    benchMsPerTx,
    oneProcessMax,
    twoProcessMax,
    ratio: twoProcessMax / oneProcessMax,
  };
}

const percent = (share: number): string => `${(100 * share).toFixed(0)} %`;

/**
 * One line for the log: a case's rate, how busy each gateway process was kept (share of the
 * window with a request in flight, requests in flight on average), where the CPU went, and what
 * the PostgreSQL backends were doing (on average, backends in each state; active ones' waits).
 */
export function describeCase(c: ScaleCase): string {
  const { cpu, spread, backends } = c;
  const ours =
    cpu.gateways.reduce((a, b) => a + b, 0) + cpu.database + cpu.databaseBackground + cpu.bench;
  const average = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([key, n]) => `${key} ${n.toFixed(2)}`)
      .join(', ') || 'none';
  return (
    `${c.gateways} process${c.gateways > 1 ? 'es' : ''}: ${c.perSecond.toFixed(0)} tx/s ` +
    `(tail ${percent(c.tailMs / c.ms)} of ${(c.ms / 1000).toFixed(1)} s); requests in flight: ` +
    spread.inFlight
      .map((n, i) => `${n.toFixed(1)} (busy ${percent(spread.busy[i] ?? 0)})`)
      .join(' + ') +
    (c.gateways > 1 ? `, all busy ${percent(spread.allBusy)}` : '') +
    `; cores: gateway ${cpu.gateways.map((g, i) => `${g.toFixed(2)} (loop ${(cpu.gatewayLoops[i] ?? 0).toFixed(2)})`).join(' + ')}, PostgreSQL ${cpu.database.toFixed(2)} ` +
    `(+${cpu.databaseBackground.toFixed(2)} shared), bench ${cpu.bench.toFixed(2)}, ` +
    `machine ${cpu.machine.toFixed(2)} (others ${Math.max(0, cpu.machine - ours).toFixed(2)}); ` +
    `PostgreSQL backends: ${average(backends.states)}; active waiting on: ${average(backends.waits)}`
  );
}

/**
 * Scale out on PostgreSQL: the same kiosks (`kiosks` chains of `perKiosk` transactions, posted
 * at once, one batch after another each) ingested by one gateway process, then by two processes
 * on one database, each kiosk's batches going to the two in turn (the gateway keeps nothing per
 * process, so a chain continues across them), alternating 1, 2, 1, 2, … for `pairs` pairs.
 *
 * So that the load generator does not compete with the gateways inside the timed window, every
 * batch is built once before any case (records sealed to one sealing key that each case's fresh
 * database is seeded with, canonical JSON, gzip, digest) and each phase's requests are signed
 * before it starts; the timed window only sends bytes over kept-alive connections. Each case
 * gets a fresh database (same empty tables, same data, same untimed warm-up: the first tenth of
 * each kiosk's batches). The ratio is the median of the pairs' ratios.
 */
export async function measureScaleOut(input: {
  databaseUrl: string;
  kiosks: number;
  perKiosk: number;
  batchSize: number;
  pairs: number;
  dataDir: string;
  log: (message: string) => void;
}): Promise<ScaleOut> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const ids = Array.from({ length: input.kiosks }, (_, i) => `bench-s${i}-${suffix}`);
  const tokens = ids.map((kioskId, i) => ({ kioskId, token: `bench-scale-${suffix}-${i}` }));
  input.log(`scale-out: committing and sealing ${input.kiosks} × ${input.perKiosk} transactions`);
  const sealingKey = await generateSealingKey();
  const data: CommittedKiosk[] = [];
  const streams: Stream[] = [];
  const loadBefore = loadavg()[0] ?? NaN;
  const cases: ScaleCase[] = [];
  try {
    for (const [i, id] of ids.entries()) {
      const kiosk = await commitDataset(id, input.perKiosk);
      data.push(kiosk);
      streams.push(
        await buildStream(kiosk, tokens[i]?.token ?? '', publicJwkOf(sealingKey), input.batchSize),
      );
    }
    const order = Array.from({ length: input.pairs }, () => [1, 2]).flat();
    for (const [round, processes] of order.entries()) {
      const databaseName = `sp_bench_scale_${suffix}_${round}`;
      const database = await freshDatabase(input.databaseUrl, databaseName);
      const gateways: BenchGateway[] = [];
      try {
        // Migrate and seed the sealing key the batches were sealed to.
        const store = await openGatewayStore({ databaseUrl: database.url });
        await store.putSetting(SEALING_KEY_SETTING, JSON.stringify(sealingKey));
        await store.close();
        for (let i = 0; i < processes; i += 1) {
          gateways.push(
            await startBenchGateway({
              dataDir: path.join(input.dataDir, `scale-${round}-${i}`),
              host: '127.0.0.1',
              tokens,
              databaseUrl: database.url,
            }),
          );
        }
        const [first] = gateways;
        if (!first) throw new Error('scale-out: no gateway');
        for (const stream of streams) {
          const key = await enrolStream(first.url, stream);
          if (key.x !== sealingKey.x || key.y !== sealingKey.y) {
            throw new Error('scale-out: the gateway did not take the seeded sealing key');
          }
        }
        let before: CpuSnapshot | undefined;
        let cpu: CpuSplit | undefined;
        let sampler: ReturnType<typeof sampleBackends> | undefined;
        let backends: BackendStates | undefined;
        const result = await postStreams({
          store: 'postgres',
          gatewayUrls: gateways.map((g) => g.url),
          streams,
          batchSize: input.batchSize,
          onTimed: async (phase) => {
            if (phase === 'end') backends = await sampler?.stop();
            const now = await snapshot(input.databaseUrl, databaseName, gateways);
            if (phase === 'start') {
              before = now;
              sampler = sampleBackends(input.databaseUrl, databaseName);
            } else if (before) cpu = split(before, now);
          },
        });
        if (!cpu || !backends) throw new Error('scale-out: no CPU or PostgreSQL figures');
        const measured: ScaleCase = { ...result, cpu, backends };
        cases.push(measured);
        input.log(`scale-out round ${round + 1}/${order.length}: ${describeCase(measured)}`);
      } finally {
        for (const gateway of gateways) await gateway.stop();
        await database
          .drop()
          .catch((error: unknown) =>
            input.log(`scale-out: could not drop ${databaseName}: ${(error as Error).message}`),
          );
      }
    }
  } finally {
    for (const kiosk of data) kiosk.db.close();
  }
  const ratios: number[] = [];
  for (let i = 0; i + 1 < cases.length; i += 2) {
    const one = cases[i];
    const two = cases[i + 1];
    if (one && two) ratios.push(two.perSecond / one.perSecond);
  }
  const ratio = median(ratios);
  const nearest = ratios.reduce(
    (best, r, i) => (Math.abs(r - ratio) < Math.abs((ratios[best] ?? Infinity) - ratio) ? i : best),
    0,
  );
  const one = cases[nearest * 2];
  const two = cases[nearest * 2 + 1];
  if (!one || !two) throw new Error('scale-out: a measurement is missing');
  const cores = cpus().length;
  const ceiling = scaleCeiling(cases, cores);
  input.log(
    `scale-out: median ratio ${ratio.toFixed(2)} of ${ratios.map((r) => r.toFixed(2)).join(', ')}; ` +
      `CPU per tx: gateway ${ceiling.gatewayMsPerTx.toFixed(3)} ms (loop ${ceiling.gatewayLoopMsPerTx.toFixed(3)}), ` +
      `PostgreSQL ${ceiling.databaseMsPerTx.toFixed(3)} ms, bench ${ceiling.benchMsPerTx.toFixed(3)} ms: ` +
      `ceiling on ${cores} idle cores ${ceiling.oneProcessMax.toFixed(0)} → ${ceiling.twoProcessMax.toFixed(0)} tx/s = ${ceiling.ratio.toFixed(2)}×`,
  );
  return {
    cases,
    ratios,
    ratio,
    one,
    two,
    loadAverage: { before: loadBefore, after: loadavg()[0] ?? NaN },
    ceiling,
  };
}
