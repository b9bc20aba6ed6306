import { canonicalJson } from '../protocol/canonical-json';
import type { BatchReply } from '../protocol/wire';
import type { KioskDatabase, OutboxRow } from './db';
import { queuedRows, readMeta, writeMeta } from './db';
import type { FetchLike } from './gateway-client';
import { GatewayClient } from './gateway-client';
import { withSerialLock } from './serial-lock';
import { SyncError } from './sync-error';

export type LinkState = 'unknown' | 'online' | 'offline';
export type EngineState = 'idle' | 'syncing' | 'waiting' | 'stopped';

export interface EngineStatus {
  link: LinkState;
  state: EngineState;
  lastDeliveryAt?: number;
  lastError?: string;
  nextAttemptAt?: number;
  batchBytes: number;
}

export interface SyncEngineOptions {
  db: KioskDatabase;
  kioskId: string;
  keys: CryptoKeyPair;
  gatewayUrl: string;
  /** One-time enrolment token, used only until the gateway has the device key. */
  enrolmentToken?: string;
  fetch?: FetchLike;
  now?: () => number;
  random?: () => number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  periodicMs?: number;
  requestTimeoutMs?: number;
  batchBytes?: { initial: number; min: number; max: number };
}

const ENROLLED_KEY = 'enrolled';

/**
 * Delivers queued chain records to the gateway exactly once. One runner per kiosk (a serial
 * lock, Web Locks across tabs); concurrent `trigger()` calls share the in-flight run, and work
 * committed during a run makes it go round again. Failures back off exponentially with full
 * jitter, capped; only items without a result are ever resent.
 */
export class SyncEngine {
  readonly #options: SyncEngineOptions;
  readonly #client: GatewayClient;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #listeners = new Set<(status: EngineStatus) => void>();
  #status: EngineStatus;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #periodicTimer: ReturnType<typeof setInterval> | undefined;
  #onOnline = (): void => void this.trigger();

