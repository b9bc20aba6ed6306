import { exportPublicKey, signText } from '../protocol/device-signature';
import { canonicalJson } from '../protocol/canonical-json';
import { sha256Hex, toBase64Url } from '../protocol/encoding';
import { requestSigningText, signatureHeaders } from '../protocol/request-signature';
import type { ChainRecord } from '../protocol/records';
import { PROTOCOL_V2, batchReplyV2Schema, expandReply } from '../protocol/wire-v2';
import type { BatchRequestV2 } from '../protocol/wire-v2';
import {
  LATEST_PROTOCOL_VERSION,
  STATUS_INCLUDE_DECISION,
  acksReplySchema,
  batchReplySchema,
  decisionStatusReplySchema,
  enrolReplySchema,
  healthReplySchema,
  heartbeatReplySchema,
  kioskConfigReplySchema,
  statusReplySchema,
} from '../protocol/wire';
import type {
  AcksReply,
  BatchReply,
  BatchRequest,
  DecisionStatusReply,
  HeartbeatRequest,
  KioskConfigReply,
  StatusReply,
} from '../protocol/wire';
import type { z } from 'zod';
import { LinkPolicy } from './link-policy';
import { SyncError } from './sync-error';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** What a batch's exchange showed besides its results: bytes both ways and its link time (ms). */
export interface BatchExchange {
  wireBytes: number;
  linkMs: number;
}

export interface GatewayClientOptions {
  baseUrl: string;
  kioskId: string;
  /** The device's private key: signs every request after enrolment. */
  signingKey?: CryptoKey;
  fetch?: FetchLike;
  /**
   * The link's pace (link-policy.ts): each request's timeout follows its bytes in flight and the
   * measured link, and every exchange is reported back to it. Default: a policy of its own.
   */
  link?: LinkPolicy;
  /** The initial request timeout when no `link` is given (default 20 s). */
  timeoutMs?: number;
  now?: () => number;
  /** The highest batch protocol to use even if the gateway speaks a later one (default: latest). */
  maxProtocol?: 1 | 2;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/** A batch on the wire (the engine keeps up to two). */
interface BatchOnWire {
  /** Its request bytes (gzip'd). */
  bytes: number;
  /** The batches that were on the wire when it was sent: its bytes queue behind theirs. */
  ahead: BatchOnWire[];
  /** Gives it `ms` more before it times out (another batch now shares the link). */
  extend: (ms: number) => void;
  /** When its exchange ended (answered or failed), on the `now` clock. */
  endedAt?: number;
}

/** What every answered request carries besides its parsed body. */
interface Answered {
  /** Request body bytes (gzip'd) plus the reply's. */
  wireBytes: number;
  status: number;
  etag: string | undefined;
  /**
   * The exchange's time on the link (ms): from sending, or, for a batch sent while another was on
   * the wire, from when that one's bytes were through (its answer less the least round trip),
   * since a batch queued behind another waits for it on the link.
   */
  linkMs: number;
}

interface RequestSpec<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  schema: z.ZodType<T>;
  signed: boolean;
  /** A fixed timeout the caller chose (a look-up a person waits for); else the link's. */
  timeoutMs?: number;
  /** The health probe: its time is the round trip, and its timeout before any is measured. */
  probe?: boolean;
  /** Batches follow the link both ways; other requests never wait less than the initial timeout. */
  followLink?: boolean;
  headers?: Record<string, string>;
  /** Statuses other than 2xx that are answers, not errors (304 for the config). */
  accept?: number[];
  /** Called once the request is signed and compressed and handed to fetch. */
  onSending?: () => void;
}

/** What a batch's sender may ask for besides the batch. */
export interface BatchSendOptions {
  /**
   * Called once the request is signed and compressed and handed to fetch: the kiosk's own work
   * for it is done, so other work (reading and sealing the next batch) no longer delays its bytes.
   */
  onSending?: () => void;
}

/** HTTP access to the gateway; every reply is parsed with the protocol schema before use. */
export class GatewayClient {
  readonly #base: string;
  readonly #kioskId: string;
  readonly #signingKey: CryptoKey | undefined;
  readonly #fetch: FetchLike;
  readonly #link: LinkPolicy;
  readonly #now: () => number;
  /** The batch protocol both ends speak, learnt from the health probe (1 until it answers). */
  #protocol: 1 | 2 = 1;
  readonly #maxProtocol: 1 | 2;
  /** Gateway clock minus kiosk clock, learnt from replies' Date header (kiosk RTCs drift). */
  #skewMs = 0;
  /**
   * Batches on the wire now (the engine keeps up to two in flight): each one's request bytes,
   * and how to give it more time when another starts to share the link with it.
   */
  readonly #batchesOnWire = new Set<BatchOnWire>();
  /** Batches sent so far: a request that sees this change while it is out had one beside it. */
  #batchesSent = 0;

