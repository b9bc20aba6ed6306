import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { JobError, JobRunner, retryDelayMs } from '../../../sync/server/jobs/job-runner';
import type { GatewayStore } from '../../../sync/server/store';
import { storeBackends } from './store-backends';

const backends = storeBackends('gateway-store-jobs');

describe.each(backends)('the durable job queue on $name', (backend) => {
  let store: GatewayStore;
  /** A queue name of this test's own (a PostgreSQL database outlives test runs). */
  const queue = (): string => `q-${crypto.randomUUID().slice(0, 8)}`;
  let clock = Date.parse('2026-11-23T08:00:00.000Z');
  let timed: GatewayStore;

  beforeAll(async () => {
    store = await openGatewayStore(backend.location);
    // The same database through a store whose clock the tests move (leases, retry times).
    timed = await openGatewayStore(backend.location, { now: () => new Date(clock) });
  });
  afterAll(async () => {
    await store.close();
    await timed.close();
    backend.cleanup();
  });

  it('adds a keyed job once, however often it is enqueued', async () => {
    const q = queue();
    const [first] = await store.jobs.enqueue([{ queue: q, key: 'alert-1', payload: { n: 1 } }]);
    const [again] = await store.jobs.enqueue([{ queue: q, key: 'alert-1', payload: { n: 2 } }]);
    const [other] = await store.jobs.enqueue([{ queue: q, key: 'alert-2', payload: { n: 3 } }]);
    const [unkeyed1, unkeyed2] = await store.jobs.enqueue([
      { queue: q, payload: null },
      { queue: q, payload: null },
    ]);
    expect(first?.created).toBe(true);
    expect(again).toEqual({ id: first?.id, created: false });
    expect(other?.created).toBe(true);
    expect(unkeyed1?.created && unkeyed2?.created).toBe(true);
    expect(unkeyed1?.id).not.toBe(unkeyed2?.id);
    const claimed = await store.jobs.claim(q, 'w1', 10, 60_000);
    expect(claimed.map((job) => job.payload)).toEqual([{ n: 1 }, { n: 3 }, null, null]);
    // Another queue with the same key is another job.
    expect(
      (await store.jobs.enqueue([{ queue: queue(), key: 'alert-1', payload: 1 }]))[0]?.created,
    ).toBe(true);
  });

  it('leases a job to one worker until the lease runs out, then to the next', async () => {
    const q = queue();
    const [job] = await timed.jobs.enqueue([{ queue: q, payload: { to: 'agency' } }]);
    const first = await timed.jobs.claim(q, 'worker-a', 5, 30_000);
    expect(first).toMatchObject([{ id: job?.id, attempt: 1, payload: { to: 'agency' } }]);
    expect(await timed.jobs.claim(q, 'worker-b', 5, 30_000)).toEqual([]);
    clock += 30_001;
    const second = await timed.jobs.claim(q, 'worker-b', 5, 30_000);
    expect(second).toMatchObject([{ id: job?.id, attempt: 2 }]);
    // worker-a lost its lease: its late answer changes nothing.
    expect(await timed.jobs.complete(job?.id ?? 0, 'worker-a')).toBe(false);
    expect(await timed.jobs.fail(job?.id ?? 0, 'worker-a', 'late', null)).toBeUndefined();
    expect(await timed.jobs.complete(job?.id ?? 0, 'worker-b')).toBe(true);
    expect(await timed.jobs.get(job?.id ?? 0)).toMatchObject({ state: 'done', attempts: 2 });
    clock += 3600_000;
    expect(await timed.jobs.claim(q, 'worker-c', 5, 30_000)).toEqual([]);
  });

  it('runs a failed job again at its retry time and gives it up after its last attempt', async () => {
    const q = queue();
    const [job] = await timed.jobs.enqueue([{ queue: q, payload: 1, maxAttempts: 2 }]);
    const id = job?.id ?? 0;
    await timed.jobs.claim(q, 'w', 1, 60_000);
    expect(await timed.jobs.fail(id, 'w', '503 from the endpoint', new Date(clock + 10_000))).toBe(
      'queued',
    );
    expect(await timed.jobs.claim(q, 'w', 1, 60_000)).toEqual([]);
    clock += 10_000;
    expect((await timed.jobs.claim(q, 'w', 1, 60_000)).map((j) => j.attempt)).toEqual([2]);
    expect(await timed.jobs.fail(id, 'w', 'still 503', new Date(clock + 10_000))).toBe('dead');
    expect(await timed.jobs.get(id)).toMatchObject({
      state: 'dead',
      attempts: 2,
      lastError: 'still 503',
    });
    clock += 3600_000;
    expect(await timed.jobs.claim(q, 'w', 1, 60_000)).toEqual([]);
    expect((await timed.jobs.list(q, { state: 'dead' })).map((j) => j.id)).toEqual([id]);
  });

  it('hands out due jobs oldest first, and none before their time', async () => {
    const q = queue();
    const later = new Date(clock + 60_000);
    await timed.jobs.enqueue([
      { queue: q, payload: 'later', runAt: later },
      { queue: q, payload: 'first' },
      { queue: q, payload: 'second' },
    ]);
    const due = await timed.jobs.claim(q, 'w', 10, 1_000);
    expect(due.map((j) => j.payload)).toEqual(['first', 'second']);
    for (const job of due) await timed.jobs.complete(job.id, 'w');
    clock += 60_000;
    expect((await timed.jobs.claim(q, 'w', 10, 1_000)).map((j) => j.payload)).toEqual(['later']);
  });

  it('gives concurrent claims from two stores on one database disjoint jobs', async () => {
    const other = await openGatewayStore(backend.location);
    try {
      const q = queue();
      await store.jobs.enqueue(Array.from({ length: 40 }, (_, n) => ({ queue: q, payload: n })));
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          (n % 2 === 0 ? store : other).jobs.claim(q, `w${n}`, 7, 60_000),
        ),
      );
      const ids = claims.flat().map((job) => job.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
      const counts = (await store.jobs.counts()).filter((row) => row.queue === q);
      expect(counts).toEqual([{ queue: q, state: 'active', count: 40 }]);
    } finally {
      await other.close();
    }
  });

  it('forgets finished jobs older than the retention time, and keeps the rest', async () => {
    const q = queue();
    const [done, waiting] = await timed.jobs.enqueue([
      { queue: q, key: 'k', payload: 1 },
      { queue: q, payload: 2, runAt: new Date(clock + 3600_000) },
    ]);
    await timed.jobs.claim(q, 'w', 1, 1_000);
    await timed.jobs.complete(done?.id ?? 0, 'w');
    clock += 1000;
    await timed.jobs.purgeFinished(new Date(clock - 2000));
    expect(await timed.jobs.get(done?.id ?? 0)).toMatchObject({ state: 'done' });
    expect(await timed.jobs.purgeFinished(new Date(clock))).toBeGreaterThanOrEqual(1);
    expect(await timed.jobs.get(done?.id ?? 0)).toBeUndefined();
    expect(await timed.jobs.get(waiting?.id ?? 0)).toMatchObject({ state: 'queued' });
  });

  it('runs each job once across two runners, retries a failure with back-off and gives up a permanent one', async () => {
    const q = queue();
    const other = await openGatewayStore(backend.location);
    const ran: Array<{ payload: unknown; attempt: number }> = [];
    const handler = async (job: { payload: unknown; attempt: number }) => {
      ran.push({ payload: job.payload, attempt: job.attempt });
      if (job.payload === 'flaky' && job.attempt === 1) throw new Error('503');
      if (job.payload === 'gone') throw new JobError('410 Gone', { permanent: true });
    };
    const runners = [store, other].map((s) =>
      new JobRunner({ jobs: s.jobs, pollMs: 20 }).handle(q, handler, {
        concurrency: 3,
        retry: { baseMs: 20, capMs: 40 },
      }),
    );
    try {
      const [, flaky, gone] = await store.jobs.enqueue(
        [
          ...Array.from({ length: 30 }, (_, n) => ({ queue: q, payload: n })),
          { queue: q, payload: 'flaky' },
          { queue: q, payload: 'gone' },
        ].slice(29),
      );
      for (const runner of runners) runner.start();
      const deadline = Date.now() + 15_000;
      for (;;) {
        const counts = (await store.jobs.counts()).filter((row) => row.queue === q);
        const settled = counts.filter((row) => row.state === 'done' || row.state === 'dead');
        if (settled.reduce((sum, row) => sum + row.count, 0) === 3) break;
        if (Date.now() > deadline)
          throw new Error(`jobs did not settle: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await store.jobs.get(flaky?.id ?? 0)).toMatchObject({ state: 'done', attempts: 2 });
      expect(await store.jobs.get(gone?.id ?? 0)).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: '410 Gone',
      });
      expect(ran.filter((r) => r.payload === 29)).toEqual([{ payload: 29, attempt: 1 }]);
      expect(ran.filter((r) => r.payload === 'flaky').map((r) => r.attempt)).toEqual([1, 2]);
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
      await other.close();
    }
  });
});

describe('job retry back-off', () => {
  it('doubles from the base per attempt up to the cap, never below half of it', () => {
    const retry = { baseMs: 1000, capMs: 8000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, retry, () => 0))).toEqual([
      500, 1000, 2000, 4000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, retry, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });
});
