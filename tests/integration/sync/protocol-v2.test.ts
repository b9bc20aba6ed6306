import 'fake-indexeddb/auto';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitTransaction } from '../../../sync/client/commit';
import type { TransactionInput } from '../../../sync/client/commit';
import { SyncEngine } from '../../../sync/client/engine';
import type { FetchLike } from '../../../sync/client/gateway-client';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { decryptLocal, encryptLocal } from '../../../sync/client/data-key';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import { sha256Hex, toBase64Url } from '../../../sync/protocol/encoding';
import { requestSigningText, signatureHeaders } from '../../../sync/protocol/request-signature';
import { exportPublicKey, signText } from '../../../sync/protocol/device-signature';
import { personalDigest, personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import { checkSegmentProof } from '../../../sync/protocol/record-check';
import type { GatewayRecord } from '../../../sync/protocol/records';
import { openPersonalBatch, sealPersonalBatch } from '../../../sync/protocol/personal-seal';
import { openSealed } from '../../../sync/protocol/sealed-box';
import { personalAad } from '../../../sync/protocol/wire-v2';
import type { BatchRequestV2, Segment, WireRecord } from '../../../sync/protocol/wire-v2';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import {
  birthCertificate,
  livestockPermit,
  openTestKiosk,
  queuedBatchV2,
} from '../../support/chain-fixture';
import type { TestKiosk } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

const HOUR = 3600_000;

/** Every request path a kiosk made, through real fetch, with a hook to bend replies. */
function recordingFetch(edit?: (path: string, reply: Response) => Promise<Response | void>): {
  fetch: FetchLike;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      calls.push(`${init?.method ?? 'GET'} ${path}`);
      const reply = await fetch(url, init);
      return (await edit?.(path, reply)) ?? reply;
    },
  };
}

/** The uncompressed text of a request body the gateway client gzip'd. */
async function gunzipBody(body: unknown): Promise<string> {
  const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : (body as Uint8Array);
  return gunzipSync(bytes).toString('utf8');
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** A wire record's personal-fields declaration. */
function personalOf(record: WireRecord): { fieldIds: string[]; digest?: string } {
  return record.body.personal as { fieldIds: string[]; digest?: string };
}

/** Puts each personal-fields digest back on the wire, as v2 kiosks before derivation sent it. */
function withDigests(batch: BatchRequestV2, records: readonly GatewayRecord[]): void {
  const bySeq = new Map(records.map((record) => [record.seq, record]));
  for (const segment of batch.segments) {
    for (const [i, wire] of segment.records.entries()) {
      const record = bySeq.get(segment.seq + i);
      if (record?.kind !== 'transaction' || !record.body.personal) continue;
      wire.body.personal = {
        ...personalOf(wire),
        digest: toBase64Url(fromHex(record.body.personal.digest)),
      };
    }
  }
}

async function commitMany(kiosk: TestKiosk, count: number): Promise<string[]> {
  const deps = {
    store: kiosk.store,
    kioskId: kiosk.kioskId,
    keys: kiosk.keys,
    dataKey: kiosk.dataKey,
  };
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const input: TransactionInput = i % 3 === 2 ? livestockPermit : birthCertificate;
    ids.push((await commitTransaction(deps, input)).txId);
  }
  return ids;
}

