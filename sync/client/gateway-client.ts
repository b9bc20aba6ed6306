import { exportPublicKey } from '../protocol/device-signature';
import { canonicalJson } from '../protocol/canonical-json';
import { batchReplySchema, enrolReplySchema, healthReplySchema } from '../protocol/wire';
import type { BatchReply, BatchRequest } from '../protocol/wire';
import type { z } from 'zod';
import { SyncError } from './sync-error';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface GatewayClientOptions {
  baseUrl: string;
  kioskId: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/** HTTP access to the gateway; every reply is parsed with the protocol schema before use. */
export class GatewayClient {
  readonly #base: string;
  readonly #kioskId: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(options: GatewayClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#kioskId = options.kioskId;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** True when the gateway answers its health check; `navigator.onLine` is only a hint. */
  async probe(): Promise<boolean> {
    try {
      await this.#request('GET', '/v1/health', undefined, healthReplySchema, 5_000);
      return true;
    } catch {
      return false;
    }
  }

  async enrol(token: string, publicKey: CryptoKey): Promise<void> {
    const body = canonicalJson({ token, publicKey: await exportPublicKey(publicKey) });
    await this.#request(
      'POST',
      `/v1/kiosks/${encodeURIComponent(this.#kioskId)}/enrol`,
      body,
      enrolReplySchema,
    );
  }

  async postBatch(batch: BatchRequest): Promise<BatchReply & { wireBytes: number }> {
    return this.#request(
      'POST',
      `/v1/kiosks/${encodeURIComponent(this.#kioskId)}/batches`,
      canonicalJson(batch),
      batchReplySchema,
    );
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    schema: z.ZodType<T>,
    timeoutMs = this.#timeoutMs,
  ): Promise<T & { wireBytes: number }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    let wireBytes = 0;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      let payload: ArrayBuffer | undefined;
      if (body !== undefined) {
        payload = await gzip(body);
        wireBytes = payload.byteLength;
        headers['content-type'] = 'application/json';
        headers['content-encoding'] = 'gzip';
      }
      response = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: payload,
        signal: controller.signal,
      });
      const text = await response.text();
      wireBytes += text.length;
      if (!response.ok) {
        throw new SyncError('gateway-error', {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          reason: text.slice(0, 200),
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw new SyncError('bad-reply', { reason: 'reply is not JSON' });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new SyncError('bad-reply', { reason: parsed.error.issues[0]?.message });
      }
      return Object.assign(parsed.data as object, { wireBytes }) as T & { wireBytes: number };
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new SyncError('gateway-unreachable', { reason: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
