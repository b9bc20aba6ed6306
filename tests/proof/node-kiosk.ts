/**
 * A kiosk's sync side running in Node (fake-indexeddb for IndexedDB, WebCrypto from Node): the
 * same commit and engine code the renderer runs. Node-side proof suites drive it against a real
 * gateway and then check the promise with `checkDelivery`.
 */
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import type { KioskDatabase } from '../../sync/client/store/dexie-schema';
import type { OutboxStore } from '../../sync/client/store/outbox-store';
import type { CommittedTransaction, TransactionInput } from '../../sync/client/commit';
import { SyncEngine } from '../../sync/client/engine';
import type { SyncEngineOptions } from '../../sync/client/engine';
import { GENESIS_HASH, gatewayRecordSchema } from '../../sync/protocol/records';
import type { GatewayRecord } from '../../sync/protocol/records';
import { birthCertificate, openTestKiosk } from '../support/chain-fixture';

/** What the proof suites commit unless they say otherwise. */
export const proofInput: TransactionInput = birthCertificate;

export interface NodeKiosk {
  kioskId: string;
  store: OutboxStore;
  /** The raw database under the store, for what a suite does behind its back. */
  db: KioskDatabase;
  keys: CryptoKeyPair;
  dataKey: CryptoKey;
  engine: SyncEngine;
  /** Every transaction id this kiosk committed, in order. */
  committed: string[];
  commit(input?: TransactionInput, now?: () => Date): Promise<CommittedTransaction>;
  /** Triggers the engine until nothing is queued, or `rounds` runs have passed. */
  drain(rounds?: number, between?: () => Promise<void>): Promise<number>;
  queued(): Promise<number>;
  close(): Promise<void>;
}

export async function startNodeKiosk(
  options: { kioskId: string; token: string; gatewayUrl: string } & Partial<SyncEngineOptions>,
): Promise<NodeKiosk> {
  const kiosk = await openTestKiosk(options.kioskId);
  const { store, db, keys, dataKey } = kiosk;
  const engine = new SyncEngine({
    store,
    keys,
    dataKey,
    enrolmentToken: options.token,
    requestTimeoutMs: 1_000,
    // Retries are driven by the suite; a background timer must not race it.
    backoffBaseMs: 600_000,
    batchBytes: { initial: 4_000, min: 1_000, max: 32_000 },
    ...options,
  });
  const committed: string[] = [];
  const queued = (): Promise<number> => store.countQueued();
  return {
    kioskId: options.kioskId,
    store,
    db,
    keys,
    dataKey,
    engine,
    committed,
    async commit(input = proofInput, now) {
      const done = await kiosk.commit(input, now);
      committed.push(done.txId);
      return done;
    },
    async drain(rounds = 12, between) {
      for (let round = 0; round < rounds; round += 1) {
        await between?.();
        await engine.trigger();
        if ((await queued()) === 0) return round + 1;
      }
      return rounds;
    },
    queued,
    async close() {
      engine.stop();
      await kiosk.close();
    },
  };
}

export interface DeliveryCheck {
  lost: number;
  duplicated: number;
  chainBreaks: number;
  tamperAlerts: number;
  problems: string[];
}

/** Reads a gateway's SQLite file directly (read-only), so it works while the process runs. */
export function readGatewayRecords(
  file: string,
  kioskId: string,
): { records: GatewayRecord[]; alerts: number; awaiting: number } {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite
      .prepare('SELECT record_json, chain_state FROM records WHERE kiosk_id = ? ORDER BY seq')
      .all(kioskId) as Array<{ record_json: string; chain_state: string }>;
    const alerts = (
      sqlite.prepare('SELECT COUNT(*) AS n FROM tamper_alerts WHERE kiosk_id = ?').get(kioskId) as {
        n: number;
      }
    ).n;
    return {
      records: rows.map((r) => gatewayRecordSchema.parse(JSON.parse(r.record_json))),
      awaiting: rows.filter((r) => r.chain_state === 'awaiting').length,
      alerts,
    };
  } finally {
    sqlite.close();
  }
}

/** Every committed transaction at the gateway exactly once, the chain gapless and linked. */
export function checkDelivery(
  committed: readonly string[],
  atGateway: { records: GatewayRecord[]; alerts: number; awaiting: number },
): DeliveryCheck {
  const counts = new Map<string, number>();
  for (const record of atGateway.records) {
    counts.set(record.body.txId, (counts.get(record.body.txId) ?? 0) + 1);
  }
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const txId of committed) {
    const n = counts.get(txId) ?? 0;
    if (n === 0) lost += 1;
    if (n > 1) duplicated += n - 1;
  }
  const known = new Set(committed);
  for (const txId of counts.keys()) {
    if (!known.has(txId)) {
      duplicated += 1;
      problems.push(`gateway holds ${txId}, never committed`);
    }
  }
  let chainBreaks = atGateway.awaiting;
  let prev = GENESIS_HASH;
  atGateway.records.forEach((record, i) => {
    if (record.seq !== i + 1 || record.prevHash !== prev) chainBreaks += 1;
    prev = record.hash;
  });
  if (lost) problems.push(`${lost} lost`);
  if (duplicated) problems.push(`${duplicated} duplicated`);
  if (chainBreaks) problems.push(`${chainBreaks} chain breaks`);
  if (atGateway.alerts) problems.push(`${atGateway.alerts} tamper alerts`);
  return { lost, duplicated, chainBreaks, tamperAlerts: atGateway.alerts, problems };
}

/** A seeded generator, so a failing run can be replayed with the same `--seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}