describe('sync protocol v2 beside v1', () => {
  let gateway: InProcessGateway;
  const kiosks: TestKiosk[] = [];
  const engines: SyncEngine[] = [];
  const tokens = [
    { kioskId: 'v1-kiosk-01', token: 'token-v1-kiosk-01' },
    { kioskId: 'v2-kiosk-01', token: 'token-v2-kiosk-01' },
  ];

  const engineFor = (
    kiosk: TestKiosk,
    options: { maxProtocol?: 1 | 2; fetch?: FetchLike; batchBytes?: number } = {},
  ): SyncEngine => {
    const engine = new SyncEngine({
      store: kiosk.store,
      kioskId: kiosk.kioskId,
      keys: kiosk.keys,
      dataKey: kiosk.dataKey,
      gatewayUrl: gateway.url,
      enrolmentToken: tokens.find((t) => t.kioskId === kiosk.kioskId)?.token ?? '',
      periodicMs: HOUR,
      backoffBaseMs: HOUR,
      random: () => 0.5,
      ...(options.maxProtocol ? { maxProtocol: options.maxProtocol } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.batchBytes
        ? {
            batchBytes: {
              initial: options.batchBytes,
              min: options.batchBytes,
              max: options.batchBytes,
            },
          }
        : {}),
    });
    engines.push(engine);
    return engine;
  };

  beforeEach(async () => {
    gateway = await startInProcessGateway(tokens);
    for (const { kioskId } of tokens) kiosks.push(await openTestKiosk(kioskId));
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) engine.stop();
    for (const kiosk of kiosks.splice(0)) await kiosk.close();
    await gateway.close();
  });

  it('delivers every transaction exactly once when a v1 kiosk and a v2 kiosk drain into the same gateway, replays included', async () => {
    const [v1Kiosk, v2Kiosk] = kiosks as [TestKiosk, TestKiosk];
    const v1Ids = await commitMany(v1Kiosk, 9);
    const v2Ids = await commitMany(v2Kiosk, 9);
    const v1Link = recordingFetch();
    const v2Link = recordingFetch();
    // Small batches, so each kiosk sends several and the v2 kiosk several signed segments.
    const v1Engine = engineFor(v1Kiosk, { maxProtocol: 1, fetch: v1Link.fetch, batchBytes: 2_500 });
    const v2Engine = engineFor(v2Kiosk, { fetch: v2Link.fetch, batchBytes: 2_500 });
    await Promise.all([v1Engine.trigger(), v2Engine.trigger()]);

    const batchCalls = (calls: string[]) => calls.filter((c) => c.endsWith('/batches'));
    expect(batchCalls(v1Link.calls).length).toBeGreaterThan(1);
    expect(
      batchCalls(v1Link.calls).every((c) => c.startsWith('POST /v1/kiosks/v1-kiosk-01/')),
    ).toBe(true);
    expect(batchCalls(v2Link.calls).length).toBeGreaterThan(1);
    expect(
      batchCalls(v2Link.calls).every((c) => c.startsWith('POST /v2/kiosks/v2-kiosk-01/')),
    ).toBe(true);

    // Replays: both kiosks send everything again (a lost reply, say), in their own protocol.
    for (const kiosk of kiosks) await kiosk.db.outbox.toCollection().modify({ state: 'queued' });
    await Promise.all([v1Engine.trigger(), v2Engine.trigger()]);

    for (const [kiosk, ids] of [
      [v1Kiosk, v1Ids],
      [v2Kiosk, v2Ids],
    ] as const) {
      const rows = await kiosk.db.outbox.orderBy('seq').toArray();
      expect(rows.map((row) => row.state)).toEqual(ids.map(() => 'delivered'));
      const records = await gateway.store.listRecords(kiosk.kioskId);
      expect(records.map((record) => record.body.txId).sort()).toEqual([...ids].sort());
      expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 9, awaiting: 0 });
      expect(await gateway.store.listTamperAlerts(kiosk.kioskId)).toEqual([]);
      // Whatever carried them, the stored records are the kiosk's records, hash for hash.
      expect(records.map((record) => record.hash)).toEqual(rows.map((row) => row.record.hash));
    }
  });

  it('stores v2 records as v1 would, signed at each segment end, each provable by the chain to a signed record', async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    await commitMany(kiosk, 7);
    await engineFor(kiosk, { batchBytes: 2_500 }).trigger();
    const records = await gateway.store.listRecords(kiosk.kioskId);
    const rows = await kiosk.db.outbox.orderBy('seq').toArray();
    const signed = records.filter((record) => record.sig !== undefined);
    // Fewer signatures than records (one per segment), and the last record is always signed.
    expect(signed.length).toBeGreaterThan(0);
    expect(signed.length).toBeLessThan(records.length);
    expect(records[records.length - 1]?.sig).toBeDefined();
    // Apart from the signatures left off, byte for byte the kiosk's records.
    for (const [i, record] of records.entries()) {
      const { sig, ...rest } = rows[i]!.record;
      expect(record).toEqual(record.sig ? { ...rest, sig } : rest);
    }
    // Each record is proven by the chain from it to the next signed record.
    const publicKey = await exportPublicKey(kiosk.keys.publicKey);
    for (const [i, record] of records.entries()) {
      const end = records.findIndex((r, j) => j >= i && r.sig !== undefined);
      const proof = records.slice(i, end + 1);
      expect(await checkSegmentProof(proof, publicKey)).toEqual({ ok: true });
      // An edit anywhere in the proof is caught.
      const edited: GatewayRecord[] = proof.map((r, j) =>
        j === 0 && r.kind === 'transaction'
          ? {
              ...r,
              body: { ...r.body, fee: { ...r.body.fee, amountMinor: r.body.fee.amountMinor + 1 } },
            }
          : r,
      );
      if (record.kind === 'transaction') {
        expect((await checkSegmentProof(edited, publicKey)).ok).toBe(false);
      }
    }
    // Personal fields are stored sealed to the gateway, one box per record, matching the digest.
    const sealing = await loadOrCreateSealingKey(gateway.store);
    for (const record of records) {
      if (record.kind !== 'transaction' || !record.body.personal) continue;
      const box = await gateway.store.readPersonal(kiosk.kioskId, record.seq);
      expect(box).toBeDefined();
      const payload = personalPayloadSchema.parse(
        JSON.parse(await openSealed(sealing.privateJwk, box!, record.body.txId)) as unknown,
      );
      expect(await personalDigest(payload)).toBe(record.body.personal.digest);
    }
  });

  it("stores a batch's personal fields sealed one record at a time under one ephemeral key, each box opening alone with its own record id", async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    await commitMany(kiosk, 6);
    await engineFor(kiosk).trigger();
    const sealing = await loadOrCreateSealingKey(gateway.store);
    const records = (await gateway.store.listRecords(kiosk.kioskId)).filter(
      (record) => record.kind === 'transaction' && record.body.personal,
    );
    expect(records.length).toBe(6);
    const boxes = [];
    for (const record of records) {
      if (record.kind !== 'transaction') continue;
      const box = (await gateway.store.readPersonal(kiosk.kioskId, record.seq))!;
      expect(await openSealed(sealing.privateJwk, box, record.body.txId)).toContain('"fields"');
      boxes.push({ box, txId: record.body.txId });
    }
    // One batch: one ephemeral key, a fresh iv per box.
    expect(new Set(boxes.map(({ box }) => `${box.epk.x}.${box.epk.y}`)).size).toBe(1);
    expect(new Set(boxes.map(({ box }) => box.iv)).size).toBe(boxes.length);
    // A box still opens only for its own record.
    const [first, second] = boxes as [(typeof boxes)[0], (typeof boxes)[0]];
    await expect(openSealed(sealing.privateJwk, first.box, second.txId)).rejects.toThrow();
  });

  it('sends v1 to a gateway that speaks only v1', async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    const ids = await commitMany(kiosk, 3);
    // A gateway from before v2: its health reply names protocol 1 and nothing else.
    const link = recordingFetch(async (path) =>
      path === '/v1/health'
        ? new Response(JSON.stringify({ ok: true, protocol: 1 }), {
            headers: { 'content-type': 'application/json' },
          })
        : undefined,
    );
    await engineFor(kiosk, { fetch: link.fetch }).trigger();
    expect(link.calls.filter((c) => c.endsWith('/batches'))).toEqual([
      'POST /v1/kiosks/v2-kiosk-01/batches',
    ]);
    const records = await gateway.store.listRecords(kiosk.kioskId);
    expect(records.map((r) => r.body.txId)).toEqual(ids);
    expect(records.every((r) => r.sig !== undefined)).toBe(true);
  });

  it('follows a gateway rolled back to v1 after its first batch, sent in the v2 it agreed last, is refused', async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    await commitMany(kiosk, 1);
    await engineFor(kiosk).trigger();
    expect((await kiosk.store.readSetting('gateway-config'))?.protocol).toBe(2);
    const ids = await commitMany(kiosk, 2);
    // The gateway is rolled back while the kiosk is away: v1 only, no v2 route.
    const v1Only = recordingFetch(async (path) => {
      if (path === '/v1/health') {
        return new Response(JSON.stringify({ ok: true, protocol: 1 }), {
          headers: { 'content-type': 'application/json' },
        });
      }
      if (path.startsWith('/v2/')) return new Response('not found', { status: 404 });
      return undefined;
    });
    // A restarted kiosk sends its first batch in v2 beside the probe: refused, so it backs off.
    const restarted = engineFor(kiosk, { fetch: v1Only.fetch });
    await restarted.trigger();
    expect(restarted.status).toMatchObject({ state: 'waiting', link: 'online' });
    expect(v1Only.calls.filter((c) => c.endsWith('/batches'))).toEqual([
      'POST /v2/kiosks/v2-kiosk-01/batches',
    ]);
    // The probe found v1: the next run sends v1, and the records arrive once each.
    expect((await kiosk.store.readSetting('gateway-config'))?.protocol).toBe(1);
    await restarted.trigger();
    expect(restarted.status.state).toBe('idle');
    expect(v1Only.calls.filter((c) => c.endsWith('/batches')).slice(1)).toEqual([
      'POST /v1/kiosks/v2-kiosk-01/batches',
    ]);
    const records = await gateway.store.listRecords(kiosk.kioskId);
    expect(records.map((r) => r.body.txId).slice(1)).toEqual(ids);
  });

  it('sends again the records a v2 reply gives no outcome for', async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    await commitMany(kiosk, 3);
    let first = true;
    const link = recordingFetch(async (path, reply) => {
      if (!path.endsWith('/batches') || !first) return;
      first = false;
      const json = (await reply.json()) as { accepted: Array<[number, number]> };
      // The gateway stored all three; the reply names only seq 1.
      return new Response(JSON.stringify({ ...json, accepted: [[1, 1]] }), {
        headers: { 'content-type': 'application/json', date: reply.headers.get('date') ?? '' },
      });
    });
    await engineFor(kiosk, { fetch: link.fetch }).trigger();
    expect(link.calls.filter((c) => c.endsWith('/batches'))).toHaveLength(2);
    const rows = await kiosk.db.outbox.orderBy('seq').toArray();
    expect(rows.map((row) => [row.state, row.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 2],
      ['delivered', 2],
    ]);
    expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 3, awaiting: 0 });
  });

  it('leaves out each personal-fields digest the gateway can derive, and stores the records with them, as the kiosk signed them', async () => {
    const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
    await commitMany(kiosk, 6);
    const bodies: BatchRequestV2[] = [];
    const link = recordingFetch();
    const capture: FetchLike = async (url, init) => {
      if (new URL(url).pathname.endsWith('/batches')) {
        bodies.push(JSON.parse(await gunzipBody(init?.body)) as BatchRequestV2);
      }
      return link.fetch(url, init);
    };
    await engineFor(kiosk, { fetch: capture }).trigger();
    const sent = bodies.flatMap((b) => b.segments.flatMap((segment) => segment.records));
    const rows = await kiosk.db.outbox.orderBy('seq').toArray();
    const declaring = sent.filter((record) => record.body.personal);
    expect(declaring.length).toBe(
      rows.filter((row) => row.record.kind === 'transaction' && row.record.body.personal).length,
    );
    expect(declaring.length).toBeGreaterThan(0);
    expect(declaring.every((record) => personalOf(record).digest === undefined)).toBe(true);
    expect(rows.map((row) => row.state)).toEqual(rows.map(() => 'delivered'));
    const records = await gateway.store.listRecords(kiosk.kioskId);
    expect(
      records.map((record) => record.kind === 'transaction' && record.body.personal?.digest),
    ).toEqual(
      rows.map((row) => row.record.kind === 'transaction' && row.record.body.personal?.digest),
    );
  });

  describe('what the gateway refuses', () => {
    /** Kiosks enrolled by `preparedBatch` (each test has its own kiosks and gateway). */
    const enrolled = new WeakSet<TestKiosk>();

    /** A signed-in client and the kiosk's queued rows as a v2 batch, to bend before sending. */
    async function preparedBatch(kiosk: TestKiosk): Promise<{
      client: GatewayClient;
      batch: BatchRequestV2;
      records: GatewayRecord[];
    }> {
      const client = new GatewayClient({
        baseUrl: gateway.url,
        kioskId: kiosk.kioskId,
        signingKey: kiosk.keys.privateKey,
      });
      if (!enrolled.has(kiosk)) {
        await client.enrol(
          tokens.find((t) => t.kioskId === kiosk.kioskId)!.token,
          kiosk.keys.publicKey,
        );
        enrolled.add(kiosk);
      }
      return { client, ...(await queuedBatchV2(kiosk, client)) };
    }

    /** The batch's sealed personal entries, opened with the gateway's key. */
    async function openEntries(batch: BatchRequestV2, kioskId: string): Promise<unknown[]> {
      const sealing = await loadOrCreateSealingKey(gateway.store);
      return openPersonalBatch(
        sealing.privateJwk,
        batch.personal!,
        personalAad(kioskId, batch.batchId),
      );
    }

    it('refuses a whole segment whose records were changed on the way, and stores none of it', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 3);
      const { client, batch, records } = await preparedBatch(kiosk);
      const segment = batch.segments[0]!;
      const changed = segment.records[1]!;
      segment.records[1] = {
        ...changed,
        body: { ...changed.body, fee: { amountMinor: 1, currency: 'BZD' } },
      };
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.map((r) => [r.seq, r.status, r.reason])).toEqual([
        [1, 'rejected', 'bad-signature'],
        [2, 'rejected', 'bad-signature'],
        [3, 'rejected', 'bad-signature'],
      ]);
      expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 0, awaiting: 0 });
      expect((await gateway.store.listTamperAlerts(kiosk.kioskId)).map((a) => a.kind)).toEqual([
        'bad-signature',
        'bad-signature',
        'bad-signature',
      ]);
    });

    it('refuses the whole segment when the sealed fields were swapped for another batch: its left-out digests cannot be derived', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await kiosk.commit(birthCertificate);
      await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
      await kiosk.commit(livestockPermit);
      const { client, batch, records } = await preparedBatch(kiosk);
      // The same sealed fields under another batch id: the HPKE aad no longer matches.
      const moved = { ...batch, batchId: crypto.randomUUID() };
      const reply = await client.postBatchV2(moved, records);
      const byReason = reply.results.map((r) => [r.seq, r.status, r.reason ?? null]);
      // seq 2 has no personal fields, but the segment's hashes need seq 1's digest, which only
      // the unreadable entry gives: nothing in the segment can be proven.
      expect(byReason).toEqual([
        [1, 'rejected', 'personal-unreadable'],
        [2, 'rejected', 'personal-unreadable'],
        [3, 'rejected', 'personal-unreadable'],
      ]);
      expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 0, awaiting: 0 });
    });

    it('refuses only the personal records when the sealed fields are unreadable but each digest was sent (an older v2 kiosk)', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await kiosk.commit(birthCertificate);
      await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
      await kiosk.commit(livestockPermit);
      const { client, batch, records } = await preparedBatch(kiosk);
      withDigests(batch, records);
      const moved = { ...batch, batchId: crypto.randomUUID() };
      const reply = await client.postBatchV2(moved, records);
      const byReason = reply.results.map((r) => [r.seq, r.status, r.reason ?? null]);
      // seq 2 has no personal fields: it goes through (held, as seq 1 is not in the chain).
      expect(byReason).toEqual([
        [2, 'accepted', null],
        [1, 'rejected', 'personal-unreadable'],
        [3, 'rejected', 'personal-unreadable'],
      ]);
    });

    it('refuses a segment whose left-out digest has no values beside it (a null entry) as personal-missing, and the other segments not', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 4);
      const { client, batch, records } = await preparedBatch(kiosk);
      const config = await client.getConfig();
      // Two segments (a sender may cut anywhere), and the first record's entry sealed as null.
      const [first, ...rest] = batch.segments[0]!.records;
      const tail: Segment = {
        seq: 2,
        prevHash: toBase64Url(fromHex(records[0]!.hash)),
        sig: batch.segments[0]!.sig,
        records: rest,
      };
      batch.segments = [{ ...batch.segments[0]!, sig: records[0]!.sig!, records: [first!] }, tail];
      const entries = await openEntries(batch, kiosk.kioskId);
      batch.personal = await sealPersonalBatch(
        config!.config.gatewayKey,
        [null, ...entries.slice(1).map((entry) => JSON.stringify(entry))],
        personalAad(kiosk.kioskId, batch.batchId),
      );
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.map((r) => [r.seq, r.status, r.reason ?? null])).toEqual([
        [2, 'accepted', null],
        [3, 'accepted', null],
        [4, 'accepted', null],
        [1, 'rejected', 'personal-missing'],
      ]);
    });

    it('refuses alone, as personal-mismatch, a record whose values on the kiosk no longer match its digest (sent, not derived)', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 3);
      // The kiosk's own copy of seq 1's values changed after it was signed.
      const row = (await kiosk.db.outbox.orderBy('seq').first())!;
      const payload = personalPayloadSchema.parse(
        JSON.parse(await decryptLocal(kiosk.dataKey, row.personalLocal!, row.txId)) as unknown,
      );
      const changed = { ...payload, fields: { ...payload.fields, extra: 'changed' } };
      await kiosk.db.outbox.update(row.seq, {
        personalLocal: await encryptLocal(kiosk.dataKey, JSON.stringify(changed), row.txId),
      });
      const { client, batch, records } = await preparedBatch(kiosk);
      const sent = batch.segments.flatMap((segment) => segment.records);
      const first = records[0]!;
      if (first.kind !== 'transaction') throw new Error('seq 1 is a transaction');
      expect(personalOf(sent[0]!).digest).toBe(toBase64Url(fromHex(first.body.personal!.digest)));
      expect(personalOf(sent[1]!).digest).toBeUndefined();
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.map((r) => [r.seq, r.status, r.reason ?? null])).toEqual([
        [2, 'accepted', null],
        [3, 'accepted', null],
        [1, 'rejected', 'personal-mismatch'],
      ]);
    });

    it('sends the digest of a record whose values the kiosk lacks, so only that record is refused (personal-missing)', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 3);
      // Seq 2 declares personal fields, but the kiosk has no copy of their values.
      await kiosk.db.outbox.update(2, { personalLocal: undefined });
      const { client, batch, records } = await preparedBatch(kiosk);
      const sent = batch.segments.flatMap((segment) => segment.records);
      const second = records[1]!;
      if (second.kind !== 'transaction') throw new Error('seq 2 is a transaction');
      expect(personalOf(sent[1]!).digest).toBe(toBase64Url(fromHex(second.body.personal!.digest)));
      expect(personalOf(sent[0]!).digest).toBeUndefined();
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.map((r) => [r.seq, r.status, r.reason ?? null])).toEqual([
        [1, 'accepted', null],
        [3, 'accepted', null],
        [2, 'rejected', 'personal-missing'],
      ]);
    });

    it('starts a new segment after a row left out of the batch, and the gateway takes both', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 5);
      // Seq 3's copy of its values cannot be opened: the kiosk leaves it out (and rejects it).
      const third = (await kiosk.db.outbox.get(3))!;
      await kiosk.db.outbox.update(3, {
        personalLocal: {
          ...third.personalLocal!,
          ct: third.personalLocal!.ct.slice(0, -4) + 'AAAA',
        },
      });
      const { client, batch, records } = await preparedBatch(kiosk);
      expect(batch.segments.map((segment) => [segment.seq, segment.records.length])).toEqual([
        [1, 2],
        [4, 2],
      ]);
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.map((r) => [r.seq, r.status]).sort()).toEqual([
        [1, 'accepted'],
        [2, 'accepted'],
        [4, 'accepted'],
        [5, 'accepted'],
      ]);
      // 4 and 5 wait for 3 (held), proven by their own segment's signature.
      expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 2, awaiting: 2 });
      expect(await gateway.store.listTamperAlerts(kiosk.kioskId)).toEqual([]);
    });

    it('answers 400 for a batch that does not rebuild into valid records, storing nothing', async () => {
      const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
      await commitMany(kiosk, 2);
      const { client, batch, records } = await preparedBatch(kiosk);
      batch.segments[0]!.records[0]!.kind = 'not-a-kind';
      await expect(client.postBatchV2(batch, records)).rejects.toMatchObject({
        code: 'gateway-error',
        details: { status: 400 },
      });
      expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({ chained: 0, awaiting: 0 });
    });

    describe('attacks on the derived digests', () => {
      type Outcome = [number, string, string | null];
      const outcomes = (reply: {
        results: ReadonlyArray<{ seq: number; status: string; reason?: string }>;
      }): Outcome[] => reply.results.map((r) => [r.seq, r.status, r.reason ?? null]);
      const alertKinds = async (kiosk: TestKiosk): Promise<string[]> =>
        (await gateway.store.listTamperAlerts(kiosk.kioskId)).map((alert) => alert.kind);
      const nothingStored = async (kiosk: TestKiosk): Promise<void> => {
        expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({
          chained: 0,
          awaiting: 0,
        });
      };

      /** Seals `entries` (each a JSON text, or null) as the batch's personal fields. */
      async function reseal(
        client: GatewayClient,
        batch: BatchRequestV2,
        kioskId: string,
        entries: ReadonlyArray<string | null>,
      ): Promise<void> {
        const config = await client.getConfig();
        batch.personal = await sealPersonalBatch(
          config!.config.gatewayKey,
          entries,
          personalAad(kioskId, batch.batchId),
        );
      }
      /** An entry given as its JSON text (one JSON.stringify cannot make, nested too deep). */
      class RawJson {
        constructor(readonly text: string) {}
      }
      const texts = (entries: readonly unknown[]): Array<string | null> =>
        entries.map((entry) =>
          entry === null ? null : entry instanceof RawJson ? entry.text : JSON.stringify(entry),
        );

      /** Cuts the batch's one segment in two before record `at`, each signed by its last record. */
      function splitAt(batch: BatchRequestV2, records: readonly GatewayRecord[], at: number): void {
        expect(batch.segments).toHaveLength(1);
        const whole = batch.segments[0]!;
        batch.segments = [
          { ...whole, sig: records[at - 1]!.sig!, records: whole.records.slice(0, at) },
          {
            seq: whole.seq + at,
            prevHash: toBase64Url(fromHex(records[at - 1]!.hash)),
            sig: whole.sig,
            records: whole.records.slice(at),
          },
        ];
      }

      /** Posts `text` as a v2 batch, signed by the kiosk as its client signs: status and reply. */
      async function postRaw(
        kiosk: TestKiosk,
        text: string,
      ): Promise<{ status: number; reply: unknown }> {
        const path = `/v2/kiosks/${kiosk.kioskId}/batches`;
        const parts = {
          method: 'POST',
          path,
          kioskId: kiosk.kioskId,
          timestamp: Date.now(),
          nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
          digest: await sha256Hex(text),
        };
        const response = await fetch(`${gateway.url}${path}`, {
          method: 'POST',
          body: text,
          headers: {
            'content-type': 'application/json',
            [signatureHeaders.kiosk]: parts.kioskId,
            [signatureHeaders.timestamp]: String(parts.timestamp),
            [signatureHeaders.nonce]: parts.nonce,
            [signatureHeaders.digest]: parts.digest,
            [signatureHeaders.signature]: await signText(
              kiosk.keys.privateKey,
              requestSigningText(parts),
            ),
          },
        });
        return { status: response.status, reply: (await response.json()) as unknown };
      }

      it('accepts a segment that sends some digests and leaves the others out, counting entries past a record without personal fields', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await kiosk.commit(birthCertificate);
        await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
        await kiosk.commit(livestockPermit);
        await kiosk.commit(birthCertificate);
        await kiosk.commit(livestockPermit);
        const { client, batch, records } = await preparedBatch(kiosk);
        // Two segments; seq 1 and 4 send their digests, 3 and 5 leave them out. Seq 2 has no
        // entry, so seq 3's is the second: counting it by record position would take the third.
        splitAt(batch, records, 2);
        withDigests(
          batch,
          records.filter((record) => record.seq === 1 || record.seq === 4),
        );
        const sent = batch.segments.flatMap((segment) => segment.records);
        expect(sent.map((record) => record.body.personal && personalOf(record).digest)).toEqual([
          expect.any(String),
          undefined,
          undefined,
          expect.any(String),
          undefined,
        ]);
        const reply = await client.postBatchV2(batch, records);
        expect(outcomes(reply)).toEqual([1, 2, 3, 4, 5].map((seq) => [seq, 'accepted', null]));
        const stored = await gateway.store.listRecords(kiosk.kioskId);
        expect(stored.map((record) => record.hash)).toEqual(records.map((record) => record.hash));
        expect(await alertKinds(kiosk)).toEqual([]);
      });

      it('refuses the whole segment when a sent digest is wrong beside left-out ones (bad-signature)', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 3);
        const { client, batch, records } = await preparedBatch(kiosk);
        // Seq 2 carries seq 1's digest: well formed, not what the kiosk signed.
        const first = records[0]!;
        if (first.kind !== 'transaction') throw new Error('seq 1 is a transaction');
        const second = batch.segments[0]!.records[1]!;
        second.body.personal = {
          ...personalOf(second),
          digest: toBase64Url(fromHex(first.body.personal!.digest)),
        };
        const reply = await client.postBatchV2(batch, records);
        expect(outcomes(reply)).toEqual([1, 2, 3].map((seq) => [seq, 'rejected', 'bad-signature']));
        await nothingStored(kiosk);
        expect(await alertKinds(kiosk)).toEqual([
          'bad-signature',
          'bad-signature',
          'bad-signature',
        ]);
      });

      it.each([
        ['more entries than declaring records', (entries: unknown[]) => [...entries, entries[0]]],
        ['fewer entries than declaring records', (entries: unknown[]) => entries.slice(0, -1)],
        ['no entries at all', () => []],
      ])(
        'refuses, as personal-mismatch, the whole segment when the sealed array has %s',
        async (_, bend) => {
          const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
          await kiosk.commit(birthCertificate);
          await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
          await kiosk.commit(livestockPermit);
          const { client, batch, records } = await preparedBatch(kiosk);
          await reseal(
            client,
            batch,
            kiosk.kioskId,
            texts(bend(await openEntries(batch, kiosk.kioskId))),
          );
          const reply = await client.postBatchV2(batch, records);
          expect(outcomes(reply)).toEqual(
            [1, 2, 3].map((seq) => [seq, 'rejected', 'personal-mismatch']),
          );
          await nothingStored(kiosk);
          expect(await alertKinds(kiosk)).toEqual([
            'personal-mismatch',
            'personal-mismatch',
            'personal-mismatch',
          ]);
          // With every digest sent (an older v2 kiosk), only the personal records are refused.
          const older = await preparedBatch(kiosk);
          withDigests(older.batch, older.records);
          await reseal(
            older.client,
            older.batch,
            kiosk.kioskId,
            texts(bend(await openEntries(older.batch, kiosk.kioskId))),
          );
          const olderReply = await older.client.postBatchV2(older.batch, older.records);
          expect(outcomes(olderReply)).toEqual([
            [2, 'accepted', null],
            [1, 'rejected', 'personal-mismatch'],
            [3, 'rejected', 'personal-mismatch'],
          ]);
        },
      );

      it.each([
        ['a number', () => 5],
        ['a string', () => 'Ana Pérez Quetzal'],
        ['an array', (entry: Record<string, unknown>) => [entry]],
        [
          'an array nested 100,000 deep',
          () => new RawJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
        ],
        [
          'an object nested 100,000 deep',
          (entry: Record<string, unknown>) =>
            new RawJson(
              `{"salt":${JSON.stringify(entry.salt)},"fields":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
            ),
        ],
        [
          'an object without its salt',
          (entry: Record<string, unknown>) => ({ fields: entry.fields }),
        ],
        [
          'a payload with an extra key',
          (entry: Record<string, unknown>) => ({ ...entry, extra: 'x' }),
        ],
        [
          'a payload with a value past the field limit',
          (entry: Record<string, unknown>) => ({
            ...entry,
            fields: { fullName: 'x'.repeat(20_001) },
          }),
        ],
      ])(
        'refuses, as personal-unreadable, the segment whose left-out digest has %s for its entry, and the other segment not',
        async (_, bend) => {
          const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
          await commitMany(kiosk, 3);
          const { client, batch, records } = await preparedBatch(kiosk);
          splitAt(batch, records, 1);
          const entries = await openEntries(batch, kiosk.kioskId);
          entries[1] = bend(entries[1] as Record<string, unknown>);
          await reseal(client, batch, kiosk.kioskId, texts(entries));
          const reply = await client.postBatchV2(batch, records);
          expect(outcomes(reply)).toEqual([
            [1, 'accepted', null],
            [2, 'rejected', 'personal-unreadable'],
            [3, 'rejected', 'personal-unreadable'],
          ]);
          expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({
            chained: 1,
            awaiting: 0,
          });
          expect(await alertKinds(kiosk)).toEqual(['personal-unreadable', 'personal-unreadable']);
        },
      );

      it.each([
        ['personal-unreadable', [5, null]],
        ['personal-missing', [null, 5]],
      ] as const)(
        'refuses the segment for its first underivable entry (%s)',
        async (reason, bad) => {
          const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
          await commitMany(kiosk, 3);
          const { client, batch, records } = await preparedBatch(kiosk);
          const entries = await openEntries(batch, kiosk.kioskId);
          await reseal(client, batch, kiosk.kioskId, texts([entries[0], ...bad]));
          const reply = await client.postBatchV2(batch, records);
          expect(outcomes(reply)).toEqual([1, 2, 3].map((seq) => [seq, 'rejected', reason]));
          await nothingStored(kiosk);
          expect(await alertKinds(kiosk)).toEqual([reason, reason, reason]);
        },
      );

      it('refuses a segment whose entries were swapped: whole as bad-signature when derived, the two records as personal-mismatch when sent', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await kiosk.commit(birthCertificate);
        await kiosk.commit(livestockPermit);
        await kiosk.commit(birthCertificate);
        const swap = async (prepared: Awaited<ReturnType<typeof preparedBatch>>): Promise<void> => {
          const [a, b, c] = await openEntries(prepared.batch, kiosk.kioskId);
          // Seq 1 and 3 declare the same fields: only their digests tell them apart.
          await reseal(prepared.client, prepared.batch, kiosk.kioskId, texts([c, b, a]));
        };
        const derived = await preparedBatch(kiosk);
        await swap(derived);
        const reply = await derived.client.postBatchV2(derived.batch, derived.records);
        expect(outcomes(reply)).toEqual([1, 2, 3].map((seq) => [seq, 'rejected', 'bad-signature']));
        await nothingStored(kiosk);

        const sent = await preparedBatch(kiosk);
        withDigests(sent.batch, sent.records);
        await swap(sent);
        const sentReply = await sent.client.postBatchV2(sent.batch, sent.records);
        expect(outcomes(sentReply)).toEqual([
          [2, 'accepted', null],
          [1, 'rejected', 'personal-mismatch'],
          [3, 'rejected', 'personal-mismatch'],
        ]);
        expect(await gateway.store.readPersonal(kiosk.kioskId, 1)).toBeUndefined();
      });

      it('refuses records that declare personal fields in a batch with no sealed array: the segment when derived, only them when sent', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await kiosk.commit(birthCertificate);
        await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
        await kiosk.commit(livestockPermit);
        const derived = await preparedBatch(kiosk);
        delete derived.batch.personal;
        const reply = await derived.client.postBatchV2(derived.batch, derived.records);
        expect(outcomes(reply)).toEqual(
          [1, 2, 3].map((seq) => [seq, 'rejected', 'personal-missing']),
        );
        await nothingStored(kiosk);
        expect(await alertKinds(kiosk)).toEqual([
          'personal-missing',
          'personal-missing',
          'personal-missing',
        ]);

        const sent = await preparedBatch(kiosk);
        withDigests(sent.batch, sent.records);
        delete sent.batch.personal;
        const sentReply = await sent.client.postBatchV2(sent.batch, sent.records);
        expect(outcomes(sentReply)).toEqual([
          [2, 'accepted', null],
          [1, 'rejected', 'personal-missing'],
          [3, 'rejected', 'personal-missing'],
        ]);
      });

      it.each([
        ['a string', () => 'fullName'],
        ['an array', () => ['fullName']],
        ['a number', () => 5],
        ['true', () => true],
        ['null', () => null],
        ['false', () => false],
        ['0', () => 0],
        ['digest null', (wire: WireRecord) => ({ ...personalOf(wire), digest: null })],
        ['digest 5', (wire: WireRecord) => ({ ...personalOf(wire), digest: 5 })],
        ['digest too short', (wire: WireRecord) => ({ ...personalOf(wire), digest: 'AAAA' })],
        [
          'digest not base64url',
          (wire: WireRecord) => ({ ...personalOf(wire), digest: '*'.repeat(43) }),
        ],
        ['fieldIds missing, digest left out', () => ({})],
        ['fieldIds missing, digest sent', () => ({ digest: toBase64Url(new Uint8Array(32)) })],
        ['an extra key', (wire: WireRecord) => ({ ...personalOf(wire), salt: 'x' })],
      ])('answers 400, storing nothing, for body.personal that is %s', async (_, bend) => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 2);
        for (const sealed of [true, false]) {
          const { client, batch, records } = await preparedBatch(kiosk);
          if (!sealed) delete batch.personal;
          const wire = batch.segments[0]!.records[0]!;
          wire.body.personal = bend(wire);
          await expect(client.postBatchV2(batch, records)).rejects.toMatchObject({
            code: 'gateway-error',
            details: { status: 400 },
          });
        }
        await nothingStored(kiosk);
        expect(await alertKinds(kiosk)).toEqual([]);
      });

      it.each([
        ['a number no JSON number can hold exactly', '1e400'],
        ['nesting 100,000 arrays deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
      ])('answers 400, storing nothing, for a record with %s', async (_, value) => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 2);
        const { batch } = await preparedBatch(kiosk);
        const wire = batch.segments[0]!.records[1]!;
        wire.body.fields = { ...(wire.body.fields as object), odd: 'PLACEHOLDER' };
        const text = canonicalJson(batch).replace('"PLACEHOLDER"', value);
        const { status, reply } = await postRaw(kiosk, text);
        expect({ status, reply }).toMatchObject({ status: 400, reply: { error: 'bad-request' } });
        await nothingStored(kiosk);
        expect(await alertKinds(kiosk)).toEqual([]);
      });

      it('refuses, as personal-unreadable, a segment whose sealed array inflates past 16 MB', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 2);
        const { client, batch, records } = await preparedBatch(kiosk);
        const entries = await openEntries(batch, kiosk.kioskId);
        const bomb = { ...(entries[1] as object), pad: 'x'.repeat(17 * 1024 * 1024) };
        await reseal(client, batch, kiosk.kioskId, texts([entries[0], bomb]));
        expect(JSON.stringify(batch).length).toBeLessThan(200_000);
        const reply = await client.postBatchV2(batch, records);
        expect(outcomes(reply)).toEqual(
          [1, 2].map((seq) => [seq, 'rejected', 'personal-unreadable']),
        );
        await nothingStored(kiosk);
      });

      it('refuses, as personal-mismatch, a segment whose sealed array holds 200,000 entries (nulls past its own)', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 2);
        const { client, batch, records } = await preparedBatch(kiosk);
        const entries = await openEntries(batch, kiosk.kioskId);
        const many = [...entries, ...Array.from({ length: 200_000 - entries.length }, () => null)];
        await reseal(client, batch, kiosk.kioskId, texts(many));
        const reply = await client.postBatchV2(batch, records);
        expect(outcomes(reply)).toEqual(
          [1, 2].map((seq) => [seq, 'rejected', 'personal-mismatch']),
        );
        await nothingStored(kiosk);
      });

      it.each([
        ['is not JSON', () => 'Ana Pérez Quetzal'],
        ['is two JSON values', (text: string) => `null,${text}`],
      ])(
        'refuses alone, as personal-unreadable, a record whose own copy of its values %s, the rest of its segment not',
        async (_, bend) => {
          const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
          await commitMany(kiosk, 3);
          // A broken kiosk: seq 2's copy opens, but its text is not one JSON value.
          const row = (await kiosk.db.outbox.where('seq').equals(2).first())!;
          const text = await decryptLocal(kiosk.dataKey, row.personalLocal!, row.txId);
          await kiosk.db.outbox.update(row.seq, {
            personalLocal: await encryptLocal(kiosk.dataKey, bend(text), row.txId),
          });
          const { client, batch, records } = await preparedBatch(kiosk);
          expect(batch.segments).toHaveLength(1);
          const reply = await client.postBatchV2(batch, records);
          expect(outcomes(reply)).toEqual([
            [1, 'accepted', null],
            [3, 'accepted', null],
            [2, 'rejected', 'personal-unreadable'],
          ]);
          expect(await alertKinds(kiosk)).toEqual(['personal-unreadable']);
        },
      );

      it('refuses each of 5,000 one-record segments whose left-out digests have no sealed array, storing nothing', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 1);
        const { client, batch, records } = await preparedBatch(kiosk);
        delete batch.personal;
        batch.segments = Array.from({ length: 5000 }, () => structuredClone(batch.segments[0]!));
        const reply = await client.postBatchV2(batch, records);
        expect(reply.results).toHaveLength(5000);
        expect(new Set(outcomes(reply).map((outcome) => outcome.join()))).toEqual(
          new Set(['1,rejected,personal-missing']),
        );
        await nothingStored(kiosk);
        // One incident, raised 5,000 times: one row, however often it is sent.
        const alerts = await gateway.store.listTamperAlerts(kiosk.kioskId);
        expect(alerts.map((alert) => [alert.seq, alert.kind, alert.repeats])).toEqual([
          [1, 'personal-missing', 5000],
        ]);
      });

      it('answers a replayed batch with duplicates, storing each record once and alerting nothing', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 3);
        const { client, batch, records } = await preparedBatch(kiosk);
        const first = await client.postBatchV2(batch, records);
        expect(outcomes(first)).toEqual([1, 2, 3].map((seq) => [seq, 'accepted', null]));
        const again = await client.postBatchV2(batch, records);
        expect(outcomes(again)).toEqual([1, 2, 3].map((seq) => [seq, 'duplicate', null]));
        expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({
          chained: 3,
          awaiting: 0,
        });
        expect(await alertKinds(kiosk)).toEqual([]);
      });

      it('stores once a segment sent twice in one batch, its entries sealed twice', async () => {
        const [, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(kiosk, 3);
        const { client, batch, records } = await preparedBatch(kiosk);
        const entries = await openEntries(batch, kiosk.kioskId);
        batch.segments = [batch.segments[0]!, structuredClone(batch.segments[0]!)];
        await reseal(client, batch, kiosk.kioskId, texts([...entries, ...entries]));
        const reply = await client.postBatchV2(batch, records);
        expect(outcomes(reply)).toEqual([
          ...[1, 2, 3].map((seq) => [seq, 'accepted', null]),
          ...[1, 2, 3].map((seq) => [seq, 'duplicate', null]),
        ]);
        expect(await gateway.store.countRecords(kiosk.kioskId)).toEqual({
          chained: 3,
          awaiting: 0,
        });
        expect(await alertKinds(kiosk)).toEqual([]);
      });

      it("refuses the whole segment when another kiosk's sealed array, same batch id, comes with its left-out digests", async () => {
        const [other, kiosk] = kiosks as [TestKiosk, TestKiosk];
        await commitMany(other, 3);
        await commitMany(kiosk, 3);
        const theirs = await preparedBatch(other);
        const ours = await preparedBatch(kiosk);
        // Same batch id, so only the kiosk id in the HPKE aad tells the arrays apart.
        ours.batch.batchId = theirs.batch.batchId;
        ours.batch.personal = theirs.batch.personal;
        const reply = await ours.client.postBatchV2(ours.batch, ours.records);
        expect(outcomes(reply)).toEqual(
          [1, 2, 3].map((seq) => [seq, 'rejected', 'personal-unreadable']),
        );
        await nothingStored(kiosk);
        expect(await alertKinds(kiosk)).toEqual([
          'personal-unreadable',
          'personal-unreadable',
          'personal-unreadable',
        ]);
        // The other kiosk's own batch still goes through.
        const theirReply = await theirs.client.postBatchV2(theirs.batch, theirs.records);
        expect(outcomes(theirReply)).toEqual([1, 2, 3].map((seq) => [seq, 'accepted', null]));
      });
    });
  });
});
