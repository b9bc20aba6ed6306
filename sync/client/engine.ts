import type {
  BatchReply,
  HeartbeatRequest,
  DecisionStatusReply,
  KioskConfigReply,
} from '../protocol/wire';
import type {
  DeliveryOutcome,
  GatewayConfigCache,
  OutboxRow,
  OutboxStore,
} from './store/outbox-store';
import type { FetchLike } from './gateway-client';
import { GatewayClient } from './gateway-client';
import { DrainWindow } from './drain-window';
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

/**
 * Delivers queued chain records to the gateway exactly once: the sync policy. It reads and
 * writes the outbox only through the `OutboxStore` interface. One runner per kiosk (a serial
 * lock, Web Locks across tabs); concurrent `trigger()` calls share the in-flight run, and work
 * committed during a run makes it go round again. Once started, it is woken by the store after
 * every commit's transaction completes, by the `online` hint and by a timer. Failures back off
 * exponentially with full jitter, capped, and honour Retry-After; only items without a result
 * are ever resent. The engine keeps the run loop (probe, enrolment, config, back-off, status);
 * each pass over the queue, with its window of batches on the wire, is a `DrainWindow`
 * (drain-window.ts), given the store, the client, the link policy, the clock and this engine's
 * results writer (`#applyResults`).
 */
export class SyncEngine {
  readonly #options: SyncEngineOptions;
  readonly #client: GatewayClient;
  readonly #link: LinkPolicy;
  /** One pass over the queue with batches on the wire (drain-window.ts). */
  readonly #drain: DrainWindow;
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
  /** Whether a batch of this run was answered: the link's pace is then kept (`#keepLink`). */
  #batchAnswered = false;
  /** Whether the link's pace kept from before a restart has been looked for (`#resumeLink`). */
  #linkResumed = false;
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
    this.#drain = new DrainWindow({
      store: options.store,
      client: this.#client,
      link: this.#link,
      now: this.#now,
      kioskId: options.kioskId,
      batchesInFlight: options.batchesInFlight ?? 2,
      dataKey: options.dataKey,
      gatewayKey: () => this.#gatewayConfig().then((config) => config.gatewayKey),
      writeResults: (rows, reply) => this.#applyResults(rows, reply),
      onAnswered: () => {
        this.#answered = true;
        this.#batchAnswered = true;
        this.#setStatus({ batchBytes: this.#link.batchBytes });
      },
    });
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
   * off, and the next run sends in the protocol the probe found. The probe leaves just before
   * the batch, so its time is still a sample of the least round trip; its timeout, with a batch
   * on the wire, does not raise the batches' timeout floor (link-policy.ts).
   */
  async #runOnce(): Promise<boolean> {
    this.#setStatus({ state: 'syncing' });
    const { store } = this.#options;
    this.#answered = false;
    this.#batchAnswered = false;
    let probing: Promise<boolean> | undefined;
    try {
      await this.#resumeLink();
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
      while (await this.#drain.pass()) {
        // go round again
      }
      await this.#keepLink();
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
      // What the run's answered batches showed still holds (a reset or timeout came after).
      await this.#keepLink().catch(() => undefined);
      this.#setStatus({
        batchBytes: this.#link.batchBytes,
        // The gateway answered: the probe, or a batch when the probe did not get through.
        ...(probed === true || this.#answered ? { link: 'online' as const } : {}),
      });
      this.#scheduleRetry(error);
      return false;
    }
  }

  /**
   * Once per engine, before its first run measures anything: starts the link policy from the
   * pace kept before a restart (link-policy.ts `resume`), so a kiosk back from a power cut does
   * not ramp up again from small batches and the initial timeout. A kept estimate that does not
   * parse is ignored (the store parses it; the policy refuses one too old or out of range).
   */
  async #resumeLink(): Promise<void> {
    if (this.#linkResumed) return;
    // A store that cannot be read fails the run like any other read of it (and is asked again
    // by the next run); a value that does not parse reads as absent.
    const kept = await this.#options.store.readSetting('link-estimate');
    this.#linkResumed = true;
    if (kept && this.#link.resume(kept, this.#now())) {
      this.#setStatus({ batchBytes: this.#link.batchBytes });
    }
  }

  /** After a run in which batches were answered: keeps the link's pace for the next start. */
  async #keepLink(): Promise<void> {
    if (!this.#batchAnswered) return;
    const estimate = this.#link.estimate(this.#now());
    if (estimate) await this.#options.store.writeSetting('link-estimate', estimate);
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
   * What each sent row's result means: delivered (accepted or duplicate), rejected with the
   * gateway's reason, or unanswered (no result, or one for another seq) and so sent again. The
   * store writes them in one transaction; returns how many rows left the queue. The drain
   * window's results writer: rows that left the queue are progress (the back-off starts afresh).
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
    if (settled > 0) {
      // Progress: a later failure backs off from the start, not from where the last one left it.
      this.#failures = 0;
      this.#setStatus({ lastDeliveryAt: now });
    }
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
