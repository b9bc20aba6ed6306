import { initialSession, sessionReducer } from '../../../renderer/app/session';
import { commitTransaction } from '../../../sync/client/commit';
import { importDataKey } from '../../../sync/client/data-key';
import { DexieOutboxStore } from '../../../sync/client/store/dexie-outbox-store';
import { HEAD_KEY, openKioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { KioskDatabase } from '../../../sync/client/store/dexie-schema';
import type { OutboxRow, OutboxStore } from '../../../sync/client/store/outbox-store';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { readPersonalFields } from '../../../sync/client/personal-data';
import { formSubmission } from '../form-data';
import type { SwReply, SwRequest } from './sw-messages';

/**
 * The bench page: runs in Chromium on 127.0.0.1 with real IndexedDB and WebCrypto, and exposes
 * `window.bench` for the Node side (Playwright) to drive.
 */
interface Kiosk {
  kioskId: string;
  /** The raw database, for prefilling behind the store's back. */
  db: KioskDatabase;
  store: OutboxStore;
  strictStore: OutboxStore;
  keys: CryptoKeyPair;
  dataKey: CryptoKey;
}

let kiosk: Kiosk | undefined;

async function openKiosk(kioskId: string): Promise<Kiosk> {
  const db = openKioskDatabase(kioskId);
  await db.open();
  // The same database through a connection whose transactions are flushed to disk before they
  // complete (IndexedDB durability "strict"); Chromium's default is "relaxed".
  const strictDb = openKioskDatabase(kioskId, { chromeTransactionDurability: 'strict' });
  await strictDb.open();
  const store = new DexieOutboxStore(db);
  const keys = await loadOrCreateDeviceKey(store);
  const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
  kiosk = { kioskId, db, store, strictStore: new DexieOutboxStore(strictDb), keys, dataKey };
  return kiosk;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

/** Fills the outbox to `depth` queued rows with copies of a real committed row (bulk writes). */
async function prefill(k: Kiosk, depth: number): Promise<void> {
  const current = await k.db.outbox.count();
  if (current >= depth) return;
  const template = await k.db.outbox.orderBy('seq').last();
  if (template?.record.kind !== 'transaction') throw new Error('prefill needs one committed row');
  const templateRecord = template.record;
  let seq = template.seq;
  const chunk = 2000;
  for (let done = current; done < depth;) {
    const rows: OutboxRow[] = [];
    for (let i = 0; i < chunk && done < depth; i += 1, done += 1) {
      seq += 1;
      const txId = crypto.randomUUID();
      rows.push({
        ...template,
        seq,
        txId,
        ref: `BENCH-${seq}`,
        record: { ...templateRecord, seq, body: { ...templateRecord.body, txId } },
      });
    }
    await k.db.outbox.bulkAdd(rows);
  }
  const head = await k.store.readHead();
  await k.db.meta.put({ key: HEAD_KEY, value: { seq, hash: head.hash } });
}

async function commitOnce(k: Kiosk, store: OutboxStore, i: number): Promise<number> {
  const started = performance.now();
  await commitTransaction(
    { store, kioskId: k.kioskId, keys: k.keys, dataKey: k.dataKey },
    formSubmission(i),
  );
  return performance.now() - started;
}

export interface LatencyAtDepth {
  depth: number;
  durability: 'relaxed' | 'strict';
  samples: number;
  p50: number;
  p99: number;
  mean: number;
}

async function commitLatency(options: {
  kioskId: string;
  depths: number[];
  samples: number;
}): Promise<LatencyAtDepth[]> {
  const k = await openKiosk(options.kioskId);
  const out: LatencyAtDepth[] = [];
  let i = 0;
  // Warm-up: JIT, key import, the first IndexedDB transaction.
  for (let w = 0; w < 20; w += 1) await commitOnce(k, k.store, (i += 1));
  for (const depth of options.depths) {
    await prefill(k, depth);
    for (const durability of ['relaxed', 'strict'] as const) {
      const store = durability === 'strict' ? k.strictStore : k.store;
      const times: number[] = [];
      for (let s = 0; s < options.samples; s += 1) times.push(await commitOnce(k, store, (i += 1)));
      const sorted = [...times].sort((a, b) => a - b);
      out.push({
        depth,
        durability,
        samples: times.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        mean: times.reduce((a, b) => a + b, 0) / times.length,
      });
    }
  }
  return out;
}

/**
 * One citizen session on the commit path: the renderer's session reducer from start to end
 * (language, service, every answer, consent), a durable commit, and the receipt's read-back of
 * the personal fields, then the session is ended and its answers dropped.
 */
async function runSessions(options: { kioskId: string; from: number; count: number }) {
  const k = kiosk?.kioskId === options.kioskId ? kiosk : await openKiosk(options.kioskId);
  const defaults = { language: 'en' as const, audio: false };
  const reduce = sessionReducer(defaults);
  for (let n = 0; n < options.count; n += 1) {
    const i = options.from + n;
    const input = formSubmission(i);
    let session = reduce(initialSession(defaults), { type: 'start' });
    session = reduce(session, { type: 'choose-language', language: 'en' });
    session = reduce(session, { type: 'choose-service', serviceId: input.serviceId });
    for (const [fieldId, value] of Object.entries(input.fields)) {
      session = reduce(session, { type: 'answer', fieldId, value });
    }
    session = reduce(session, {
      type: 'go',
      screen: { name: 'consent', serviceId: input.serviceId },
    });
    const committed = await commitTransaction(
      { store: k.store, kioskId: k.kioskId, keys: k.keys, dataKey: k.dataKey },
      { ...input, fields: session.answers },
    );
    session = reduce(session, {
      type: 'submitted',
      txId: committed.txId,
      ref: committed.ref,
      fee: input.fee,
    });
    await readPersonalFields(k.store, k.dataKey, committed.txId);
    session = reduce(session, { type: 'end' });
  }
  return { committed: options.count };
}

async function registerWorker(url: string): Promise<void> {
  await navigator.serviceWorker.register(url);
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
  }
}

function sw(message: SwRequest): Promise<SwReply> {
  const controller = navigator.serviceWorker.controller;
  if (!controller) return Promise.reject(new Error('no service worker'));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data as SwReply);
    controller.postMessage(message, [channel.port2]);
  });
}

const bench = { commitLatency, runSessions, registerWorker, sw };
export type BenchApi = typeof bench;
(window as unknown as { bench: BenchApi }).bench = bench;
document.body.dataset.ready = 'true';
