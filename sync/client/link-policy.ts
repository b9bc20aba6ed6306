/**
 * The sync engine's pace on the link, in one place: how large a batch is and how long a request
 * may take before the kiosk gives up on it. Both follow what the link has shown:
 *
 * - **Round trip** (`rttMs`): the health probe's time, a moving average (weight 1/4 per sample);
 *   `minRttMs` is the least of the last 8 small exchanges (probe, enrolment, a short config or
 *   heartbeat), since a probe on a new connection also pays the TCP handshake. An exchange sent
 *   while a batch was already on the wire (`queuedBehindBatch`: a heartbeat during a drain) is
 *   no such sample: it waited behind the batch's bytes at the link's bottleneck, and a least
 *   round trip too long makes every batch's transfer look shorter than it was. The probe a
 *   kiosk that has drained before sends just BEFORE its first batch is a sample: its bytes are
 *   ahead of the batch's (without it a whole drain would have no least round trip, and each
 *   batch's transfer would count the round trip: batches about a third too small at 800 ms).
 * - **Throughput** (`bytesPerSecond`): a batch's request bytes (gzip'd body) over the time its
 *   exchange took beyond the least round trip, a moving average of batches of 2 KB or more. It
 *   includes the gateway's own work, so a busy gateway reads as a slower link.
 * - **Request timeout** for `bytes` in flight: `3 × (rttMs + bytes / rate)` once both are
 *   measured, where `rate` is the lower of `bytesPerSecond` and the throughput with each batch
 *   timed from its own send (a batch sent behind another that stalled can make
 *   `bytesPerSecond` several times the link: a 64 kbit/s drain timed out a 44 KB batch after
 *   8.7 s), else the initial timeout (20 s by default); never below a floor that doubles
 *   each time a request times out (and halves back after each answer), so when every reply takes
 *   longer than the current timeout the next attempt waits longer, until one gets through
 *   (the probe's quick answer does not lower it, nor does its timeout raise it when a batch was
 *   on the wire while it was out: the batches' own answers and timeouts say what they need);
 *   always within [min, max] (5 s to 10 min by default).
 * - **Batch size** (bytes of canonical JSON): after a full batch (at least half its size limit)
 *   whose transfer (time beyond the least round trip) took under half the target, the next is
 *   sized to take three quarters of it (scaled from that batch's size, at most ×4); after any
 *   batch over the target, likewise (at least ×½); in between it is kept. Each failed run (a timeout included; not a reset the
 *   engine resent at once) halves it. Always within [min, max] (8 KB to 4 MB). Scaling from
 *   the batch that was measured, not the current size, keeps a batch prepared while others were
 *   on the wire from counting twice. The target is 5 s, or 4 round trips when that is longer.
 *   The engine keeps two batches on the wire, so one batch's transfer only has to cover the
 *   other's round trip and gateway work for the link never to idle; a longer target would not
 *   save round trips but would make the last batch's gateway work and the kiosk's writing of its
 *   results, which nothing overlaps, longer (a batch of 25 round trips on a 300 ms link held
 *   3,700 records: over 2 s after its last byte). Each exchange costs ~600 B of signed headers,
 *   about 2 % of a 5 s batch at 256 kbit/s.
 * - **Launch pace** (`batchTransferMs`, `launchLeadMs`): how long a batch of `bytes` (canonical
 *   JSON) takes to cross the link, from the last few full batches answered (their own bytes over
 *   their transfer time, the quickest), and how long before the link is free of the batches
 *   on the wire the next may go: a round trip, two fifths of the transfer ahead, or 50 ms (signing,
 *   gzip and the fetch's start), whichever is longest. The engine holds a ready batch back until
 *   then (drain-window.ts), so batches cross the link one after another rather than side by side:
 *   two batches sent together share the link, their last bytes go at about the same moment, and
 *   the link idles for both round trips (a 256 kbit/s drain idled 1 s at once that way, 7 % of
 *   it, with the tbf queue dropping packets of both connections).
 * - **Batches sharing the link**: a batch sent while others are on the wire is timed (for its
 *   throughput sample and its size) from when their bytes were through, and its timeout covers
 *   their bytes too; one already on the wire gets `transferAllowanceMs` of the newcomer's bytes
 *   added to its timeout (gateway-client.ts).
 *
 * A slow link therefore drains slowly but never stops: a timeout makes the next attempt both
 * smaller and more patient. Pure logic: no timers, no I/O; the engine and its HTTP client call it.
 */