  constructor(options: GatewayClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#kioskId = options.kioskId;
    this.#signingKey = options.signingKey;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#link =
      options.link ??
      new LinkPolicy(
        options.timeoutMs !== undefined ? { requestTimeoutMs: options.timeoutMs } : {},
      );
    this.#now = options.now ?? (() => Date.now());
    this.#maxProtocol = options.maxProtocol ?? LATEST_PROTOCOL_VERSION;
  }

  /**
   * The batch protocol to send in: 2 when the gateway's health reply lists it (wire-v2.ts) and
   * this client may use it, else 1. Learnt afresh by every `probe()`, so a gateway rolled back to
   * one that speaks only v1 is followed at the next run.
   */
  get protocol(): 1 | 2 {
    return this.#protocol;
  }

  /**
   * Sends in `protocol` (at most this client's highest) until the next `probe()` answers: the
   * protocol the last probe agreed, so a kiosk that has drained before need not wait for this
   * run's probe before its first batch.
   */
  assumeProtocol(protocol: 1 | 2): void {
    this.#protocol = Math.min(protocol, this.#maxProtocol) === 2 ? 2 : 1;
  }

  get clockSkewMs(): number {
    return this.#skewMs;
  }

  /** The link policy this client's timeouts follow and reports to. */
  get link(): LinkPolicy {
    return this.#link;
  }

