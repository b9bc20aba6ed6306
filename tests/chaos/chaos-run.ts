/**
 * The chaos property: random schedules of commits, link faults and gateway crashes, then a
 * healthy link. Invariant: every committed transaction is at the gateway exactly once, the chain
 * is intact (gapless, linked, nothing awaiting, no tamper alert), and nothing is left pending.
 *
 * Two gateway modes: in-process (a Fastify gateway in this process; a crash is a close-and-reopen
 * of its SQLite file, and a crash after commit is the gateway's `afterCommit` hook dropping the
 * connection), and process (the real CLI as a child process, SIGKILLed by the fault proxy after
 * commit, or dying by itself via `--exit-after-commit`).
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { SyncEngine } from '../../sync/client/engine';
import { GENESIS_HASH } from '../../sync/protocol/records';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';
import { openTestKiosk } from '../support/chain-fixture';
import { startFaultProxy } from '../support/fault-proxy';
import type { Fault } from '../support/fault-proxy';
import { startInProcessGateway } from '../support/gateway-harness';
import { startGatewayProcess } from '../support/gateway-process';

/** A proxy fault, or a crash inside the gateway between commit and reply. */
export type ChaosFault = Fault | { kind: 'crash-in-gateway' };

export interface ChaosStep {
  commits: number;
  /** Applied to the next requests, one each, in order; then requests pass. */
  faults: ChaosFault[];
  restartGateway: boolean;
}

export interface ChaosTotals {
  schedules: number;
  processSchedules: number;
  committed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  chainBreaks: number;
  pendingLeft: number;
  faultsInjected: number;
  gatewayCrashes: number;
}

export interface ScheduleOutcome {
  committed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  chainBreaks: number;
  pendingLeft: number;
  faultsInjected: number;
  gatewayCrashes: number;
  problems: string[];
}

