/// <reference lib="webworker" />
import { Queue } from 'workbox-background-sync';
import { signText } from '../../../sync/protocol/device-signature';
import { sha256Hex, toBase64Url } from '../../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../../sync/protocol/request-signature';
import type { SwReply, SwRequest } from './sw-messages';

declare const self: ServiceWorkerGlobalScope;

/**
 * The peer baseline: Workbox background sync's real `Queue` holding one request per transaction
 * (a single-item batch, gzip'd like the engine's), replayed in order one at a time. The only
 * change from Workbox's default replay is that each request is signed as it leaves: the gateway
 * refuses a signature older than five minutes, and a queue outlives that.
 */
let signingKey: CryptoKey | undefined;
let kioskId = '';

/** Set while a step runs: replay stops at this time so no event outlives Chromium's limit. */
let stepDeadline = 0;
let stepProgress: Array<[number, number]> = [];
let delivered = 0;

async function signedRequest(stored: Request): Promise<Request> {
  if (!signingKey) throw new Error('no signing key');
  const url = new URL(stored.url);
  const body = await stored.arrayBuffer();
  const headers = new Headers(stored.headers);
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const timestamp = Date.now();
  const digest = headers.get(signatureHeaders.digest) ?? (await sha256Hex(''));
  const text = requestSigningText({
    method: stored.method,
    path: url.pathname + url.search,
    kioskId,
    timestamp,
    nonce,
    digest,
  });
  headers.set(signatureHeaders.kiosk, kioskId);
  headers.set(signatureHeaders.timestamp, String(timestamp));
  headers.set(signatureHeaders.nonce, nonce);
  headers.set(signatureHeaders.signature, await signText(signingKey, text));
  return new Request(stored.url, { method: stored.method, headers, body, mode: 'cors' });
}

/** Workbox's replay loop: shift, fetch, and on failure put the entry back at the front. */
async function replay({ queue }: { queue: Queue }): Promise<void> {
  let entry;
  while (Date.now() < stepDeadline && (entry = await queue.shiftRequest())) {
    try {
      const response = await fetch(await signedRequest(entry.request));
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`status ${response.status}`);
      delivered += 1;
      stepProgress.push([Date.now(), delivered]);
    } catch (error) {
      await queue.unshiftRequest(entry);
      throw error;
    }
  }
}

// forceSyncFallback: replay runs when the bench asks, not when Chromium's sync scheduler
// decides (its retry back-off is minutes, which would only make the baseline slower).
const queue = new Queue('bench-transactions', { forceSyncFallback: true, onSync: replay });

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

async function handle(message: SwRequest): Promise<SwReply> {
  switch (message.type) {
    case 'setup':
      kioskId = message.kioskId;
      signingKey = await crypto.subtle.importKey(
        'jwk',
        message.privateJwk,
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      );
      delivered = 0;
      return { ok: true };
    case 'enqueue':
      for (const text of message.bodies) {
        const request = new Request(message.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            [signatureHeaders.digest]: await sha256Hex(text),
          },
          body: await gzip(text),
        });
        await queue.pushRequest({ request });
      }
      return { ok: true, queued: await queue.size() };
    case 'replay-step': {
      stepDeadline = Date.now() + message.maxMs;
      stepProgress = [];
      let failed: string | undefined;
      try {
        await replay({ queue });
      } catch (error) {
        failed = (error as Error).message;
      }
      const left = await queue.size();
      return { ok: true, progress: stepProgress, left, ...(failed ? { failed } : {}) };
    }
  }
}

self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  const port = event.ports[0];
  event.waitUntil(
    handle(event.data as SwRequest).then(
      (reply) => port?.postMessage(reply),
      (error: unknown) => port?.postMessage({ ok: false, error: (error as Error).message }),
    ),
  );
});
