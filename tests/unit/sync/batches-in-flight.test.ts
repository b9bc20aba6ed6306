import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayClient } from '../../../sync/client/gateway-client';
import type { FetchLike } from '../../../sync/client/gateway-client';
import { LinkPolicy } from '../../../sync/client/link-policy';
import type { Exchange } from '../../../sync/client/link-policy';
import { SyncError } from '../../../sync/client/sync-error';

/** A fetch whose replies the test releases one by one; an aborted request rejects at once. */
function heldFetch(): {
  fetch: FetchLike;
  sent: Array<{ bytes: number; answer: () => void; aborted: Promise<void> }>;
} {
  const sent: Array<{ bytes: number; answer: () => void; aborted: Promise<void> }> = [];
  const fetch: FetchLike = (_url, init) =>
    new Promise<Response>((resolve, reject) => {
      let aborted = (): void => undefined;
      const abortedPromise = new Promise<void>((done) => (aborted = done));
      init?.signal?.addEventListener('abort', () => {
        aborted();
        reject(new DOMException('aborted', 'AbortError'));
      });
      sent.push({
        bytes: (init?.body as ArrayBuffer | undefined)?.byteLength ?? 0,
        answer: () =>
          resolve(
            new Response(JSON.stringify({ results: [], head: { seq: 0, hash: '' } }), {
              status: 200,
            }),
          ),
        aborted: abortedPromise,
      });
    });
  return { fetch, sent };
}

async function signingKey(): Promise<CryptoKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  return pair.privateKey;
}

/** A link measured at 100 ms round trip and 100,000 B/s. */
function measuredLink(initialTimeoutMs: number): LinkPolicy {
  const link = new LinkPolicy({
    requestTimeoutMs: initialTimeoutMs,
    timeoutBounds: { min: 1, max: 3_600_000 },
  });
  link.answered({ bytes: 0, elapsedMs: 100, roundTrip: true });
  link.answered({ bytes: 10_000, elapsedMs: 200 });
  return link;
}

/** A client on a held fetch and `link`, on the real clock unless `now` is given. */
async function heldClient(
  link: LinkPolicy,
  now?: () => number,
): Promise<{ client: GatewayClient; sent: ReturnType<typeof heldFetch>['sent'] }> {
  const { fetch, sent } = heldFetch();
  const client = new GatewayClient({
    baseUrl: 'http://gateway.invalid',
    kioskId: 'k1',
    signingKey: await signingKey(),
    fetch,
    link,
    ...(now ? { now } : {}),
  });
  return { client, sent };
}

/** A client on a held fetch and a measured link, whose clock the test sets with `at(ms)`. */
async function clockedClient(): Promise<{
  client: GatewayClient;
  sent: ReturnType<typeof heldFetch>['sent'];
  at: (ms: number) => void;
  link: LinkPolicy;
}> {
  let clock = 0;
  const link = measuredLink(60_000);
  const { client, sent } = await heldClient(link, () => clock);
  return { client, sent, at: (ms) => (clock = ms), link };
}

const batch = (n: number) => ({
  batchId: `00000000-0000-4000-8000-00000000000${n}`,
  items: [],
});

