/**
 * Issue 17's claim, tested: a ministry can implement the gateway side of sync protocol v2 in
 * another language from our docs alone. tests/interop/v2-decoder.py was written in Python from
 * build/docs/sync.md, sync/protocol/openapi.json and RFC 9180 only, on python3-cryptography
 * (HPKE's key schedule built on its ECDH, HKDF and AES-GCM). Here it decodes and verifies real
 * batches made by the kiosk's own commit and batch code, and must agree with the reference
 * gateway record for record: the same records (hash for hash, digest for digest) and, for
 * tampered batches, the same refusals for the same reasons.
 */
import 'fake-indexeddb/auto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransactionInput } from '../../../sync/client/commit';
import { decryptLocal, encryptLocal } from '../../../sync/client/data-key';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { recordSignIn, voidTransaction } from '../../../sync/client/officer-records';
import { fromBase64Url, toBase64Url } from '../../../sync/protocol/encoding';
import { personalPayloadSchema } from '../../../sync/protocol/personal-fields';
import { openPersonalBatch, sealPersonalBatch } from '../../../sync/protocol/personal-seal';
import { GENESIS_HASH } from '../../../sync/protocol/records';
import type { ChainRecord, GatewayRecord } from '../../../sync/protocol/records';
import { encodeBatchV2, personalAad } from '../../../sync/protocol/wire-v2';
import type { BatchRequestV2 } from '../../../sync/protocol/wire-v2';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import type { SealingKey } from '../../../sync/server/sealing-key';
import {
  birthCertificate,
  livestockPermit,
  openTestKiosk,
  queuedBatchV2,
  signTransaction,
} from '../../support/chain-fixture';
import type { TestKiosk } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';
import { findPython, hpkeVectorsPath, runDecoder } from '../../interop/python-decoder';
import type { DecoderRun } from '../../interop/python-decoder';

const found = findPython();
const missing = 'reason' in found ? found.reason : undefined;
const python = 'python' in found ? found.python : '';
if (missing) console.warn(`protocol-v2-interop: skipped: ${missing}`);

/**
 * Personal fields that catch a decoder's canonical JSON going wrong: non-ASCII values (raw UTF-8,
 * not \u escapes), quotes, backslashes, control characters, an astral character, and two keys
 * whose order differs between UTF-16 code units (the docs' rule: '😀…' before '\uE000…') and
 * code points (Python's own sort).
 */
const awkward: TransactionInput = {
  ...birthCertificate,
  fields: {
    fullName: 'Zoë "Nandi" O\'Brien \\ 😀\n\t\u0001\u2028 Ñúñez',
    '\uE000note': 'private use',
    '😀mark': 'astral',
    district: 'toledo',
  },
  personalFieldIds: ['fullName', '\uE000note', '😀mark'],
};

/** The reason of every refused record, by seq, from a gateway reply. */
function refusedBy(results: ReadonlyArray<{ seq: number; status: string; reason?: string }>) {
  return Object.fromEntries(
    results.filter((r) => r.status === 'rejected').map((r) => [String(r.seq), r.reason]),
  );
}

/** The records as the reference gateway stores them: `sig` only on each segment's last. */
function signedAtSegmentEnds(
  records: readonly ChainRecord[],
  batch: BatchRequestV2,
): GatewayRecord[] {
  const ends = new Set(batch.segments.map((s) => s.seq + s.records.length - 1));
  return records.map(({ sig, ...rest }) => (ends.has(rest.seq) ? { ...rest, sig } : rest));
}

/** Cuts the batch's first segment in two after `count` records (a sender may cut anywhere). */
function cutFirstSegment(batch: BatchRequestV2, records: readonly ChainRecord[], count: number) {
  const [first, ...others] = batch.segments;
  const head = first!.records.slice(0, count);
  const tail = first!.records.slice(count);
  const last = records[first!.seq + count - 2]!;
  batch.segments = [
    { ...first!, sig: last.sig, records: head },
    {
      seq: last.seq + 1,
      prevHash: toBase64Url(fromHexText(last.hash)),
      sig: first!.sig,
      records: tail,
    },
    ...others,
  ];
}