const faultArb: fc.Arbitrary<ChaosFault> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<ChaosFault>({ kind: 'pass' }) },
  { weight: 1, arbitrary: fc.constant<ChaosFault>({ kind: 'drop' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(10, 400).map((ms): ChaosFault => ({ kind: 'delay', ms })),
  },
  { weight: 1, arbitrary: fc.constant<ChaosFault>({ kind: 'reset-request' }) },
  { weight: 1, arbitrary: fc.constant<ChaosFault>({ kind: 'reset-reply' }) },
  { weight: 1, arbitrary: fc.constant<ChaosFault>({ kind: 'truncate' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<500 | 503>(500, 503)
      .map((status): ChaosFault => ({ kind: 'status', status, retryAfter: '1' })),
  },
  { weight: 2, arbitrary: fc.constant<ChaosFault>({ kind: 'lose-reply' }) },
  { weight: 2, arbitrary: fc.constant<ChaosFault>({ kind: 'kill-after-commit' }) },
  { weight: 2, arbitrary: fc.constant<ChaosFault>({ kind: 'crash-in-gateway' }) },
);

export const scheduleArb: fc.Arbitrary<ChaosStep[]> = fc.array(
  fc.record({
    commits: fc.integer({ min: 0, max: 3 }),
    faults: fc.array(faultArb, { maxLength: 4 }),
    restartGateway: fc.boolean().map((b) => b && Math.random() < 0.3),
  }),
  { minLength: 1, maxLength: 6 },
);

const kioskId = 'chaos-kiosk-01';
const token = 'chaos-enrolment-token';

interface GatewayUnderTest {
  url: string;
  /** Kill now (proxy `kill-after-commit`). */
  kill(): Promise<void>;
  /** Make the gateway die by itself after its next commit, before the reply. */
  armCrashAfterCommit(): void;
  /** Bring it back if it is down, or crash-restart it when `always`. */
  ensureUp(always: boolean): Promise<void>;
  /** Stop and open the store for checking. */
  finish(): Promise<{ store: GatewayStore; cleanup: () => Promise<void> }>;
  crashes(): number;
}

async function inProcessGateway(): Promise<GatewayUnderTest> {
  let crashArmed = false;
  let down = false;
  let crashes = 0;
  const gateway = await startInProcessGateway([{ kioskId, token }], {
    afterCommit: () => {
      if (!crashArmed) return 'reply';
      crashArmed = false;
      down = true;
      crashes += 1;
      // The crash: the batch is committed, the reply never leaves, the process "dies".
      setImmediate(() => void gateway.stop());
      return 'drop';
    },
  });
  return {
    url: gateway.url,
    async kill() {
      crashes += 1;
      down = true;
      await gateway.stop();
    },
    armCrashAfterCommit() {
      crashArmed = true;
    },
    async ensureUp(always) {
      if (down || always) {
        await gateway.restart();
        down = false;
      }
    },
    async finish() {
      return { store: gateway.store, cleanup: () => gateway.close() };
    },
    crashes: () => crashes,
  };
}

async function processGateway(): Promise<GatewayUnderTest> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-chaos-gw-'));
  let crashes = 0;
  let crashArmed = false;
  const proc = await startGatewayProcess({ dataDir, tokens: [{ kioskId, token }] });
  let down = false;
  const isDead = (): boolean => proc.child.exitCode !== null || proc.child.signalCode !== null;
  return {
    url: proc.url,
    async kill() {
      crashes += 1;
      down = true;
      await proc.kill();
    },
    armCrashAfterCommit() {
      crashArmed = true;
    },
    async ensureUp(always) {
      if (crashArmed) {
        // The real process dies by itself right after its next commit (SIGKILL from inside).
        crashArmed = false;
        if (!isDead()) await proc.kill();
        await proc.restart(['--exit-after-commit', '1']);
        return;
      }
      if (isDead()) {
        if (!down) crashes += 1;
        await proc.restart([]);
        down = false;
      } else if (always) {
        crashes += 1;
        await proc.restart([]);
      }
    },
    async finish() {
      await proc.stop();
      const store = await openGatewayStore({ sqliteFile: path.join(dataDir, 'gateway.sqlite') });
      return {
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    crashes: () => crashes,
  };
}

/** Runs one schedule end to end and checks the invariant. */
export async function runSchedule(
  steps: ChaosStep[],
  mode: 'in-process' | 'process',
): Promise<ScheduleOutcome> {
  const gateway = mode === 'process' ? await processGateway() : await inProcessGateway();
  let pending: ChaosFault[] = [];
  let faultsInjected = 0;
  const proxy = await startFaultProxy({
    upstream: gateway.url,
    onKill: () => gateway.kill(),
    decide: () => {
      const fault = pending.shift() ?? { kind: 'pass' };
      if (fault.kind !== 'pass') faultsInjected += 1;
      if (fault.kind === 'crash-in-gateway') {
        gateway.armCrashAfterCommit();
        return { kind: 'pass' };
      }
      return fault;
    },
  });
  const kiosk = await openTestKiosk(kioskId);
  const { store: kioskStore, keys, dataKey } = kiosk;
  const problems: string[] = [];
  const committed: string[] = [];
  let engine: SyncEngine | undefined;
  try {
    engine = new SyncEngine({
      store: kioskStore,
      kioskId,
      keys,
      dataKey,
      gatewayUrl: proxy.url,
      enrolmentToken: token,
      requestTimeoutMs: 250,
      // Retries are driven by the schedule; a background timer must not race it.
      backoffBaseMs: 600_000,
      batchBytes: { initial: 2_000, min: 1_000, max: 8_000 },
    });
    for (const step of steps) {
      for (let i = 0; i < step.commits; i += 1) {
        committed.push((await kiosk.commit()).txId);
      }
      pending = [...step.faults];
      // In process mode a gateway-internal crash needs a process started with the flag.
      if (mode === 'process' && pending.some((f) => f.kind === 'crash-in-gateway')) {
        pending = pending.filter((f) => f.kind !== 'crash-in-gateway');
        faultsInjected += 1;
        gateway.armCrashAfterCommit();
        await gateway.ensureUp(false);
      }
      await engine.trigger();
      await gateway.ensureUp(step.restartGateway);
    }
    // The link heals.
    pending = [];
    for (let round = 0; round < 10; round += 1) {
      await gateway.ensureUp(false);
      await engine.trigger();
      if ((await kioskStore.countQueued()) === 0) break;
    }
  } finally {
    engine?.stop();
  }

  const { store, cleanup } = await gateway.finish();
  try {
    const records = await store.listRecords(kioskId);
    const atGateway = new Map<string, number>();
    for (const record of records) {
      atGateway.set(record.body.txId, (atGateway.get(record.body.txId) ?? 0) + 1);
    }
    const committedSet = new Set(committed);
    let lost = 0;
    let duplicated = 0;
    for (const txId of committed) {
      const n = atGateway.get(txId) ?? 0;
      if (n === 0) lost += 1;
      if (n > 1) duplicated += n - 1;
    }
    for (const txId of atGateway.keys()) {
      if (!committedSet.has(txId)) {
        duplicated += 1;
        problems.push(`gateway holds ${txId}, which was never committed`);
      }
    }
    let chainBreaks = 0;
    let prev = GENESIS_HASH;
    records.forEach((record, i) => {
      if (record.seq !== i + 1 || record.prevHash !== prev) chainBreaks += 1;
      prev = record.hash;
    });
    const counts = await store.countRecords(kioskId);
    if (committed.length > 0 && counts.awaiting > 0) chainBreaks += counts.awaiting;
    const alerts = await store.listTamperAlerts(kioskId);
    if (alerts.length > 0) {
      chainBreaks += alerts.length;
      problems.push(`tamper alerts: ${alerts.map((a) => a.kind).join(', ')}`);
    }
    const head = (await store.getKiosk(kioskId))?.head.seq ?? 0;
    if (head !== committed.length)
      problems.push(`gateway head ${head}, committed ${committed.length}`);
    const left = await kioskStore.figures();
    const pendingLeft = left.queued + left.rejected + left.deadLetters;
    const delivered = committed.length - lost;
    if (lost) problems.push(`${lost} lost`);
    if (duplicated) problems.push(`${duplicated} duplicated`);
    if (chainBreaks) problems.push(`${chainBreaks} chain breaks`);
    if (pendingLeft) problems.push(`${pendingLeft} left pending on the kiosk`);
    return {
      committed: committed.length,
      delivered,
      lost,
      duplicated,
      chainBreaks,
      pendingLeft,
      faultsInjected,
      gatewayCrashes: gateway.crashes(),
      problems,
    };
  } finally {
    await cleanup();
    await proxy.close();
    await kiosk.close();
  }
}

export interface ChaosOptions {
  schedules: number;
  /** Every n-th schedule runs against the real gateway process; 0 for never. */
  processEvery: number;
  seed?: number;
  onProgress?: (done: number, totals: ChaosTotals) => void;
}

/** Runs the property over `schedules` random schedules; never shrinks, reports the first failure. */
export async function runChaos(
  options: ChaosOptions,
): Promise<{ totals: ChaosTotals; failure?: string }> {
  const totals: ChaosTotals = {
    schedules: 0,
    processSchedules: 0,
    committed: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    chainBreaks: 0,
    pendingLeft: 0,
    faultsInjected: 0,
    gatewayCrashes: 0,
  };
  const result = await fc.check(
    fc.asyncProperty(scheduleArb, async (steps) => {
      const useProcess =
        options.processEvery > 0 && (totals.schedules + 1) % options.processEvery === 0;
      const outcome = await runSchedule(steps, useProcess ? 'process' : 'in-process');
      totals.schedules += 1;
      if (useProcess) totals.processSchedules += 1;
      totals.committed += outcome.committed;
      totals.delivered += outcome.delivered;
      totals.lost += outcome.lost;
      totals.duplicated += outcome.duplicated;
      totals.chainBreaks += outcome.chainBreaks;
      totals.pendingLeft += outcome.pendingLeft;
      totals.faultsInjected += outcome.faultsInjected;
      totals.gatewayCrashes += outcome.gatewayCrashes;
      options.onProgress?.(totals.schedules, totals);
      if (outcome.problems.length > 0) {
        throw new Error(
          `${outcome.problems.join('; ')} (${useProcess ? 'process' : 'in-process'})`,
        );
      }
    }),
    { numRuns: options.schedules, seed: options.seed, endOnFailure: true },
  );
  if (!result.failed) return { totals };
  return {
    totals,
    failure: `seed=${result.seed} counterexample=${JSON.stringify(result.counterexample)}: ${String(
      (result.errorInstance as Error | undefined)?.message ?? 'failed',
    )}`,
  };
}

export function chaosLine(totals: ChaosTotals): string {
  return `schedules=${totals.schedules} committed=${totals.committed} delivered=${totals.delivered} lost=${totals.lost} duplicated=${totals.duplicated}`;
}
