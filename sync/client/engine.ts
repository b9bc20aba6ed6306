import { canonicalJson } from '../protocol/canonical-json';
import type {
  BatchReply,
  HeartbeatRequest,
  DecisionStatusReply,
  KioskConfigReply,
} from '../protocol/wire';
import type { EcPublicJwk } from '../protocol/crypto-primitives';
import { UNREADABLE_REASON, toBatchItems, toBatchV2 } from './batch-items';
import type {
  DeliveryOutcome,
  GatewayConfigCache,
  OutboxRow,
  OutboxStore,
} from './store/outbox-store';
import type { BatchExchange, FetchLike } from './gateway-client';
import { GatewayClient } from './gateway-client';
import { LinkPolicy } from './link-policy';
import { reconcileRefused } from './refused-reconcile';
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
  /** When the gateway's config (officer roster, gateway key) was last confirmed current. */
  configAt?: number;
}

export interface SyncEngineOptions {
  store: OutboxStore;
  kioskId: string;
  keys: CryptoKeyPair;
  gatewayUrl: string;
  /** One-time enrolment token, used only until the gateway has the device key. */
  enrolmentToken?: string;
  /** The at-rest data key: needed to send records that have personal fields. */
  dataKey?: CryptoKey;
  appVersion?: string;
  fetch?: FetchLike;
  now?: () => number;
  random?: () => number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  periodicMs?: number;
  /**
   * The request timeout before the link is measured (default 20 s); then it follows the link
   * (link-policy.ts), between 5 s and 10 minutes, and doubles after each timeout.
   */
  requestTimeoutMs?: number;
  /** The highest batch protocol to use (default: the latest the gateway speaks; see GatewayClient). */
  maxProtocol?: 1 | 2;
  /**
   * Batches on the wire at once (default 2): the next goes while the previous reply is pending,
   * so the link does not idle for a round trip between batches. 1 sends one at a time.
   */
  batchesInFlight?: number;
  /** Batch size bounds in bytes of canonical JSON; the size adapts between them. */
  batchBytes?: { initial: number; min: number; max: number };
  /**
   * A batch should take about this long on the link (or 4 round trips, if longer); faster grows
   * the size, slower shrinks it (link-policy.ts).
   */
  targetBatchMs?: number;
  /**
   * How often the config (officer roster, gateway key) is re-validated with its ETag during
   * syncs; default 45 s, so a roster change is on the kiosk within a minute. `syncNow()` checks
   * it at once.
   */
  configRefreshMs?: number;
  heartbeatMs?: number;
  /**
   * A run whose queue figures (queued, rejected, dead letters) differ from the last heartbeat's
   * sends one at once, so the fleet dashboard is current after a drain; at most one such extra
   * heartbeat per this many ms (default 15 s; a later run, at the latest the periodic one, sends
   * the change held back).
   */
  heartbeatOnChangeMs?: number;
  /** How often to look for refused records since put in the chain by a repair (default 60 s). */
  refusedCheckMs?: number;
  /** Called with each fresh config the gateway sends (a new ETag). */
  onConfig?: (config: KioskConfigReply) => void;
  /** Extra heartbeat fields the page knows (site, config version, device health). */
  heartbeatExtras?: () => Promise<Pick<HeartbeatRequest, 'siteId' | 'configVersion' | 'devices'>>;
  /** Runs once per pass before the queue is drained (bundle-export.ts learns what was imported). */
  beforeDrain?: (client: GatewayClient) => Promise<unknown>;
}

interface PreparedBatch {
  /** The rows that go, and how to send them (none: every row was left out). */
  rows: OutboxRow[];
  send: (() => Promise<BatchReply & BatchExchange>) | undefined;
  /** Rows left out because their personal copy cannot be opened (batch-items.ts). */
  unreadable: OutboxRow[];
  /** The seq it was taken after: a batch dropped before it went gives its rows back from here. */
  afterSeq: number;
  /** The last seq this batch covered (sent or left out): the next batch starts after it. */
  lastSeq: number;
  /** The batch size limit it was taken with (the link policy scales the next from it). */
  limitBytes: number;
  /** Its records' size as the limit counts it (bytes of canonical JSON, sealed copies included). */
  bytes: number;
}