export interface LinkPolicyOptions {
  /**
   * Batch size bounds in bytes of canonical JSON; default 64 KiB, 8 KiB..4 MiB (protocol v2 puts
   * about a third of a record's JSON size on the wire, so 4 MiB is about 20 s at 256 kbit/s).
   */
  batchBytes?: { initial: number; min: number; max: number };
  /** A batch's transfer should take about this long (ms); default 5 s (see `targetBatchMs`). */
  targetBatchMs?: number;
  /** Timeout before the link is measured (ms); default 20 s. Bounds default 5 s..10 min. */
  requestTimeoutMs?: number;
  timeoutBounds?: { min: number; max: number };
}

/**
 * What a kiosk keeps of its link across a restart (the store's `link-estimate` setting): after a
 * power cut the engine starts at the pace the link last showed instead of ramping up again from
 * the initial batch size and the 20 s initial timeout (`LinkPolicy.resume`).
 */
export interface LinkEstimate {
  /** Epoch ms (kiosk clock) it was taken. */
  at: number;
  /** The least round trip of the last few small exchanges (ms). */
  minRttMs: number;
  /** The round trip's moving average (ms). */
  rttMs: number;
  /** Request bytes (gzip'd bodies) per second the timeouts followed. */
  bytesPerSecond: number;
  /** Canonical JSON bytes per ms the quickest recent full batch crossed the link at. */
  batchRate: number;
  /** The batch size in use (bytes of canonical JSON). */
  batchBytes: number;
}

/** An estimate older than this (ms) is not resumed: the site's link may have changed since. */
export const LINK_ESTIMATE_MAX_AGE_MS = 7 * 24 * 60 * 60_000;

/** What one answered exchange showed. */
export interface Exchange {
  /** Request body bytes on the wire (gzip'd); 0 for a GET. */
  bytes: number;
  /** From handing the request to fetch to the last byte of the reply, ms. */
  elapsedMs: number;
  /** The reply's body bytes, when known. */
  replyBytes?: number;
  /** A tiny request whose time is the round trip (the health probe). */
  roundTrip?: boolean;
  /**
   * A request other than a batch sent while a batch was already on the wire (a heartbeat during
   * a drain): its time may be mostly the wait behind the batch's bytes, so it is no sample of
   * the least round trip.
   */
  queuedBehindBatch?: boolean;
  /**
   * From handing the request to fetch to its answer (ms), when `elapsedMs` is timed from later:
   * a batch sent while others were on the wire is timed from when their bytes were through
   * (gateway-client.ts). On TCP the batches share the link rather than queue, so that time can
   * be far too short (a batch behind one that stalled looks several times quicker than the
   * link); timeouts follow the throughput from this time too (`timeoutFor`).
   */
  sentElapsedMs?: number;
}

const SAMPLE_WEIGHT = 0.25;
const TIMEOUT_MARGIN = 3;
const MIN_THROUGHPUT_SAMPLE = 2_048;
/** An exchange this small (both ways) takes about one round trip. */
const SMALL_EXCHANGE = 2_048;
const RTTS_PER_BATCH = 4;
const RTT_WINDOW = 8;
/** `batchTransferMs` follows the quickest of this many recent full batches. */
const RATE_WINDOW = 4;
const GROWTH_LIMIT = 4;
/** The least lead (ms) a batch is launched with before the link is free: signing, gzip, fetch. */
const MIN_LAUNCH_LEAD_MS = 50;
/**
 * A launch's lead is at least this share of the transfer ahead of it (its estimate's error). In
 * engine-only drains of 10,000 realistic transactions at 256 kbit/s, 0.4 took 1.09× the floor
 * and 0.2 took 1.13× (medians of three; a drain moves by ±0.05 from one run to the next).
 */