  /** True when the gateway answers its health check; `navigator.onLine` is only a hint. */
  async probe(): Promise<boolean> {
    try {
      const health = await this.#request({
        method: 'GET',
        path: '/v1/health',
        schema: healthReplySchema,
        signed: false,
        probe: true,
      });
      const speaks = health.protocols ?? [health.protocol];
      this.#protocol = this.#maxProtocol >= 2 && speaks.includes(PROTOCOL_V2) ? 2 : 1;
      return true;
    } catch {
      return false;
    }
  }

  async enrol(token: string, publicKey: CryptoKey): Promise<void> {
    const body = canonicalJson({ token, publicKey: await exportPublicKey(publicKey) });
    await this.#request({
      method: 'POST',
      path: `${this.#kioskPath()}/enrol`,
      body,
      schema: enrolReplySchema,
      signed: false,
    });
  }

  async postBatch(
    batch: BatchRequest,
    options: BatchSendOptions = {},
  ): Promise<BatchReply & BatchExchange> {
    return this.#request({
      method: 'POST',
      path: `${this.#kioskPath()}/batches`,
      body: canonicalJson(batch),
      schema: batchReplySchema,
      signed: true,
      followLink: true,
      ...options,
    });
  }

  /**
   * Sends a protocol v2 batch (wire-v2.ts); the compact reply is expanded to one result per
   * record, named by the ids of `sent` (the batch's records), as `postBatch` returns them.
   */
  async postBatchV2(
    batch: BatchRequestV2,
    sent: ReadonlyArray<Pick<ChainRecord, 'seq' | 'body'>>,
    options: BatchSendOptions = {},
  ): Promise<BatchReply & BatchExchange> {
    const reply = await this.#request({
      method: 'POST',
      path: `/v2/kiosks/${encodeURIComponent(this.#kioskId)}/batches`,
      body: canonicalJson(batch),
      schema: batchReplyV2Schema,
      signed: true,
      followLink: true,
      ...options,
    });
    return {
      results: expandReply(reply, sent),
      head: reply.head,
      wireBytes: reply.wireBytes,
      linkMs: reply.linkMs,
    };
  }

  /** The kiosk's config; `undefined` when the gateway answers 304 to `etag`. */
  async getConfig(
    etag?: string,
  ): Promise<{ config: KioskConfigReply; etag: string | undefined } | undefined> {
    const reply = await this.#request({
      method: 'GET',
      path: `${this.#kioskPath()}/config`,
      schema: kioskConfigReplySchema,
      signed: true,
      headers: etag ? { 'if-none-match': etag } : {},
      accept: [304],
    });
    if (reply.status === 304) return undefined;
    const { kioskId, protocol, gatewayKey, site, catalogue, roster } = reply;
    return { config: { kioskId, protocol, gatewayKey, site, catalogue, roster }, etag: reply.etag };
  }

  /** Application status by receipt reference (at most 50); a look-up may ask for a shorter wait. */
  async getStatus(refs: string[], options: { timeoutMs?: number } = {}): Promise<StatusReply> {
    const query = refs.map(encodeURIComponent).join(',');
    return this.#request({
      method: 'GET',
      path: `/v1/status?refs=${query}`,
      schema: statusReplySchema,
      signed: true,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /**
   * What the agencies have decided for these references (`include=decision`): the state, when
   * it began, and the agency's reason, what is needed or where to collect.
   */
  async getDecisionStatus(
    refs: string[],
    options: { timeoutMs?: number } = {},
  ): Promise<DecisionStatusReply> {
    const query = refs.map(encodeURIComponent).join(',');
    return this.#request({
      method: 'GET',
      path: `/v1/status?refs=${query}&include=${STATUS_INCLUDE_DECISION}`,
      schema: decisionStatusReplySchema,
      signed: true,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** The records the gateway holds for this kiosk from `fromSeq` on (see acksReplySchema). */
  async getAcks(fromSeq: number): Promise<AcksReply> {
    return this.#request({
      method: 'GET',
      path: `${this.#kioskPath()}/acks?fromSeq=${fromSeq}`,
      schema: acksReplySchema,
      signed: true,
    });
  }

  async heartbeat(beat: HeartbeatRequest): Promise<void> {
    await this.#request({
      method: 'POST',
      path: `${this.#kioskPath()}/heartbeat`,
      body: canonicalJson(beat),
      schema: heartbeatReplySchema,
      signed: true,
    });
  }

  #kioskPath(): string {
    return `/v1/kiosks/${encodeURIComponent(this.#kioskId)}`;
  }

  async #signatureHeaders(spec: RequestSpec<unknown>): Promise<Record<string, string>> {
    if (!this.#signingKey) throw new SyncError('enrolment-failed', { reason: 'no signing key' });
    const nonceBytes = crypto.getRandomValues(new Uint8Array(16));
    const parts = {
      method: spec.method,
      path: spec.path,
      kioskId: this.#kioskId,
      timestamp: Math.round(this.#now() + this.#skewMs),
      nonce: toBase64Url(nonceBytes),
      digest: await sha256Hex(spec.body ?? ''),
    };
    return {
      [signatureHeaders.kiosk]: parts.kioskId,
      [signatureHeaders.timestamp]: String(parts.timestamp),
      [signatureHeaders.nonce]: parts.nonce,
      [signatureHeaders.digest]: parts.digest,
      [signatureHeaders.signature]: await signText(this.#signingKey, requestSigningText(parts)),
    };
  }

  /**
   * Sends a request. A signed one the gateway refused as stale, whose reply set the kiosk's
   * clock right, is signed again and sent once more: a restarted kiosk's first requests go
   * beside the health probe that would have set the clock before them (engine.ts).
   */
  async #request<T>(spec: RequestSpec<T>): Promise<T & Answered> {
    const skewMs = this.#skewMs;
    try {
      return await this.#requestOnce(spec);
    } catch (error) {
      const stale =
        error instanceof SyncError &&
        error.details.status === 401 &&
        String(error.details.reason).includes('"stale"');
      if (spec.signed && stale && this.#skewMs !== skewMs) return this.#requestOnce(spec);
      throw error;
    }
  }

  async #requestOnce<T>(spec: RequestSpec<T>): Promise<T & Answered> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timeoutMs = 0;
    let timedOut = false;
    let wireBytes = 0;
    /** This batch, while it is on the wire (see `#batchesOnWire`). */
    let onWire: BatchOnWire | undefined;
    /**
     * For a request other than a batch: whether a batch was on the wire when it was sent (then
     * its bytes queued behind the batch's), and how many had been sent (one sent while it is
     * out was beside it too, though behind it).
     */
    let besideBatches: { busy: boolean; sent: number } | undefined;
    const besideBatch = (): boolean =>
      besideBatches !== undefined &&
      (besideBatches.busy || besideBatches.sent !== this.#batchesSent);
    try {
      const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
      if (spec.signed) Object.assign(headers, await this.#signatureHeaders(spec));
      let payload: ArrayBuffer | undefined;
      if (spec.body !== undefined) {
        payload = await gzip(spec.body);
        wireBytes = payload.byteLength;
        headers['content-type'] = 'application/json';
        headers['content-encoding'] = 'gzip';
      }
      // A batch sent while others are on the wire waits for their bytes too.
      const othersBytes = spec.followLink
        ? [...this.#batchesOnWire].reduce((sum, other) => sum + other.bytes, 0)
        : 0;
      timeoutMs = this.#timeoutFor(spec, wireBytes + othersBytes);
      let armedAt = Date.now();
      let armedFor = timeoutMs;
      const arm = (ms: number): void => {
        clearTimeout(timer);
        armedAt = Date.now();
        armedFor = ms;
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, ms);
      };
      arm(timeoutMs);
      if (spec.followLink) {
        // The batches already on the wire now share the link with this one: they get its time.
        const allowance = this.#link.transferAllowanceMs(wireBytes);
        for (const other of this.#batchesOnWire) other.extend(allowance);
        onWire = {
          bytes: wireBytes,
          ahead: [...this.#batchesOnWire],
          extend: (ms) => {
            const left = Math.max(0, armedFor - (Date.now() - armedAt));
            timeoutMs += ms;
            arm(left + ms);
          },
        };
        this.#batchesOnWire.add(onWire);
        this.#batchesSent += 1;
      } else {
        besideBatches = { busy: this.#batchesOnWire.size > 0, sent: this.#batchesSent };
      }
      const sentAt = this.#now();
      spec.onSending?.();
      const response = await this.#fetch(`${this.#base}${spec.path}`, {
        method: spec.method,
        headers,
        body: payload,
        signal: controller.signal,
      });
      this.#learnSkew(response.headers.get('date'), sentAt);
      const text = await response.text();
      const linkFrom = onWire ? this.#linkFrom(onWire, sentAt) : sentAt;
      const linkMs = this.#now() - linkFrom;
      if (spec.timeoutMs === undefined) {
        this.#link.answered({
          bytes: wireBytes,
          replyBytes: text.length,
          elapsedMs: linkMs,
          ...(linkFrom === sentAt ? {} : { sentElapsedMs: this.#now() - sentAt }),
          ...(spec.probe ? { roundTrip: true } : {}),
          ...(besideBatches?.busy ? { queuedBehindBatch: true } : {}),
        });
      }
      wireBytes += text.length;
      const etag = response.headers.get('etag') ?? undefined;
      if (spec.accept?.includes(response.status)) {
        return { wireBytes, status: response.status, etag, linkMs } as T & Answered;
      }
      if (!response.ok) {
        throw new SyncError('gateway-error', {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          reason: `${response.status} ${text.slice(0, 200)}`,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw new SyncError('bad-reply', { reason: 'reply is not JSON' });
      }
      const parsed = spec.schema.safeParse(json);
      if (!parsed.success) {
        throw new SyncError('bad-reply', { reason: parsed.error.issues[0]?.message });
      }
      return Object.assign(parsed.data as object, {
        wireBytes,
        status: response.status,
        etag,
        linkMs,
      }) as T & Answered;
    } catch (error) {
      if (error instanceof SyncError) throw error;
      if (timedOut) {
        if (spec.timeoutMs === undefined) {
          this.#link.timedOut(timeoutMs, {
            ...(spec.probe ? { roundTrip: true } : {}),
            ...(besideBatch() ? { besideBatch: true } : {}),
          });
        }
        throw new SyncError('gateway-unreachable', {
          reason: `no reply within ${timeoutMs} ms`,
          timedOut: true,
        });
      }
      // No answer and no timeout: the connection failed (reset, refused, closed mid-reply).
      throw new SyncError('gateway-unreachable', {
        reason: (error as Error).message,
        connection: true,
      });
    } finally {
      clearTimeout(timer);
      if (onWire) {
        this.#batchesOnWire.delete(onWire);
        onWire.endedAt = this.#now();
        // What it waited behind is no longer needed (and must not chain old batches together).
        onWire.ahead = [];
      }
    }
  }

  /**
   * When a batch's bytes had the link to themselves: when it was sent, or, if it was sent behind
   * batches that have all been answered since, when the last of their bytes was through (its
   * answer less the least round trip). If one it was sent behind is still on the wire (the two
   * shared the link rather than queued), from when it was sent: the time then overstates its
   * transfer, so the throughput it shows errs low and the next timeout long.
   */
  #linkFrom(batch: BatchOnWire, sentAt: number): number {
    let from = sentAt;
    for (const other of batch.ahead) {
      if (other.endedAt === undefined) return sentAt;
      from = Math.max(from, other.endedAt - (this.#link.minRttMs ?? 0));
    }
    return from;
  }

  #timeoutFor(spec: RequestSpec<unknown>, bytes: number): number {
    if (spec.timeoutMs !== undefined) return spec.timeoutMs;
    // The probe waits at least 5 s (a gateway just restarted is slow to answer), more on a link
    // measured slower.
    if (spec.probe) return this.#link.timeoutFor(0, { unmeasuredMs: 5_000, atLeastMs: 5_000 });
    if (spec.followLink) return this.#link.timeoutFor(bytes);
    return this.#link.timeoutFor(bytes, { atLeastMs: this.#link.initialTimeoutMs });
  }

  #learnSkew(dateHeader: string | null, sentAt: number): void {
    if (!dateHeader) return;
    const serverTime = Date.parse(dateHeader);
    if (!Number.isFinite(serverTime)) return;
    // The Date header has one-second resolution; only correct what the signature window would
    // notice, so a well-set clock is left alone.
    const skew = serverTime - sentAt;
    this.#skewMs = Math.abs(skew) > 30_000 ? skew : 0;
  }
}