/**
 * Delivers queued chain records to the gateway exactly once: the sync policy. It reads and
 * writes the outbox only through the `OutboxStore` interface. One runner per kiosk (a serial
 * lock, Web Locks across tabs); concurrent `trigger()` calls share the in-flight run, and work
 * committed during a run makes it go round again. Once started, it is woken by the store after
 * every commit's transaction completes, by the `online` hint and by a timer. Failures back off
 * exponentially with full jitter, capped, and honour Retry-After; only items without a result
 * are ever resent.
 */
export class SyncEngine {
  readonly #options: SyncEngineOptions;
  readonly #client: GatewayClient;
  readonly #link: LinkPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #listeners = new Set<(status: EngineStatus) => void>();
  #status: EngineStatus;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #configDue = false;
  /** Writes of the cached config, one after another (#updateConfig). */
  #configWrites: Promise<unknown> = Promise.resolve();
  /** Whether the gateway has answered a request of this run besides the probe. */
  #answered = false;
  #failures = 0;
  #lastHeartbeatAt = 0;
  /** `queued/rejected/deadLetters` as last reported to the gateway. */
  #lastReportedQueue: string | undefined;
  #lastRefusedCheckAt = Number.NEGATIVE_INFINITY;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #periodicTimer: ReturnType<typeof setInterval> | undefined;
  #stopWaking: (() => void) | undefined;
  #onOnline = (): void => void this.trigger();

