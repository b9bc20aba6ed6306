import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../../sync/protocol/sealed-box';
import type { ChainRecord, TransactionRecord } from '../../../sync/protocol/records';
import { AgencyConflictError } from '../../../sync/server/agency/agencies';
import type { StatusChangeInput } from '../../../sync/server/agency/agencies';
import { WEBHOOK_QUEUE } from '../../../sync/server/db/agency-store';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../../sync/server/store';
import { birthCertificate, makeChain } from '../../support/chain-fixture';
import { storeBackends } from './store-backends';

const backends = storeBackends('gateway-store-agencies');
const unique = (prefix: string): string => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

function voidOf(
  kioskId: string,
  seq: number,
  prevHash: string,
  subject: TransactionRecord,
): ChainRecord {
  return {
    v: 1,
    kioskId,
    seq,
    prevHash,
    createdAt: subject.createdAt,
    kind: 'void',
    body: {
      txId: crypto.randomUUID(),
      officerId: '00012345',
      voids: { txId: subject.body.txId, seq: subject.seq },
      reason: 'wrong service chosen',
    },
    hash: 'a'.repeat(64),
    sig: 's'.repeat(86),
  };
}

describe.each(backends)('agencies, feeds and application status on $name', (backend) => {
  let store: GatewayStore;
  let clock = Date.parse('2026-11-23T08:00:00.000Z');
  const publicKey = async () => publicJwkOf(await generateSealingKey());

  beforeAll(async () => {
    store = await openGatewayStore(backend.location, { now: () => new Date(clock) });
  });
  afterAll(async () => {
    await store.close();
    backend.cleanup();
  });

  /** An enrolled kiosk whose transactions are of `services[i % services.length]`. */
  async function kioskWith(n: number, services: string[]) {
    const kioskId = unique('kiosk');
    const chain = await makeChain(kioskId, n, (i) => ({
      ...birthCertificate,
      serviceId: services[i % services.length] ?? '',
    }));
    await store.addEnrolmentToken(kioskId, `hash-${kioskId}`);
    await store.enrol(kioskId, `hash-${kioskId}`, chain.publicKey);
    return { kioskId, ...chain };
  }

  async function agencyOwning(services: string[], webhookUrl: string | null = null) {
    const agencyId = unique('agency');
    const result = await store.agencies.register({
      agencyId,
      name: `Ministry ${agencyId}`,
      services,
      keyHash: 'f'.repeat(64),
      publicKey: await publicKey(),
      webhookUrl,
      webhookSecret: webhookUrl ? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' : null,
    });
    return { agencyId, ...result };
  }

  it("feeds an agency its services' applications in the order they were chained, and no others", async () => {
    const [mine, theirs] = [unique('passport'), unique('permit')];
    const { agencyId } = await agencyOwning([mine]);
    const { kioskId, records } = await kioskWith(5, [mine, theirs]);
    await store.applyBatch(
      kioskId,
      records.map((record) => ({ record })),
    );
    const feed = await store.agencies.readFeed(agencyId, 0, 100);
    expect(feed.map((entry) => [entry.position, entry.kind, entry.ref])).toEqual([
      [1, 'delivered', records[0]?.body.ref],
      [2, 'delivered', records[2]?.body.ref],
      [3, 'delivered', records[4]?.body.ref],
    ]);
    expect(feed[0]?.record).toEqual(records[0]);
    expect(await store.agencies.feedCursor(agencyId)).toEqual({
      ackedThrough: 0,
      head: 3,
      unacked: 3,
      leased: 0,
    });
    // A replayed batch adds nothing.
    await store.applyBatch(
      kioskId,
      records.map((record) => ({ record })),
    );
    expect((await store.agencies.feedCursor(agencyId)).head).toBe(3);
  });

  it('adds applications delivered before the agency existed, leaving out voided ones', async () => {
    const service = unique('licence');
    const { kioskId, records } = await kioskWith(3, [service]);
    const [r1, r2, r3] = records;
    if (!r1 || !r2 || !r3) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1 }, { record: r2 }, { record: r3 }]);
    await store.applyBatch(kioskId, [{ record: voidOf(kioskId, 4, r3.hash, r2) }]);
    const { agencyId, backfilled } = await agencyOwning([service]);
    expect(backfilled).toBe(2);
    const feed = await store.agencies.readFeed(agencyId, 0, 10);
    expect(feed.map((entry) => entry.txId)).toEqual([r1.body.txId, r3.body.txId]);
  });

  it('reports a void of an application it fed, and joins held records when their gap fills', async () => {
    const service = unique('grant');
    const { agencyId } = await agencyOwning([service]);
    const { kioskId, records } = await kioskWith(3, [service]);
    const [r1, r2, r3] = records;
    if (!r1 || !r2 || !r3) throw new Error('fixture');
    await store.applyBatch(kioskId, [{ record: r1 }, { record: r3 }]);
    expect((await store.agencies.readFeed(agencyId, 0, 10)).map((e) => e.txId)).toEqual([
      r1.body.txId,
    ]);
    await store.applyBatch(kioskId, [{ record: r2 }]);
    const voided = voidOf(kioskId, 4, r3.hash, r1);
    await store.applyBatch(kioskId, [{ record: voided }]);
    const feed = await store.agencies.readFeed(agencyId, 0, 10);
    expect(feed.map((e) => [e.kind, e.txId])).toEqual([
      ['delivered', r1.body.txId],
      ['delivered', r2.body.txId],
      ['delivered', r3.body.txId],
      ['voided', r1.body.txId],
    ]);
    expect(feed[3]?.record).toEqual(voided);
    expect(feed[3]?.ref).toBe(r1.body.ref);
  });

  it('leases entries to one consumer at a time, redelivers after the lease and moves the cursor on acks', async () => {
    const service = unique('birth');
    const { agencyId } = await agencyOwning([service]);
    const { kioskId, records } = await kioskWith(6, [service]);
    await store.applyBatch(
      kioskId,
      records.map((record) => ({ record })),
    );
    const a = await store.agencies.claimFeed(agencyId, 'consumer-a', 2, 30_000);
    const b = await store.agencies.claimFeed(agencyId, 'consumer-b', 10, 30_000);
    expect(a.map((e) => e.position)).toEqual([1, 2]);
    expect(b.map((e) => e.position)).toEqual([3, 4, 5, 6]);
    expect(await store.agencies.claimFeed(agencyId, 'consumer-c', 10, 30_000)).toEqual([]);
    expect(await store.agencies.ackFeed(agencyId, 'consumer-b', [3, 4, 5, 6, 99])).toEqual({
      acked: 4,
      unknown: [99],
    });
    // The cursor stays behind the oldest entry not yet acknowledged.
    expect(await store.agencies.feedCursor(agencyId)).toMatchObject({
      ackedThrough: 0,
      head: 6,
      unacked: 2,
      leased: 2,
    });
    clock += 30_001;
    const again = await store.agencies.claimFeed(agencyId, 'consumer-b', 10, 30_000);
    expect(again.map((e) => [e.position, e.deliveries])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(await store.agencies.ackFeed(agencyId, 'consumer-b', [1, 2, 3])).toEqual({
      acked: 2,
      unknown: [],
    });
    expect(await store.agencies.feedCursor(agencyId)).toEqual({
      ackedThrough: 6,
      head: 6,
      unacked: 0,
      leased: 0,
    });
    expect((await store.agencies.readFeed(agencyId, 4, 10)).map((e) => e.position)).toEqual([5, 6]);
  });

  it('gives concurrent consumers on two stores disjoint entries', async () => {
    const other = await openGatewayStore(backend.location, { now: () => new Date(clock) });
    try {
      const service = unique('vehicle');
      const { agencyId } = await agencyOwning([service]);
      const { kioskId, records } = await kioskWith(30, [service]);
      await store.applyBatch(
        kioskId,
        records.map((record) => ({ record })),
      );
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, n) =>
          (n % 2 ? store : other).agencies.claimFeed(agencyId, `c${n}`, 6, 60_000),
        ),
      );
      const positions = claims.flat().map((e) => e.position);
      expect(positions.length).toBe(30);
      expect(new Set(positions).size).toBe(30);
    } finally {
      await other.close();
    }
  });

  it('enqueues a webhook job with each entry of an agency that has a webhook', async () => {
    const service = unique('hook');
    const { agencyId } = await agencyOwning([service], 'https://agency.example/hooks');
    const { kioskId, records } = await kioskWith(2, [service]);
    await store.applyBatch(
      kioskId,
      records.map((record) => ({ record })),
    );
    const jobs = (await store.jobs.list(WEBHOOK_QUEUE, { limit: 500 })).filter((job) =>
      job.key?.startsWith(`${agencyId}:`),
    );
    expect(jobs.map((job) => job.key).sort()).toEqual([`${agencyId}:1`, `${agencyId}:2`]);
  });

  it('refuses a second owner for a service and a second agency with one id', async () => {
    const service = unique('owned');
    const { agencyId } = await agencyOwning([service]);
    await expect(agencyOwning([service])).rejects.toThrow(AgencyConflictError);
    await expect(
      store.agencies.register({
        agencyId,
        name: 'again',
        services: [],
        keyHash: '0'.repeat(64),
        publicKey: await publicKey(),
      }),
    ).rejects.toThrow(/already registered/);
    const moved = unique('moved');
    await store.agencies.update(agencyId, { services: [service, moved], webhookUrl: null });
    expect((await store.agencies.get(agencyId))?.services).toEqual([service, moved].sort());
    await store.agencies.update(agencyId, { services: [moved], disabled: true });
    const after = await store.agencies.get(agencyId);
    expect(after?.services).toEqual([moved]);
    expect(after?.disabledAt).not.toBeNull();
    expect((await store.agencies.list()).find((a) => a.agencyId === agencyId)).not.toHaveProperty(
      'keyHash',
    );
  });

  describe('status changes', () => {
    async function delivered() {
      const service = unique('case');
      const { agencyId } = await agencyOwning([service]);
      const { kioskId, records } = await kioskWith(1, [service]);
      await store.applyBatch(kioskId, [{ record: records[0] ?? ({} as never) }]);
      const ref = records[0]?.body.ref ?? '';
      let n = 0;
      const change = (
        state: StatusChangeInput['state'],
        extra: Partial<StatusChangeInput> = {},
      ): StatusChangeInput => {
        n += 1;
        return {
          agencyId,
          ref,
          eventId: `evt-${ref}-${n}`,
          state,
          detail: {},
          occurredAt: new Date(clock + n * 60_000).toISOString(),
          digest: `digest-${n}`,
          ...extra,
        };
      };
      return { agencyId, ref, kioskId, record: records[0], change };
    }

    it('records a legal path with every step kept in order, and answers the current state', async () => {
      const { agencyId, ref, change } = await delivered();
      const steps = [
        change('in-review'),
        change('more-information-needed', {
          detail: { needed: 'A copy of your birth certificate' },
        }),
        change('in-review'),
        change('approved', {
          detail: { nextStep: { en: 'Wait for the SMS', es: 'Espere el SMS' } },
        }),
        change('ready-for-collection', { detail: { collectAt: 'Immigration office, Belmopan' } }),
        change('collected'),
      ];
      for (const step of steps) {
        expect((await store.agencies.postStatus(step)).result).toBe('recorded');
      }
      const seen = await store.agencies.statusForAgency(agencyId, ref);
      expect(seen?.history.map((e) => [e.version, e.from, e.state])).toEqual([
        [1, 'received', 'in-review'],
        [2, 'in-review', 'more-information-needed'],
        [3, 'more-information-needed', 'in-review'],
        [4, 'in-review', 'approved'],
        [5, 'approved', 'ready-for-collection'],
        [6, 'ready-for-collection', 'collected'],
      ]);
      expect(seen?.history[1]?.detail).toEqual({ needed: 'A copy of your birth certificate' });
      const [now] = await store.agencies.statusByRefs([ref, 'NONE-NONE-0']);
      expect(now).toMatchObject({
        ref,
        state: 'collected',
        version: 6,
        since: steps[5]?.occurredAt,
      });
      const rows = await store.agencies.decisionRows('2000-01-01');
      expect(rows.find((row) => row.kioskId === seen?.status.kioskId)?.decidedAt).toBe(
        steps[3]?.occurredAt,
      );
    });

    it('answers the same event twice as a duplicate and refuses its id for another change', async () => {
      const { ref, change } = await delivered();
      const first = change('in-review');
      expect((await store.agencies.postStatus(first)).result).toBe('recorded');
      const again = await store.agencies.postStatus(first);
      expect(again).toMatchObject({
        result: 'duplicate',
        status: { state: 'in-review', version: 1 },
      });
      const reused = await store.agencies.postStatus({
        ...first,
        state: 'approved',
        digest: 'other',
      });
      expect(reused).toMatchObject({ result: 'event-id-reused' });
      expect((await store.agencies.statusByRefs([ref]))[0]).toMatchObject({
        state: 'in-review',
        version: 1,
      });
    });

    it('refuses an illegal move, a missing reason, a stale expected state and an earlier time, changing nothing', async () => {
      const { ref, change } = await delivered();
      expect(await store.agencies.postStatus(change('collected'))).toMatchObject({
        result: 'illegal-transition',
        message:
          'an application that is received can become in-review, more-information-needed, approved, refused, not collected',
      });
      expect(await store.agencies.postStatus(change('refused'))).toMatchObject({
        result: 'detail-required',
        message: 'refused needs "reason"',
      });
      const refused = change('refused', { detail: { reason: 'Income above the limit' } });
      expect((await store.agencies.postStatus(refused)).result).toBe('recorded');
      expect(await store.agencies.postStatus(change('approved'))).toMatchObject({
        result: 'illegal-transition',
        message: 'the application is refused, which is final: no change is allowed',
      });
      expect(
        await store.agencies.postStatus(change('approved', { expectedState: 'in-review' })),
      ).toMatchObject({ result: 'state-mismatch' });
      expect(
        await store.agencies.postStatus(
          change('approved', { occurredAt: '2000-01-01T00:00:00.000Z' }),
        ),
      ).toMatchObject({ result: 'out-of-order' });
      expect((await store.agencies.statusByRefs([ref]))[0]).toMatchObject({
        state: 'refused',
        version: 1,
        detail: { reason: 'Income above the limit' },
      });
    });

    it("never lets an agency see or change another agency's application", async () => {
      const { ref, change } = await delivered();
      const other = await agencyOwning([unique('elsewhere')]);
      expect(
        await store.agencies.postStatus({ ...change('in-review'), agencyId: other.agencyId }),
      ).toMatchObject({ result: 'unknown-reference' });
      expect(await store.agencies.statusForAgency(other.agencyId, ref)).toBeUndefined();
      expect((await store.agencies.statusByRefs([ref]))[0]).toMatchObject({
        state: 'received',
        version: 0,
      });
    });

    // Two processes; one process's two SQLite connections would only wait on each other.
    it.skipIf(backend.name === 'SQLite')(
      'applies one of two changes posted at once through two stores, and refuses the other',
      async () => {
        const other = await openGatewayStore(backend.location, { now: () => new Date(clock) });
        try {
          const { ref, change } = await delivered();
          const occurredAt = new Date(clock + 3600_000).toISOString();
          const results = await Promise.all([
            store.agencies.postStatus(change('in-review', { occurredAt })),
            other.agencies.postStatus(change('in-review', { occurredAt })),
          ]);
          expect(results.map((r) => r.result).sort()).toEqual(['illegal-transition', 'recorded']);
          const seen = await other.agencies.statusByRefs([ref]);
          expect(seen[0]).toMatchObject({ state: 'in-review', version: 1 });
        } finally {
          await other.close();
        }
      },
    );
  });

  it('logs calls, newest first, per agency', async () => {
    const agencyId = unique('calls');
    for (const [path, status] of [
      ['/agency/v1/feed/claims', 200],
      ['/agency/v1/feed/acks', 200],
    ] as const) {
      await store.agencies.logCall({
        agencyId,
        at: new Date(clock).toISOString(),
        method: 'POST',
        path,
        status,
        outcome: 'ok',
      });
    }
    expect((await store.agencies.listCalls({ agencyId })).map((call) => call.path)).toEqual([
      '/agency/v1/feed/acks',
      '/agency/v1/feed/claims',
    ]);
  });
});