const LAUNCH_LEAD_SHARE = 0.4;

function average(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + SAMPLE_WEIGHT * (sample - previous);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export class LinkPolicy {
  readonly #batchBounds: { min: number; max: number };
  readonly #baseTargetMs: number;
  readonly #initialTimeoutMs: number;
  readonly #timeoutBounds: { min: number; max: number };
  #batchBytes: number;
  #rttMs: number | undefined;
  readonly #recentRtts: number[] = [];
  #bytesPerSecond: number | undefined;
  /** The throughput with each batch timed from its own send: what timeouts follow if lower. */
  #patientBytesPerSecond: number | undefined;
  /** Canonical JSON bytes per ms the last few full batches crossed the link at. */
  readonly #batchRates: number[] = [];
  /** The batch size as set after the last full batch was answered (what `estimate` keeps). */
  #sizeAfterFullBatch: number | undefined;
  /** Raised to twice a timeout that expired; halves after each answer. */
  #floorMs = 0;
  #timeouts = 0;

  constructor(options: LinkPolicyOptions = {}) {
    const batch = options.batchBytes ?? { initial: 64 * 1024, min: 8 * 1024, max: 4 * 1024 * 1024 };
    if (!(batch.min > 0 && batch.min <= batch.initial && batch.initial <= batch.max)) {
      throw new RangeError(`batch bytes need 0 < min ≤ initial ≤ max: ${JSON.stringify(batch)}`);
    }
    this.#batchBounds = { min: batch.min, max: batch.max };
    this.#batchBytes = batch.initial;
    this.#baseTargetMs = options.targetBatchMs ?? 5_000;
    this.#initialTimeoutMs = options.requestTimeoutMs ?? 20_000;
    if (!(this.#initialTimeoutMs > 0)) {
      throw new RangeError(`request timeout must be positive: ${this.#initialTimeoutMs}`);
    }
    const bounds = options.timeoutBounds ?? { min: 5_000, max: 10 * 60_000 };
    // A short initial timeout (tests, a LAN) lowers the minimum to it; a long one raises the cap.
    this.#timeoutBounds = {
      min: Math.min(bounds.min, this.#initialTimeoutMs),
      max: Math.max(bounds.max, this.#initialTimeoutMs),
    };
  }

  /** The timeout (ms) before the link is measured. */
  get initialTimeoutMs(): number {
    return this.#initialTimeoutMs;
  }

  /** Bytes of canonical JSON the next batch may hold. */
  get batchBytes(): number {
    return this.#batchBytes;
  }

  /** The measured round trip (ms), once the probe has answered. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  /** The least of the last few round trips (ms): the link's own, without handshakes or queues. */
  get minRttMs(): number | undefined {
    return this.#recentRtts.length > 0 ? Math.min(...this.#recentRtts) : undefined;
  }

  /** The measured throughput (request bytes per second), once a batch has been answered. */
  get bytesPerSecond(): number | undefined {
    return this.#bytesPerSecond;
  }

  /**
   * How long (ms) a batch of `bytes` (canonical JSON, as `batchBytes` counts them) takes to cross
   * the link, at the quickest rate one of the last 4 full batches crossed it (bytes over the time
   * beyond the least round trip); undefined before one was answered. The quickest, because every
   * error in a sample makes it slower than the link: the gateway's own work, a batch that shared
   * the link with another, a ramp batch whose time is mostly fixed costs. Too quick an estimate
   * only makes the next batch go early.
   */
  batchTransferMs(bytes: number): number | undefined {
    return this.#batchRates.length > 0 ? bytes / Math.max(...this.#batchRates) : undefined;
  }

  /**
   * How long (ms) before the link is free of the batches on the wire the next may go, when the
   * last of them takes `transferMs` to cross and the next one `ownTransferMs` (when known): the
   * least round trip, two fifths of that transfer (the estimate's error), or 50 ms, whichever is
   * longest. Going early costs little (the two share the link for that long); going late leaves
   * the link idle. A lead is never more than half the next batch's own transfer, so a batch
   * smaller than the one ahead (a queue's last) still finishes after it: its answer is the one
   * that ends the drain, and its gateway work is the short one. Launched 1.5 s ahead, the last
   * 27 KB of a 256 kbit/s drain finished first, and the 1,300 records before it were the tail.
   */
  launchLeadMs(transferMs: number, ownTransferMs?: number): number {
    const share = LAUNCH_LEAD_SHARE * transferMs;
    const lead = ownTransferMs === undefined ? share : Math.min(share, ownTransferMs / 2);
    return Math.max(MIN_LAUNCH_LEAD_MS, this.minRttMs ?? 0, lead);
  }

  /** Requests that timed out since this policy was made. */
  get timeouts(): number {
    return this.#timeouts;
  }

  /** The batch's target time (ms): the configured target, or 4 round trips if longer. */
  get targetBatchMs(): number {
    return Math.max(this.#baseTargetMs, RTTS_PER_BATCH * (this.minRttMs ?? 0));
  }

  /**
   * How long (ms) a request with `bytes` of body may take. `unmeasuredMs` replaces the initial
   * timeout while the link is unmeasured (the probe's 5 s); `atLeastMs` keeps a request whose
   * reply may be large (the config) from following a fast link below it.
   */
  timeoutFor(bytes: number, options: { unmeasuredMs?: number; atLeastMs?: number } = {}): number {
    const rtt = this.#rttMs;
    const rate = this.#timeoutRate();
    const unmeasured = options.unmeasuredMs ?? this.#initialTimeoutMs;
    let estimate: number;
    if (rtt !== undefined && (rate !== undefined || bytes === 0)) {
      estimate = TIMEOUT_MARGIN * (rtt + (rate ? (bytes / rate) * 1000 : 0));
    } else if (rtt !== undefined) {
      // The round trip is known, the throughput not yet: no less than three round trips.
      estimate = Math.max(unmeasured, TIMEOUT_MARGIN * rtt);
    } else {
      estimate = unmeasured;
    }
    const wanted = Math.max(estimate, this.#floorMs, options.atLeastMs ?? 0);
    return Math.round(clamp(wanted, this.#timeoutBounds.min, this.#timeoutBounds.max));
  }

  /**
   * The time (ms) `bytes` more on the wire add to a request's timeout: the margin times their
   * transfer at the measured throughput (0 before it is measured: the initial timeout holds).
   * A batch already on the wire gets this when another starts to share the link with it.
   */
  transferAllowanceMs(bytes: number): number {
    const rate = this.#timeoutRate();
    return rate ? Math.round(TIMEOUT_MARGIN * (bytes / rate) * 1000) : 0;
  }

  /**
   * The throughput timeouts follow (bytes/s): the lower of the measured one and the one with
   * each batch timed from its own send (`Exchange.sentElapsedMs`). A timeout too short fails a
   * whole run (the run backs off, the next batch is halved); one too long only makes a silent
   * stall wait longer before the resend.
   */
  #timeoutRate(): number | undefined {
    const measured = this.#bytesPerSecond;
    const patient = this.#patientBytesPerSecond;
    return measured === undefined || patient === undefined ? measured : Math.min(measured, patient);
  }

  /**
   * A reply arrived: learn from it. A reply to anything but the probe also lets a raised floor
   * come back down (the probe is tiny: its quick answer says nothing about a batch's wait).
   */
  answered(exchange: Exchange): void {
    const small =
      exchange.roundTrip ||
      (exchange.replyBytes !== undefined && exchange.bytes + exchange.replyBytes < SMALL_EXCHANGE);
    if (small && !exchange.queuedBehindBatch) {
      this.#recentRtts.push(exchange.elapsedMs);
      if (this.#recentRtts.length > RTT_WINDOW) this.#recentRtts.shift();
    }
    if (exchange.roundTrip) {
      this.#rttMs = average(this.#rttMs, exchange.elapsedMs);
      return;
    }
    this.#floorMs = this.#floorMs / 2 < this.#timeoutBounds.min ? 0 : this.#floorMs / 2;
    if (exchange.bytes < MIN_THROUGHPUT_SAMPLE) return;
    // Less the least round trip: the average may carry handshakes and would inflate the rate.
    const leastRtt = this.minRttMs ?? 0;
    const transferMs = Math.max(1, exchange.elapsedMs - leastRtt);
    this.#bytesPerSecond = average(this.#bytesPerSecond, (exchange.bytes / transferMs) * 1000);
    const sinceSentMs = Math.max(1, (exchange.sentElapsedMs ?? exchange.elapsedMs) - leastRtt);
    this.#patientBytesPerSecond = average(
      this.#patientBytesPerSecond,
      (exchange.bytes / Math.max(transferMs, sinceSentMs)) * 1000,
    );
  }

  /**
   * A request was abandoned after `timeoutMs`: the next one waits at least twice as long. Not
   * after a probe during which a batch was on the wire (`roundTrip` and `besideBatch`): it may
   * have waited behind the batch's bytes, and the batches' own answers and timeouts say how long
   * they need (its quick answer does not lower the floor either).
   */
  timedOut(timeoutMs: number, request: { roundTrip?: boolean; besideBatch?: boolean } = {}): void {
    this.#timeouts += 1;
    if (request.roundTrip && request.besideBatch) return;
    this.#floorMs = Math.min(this.#timeoutBounds.max, Math.max(this.#floorMs, 2 * timeoutMs));
  }

  /**
   * A batch prepared with the size limit `sentBatchBytes` (default: the current size) was
   * answered after `elapsedMs`: size the next to take three quarters of the target. Only a full
   * batch (`full` given) can raise the size; any batch that took longer than the target lowers it.
   *
   * `full`, for a batch that filled at least half its limit (one the queue's end cut short says
   * nothing of the link), gives its own size (`bytes`, which with its transfer time is a sample of
   * `batchTransferMs`) and what the run has drained so far: `drainedBytes` answered over the
   * `drainedMs` since its first batch left. That rate
   * counts every idle moment and never overstates the link, so the next batch is never sized to
   * take longer than the target at it (a batch timed while sharing the link with another can
   * look several times faster than it was); like any one measurement, it halves the size at
   * most.
   */
  batchAnswered(
    elapsedMs: number,
    sentBatchBytes = this.#batchBytes,
    full?: { bytes?: number; drainedBytes: number; drainedMs: number },
  ): void {
    const transferMs = Math.max(1, elapsedMs - (this.minRttMs ?? 0));
    if (full?.bytes) {
      this.#batchRates.push(full.bytes / transferMs);
      if (this.#batchRates.length > RATE_WINDOW) this.#batchRates.shift();
    }
    const target = this.targetBatchMs;
    const scaled = (factor: number): number =>
      clamp(Math.floor(sentBatchBytes * factor), this.#batchBounds.min, this.#batchBounds.max);
    const wanted = (0.75 * target) / transferMs;
    // Only a full batch raises the size: a quick answer to a few records (a kiosk delivering
    // each citizen's transaction as it is made, a queue's last batch) says nothing of how long a
    // full one would take. Grown from them, a day's single sends raised the size to its 4 MiB
    // cap, and the first batch after an outage went with the 20 s unmeasured timeout at that size.
    if (transferMs < target / 2 && full) {
      this.#batchBytes = Math.max(this.#batchBytes, scaled(Math.min(GROWTH_LIMIT, wanted)));
    } else if (transferMs > target) {
      this.#batchBytes = Math.min(this.#batchBytes, scaled(Math.max(0.5, wanted)));
    }
    if (full && full.drainedMs > 0) {
      const atDrainRate = Math.floor((full.drainedBytes / full.drainedMs) * target);
      this.#batchBytes = Math.min(this.#batchBytes, Math.max(scaled(0.5), atDrainRate));
    }
    if (full) this.#sizeAfterFullBatch = this.#batchBytes;
  }

  /**
   * What to keep of the link for the next start (`at`: now, epoch ms); undefined until a round
   * trip, the throughput and a full batch have all been measured. Its batch size is the one
   * chosen after the last full batch (the end of a queue's small batches do not count).
   */
  estimate(at: number): LinkEstimate | undefined {
    const minRttMs = this.minRttMs;
    const bytesPerSecond = this.#timeoutRate();
    // A probe lost to a reset leaves no average round trip: the least one stands in for it.
    if (minRttMs === undefined || bytesPerSecond === undefined) return undefined;
    if (this.#batchRates.length === 0) return undefined;
    return {
      at,
      minRttMs,
      rttMs: this.#rttMs ?? minRttMs,
      bytesPerSecond,
      batchRate: Math.max(...this.#batchRates),
      // The size chosen after the last full batch: a queue's last, small batches answer quickly
      // and raise the size in use past what the link takes.
      batchBytes: this.#sizeAfterFullBatch ?? this.#batchBytes,
    };
  }

  /**
   * Starts from an estimate kept from before a restart, as if its batches had just been
   * answered: the round trip, throughput, launch pace and batch size (within this policy's
   * bounds). Only on a policy that has measured nothing yet; an estimate older than
   * `LINK_ESTIMATE_MAX_AGE_MS` at `now`, from the future, or with a value that is not a positive
   * finite number is ignored. A link slower than the estimate costs the first batch's timeout
   * (three times its expected time), after which the size halves and the timeout floor doubles
   * as for any timeout. Returns whether it was resumed.
   */
  resume(estimate: LinkEstimate, now: number): boolean {
    const age = now - estimate.at;
    if (!(age >= 0 && age <= LINK_ESTIMATE_MAX_AGE_MS)) return false;
    const values = [
      estimate.minRttMs,
      estimate.rttMs,
      estimate.bytesPerSecond,
      estimate.batchRate,
      estimate.batchBytes,
    ];
    if (!values.every((value) => Number.isFinite(value) && value > 0)) return false;
    if (this.#rttMs !== undefined || this.#recentRtts.length > 0) return false;
    if (this.#bytesPerSecond !== undefined || this.#batchRates.length > 0) return false;
    this.#recentRtts.push(estimate.minRttMs);
    this.#rttMs = estimate.rttMs;
    this.#bytesPerSecond = estimate.bytesPerSecond;
    this.#patientBytesPerSecond = estimate.bytesPerSecond;
    this.#batchRates.push(estimate.batchRate);
    this.#batchBytes = clamp(
      Math.floor(estimate.batchBytes),
      this.#batchBounds.min,
      this.#batchBounds.max,
    );
    return true;
  }

  /** A run failed (timeout, reset, 5xx): the next batch is half as large. */
  failed(): void {
    this.#resize(0.5);
    if (this.#sizeAfterFullBatch !== undefined) {
      this.#sizeAfterFullBatch = Math.min(this.#sizeAfterFullBatch, this.#batchBytes);
    }
  }

  #resize(factor: number): void {
    this.#batchBytes = clamp(
      Math.floor(this.#batchBytes * factor),
      this.#batchBounds.min,
      this.#batchBounds.max,
    );
  }
}