  constructor(options: SyncEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#link = new LinkPolicy({
      ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
      ...(options.targetBatchMs !== undefined ? { targetBatchMs: options.targetBatchMs } : {}),
      ...(options.requestTimeoutMs !== undefined
        ? { requestTimeoutMs: options.requestTimeoutMs }
        : {}),
    });
    this.#client = new GatewayClient({
      baseUrl: options.gatewayUrl,
      kioskId: options.kioskId,
      signingKey: options.keys.privateKey,
      fetch: options.fetch,
      link: this.#link,
      now: this.#now,
      ...(options.maxProtocol ? { maxProtocol: options.maxProtocol } : {}),
    });
    this.#random = options.random ?? Math.random;
    this.#status = {
      link: 'unknown',
      state: 'idle',
      batchBytes: this.#link.batchBytes,
    };
  }

  get status(): EngineStatus {
    return this.#status;
  }

  /** The link's pace: measured round trip and throughput, timeouts, batch size. */
  get link(): LinkPolicy {
    return this.#link;
  }

  /** The signed HTTP client, with the clock skew learnt from the gateway's replies. */
  get client(): GatewayClient {
    return this.#client;
  }

  /**
   * What the agencies decided for these receipt references, asked with the engine's own client
   * so the clock correction it learnt applies (a fresh client would sign with the kiosk's wrong
   * clock and be refused as stale). A look-up the gateway did not answer says the link is
   * down (the screen that asked says what it last heard; the header must not say "connected");
   * the next probe says when it is back.
   */
  async lookupDecisions(
    refs: string[],
    options: { timeoutMs?: number } = {},
  ): Promise<DecisionStatusReply> {
    try {
      const reply = await this.#client.getDecisionStatus(refs, options);
      this.#setStatus({ link: 'online' });
      return reply;
    } catch (error) {
      if (error instanceof SyncError && error.code === 'gateway-unreachable') {
        this.#setStatus({ link: 'offline' });
      }
      throw error;
    }
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#status);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts the wake-ups: the store's "work queued" signal (after every commit of any record kind
   * and every requeue), the periodic timer and the `online` hint; and runs once.
   */
  start(): void {
    const periodic = this.#options.periodicMs ?? 30_000;
    this.#periodicTimer = setInterval(() => void this.trigger(), periodic);
    this.#stopWaking = this.#options.store.onQueued(() => void this.trigger());
    globalThis.addEventListener?.('online', this.#onOnline);
    void this.trigger();
  }

  stop(): void {
    clearInterval(this.#periodicTimer);
    clearTimeout(this.#retryTimer);
    this.#stopWaking?.();
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

  /**
   * An operator's or officer's "Sync now": checks the gateway's config (a changed officer roster)
   * whatever its age, then delivers. Resolves when that run has finished.
   */
  syncNow(): Promise<void> {
    this.#configDue = true;
    return this.trigger();
  }

  async #runLoop(): Promise<void> {
    do {
      this.#again = false;
      const ok = await this.#runOnce();
      if (!ok) return;
    } while (this.#again && this.#status.state !== 'stopped');
  }

  /**
   * One pass: probe, enrol if needed, refresh config, drain. False when it had to back off.
   * A kiosk that has drained before (enrolled, its config cached with the protocol the last
   * probe agreed) does not wait for the probe: it goes alongside the first batch, which would
   * otherwise wait a round trip and, on a new connection, a handshake (1.6 s on an 800 ms
   * link). The probe's answer still sets the link state and the protocol of later batches; a
   * gateway that no longer speaks the cached protocol refuses the first batch, the run backs
   * off, and the next run sends in the protocol the probe found.
   */
  async #runOnce(): Promise<boolean> {
    this.#setStatus({ state: 'syncing' });
    const { store } = this.#options;
    this.#answered = false;
    let probing: Promise<boolean> | undefined;
    try {
      const known =
        (await store.readSetting('enrolled')) === true
          ? (await store.readSetting('gateway-config'))?.protocol
          : undefined;
      probing = this.#client.probe().then(async (ok) => {
        if (!ok) return false;
        this.#setStatus({ link: 'online' });
        await this.#rememberProtocol();
        return true;
      });
      // Awaited below; marked handled for a run that fails before it gets there.
      probing.catch(() => undefined);
      if (known === undefined) {
        if (!(await probing)) return this.#offline();
      } else {
        this.#client.assumeProtocol(known);
      }
      await this.#ensureEnrolled();
      // A kiosk that listens for config (the officer roster) checks it every run; cached by ETag.
      if (this.#options.onConfig) await this.#gatewayConfig();
      await this.#options.beforeDrain?.(this.#client);
      // Passes over the queue in chain order; a pass that left rows without a result (the
      // gateway answered for only part of a batch) is followed by another from the start.
      while (await this.#drainPass()) {
        // go round again
      }
      await this.#maybeReconcileRefused();
      await this.#maybeHeartbeat();
      // The probe failed and nothing else reached the gateway (nothing was due): the link is down.
      if (!(await probing) && !this.#answered) return this.#offline();
      this.#failures = 0;
      this.#setStatus({
        link: 'online',
        state: 'idle',
        lastError: undefined,
        nextAttemptAt: undefined,
      });
      return true;
    } catch (error) {
      // Neither the probe nor the drain got through: the link is down, not the gateway wrong.
      // (A probe answered whose protocol the kiosk could not keep is the run's error.)
      const probed = await probing?.catch(() => true);
      if (probed === false && !this.#answered) return this.#offline();
      this.#link.failed();
      this.#setStatus({
        batchBytes: this.#link.batchBytes,
        // The gateway answered: the probe, or a batch when the probe did not get through.
        ...(probed === true || this.#answered ? { link: 'online' as const } : {}),
      });
      this.#scheduleRetry(error);
      return false;
    }
  }

  /** The health probe failed: back off and show the link as down. */
  #offline(): false {
    this.#scheduleRetry(new SyncError('gateway-unreachable', { reason: 'health probe failed' }));
    this.#setStatus({ link: 'offline' });
    return false;
  }

  /** Keeps the protocol the probe agreed with the cached config, for the next run's start. */
  async #rememberProtocol(): Promise<void> {
    await this.#updateConfig((cached) => {
      const protocol = this.#client.protocol;
      return cached && cached.protocol !== protocol ? { ...cached, protocol } : cached;
    });
  }

  /**
   * Writes the cached config as `update` makes it from the cached one (unchanged: no write).
   * One at a time: the probe's protocol, written while a fresh config is fetched, must not put
   * back the older config it read (its ETag, gateway key and time).
   */
  #updateConfig(
    update: (cached: GatewayConfigCache | undefined) => GatewayConfigCache | undefined,
  ): Promise<GatewayConfigCache | undefined> {
    const { store } = this.#options;
    const written = this.#configWrites.then(async () => {
      const cached = await store.readSetting('gateway-config');
      const next = update(cached);
      if (next && next !== cached) await store.writeSetting('gateway-config', next);
      return next;
    });
    this.#configWrites = written.catch(() => undefined);
    return written;
  }

  async #ensureEnrolled(): Promise<void> {
    const { store } = this.#options;
    if (await store.readSetting('enrolled')) return;
    const token = this.#options.enrolmentToken;
    if (!token) throw new SyncError('enrolment-failed', { reason: 'no enrolment token' });
    try {
      await this.#client.enrol(token, this.#options.keys.publicKey);
    } catch (error) {
      // 409: this device key is already registered (an earlier reply was lost).
      if (!(error instanceof SyncError && error.details.status === 409)) throw error;
    }
    await store.writeSetting('enrolled', true);
  }

  /** The gateway's config, cached with its ETag and re-validated every `configRefreshMs`. */
  async #gatewayConfig(): Promise<GatewayConfigCache> {
    const { store } = this.#options;
    const cached = await store.readSetting('gateway-config');
    const refreshMs = this.#options.configRefreshMs ?? 45_000;
    if (cached && !this.#configDue && this.#now() - cached.checkedAt < refreshMs) {
      if (this.#status.configAt === undefined) this.#setStatus({ configAt: cached.checkedAt });
      return cached;
    }
    const fresh = await this.#client.getConfig(cached?.etag);
    this.#answered = true;
    const next = await this.#updateConfig((current = cached) => {
      // The protocol sent in now: the probe's, or (before it answers) the one it agreed last run.
      const protocol = this.#client.protocol;
      if (!fresh) return current && { ...current, checkedAt: this.#now(), protocol };
      return {
        ...(fresh.etag !== undefined ? { etag: fresh.etag } : {}),
        gatewayKey: fresh.config.gatewayKey,
        checkedAt: this.#now(),
        protocol,
      };
    });
    if (!next) throw new SyncError('no-gateway-key', { reason: '304 without a cached config' });
    if (fresh) this.#options.onConfig?.(fresh.config);
    this.#configDue = false;
    this.#setStatus({ configAt: next.checkedAt });
    return next;
  }

  /**
   * One pass over the queue, in chain order, with up to `batchesInFlight` batches on the wire
   * (default 2, each on its own connection): the next batch goes while the previous one's reply
   * is pending, so the link is not idle for a round trip and the gateway's work between batches.
   * The gateway may thus receive a batch before its predecessor: it holds those records
   * (`awaiting`, place-batch.ts) and chains them when the gap closes, so the chain and
   * exactly-once hold whatever the order of arrival. The next batch is read and sealed while the
   * window's batches are on the wire (after the results before it are written), so it goes the
   * moment any of them is answered, and is taken again at the new size if that answer raised the
   * size to 1.5 times its own or more. A batch whose connection failed (a reset, not a timeout or an
   * error status) is sent again at once, up to three times in a row, while the other stays on
   * the wire; any other failure stops new batches, the ones on the wire are waited for and their
   * results written, and the run fails (back-off). True when rows were left without a result, so
   * another pass is due.
   */
  async #drainPass(): Promise<boolean> {
    let gatewayKey: Promise<EcPublicJwk> | undefined;
    const sealing = {
      dataKey: this.#options.dataKey,
      gatewayKey: () => (gatewayKey ??= this.#gatewayConfig().then((config) => config.gatewayKey)),
    };
    const prepare = async (afterSeq: number): Promise<PreparedBatch | undefined> => {
      const limitBytes = this.#link.batchBytes;
      const { rows: taken, bytes } = await this.#takeBatch(afterSeq, limitBytes);
      const last = taken[taken.length - 1];
      if (!last) return undefined;
      const batchId = crypto.randomUUID();
      if (this.#client.protocol === 2) {
        const v2 = await toBatchV2(taken, sealing, { batchId, kioskId: this.#options.kioskId });
        const { request } = v2;
        const records = v2.rows.map((row) => row.record);
        return {
          rows: v2.rows,
          unreadable: v2.unreadable,
          afterSeq,
          lastSeq: last.seq,
          limitBytes,
          bytes,
          send: request && (() => this.#client.postBatchV2(request, records)),
        };
      }
      const v1 = await toBatchItems(taken, sealing);
      const { items } = v1;
      return {
        rows: v1.rows,
        unreadable: v1.unreadable,
        afterSeq,
        lastSeq: last.seq,
        limitBytes,
        bytes,
        send: items.length > 0 ? () => this.#client.postBatch({ batchId, items }) : undefined,
      };
    };
    const depth = Math.max(1, this.#options.batchesInFlight ?? 2);
    interface OnWire {
      batch: PreparedBatch;
      /** Settles with this entry when the batch is answered or fails; never rejects. */
      settled: Promise<OnWire>;
      reply?: BatchReply & BatchExchange;
      error?: unknown;
    }
    const onWire: OnWire[] = [];
    const launch = (batch: PreparedBatch, send: NonNullable<PreparedBatch['send']>): void => {
      drained.since ??= this.#now();
      const entry = { batch } as OnWire;
      entry.settled = send().then(
        (reply) => Object.assign(entry, { reply }),
        (error: unknown) => Object.assign(entry, { error }),
      );
      onWire.push(entry);
    };
    let unsettled = 0;
    let applying: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    let afterSeq = 0;
    let more = true;
    let resetsInARow = 0;
    /** What this pass has drained: bytes answered since its first batch left (link-policy.ts). */
    const drained = { bytes: 0, since: undefined as number | undefined };
    /** The next batch, read and sealed while the window's batches are on the wire. */
    let ready: Promise<PreparedBatch | undefined> | undefined;
    const prepareNext = (): Promise<PreparedBatch | undefined> => {
      const written = applying;
      const next = (async () => {
        // Each batch is read after the results before it are written.
        if (written) await written;
        const batch = await prepare(afterSeq);
        if (batch) afterSeq = batch.lastSeq;
        return batch;
      })();
      next.catch(() => undefined);
      return next;
    };
    try {
      for (;;) {
        // Fill the window.
        while (more && !failure && onWire.length < depth) {
          try {
            let batch = await (ready ?? prepareNext());
            ready = undefined;
            if (batch && batch.limitBytes * RESIZE_FACTOR <= this.#link.batchBytes) {
              // Prepared before an answer raised the size (the ramp): take its rows again at
              // the new size rather than send a batch too small to keep the link busy.
              afterSeq = batch.afterSeq;
              batch = await prepareNext();
            }
            if (!batch) {
              more = false;
              break;
            }
            if (batch.unreadable.length > 0) await this.#rejectUnreadable(batch.unreadable);
            if (batch.send) launch(batch, batch.send);
          } catch (error) {
            ready = undefined;
            failure = { error };
          }
        }
        // The next batch is made ready while these are on the wire, to go the moment one is
        // answered (its size follows the measurements so far).
        if (more && !failure && !ready) ready = prepareNext();
        if (onWire.length === 0) break;
        // Whichever batch is answered first frees its place in the window: a batch sent again
        // after a reset, or a small one sent behind a large one, does not hold the next back.
        const first = await Promise.race(onWire.map((entry) => entry.settled));
        onWire.splice(onWire.indexOf(first), 1);
        const { rows, limitBytes, send } = first.batch;
        const reply = first.reply;
        if (!reply) {
          const { error } = first;
          if (!failure && send && isConnectionFailure(error) && resetsInARow < QUICK_RESENDS) {
            // A reset costs the bytes it cut off, not a back-off and a probe: send it again now.
            resetsInARow += 1;
            launch(first.batch, send);
          } else failure ??= { error };
          continue;
        }
        resetsInARow = 0;
        this.#answered = true;
        const previous = applying;
        applying = (async () => {
          await previous;
          try {
            const settled = await this.#applyResults(rows, reply);
            if (settled === 0) throw new SyncError('bad-reply', { reason: 'no item had a result' });
            unsettled += rows.length - settled;
            // Progress: a later failure backs off from the start, not from where the last one left it.
            this.#failures = 0;
          } catch (error) {
            // The run fails, sending no more; the other answers' results are still written.
            failure ??= { error };
          }
        })();
        applying.catch(() => undefined);
        drained.bytes += first.batch.bytes;
        // Only a full batch says what the link carries; one the queue's end cut short does not.
        const full = first.batch.bytes * 2 >= limitBytes;
        this.#link.batchAnswered(
          reply.linkMs,
          limitBytes,
          full
            ? {
                drainedBytes: drained.bytes,
                drainedMs: this.#now() - (drained.since ?? this.#now()),
              }
            : undefined,
        );
        this.#setStatus({ batchBytes: this.#link.batchBytes });
      }
    } finally {
      // A batch made ready and not sent is dropped (its rows stay queued); its reads finish first.
      await ready?.catch(() => undefined);
      // Results that arrived are written even when a later batch failed.
      await applying?.catch(() => undefined);
    }
    if (failure) throw failure.error;
    await applying;
    return unsettled > 0;
  }

  async #takeBatch(
    afterSeq: number,
    limitBytes: number,
  ): Promise<{ rows: OutboxRow[]; bytes: number }> {
    // Enough rows to fill the batch (every record is well over 500 bytes), not the whole queue.
    const limit = Math.min(5000, Math.ceil(limitBytes / 500) + 1);
    const rows = await this.#options.store.queued(limit, afterSeq);
    const batch: OutboxRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      // A sealed copy of the personal fields adds about a third to the record's size.
      const size = canonicalJson(row.record).length * (row.personalLocal ? 1.4 : 1);
      if (batch.length > 0 && bytes + size > limitBytes) break;
      batch.push(row);
      bytes += size;
    }
    return { rows: batch, bytes };
  }

  /** Rows whose personal copy cannot be opened are rejected on the kiosk (batch-items.ts). */
  async #rejectUnreadable(rows: OutboxRow[]): Promise<void> {
    const outcomes = rows.map((row): DeliveryOutcome => ({
      seq: row.seq,
      outcome: 'rejected',
      reason: UNREADABLE_REASON,
    }));
    await this.#options.store.settle(outcomes, this.#now());
  }

  /**
   * What each sent row's result means: delivered (accepted or duplicate), rejected with the
   * gateway's reason, or unanswered (no result, or one for another seq) and so sent again. The
   * store writes them in one transaction; returns how many rows left the queue.
   */
  async #applyResults(batch: OutboxRow[], reply: BatchReply): Promise<number> {
    const byId = new Map(reply.results.map((result) => [result.id, result]));
    const outcomes = batch.map((row): DeliveryOutcome => {
      const result = byId.get(row.txId);
      if (!result || result.seq !== row.seq) return { seq: row.seq, outcome: 'unanswered' };
      if (result.status === 'rejected') {
        return {
          seq: row.seq,
          outcome: 'rejected',
          reason: result.reason ?? 'rejected by the gateway',
        };
      }
      return { seq: row.seq, outcome: 'delivered' };
    });
    const now = this.#now();
    const settled = await this.#options.store.settle(outcomes, now);
    if (settled > 0) this.#setStatus({ lastDeliveryAt: now });
    return settled;
  }

  /** At most once a minute: refused records an administrator has since put in the chain. */
  async #maybeReconcileRefused(): Promise<void> {
    if (this.#now() - this.#lastRefusedCheckAt < (this.#options.refusedCheckMs ?? 60_000)) return;
    this.#lastRefusedCheckAt = this.#now();
    const marked = await reconcileRefused(
      this.#options.store,
      async (fromSeq) => {
        const acks = await this.#client.getAcks(fromSeq);
        this.#answered = true;
        return acks;
      },
      this.#now(),
    );
    if (marked > 0) this.#setStatus({ lastDeliveryAt: this.#now() });
  }

  async #maybeHeartbeat(): Promise<void> {
    const every = this.#options.heartbeatMs ?? 5 * 60_000;
    const sinceLast = this.#now() - this.#lastHeartbeatAt;
    const figures = await this.#options.store.figures();
    const queue = `${figures.queued}/${figures.rejected}/${figures.deadLetters}`;
    const changed =
      queue !== this.#lastReportedQueue &&
      sinceLast >= (this.#options.heartbeatOnChangeMs ?? 15_000);
    if (sinceLast < every && !changed) return;
    try {
      await this.#client.heartbeat({
        sentAt: new Date(this.#now()).toISOString(),
        queueDepth: figures.queued,
        oldestQueuedAt: figures.oldestQueuedAt ?? null,
        rejected: figures.rejected,
        deadLetters: figures.deadLetters,
        lastDeliveryAt: this.#status.lastDeliveryAt ?? null,
        appVersion: this.#options.appVersion ?? 'unknown',
        ...(await this.#options.heartbeatExtras?.().catch(() => ({}))),
      });
      this.#answered = true;
      this.#lastHeartbeatAt = this.#now();
      this.#lastReportedQueue = queue;
    } catch {
      // A lost heartbeat is not worth a back-off: the next run sends another.
    }
  }

  #scheduleRetry(error: unknown): void {
    this.#failures += 1;
    const delay = backoffDelay({
      failures: this.#failures,
      baseMs: this.#options.backoffBaseMs ?? 1_000,
      capMs: this.#options.backoffCapMs ?? 5 * 60_000,
      random: this.#random,
      retryAfter:
        error instanceof SyncError && typeof error.details.retryAfter === 'string'
          ? error.details.retryAfter
          : undefined,
      now: this.#now(),
    });
    clearTimeout(this.#retryTimer);
    if (this.#status.state !== 'stopped') {
      this.#retryTimer = setTimeout(() => void this.trigger(), delay);
    }
    this.#setStatus({
      state: this.#status.state === 'stopped' ? 'stopped' : 'waiting',
      lastError: error instanceof Error ? error.message : String(error),
      nextAttemptAt: this.#now() + delay,
    });
  }

  #setStatus(patch: Partial<EngineStatus>): void {
    if (this.#status.state === 'stopped' && patch.state && patch.state !== 'stopped') {
      delete patch.state;
    }
    this.#status = { ...this.#status, ...patch };
    for (const listener of this.#listeners) listener(this.#status);
  }
}

