import { canonicalJson } from '../protocol/canonical-json';
import type { EcPublicJwk } from '../protocol/crypto-primitives';
import type { BatchReply } from '../protocol/wire';
import { UNREADABLE_REASON, toBatchItems, toBatchV2 } from './batch-items';
import type { SealingKeys } from './batch-items';
import type { BatchExchange, BatchSendOptions, GatewayClient } from './gateway-client';
import type { LinkPolicy } from './link-policy';
import type { DeliveryOutcome, OutboxRow, OutboxStore } from './store/outbox-store';
import { SyncError } from './sync-error';

/**
 * What one drain pass needs, and nothing more (no back-reference to the engine). Sizes are bytes
 * of canonical JSON (a sealed personal copy counted at 1.4 times its record), times are ms on
 * `now`'s clock.
 */
export interface DrainWindowDeps {
  /** Where the queued rows are read (`queued`, in chain order) and unreadable ones rejected. */
  store: Pick<OutboxStore, 'queued' | 'settle'>;
  /** Sends the batches, in the protocol it speaks at the moment each batch is prepared. */
  client: Pick<GatewayClient, 'protocol' | 'postBatch' | 'postBatchV2'>;
  /**
   * Sizes each batch (`batchBytes`, read when it is prepared), paces their launches
   * (`batchTransferMs`, `launchLeadMs`) and learns from each answer.
   */
  link: Pick<LinkPolicy, 'batchBytes' | 'batchAnswered' | 'batchTransferMs' | 'launchLeadMs'>;
  /** The clock the pass's drain rate is timed on (ms); the engine's, shared with its client. */
  now: () => number;
  kioskId: string;
  /** Batches on the wire at once (at least 1; the engine's default is 2). */
  batchesInFlight: number;
  /** Opens the rows' personal copies (none: a row with personal fields fails the pass). */
  dataKey: CryptoKey | undefined;
  /** The gateway's key to seal personal fields to; asked at most once a pass, when needed. */
  gatewayKey: () => Promise<EcPublicJwk>;
  /**
   * The results writer: writes what each of a batch's rows' results means (one transaction)
   * and returns how many rows left the queue. 0 fails the pass (a reply with no usable result).
   */
  writeResults: (rows: OutboxRow[], reply: BatchReply) => Promise<number>;
  /** Called after each answered batch, once the link policy has learnt from it. */
  onAnswered?: () => void;
}

/** A batch read and sealed, ready to go. */
interface PreparedBatch {
  /** The rows that go, and how to send them (none: every row was left out). */
  rows: OutboxRow[];
  send: ((options: BatchSendOptions) => Promise<BatchReply & BatchExchange>) | undefined;
  /** Rows left out because their personal copy cannot be opened (batch-items.ts); emptied once
   * they are rejected. */
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

/** A batch on the wire. */
interface OnWire {
  batch: PreparedBatch;
  /** Settles with this entry when the batch is answered or fails; never rejects. */
  settled: Promise<OnWire>;
  /** Resolves once its request is handed to fetch (or it settled first); never rejects. */
  sending: Promise<void>;
  reply?: BatchReply & BatchExchange;
  error?: unknown;
}

/**
 * A batch made ready is taken again at the current size when that is at least this many times
 * the size it was taken with (an answer raised the size while it waited).
 */
const RESIZE_FACTOR = 1.5;

/**
 * When the queue ends within `TAPER_LAST` of the size limit after a batch, and the two together
 * hold more than `TAPER_FROM` of it, about `TAPER_LAST` of the limit goes last, on its own.
 */
const TAPER_FROM = 0.5;
const TAPER_LAST = 0.2;
/**
 * Only when that last batch would hold at least this many bytes (about 50 records): a small
 * batch's round trip and work are short already, and splitting it would add a request.
 */
const TAPER_MIN_BYTES = 32 * 1024;

/** A batch whose connection failed is sent again at once this many times in a row, at most. */
const QUICK_RESENDS = 3;

/**
 * One drain pass of the outbox over the link: the sync engine's window of batches on the wire.
 *
 * `pass()` goes over the queue once, in chain order, with up to `batchesInFlight` batches on
 * the wire (each on its own connection): the next batch goes while the previous one's reply is
 * pending, so the link is not idle for a round trip and the gateway's work between batches. The
 * gateway may thus receive a batch before its predecessor: it holds those records (`awaiting`,
 * place-batch.ts) and chains them when the gap closes, so the chain and exactly-once hold
 * whatever the order of arrival.
 *
 * - Each batch holds rows up to `link.batchBytes` (at least one row). The next batch is read
 *   and sealed while the window's batches are on the wire (after the results before it are
 *   written), so it goes the moment any of them is answered (whichever settles first, not only
 *   the oldest), and is taken again at the new size if that answer raised the size to 1.5 times
 *   its own or more.
 * - Launches are paced by the link: once full batches have shown how fast it carries them
 *   (`link.batchTransferMs`), a batch ready while others are on the wire is held until
 *   `link.launchLeadMs` before the link is estimated free of their bytes (or until one of them
 *   settles), so batches cross the link one after another, each one's answer coming back while
 *   the next one's bytes go, instead of side by side with their last bytes going together and the
 *   link idle for both answers. Without an estimate (the first batches) it goes at once.
 * - Rows whose personal copy cannot be opened are rejected on the kiosk (`personal-unreadable`)
 *   and left out; a batch of nothing but such rows sends nothing.
 * - A batch whose connection failed (a reset, not a timeout or an error status) is sent again at
 *   once, up to three times in a row, while the others stay on the wire.
 * - Results are written in the order the answers come, one batch after another, through
 *   `writeResults`. Each answer feeds `link.batchAnswered(linkMs, limitBytes, full?)`: for a
 *   full batch (its bytes at least half its limit) `full` is what the pass has drained so far,
 *   `drainedBytes` answered over the `drainedMs` since its first batch left.
 *
 * Resolves true when rows were left without a result (another pass is due), false when every
 * row sent has one. Rejects with the first failure: a send that failed otherwise than by a
 * connection failure (a timeout, an error status, a bad reply: `SyncError`), a fourth reset in a
 * row, a reply with no usable result (`SyncError('bad-reply')`), or a failure to read, seal
 * (`no-data-key`, the gateway key) or write results. Once one has failed no new batch goes; the
 * ones on the wire are waited for and their results written before it rejects, and a batch made
 * ready but not sent is dropped (its rows stay queued).
 */
export class DrainWindow {
  readonly #deps: DrainWindowDeps;