describe('batches on the wire at once', () => {
  it('gives a batch more time when another starts to share the link, and the later one waits for both', async () => {
    const link = measuredLink(20_000);
    expect(link.bytesPerSecond).toBe(100_000);
    const { client, sent } = await heldClient(link);
    const first = client.postBatch(batch(1));
    first.catch(() => undefined);
    await expect.poll(() => sent.length).toBe(1);
    const second = client.postBatch(batch(2));
    second.catch(() => undefined);
    await expect.poll(() => sent.length).toBe(2);
    const [a, b] = sent.map((s) => s.bytes) as [number, number];
    // The first was given its own bytes' time, then the second's on top when it started; the
    // second was given the time for its own bytes and those of the first, still on the wire.
    const firstTimeout = link.timeoutFor(a) + link.transferAllowanceMs(b);
    const secondTimeout = link.timeoutFor(a + b);
    expect(link.transferAllowanceMs(b)).toBeGreaterThan(0);
    const reason = (error: unknown) => (error as SyncError).details.reason;
    await expect(first.catch(reason)).resolves.toBe(`no reply within ${firstTimeout} ms`);
    await expect(second.catch(reason)).resolves.toBe(`no reply within ${secondTimeout} ms`);
  }, 10_000);

  it('times a batch that waited behind another from when that one was through, not from when it was sent', async () => {
    const { client, sent, at, link } = await clockedClient();
    const answered: Exchange[] = [];
    const learn = link.answered.bind(link);
    link.answered = (exchange) => {
      answered.push(exchange);
      learn(exchange);
    };
    const first = client.postBatch(batch(1));
    await expect.poll(() => sent.length).toBe(1);
    const second = client.postBatch(batch(2));
    await expect.poll(() => sent.length).toBe(2);
    at(1_000);
    sent[0]?.answer();
    expect((await first).linkMs).toBe(1_000);
    at(1_500);
    sent[1]?.answer();
    // Its bytes followed the first's: from 1,000 − the 100 ms round trip to 1,500.
    expect((await second).linkMs).toBe(600);
    // The link policy is also told the time from its own send, which its timeouts follow.
    expect(answered.at(-1)).toMatchObject({ elapsedMs: 600, sentElapsedMs: 1_500 });
    expect(answered[0]).not.toHaveProperty('sentElapsedMs');
    // Alone on the wire, a batch is timed from when it was sent.
    const third = client.postBatch(batch(3));
    await expect.poll(() => sent.length).toBe(3);
    at(2_300);
    sent[2]?.answer();
    expect((await third).linkMs).toBe(800);
  });

  it('times from when it was sent a batch answered before the one it was sent behind', async () => {
    const { client, sent, at } = await clockedClient();
    const first = client.postBatch(batch(1));
    await expect.poll(() => sent.length).toBe(1);
    const second = client.postBatch(batch(2));
    await expect.poll(() => sent.length).toBe(2);
    // The two shared the link: the second's answer came first.
    at(1_000);
    sent[1]?.answer();
    expect((await second).linkMs).toBe(1_000);
    at(1_500);
    sent[0]?.answer();
    // Not from the second's answer (that would make its 1.5 s look like 0.6 s, a link too fast).
    expect((await first).linkMs).toBe(1_500);
  });

  describe('a health probe beside batches', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('takes its time as the least round trip when it leaves before the batch, not when a batch is already on the wire', async () => {
      let clock = 0;
      const link = new LinkPolicy();
      const { client, sent } = await heldClient(link, () => clock);
      // A restarted kiosk: the probe leaves first, the first batch just after; the probe's
      // bytes are ahead of the batch's, so its time is the round trip (with the handshake).
      const first = client.probe();
      await expect.poll(() => sent.length).toBe(1);
      const firstBatch = client.postBatch(batch(1));
      await expect.poll(() => sent.length).toBe(2);
      clock = 1_600;
      sent[0]?.answer();
      await first;
      expect(link.minRttMs).toBe(1_600);
      clock = 4_000;
      sent[1]?.answer();
      await firstBatch;
      // A request sent while a batch is on the wire queued behind the batch's bytes: however
      // short it looks, it is no sample of the least round trip.
      const onWire = client.postBatch(batch(2));
      await expect.poll(() => sent.length).toBe(3);
      const behind = client.probe();
      await expect.poll(() => sent.length).toBe(4);
      clock = 4_500;
      sent[3]?.answer();
      await behind;
      expect(link.minRttMs).toBe(1_600);
      sent[2]?.answer();
      await onWire;
    });

    it("does not raise the batches' timeout floor when it times out while a batch is answered", async () => {
      const link = measuredLink(20_000);
      const { client, sent } = await heldClient(link);
      // Only the requests' timers are the test's; signing and gzip run as they do.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const quiet = link.timeoutFor(10_000);
      /** Sends a batch and answers it. */
      const answeredBatch = async (n: number): Promise<void> => {
        const count = sent.length;
        const reply = client.postBatch(batch(n));
        await expect.poll(() => sent.length).toBe(count + 1);
        sent.at(-1)?.answer();
        await reply;
      };
      // A probe alone that times out makes the next requests wait longer: the link may be slow.
      const alone = client.probe();
      await expect.poll(() => sent.length).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await alone).toBe(false);
      expect(link.timeouts).toBe(1);
      expect(link.timeoutFor(10_000)).toBeGreaterThan(quiet);
      // Answers bring it back down.
      for (let n = 1; link.timeoutFor(10_000) !== quiet; n += 1) await answeredBatch(n);

      // The probe of a restarted kiosk goes beside its first batch; the batch is answered, the
      // probe (queued behind the batch's bytes, or the gateway slow to say it is healthy) is not.
      const count = sent.length;
      const probe = client.probe();
      await expect.poll(() => sent.length).toBe(count + 1);
      await answeredBatch(99);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await probe).toBe(false);
      expect(link.timeouts).toBe(2);
      // The batches' timeout still follows the link.
      expect(link.timeoutFor(10_000)).toBe(quiet);
    });
  });

  it('tells a failed connection from a timeout', async () => {
    const failing: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    const client = new GatewayClient({
      baseUrl: 'http://gateway.invalid',
      kioskId: 'k1',
      signingKey: await signingKey(),
      fetch: failing,
    });
    const error = await client.postBatch(batch(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).details).toMatchObject({ connection: true });
    expect((error as SyncError).details.timedOut).toBeUndefined();
  });
});