/**
 * A batch made ready is taken again at the current size when that is at least this many times
 * the size it was taken with (an answer raised the size while it waited).
 */
const RESIZE_FACTOR = 1.5;

/** A batch whose connection failed is sent again at once this many times in a row, at most. */
const QUICK_RESENDS = 3;

/**
 * A request that failed on its connection (reset, refused, closed before the reply was whole):
 * not a timeout, not an error status, not a bad reply.
 */
function isConnectionFailure(error: unknown): boolean {
  return (
    error instanceof SyncError &&
    error.code === 'gateway-unreachable' &&
    error.details.connection === true
  );
}

/**
 * Exponential back-off with full jitter: a random delay in [0, min(cap, base·2^(n-1))), raised
 * to the gateway's Retry-After (seconds or an HTTP date) when it gave one, never above the cap.
 */
export function backoffDelay(input: {
  failures: number;
  baseMs: number;
  capMs: number;
  random: () => number;
  retryAfter?: string;
  now: number;
}): number {
  const ceiling = Math.min(input.capMs, input.baseMs * 2 ** Math.min(input.failures - 1, 30));
  let delay = Math.floor(input.random() * ceiling);
  if (input.retryAfter !== undefined) {
    const seconds = Number(input.retryAfter);
    const asDate = Date.parse(input.retryAfter);
    const wanted = Number.isFinite(seconds)
      ? seconds * 1000
      : Number.isFinite(asDate)
        ? asDate - input.now
        : NaN;
    if (Number.isFinite(wanted) && wanted >= 0)
      delay = Math.max(delay, Math.min(input.capMs, wanted));
  }
  return delay;
}