function fromHexText(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

describe.skipIf(missing !== undefined)(
  `sync protocol v2 interop: a gateway in Python from the docs alone${missing ? ` (SKIPPED: ${missing})` : ''}`,
  () => {
    let gateway: InProcessGateway;
    let sealing: SealingKey;
    const kioskIds = Array.from({ length: 9 }, (_, i) => `interop-kiosk-0${i + 1}`);
    const tokens = kioskIds.map((kioskId) => ({ kioskId, token: `token-${kioskId}` }));
    let nextKiosk = 0;
    const opened: TestKiosk[] = [];

    beforeAll(async () => {
      gateway = await startInProcessGateway(tokens);
      sealing = await loadOrCreateSealingKey(gateway.store);
    });

    afterAll(async () => {
      for (const kiosk of opened) await kiosk.close();
      await gateway.close();
    });

    /** A kiosk of its own for each test, enrolled, with its client. */
    async function newKiosk(): Promise<{ kiosk: TestKiosk; client: GatewayClient }> {
      const { kioskId, token } = tokens[nextKiosk++]!;
      const kiosk = await openTestKiosk(kioskId);
      opened.push(kiosk);
      const client = new GatewayClient({
        baseUrl: gateway.url,
        kioskId,
        signingKey: kiosk.keys.privateKey,
      });
      await client.enrol(token, kiosk.keys.publicKey);
      return { kiosk, client };
    }

    async function decode(kiosk: TestKiosk, batch: BatchRequestV2): Promise<DecoderRun> {
      return runDecoder(python, {
        batch,
        kioskId: kiosk.kioskId,
        gatewayPrivateJwk: sealing.privateJwk,
        devicePublicJwk: await kiosk.publicKey(),
      });
    }

    /** The decoder's refusals, which must be the reference gateway's for the same batch. */
    async function bothRefuse(
      kiosk: TestKiosk,
      client: GatewayClient,
      batch: BatchRequestV2,
      records: readonly ChainRecord[],
    ): Promise<Record<string, string | undefined>> {
      const run = await decode(kiosk, batch);
      const reply = await client.postBatchV2(structuredClone(batch), records);
      expect(run.output?.refused).toEqual(refusedBy(reply.results));
      expect(run.status).toBe(Object.keys(refusedBy(reply.results)).length > 0 ? 1 : 0);
      return run.output!.refused;
    }

    it("opens RFC 9180's own test vector (A.3.1): its HPKE decapsulation, key schedule and open give the RFC's values, and a flipped bit is refused", () => {
      const run = spawnSync(python, [hpkeVectorsPath], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr).toBe('');
      const output = JSON.parse(run.stdout) as {
        ok: boolean;
        checked: string[];
        problems: string[];
      };
      expect(output.problems).toEqual([]);
      expect(output.checked).toEqual([
        'pkRm',
        'shared_secret',
        'key',
        'base_nonce',
        'open(seq 0)',
        'tampered ciphertext refused',
      ]);
      expect(run.status).toBe(0);
    });

    it(`rebuilds a real two-segment batch hash for hash and digest for digest, as the reference gateway stores it (${'version' in found ? found.version : ''})`, async () => {
      const { kiosk, client } = await newKiosk();
      const deps = {
        store: kiosk.store,
        kioskId: kiosk.kioskId,
        keys: kiosk.keys,
        dataKey: kiosk.dataKey,
      };
      await kiosk.commit(birthCertificate);
      await kiosk.commit(livestockPermit);
      await recordSignIn(deps, '00012345', 'card');
      await kiosk.commit(awkward);
      const plain = await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
      await voidTransaction(deps, {
        officerId: '00012345',
        txId: plain.txId,
        reason: 'wrong service',
      });
      const { batch, records } = await queuedBatchV2(kiosk, client);
      cutFirstSegment(batch, records, 3);
      expect(batch.segments.map((s) => [s.seq, s.records.length])).toEqual([
        [1, 3],
        [4, 3],
      ]);
      // Every digest is left out for the gateway to derive from the sealed entries.
      const wireDigests = batch.segments
        .flatMap((s) => s.records)
        .map((r) => (r.body.personal as { digest?: string } | undefined)?.digest);
      expect(wireDigests).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);

      const run = await decode(kiosk, batch);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const output = run.output!;
      expect(output.segments).toEqual([
        { seq: 1, count: 3, reason: null },
        { seq: 4, count: 3, reason: null },
      ]);
      expect(output.refused).toEqual({});
      // The kiosk's own records, byte for byte (sig only where a segment ends).
      const expected = signedAtSegmentEnds(records, batch);
      expect(output.records).toEqual(expected);
      expect(output.records.map((r) => r.hash)).toEqual(records.map((r) => r.hash));
      const digestOf = (r: GatewayRecord) =>
        r.kind === 'transaction' ? r.body.personal?.digest : undefined;
      expect(output.records.map(digestOf)).toEqual(records.map(digestOf));
      expect(records.filter(digestOf)).toHaveLength(3);
      // The personal values, opened by Python's HPKE and inflated, in batch order.
      expect(output.entries?.map((e) => personalPayloadSchema.parse(e).fields)).toEqual([
        { dateOfBirth: '1990-04-01', fullName: 'Ana Pérez Quetzal' },
        { fullName: 'Kagiso Molefe' },
        {
          fullName: awkward.fields['fullName'],
          '\uE000note': 'private use',
          '😀mark': 'astral',
        },
      ]);

      // The reference gateway takes the same batch and stores the same records.
      const reply = await client.postBatchV2(batch, records);
      expect(reply.results.every((r) => r.status === 'accepted')).toBe(true);
      expect(await gateway.store.listRecords(kiosk.kioskId)).toEqual(output.records);
    });

    it('reads digests sent on the wire (base64url) like derived ones, and refuses alone a record whose kiosk copy no longer matches', async () => {
      const { kiosk, client } = await newKiosk();
      await kiosk.commit(birthCertificate);
      await kiosk.commit(awkward);
      await kiosk.commit(livestockPermit);
      // The kiosk's own copy of seq 2's values changed after it was signed: its digest is sent.
      const row = (await kiosk.db.outbox.get(2))!;
      const payload = personalPayloadSchema.parse(
        JSON.parse(await decryptLocal(kiosk.dataKey, row.personalLocal!, row.txId)) as unknown,
      );
      const changed = { ...payload, fields: { ...payload.fields, fullName: 'Someone Else' } };
      await kiosk.db.outbox.update(2, {
        personalLocal: await encryptLocal(kiosk.dataKey, JSON.stringify(changed), row.txId),
      });
      const { batch, records } = await queuedBatchV2(kiosk, client);
      const record2 = records[1]!;
      if (record2.kind !== 'transaction') throw new Error('seq 2 is a transaction');
      const sent = batch.segments[0]!.records[1]!.body.personal as { digest?: string };
      expect(sent.digest).toBe(toBase64Url(fromHexText(record2.body.personal!.digest)));

      const run = await decode(kiosk, batch);
      // Rebuilt with the digest it carried (hex again), so the chain and signature still hold.
      expect(run.output?.records).toEqual(signedAtSegmentEnds(records, batch));
      expect(await bothRefuse(kiosk, client, batch, records)).toEqual({ 2: 'personal-mismatch' });
    });

    it('refuses, as the reference gateway does, a segment with one byte of one record changed', async () => {
      const { kiosk, client } = await newKiosk();
      for (let i = 0; i < 5; i += 1) await kiosk.commit(i % 2 ? livestockPermit : birthCertificate);
      const { batch, records } = await queuedBatchV2(kiosk, client);
      cutFirstSegment(batch, records, 2);
      expect((await decode(kiosk, batch)).status).toBe(0);
      // One byte: 'cayo' becomes 'cayp' in seq 1's fields.
      const text = JSON.stringify(batch);
      const at = text.indexOf('"district":"cayo"');
      expect(at).toBeGreaterThan(0);
      const changed = JSON.parse(
        text.replace('"district":"cayo"', '"district":"cayp"'),
      ) as BatchRequestV2;
      expect(await bothRefuse(kiosk, client, changed, records)).toEqual({
        1: 'bad-signature',
        2: 'bad-signature',
      });
    });

    it('refuses, as the reference gateway does, swapped or damaged sealed arrays', async () => {
      const { kiosk, client } = await newKiosk();
      await kiosk.commit(birthCertificate);
      await kiosk.commit({ ...birthCertificate, personalFieldIds: [] });
      await kiosk.commit(livestockPermit);
      const { batch, records } = await queuedBatchV2(kiosk, client);
      const all = { 1: 'personal-unreadable', 2: 'personal-unreadable', 3: 'personal-unreadable' };

      // Another batch's sealed array (same kiosk, same records): its aad names the other batch.
      const other = (await queuedBatchV2(kiosk, client)).batch;
      expect(
        await bothRefuse(kiosk, client, { ...batch, personal: other.personal! }, records),
      ).toEqual(all);

      // The right array with one byte of its ciphertext changed.
      const ct = fromBase64Url(batch.personal!.ct);
      ct[5] = ct[5]! ^ 1;
      const damaged = { ...batch, personal: { ...batch.personal!, ct: toBase64Url(ct) } };
      expect(await bothRefuse(kiosk, client, damaged, records)).toEqual(all);

      // The right entries swapped and sealed again, properly, for this batch: each derived
      // digest is the other record's, so the hashes and the signature no longer match.
      const aad = personalAad(kiosk.kioskId, batch.batchId);
      const entries = await openPersonalBatch(sealing.privateJwk, batch.personal!, aad);
      const swapped = {
        ...batch,
        personal: await sealPersonalBatch(
          (await client.getConfig())!.config.gatewayKey,
          [...entries].reverse().map((entry) => JSON.stringify(entry)),
          aad,
        ),
      };
      expect(await bothRefuse(kiosk, client, swapped, records)).toEqual({
        1: 'bad-signature',
        2: 'bad-signature',
        3: 'bad-signature',
      });

      // A sealed array beside records that declare no personal fields.
      const { kiosk: plainKiosk, client: plainClient } = await newKiosk();
      await plainKiosk.commit({ ...birthCertificate, personalFieldIds: [] });
      const plain = await queuedBatchV2(plainKiosk, plainClient);
      expect(plain.batch.personal).toBeUndefined();
      const extra = {
        ...plain.batch,
        personal: await sealPersonalBatch(
          (await plainClient.getConfig())!.config.gatewayKey,
          [JSON.stringify(entries[0])],
          personalAad(plainKiosk.kioskId, plain.batch.batchId),
        ),
      };
      expect(await bothRefuse(plainKiosk, plainClient, extra, plain.records)).toEqual({
        1: 'unexpected-personal',
      });

      // Untouched, the batch goes through both.
      expect(await bothRefuse(kiosk, client, batch, records)).toEqual({});
    });

    it('refuses, as the reference gateway does, an entry whose field ids are not those its record declares, though its digest matches', async () => {
      const { kiosk, client } = await newKiosk();
      const payload = { salt: 'c2FsdC1vZi0xNi1ieXRlcw', fields: { fullName: 'Ana Pérez' } };
      // Signed by the device key over a digest of these very values, declaring another field.
      const record = await signTransaction(
        kiosk.keys,
        kiosk.kioskId,
        { seq: 0, hash: GENESIS_HASH },
        { personal: payload, fieldIds: ['dateOfBirth'] },
      );
      const batch = await encodeBatchV2({
        batchId: crypto.randomUUID(),
        kioskId: kiosk.kioskId,
        items: [{ record, personal: JSON.stringify(payload) }],
        gatewayKey: async () => (await client.getConfig())!.config.gatewayKey,
      });
      // The digest is left out: the entry gives it.
      expect(batch.segments[0]!.records[0]!.body.personal).toEqual({ fieldIds: ['dateOfBirth'] });
      expect(await bothRefuse(kiosk, client, batch, [record])).toEqual({ 1: 'personal-mismatch' });
    });

    it('links the chain with the hash a record altered on the kiosk carries, and refuses only it', async () => {
      const { kiosk, client } = await newKiosk();
      for (let i = 0; i < 4; i += 1) await kiosk.commit(birthCertificate);
      // seq 2 changed on the kiosk after it was signed: it travels with the hash it was signed with.
      const row = (await kiosk.db.outbox.get(2))!;
      const record = row.record;
      if (record.kind !== 'transaction') throw new Error('seq 2 is a transaction');
      await kiosk.db.outbox.update(2, {
        record: { ...record, body: { ...record.body, fee: { amountMinor: 1, currency: 'BZD' } } },
      });
      const { batch, records } = await queuedBatchV2(kiosk, client);
      expect(batch.segments[0]!.records[1]!.hash).toBe(toBase64Url(fromHexText(record.hash)));
      const run = await decode(kiosk, batch);
      expect(run.output?.records.map((r) => r.hash)).toEqual(records.map((r) => r.hash));
      expect(run.output!.records[2]!.prevHash).toBe(record.hash);
      expect(await bothRefuse(kiosk, client, batch, records)).toEqual({ 2: 'hash-mismatch' });
    });
  },
);

describe.runIf(missing !== undefined && process.env.CI === 'true')(
  'sync protocol v2 interop in CI',
  () => {
    it('has python3 with the cryptography module (.ci/run installs python3-cryptography)', () => {
      throw new Error(`CI=true but ${missing ?? ''}`);
    });
  },
);