  constructor(deps: DrainWindowDeps) {
    this.#deps = deps;
  }

  async pass(): Promise<boolean> {
    const { client, link, now, kioskId } = this.#deps;
    let gatewayKey: Promise<EcPublicJwk> | undefined;
    const sealing: SealingKeys = {
      dataKey: this.#deps.dataKey,
      gatewayKey: () => (gatewayKey ??= this.#deps.gatewayKey()),
    };
    const prepare = async (afterSeq: number): Promise<PreparedBatch | undefined> => {
      const limitBytes = link.batchBytes;
      const { rows: taken, bytes } = await this.#takeBatch(afterSeq, limitBytes);
      const last = taken[taken.length - 1];
      if (!last) return undefined;
      const batchId = crypto.randomUUID();
      if (client.protocol === 2) {
        const v2 = await toBatchV2(taken, sealing, { batchId, kioskId });
        const { request } = v2;
        const records = v2.rows.map((row) => row.record);
        return {
          rows: v2.rows,
          unreadable: v2.unreadable,
          afterSeq,
          lastSeq: last.seq,
          limitBytes,
          bytes,
          send: request && ((options) => client.postBatchV2(request, records, options)),
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
        send:
          items.length > 0 ? (options) => client.postBatch({ batchId, items }, options) : undefined,
      };
    };
    const depth = Math.max(1, this.#deps.batchesInFlight);
    const onWire: OnWire[] = [];
    /**
     * When the link is estimated free of the bytes on the wire, the last launched batch's
     * transfer, and when the batch held back may go.
     */
    const pace = {
      linkFreeAt: -Infinity,
      aheadMs: 0,
      launchAt: -Infinity,
      last: undefined as OnWire | undefined,
    };
    const launchAtFor = (batch: PreparedBatch): number => {
      const ownMs = link.batchTransferMs(batch.bytes);
      return ownMs === undefined
        ? -Infinity
        : pace.linkFreeAt - link.launchLeadMs(pace.aheadMs, ownMs);
    };
    const launch = (batch: PreparedBatch, send: NonNullable<PreparedBatch['send']>): void => {
      drained.since ??= now();
      const entry = { batch } as OnWire;
      const transferMs = link.batchTransferMs(batch.bytes);
      if (transferMs !== undefined) {
        pace.linkFreeAt = Math.max(now(), pace.linkFreeAt) + transferMs;
        pace.aheadMs = transferMs;
      }
      pace.last = entry;
      let sending = (): void => undefined;
      entry.sending = new Promise<void>((resolve) => (sending = resolve));
      entry.settled = send({ onSending: () => sending() }).then(
        (reply) => Object.assign(entry, { reply }),
        (error: unknown) => Object.assign(entry, { error }),
      );
      void entry.settled.then(() => sending());
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
      const sending = pace.last?.sending;
      const next = (async () => {
        // Each batch is read after the results before it are written, and once the last batch
        // launched is signed and compressed (on one thread, reading and sealing would delay its
        // bytes: up to half a second for a 1,100-record batch in Node).
        if (written) await written;
        if (sending) await sending;
        const batch = await prepare(afterSeq);
        if (batch) afterSeq = batch.lastSeq;
        return batch;
      })();
      next.catch(() => undefined);
      return next;
    };
    try {
      for (;;) {
        /** A batch is ready but held back: the link is still busy with the ones on the wire. */
        let held = false;
        // Fill the window.
        while (more && !failure && onWire.length < depth) {
          try {
            let batch = await (ready ?? prepareNext());
            ready = undefined;
            if (batch && onWire.length > 0 && batch.limitBytes * RESIZE_FACTOR <= link.batchBytes) {
              // Prepared before an answer raised the size (the ramp): take its rows again at
              // the new size, while the batches on the wire keep the link busy, rather than send
              // a batch too small to. With none on the wire it goes as it is: the link is idle.
              afterSeq = batch.afterSeq;
              batch = await prepareNext();
            }
            if (!batch) {
              more = false;
              break;
            }
            if (batch.unreadable.length > 0) {
              await this.#rejectUnreadable(batch.unreadable);
              batch.unreadable = [];
            }
            if (!batch.send) continue;
            pace.launchAt = launchAtFor(batch);
            if (onWire.length > 0 && now() < pace.launchAt) {
              ready = Promise.resolve(batch);
              held = true;
              break;
            }
            launch(batch, batch.send);
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
        // after a reset, or a small one sent behind a large one, does not hold the next back. A
        // held batch goes when its time comes even if none is answered by then.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const due = held
          ? new Promise<undefined>((resolve) => {
              timer = setTimeout(() => resolve(undefined), Math.max(0, pace.launchAt - now()));
            })
          : undefined;
        const first = await Promise.race([
          ...onWire.map((entry) => entry.settled),
          ...(due ? [due] : []),
        ]);
        clearTimeout(timer);
        if (!first) continue;
        onWire.splice(onWire.indexOf(first), 1);
        if (first === pace.last) {
          // The last batch sent has its answer: nothing sent before it still holds the link.
          pace.linkFreeAt = Math.min(pace.linkFreeAt, now());
          pace.launchAt = Math.min(pace.launchAt, now());
        }
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
        const previous = applying;
        applying = (async () => {
          await previous;
          try {
            const settled = await this.#deps.writeResults(rows, reply);
            if (settled === 0) throw new SyncError('bad-reply', { reason: 'no item had a result' });
            unsettled += rows.length - settled;
          } catch (error) {
            // The pass fails, sending no more; the other answers' results are still written.
            failure ??= { error };
          }
        })();
        applying.catch(() => undefined);
        drained.bytes += first.batch.bytes;
        // Only a full batch says what the link carries; one the queue's end cut short does not.
        const full = first.batch.bytes * 2 >= limitBytes;
        link.batchAnswered(
          reply.linkMs,
          limitBytes,
          full
            ? {
                bytes: first.batch.bytes,
                drainedBytes: drained.bytes,
                drainedMs: now() - (drained.since ?? now()),
              }
            : undefined,
        );
        this.#deps.onAnswered?.();
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

  /** The queued rows after `afterSeq`, in chain order, up to `limitBytes` (at least one row). */
  async #takeBatch(
    afterSeq: number,
    limitBytes: number,
  ): Promise<{ rows: OutboxRow[]; bytes: number }> {
    // Enough rows to fill the batch (every record is well over 500 bytes), not the whole queue.
    const limit = Math.min(5000, Math.ceil(limitBytes / 500) + 1);
    const rows = await this.#deps.store.queued(limit, afterSeq);
    // A sealed copy of the personal fields adds about a third to the record's size.
    const sizeOf = (row: OutboxRow): number =>
      canonicalJson(row.record).length * (row.personalLocal ? 1.4 : 1);
    const sizes: number[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = sizeOf(row);
      if (sizes.length > 0 && bytes + size > limitBytes) break;
      sizes.push(size);
      bytes += size;
    }
    let taken = sizes.length;
    // The read reached the queue's end (records are larger than the read assumes, so it
    // usually holds a few more rows than the batch takes): what is left after this batch?
    const rest =
      limitBytes * TAPER_LAST >= TAPER_MIN_BYTES && rows.length < limit
        ? rows.slice(taken).reduce((sum, row) => sum + sizeOf(row), 0)
        : Number.POSITIVE_INFINITY;
    if (rest < limitBytes * TAPER_LAST && bytes + rest > limitBytes * TAPER_FROM) {
      // The queue ends within a small batch after this one (or with it): about a fifth of the
      // limit goes last, on its own. After the link's last byte a pass waits for its last
      // batch's round trip, the gateway's work on it and its results' writing, which a small
      // batch makes short; the large one's are done while the small one crosses the link.
      let last = rest;
      while (taken > 1 && last < limitBytes * TAPER_LAST) {
        taken -= 1;
        bytes -= sizes[taken]!;
        last += sizes[taken]!;
      }
    }
    return { rows: rows.slice(0, taken), bytes };
  }

  /** Rows whose personal copy cannot be opened are rejected on the kiosk (batch-items.ts). */
  async #rejectUnreadable(rows: OutboxRow[]): Promise<void> {
    const outcomes = rows.map((row): DeliveryOutcome => ({
      seq: row.seq,
      outcome: 'rejected',
      reason: UNREADABLE_REASON,
    }));
    await this.#deps.store.settle(outcomes, this.#deps.now());
  }
}

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