  constructor(options: SyncEngineOptions) {
    this.#options = options;
    this.#client = new GatewayClient({
      baseUrl: options.gatewayUrl,
      kioskId: options.kioskId,
      fetch: options.fetch,
      timeoutMs: options.requestTimeoutMs,
    });
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#status = {
      link: 'unknown',
      state: 'idle',
      batchBytes: options.batchBytes?.initial ?? 64 * 1024,
    };
  }

  get status(): EngineStatus {
    return this.#status;
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#status);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the periodic timer and the `online` hint, and runs once. */
  start(): void {
    const periodic = this.#options.periodicMs ?? 30_000;
    this.#periodicTimer = setInterval(() => void this.trigger(), periodic);
    globalThis.addEventListener?.('online', this.#onOnline);
    void this.trigger();
  }

  stop(): void {
    clearInterval(this.#periodicTimer);
    clearTimeout(this.#retryTimer);
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.#setStatus({ state: 'stopped' });
  }

  /** Asks for a sync now. Resolves when the run that covers this request has finished. */
  trigger(): Promise<void> {
    if (this.#status.state === 'stopped') return Promise.resolve();
    if (this.#inFlight) {
      this.#again = true;
      return this.#inFlight;
    }
    clearTimeout(this.#retryTimer);
    this.#inFlight = withSerialLock(`sync:${this.#options.kioskId}`, () => this.#runLoop()).finally(
      () => {
        this.#inFlight = undefined;
      },
    );
    return this.#inFlight;
  }

  async #runLoop(): Promise<void> {
    do {
      this.#again = false;
      const ok = await this.#runOnce();
      if (!ok) return;
    } while (this.#again && this.#status.state !== 'stopped');
  }

  /** One pass: probe, enrol if needed, drain. Returns false when it had to back off. */
  async #runOnce(): Promise<boolean> {
    this.#setStatus({ state: 'syncing' });
    if (!(await this.#client.probe())) {
      this.#scheduleRetry(new SyncError('gateway-unreachable', { reason: 'health probe failed' }));
      this.#setStatus({ link: 'offline' });
      return false;
    }
    this.#setStatus({ link: 'online' });
    try {
      await this.#ensureEnrolled();
      for (;;) {
        const batch = await this.#takeBatch();
        if (batch.length === 0) break;
        const reply = await this.#client.postBatch({
          batchId: crypto.randomUUID(),
          items: batch.map((row) => row.record),
        });
        const settled = await this.#applyResults(batch, reply);
        if (settled === 0) throw new SyncError('bad-reply', { reason: 'no item had a result' });
        this.#growBatch();
      }
      this.#failures = 0;
      this.#setStatus({ state: 'idle', lastError: undefined, nextAttemptAt: undefined });
      return true;
    } catch (error) {
      this.#shrinkBatch();
      this.#scheduleRetry(error);
      return false;
    }
  }

  async #ensureEnrolled(): Promise<void> {
    if (await readMeta<boolean>(this.#options.db, ENROLLED_KEY)) return;
    const token = this.#options.enrolmentToken;
    if (!token) throw new SyncError('enrolment-failed', { reason: 'no enrolment token' });
    try {
      await this.#client.enrol(token, this.#options.keys.publicKey);
    } catch (error) {
      // 409: this device key is already registered (an earlier reply was lost).
      if (!(error instanceof SyncError && error.details.status === 409)) throw error;
    }
    await writeMeta(this.#options.db, ENROLLED_KEY, true);
  }

  async #takeBatch(): Promise<OutboxRow[]> {
    const rows = await queuedRows(this.#options.db, 5000);
    const batch: OutboxRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = canonicalJson(row.record).length;
      if (batch.length > 0 && bytes + size > this.#status.batchBytes) break;
      batch.push(row);
      bytes += size;
    }
    return batch;
  }

  /** Applies per-item results in one IndexedDB transaction; returns how many were settled. */
  async #applyResults(batch: OutboxRow[], reply: BatchReply): Promise<number> {
    const byId = new Map(reply.results.map((result) => [result.id, result]));
    const now = this.#now();
    const { db } = this.#options;
    let settled = 0;
    await db.transaction('rw', db.outbox, async () => {
      for (const row of batch) {
        const result = byId.get(row.txId);
        const current = await db.outbox.get(row.seq);
        if (!current || current.state !== 'queued') continue;
        if (!result) {
          await db.outbox.update(row.seq, { attempts: current.attempts + 1 });
          continue;
        }
        settled += 1;
        if (result.status === 'rejected') {
          await db.outbox.update(row.seq, {
            state: 'rejected',
            rejectReason: result.reason ?? 'rejected by the gateway',
            attempts: current.attempts + 1,
          });
        } else {
          await db.outbox.update(row.seq, {
            state: 'delivered',
            deliveredAt: now,
            attempts: current.attempts + 1,
          });
        }
      }
    });
    if (settled > 0) this.#setStatus({ lastDeliveryAt: now });
    return settled;
  }

  #growBatch(): void {
    const max = this.#options.batchBytes?.max ?? 1024 * 1024;
    this.#setStatus({ batchBytes: Math.min(max, this.#status.batchBytes * 2) });
  }

  #shrinkBatch(): void {
    const min = this.#options.batchBytes?.min ?? 8 * 1024;
    this.#setStatus({ batchBytes: Math.max(min, Math.floor(this.#status.batchBytes / 2)) });
  }

  #scheduleRetry(error: unknown): void {
    this.#failures += 1;
    const base = this.#options.backoffBaseMs ?? 1_000;
    const cap = this.#options.backoffCapMs ?? 5 * 60_000;
    const ceiling = Math.min(cap, base * 2 ** Math.min(this.#failures - 1, 30));
    let delay = Math.floor(this.#random() * ceiling);
    if (error instanceof SyncError && typeof error.details.retryAfter === 'string') {
      const seconds = Number(error.details.retryAfter);
      if (Number.isFinite(seconds) && seconds >= 0)
        delay = Math.max(delay, Math.min(cap, seconds * 1000));
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.trigger(), delay);
    this.#setStatus({
      state: 'waiting',
      lastError: error instanceof Error ? error.message : String(error),
      nextAttemptAt: this.#now() + delay,
    });
  }

  #setStatus(patch: Partial<EngineStatus>): void {
    this.#status = { ...this.#status, ...patch };
    for (const listener of this.#listeners) listener(this.#status);
  }
}
