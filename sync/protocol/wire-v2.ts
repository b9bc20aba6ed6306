import { z } from 'zod';
import { webCrypto } from './crypto-primitives';
import type { CryptoPrimitives, EcPublicJwk } from './crypto-primitives';
import { fromBase64Url, toBase64Url, toHex } from './encoding';
import { personalDigest, personalPayloadSchema } from './personal-fields';
import type { PersonalPayload } from './personal-fields';
import { sealPersonalBatch, sealedBatchSchema } from './personal-seal';
import { gatewayRecordSchema, recordHash } from './records';
import type { ChainRecord, GatewayRecord } from './records';
import { chainHeadSchema } from './wire';
import type { ItemResult } from './wire';

/**
 * Sync protocol v2: the same records, chain and guarantees as v1 (wire.ts) in fewer bytes.
 *
 * - **Segments, one signature each.** A batch is a list of segments; a segment is a run of
 *   consecutive records of the kiosk's chain. It carries the first record's `seq` and `prevHash`
 *   and the device's signature of its LAST record (the `sig` the kiosk made when it committed
 *   that record, over its hash). Every other field of the envelope is derived by the gateway:
 *   `v` (1), `kioskId` (the signed request's kiosk), each `seq` (the first plus the position),
 *   each `prevHash` (the hash of the record before it in the segment) and every `hash` (computed
 *   from the content, as v1's check does anyway). Because each hash covers its `prevHash`, the
 *   one signature covers every record of the segment: change one byte of any record and the
 *   last hash, so the signature, no longer matches. A record the kiosk finds altered since it
 *   was signed carries the hash it was signed with (`WireRecord.hash`), so only it is refused
 *   (`hash-mismatch`) and the records after it still verify, as in v1.
 * - **Personal fields sealed once per batch** (personal-seal.ts: HPKE, RFC 9180, after DEFLATE):
 *   one array, an entry for each transaction that declares personal fields, in batch order.
 * - **Personal-fields digests derived**: a transaction's `personal.digest` (the salted SHA-256 of
 *   its `{salt, fields}`, personal-fields.ts) is left out when the sealed entry beside it is the
 *   payload it was made from: the gateway opens the sealed array first and computes it, as it
 *   computes the hashes. It travels (base64url of its 32 bytes) only when the gateway could not
 *   derive it: the kiosk lacks the values (entry `null`), or its copy no longer matches.
 * - **Compact reply**: seq ranges by status instead of one object per record.
 *
 * The gateway stores what it derives: the record exactly as v1 would have carried it, with
 * `sig` only on each segment's last record (records.ts `gatewayRecordSchema`).
 */
export const PROTOCOL_V2 = 2;

const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/);
/** 32 bytes, base64url without padding. */
const hash32 = b64u.length(43);

/** A record on the v2 wire: what the gateway cannot derive. */
export const wireRecordSchema = z
  .object({
    kind: z.string().min(1).max(40),
    createdAt: z.string().max(40),
    body: z.record(z.string(), z.unknown()),
    /**
     * The hash the record was signed with, sent only when its content no longer hashes to it
     * (altered after signing, on the kiosk): the gateway links the chain with it and refuses this
     * record alone as `hash-mismatch`, as v1 does. Never present on a sound record.
     */
    hash: hash32.optional(),
  })
  .strict();
export type WireRecord = z.infer<typeof wireRecordSchema>;

export const segmentSchema = z
  .object({
    /** seq of the segment's first record; the rest follow one by one. */
    seq: z.number().int().min(1),
    /** prevHash of the first record (32 bytes, base64url). */
    prevHash: hash32,
    /** The device's signature (ECDSA P-256, P1363, base64url) over the last record's hash. */
    sig: z.string().regex(/^[A-Za-z0-9_-]{40,200}$/),
    records: z.array(wireRecordSchema).min(1).max(5000),
  })
  .strict();
export type Segment = z.infer<typeof segmentSchema>;

export const batchRequestV2Schema = z
  .object({
    batchId: z.string().uuid(),
    segments: z.array(segmentSchema).min(1).max(5000),
    personal: sealedBatchSchema.optional(),
  })
  .strict()
  .refine((batch) => batch.segments.reduce((n, s) => n + s.records.length, 0) <= 5000, {
    message: 'at most 5000 records in a batch',
    path: ['segments'],
  });
export type BatchRequestV2 = z.infer<typeof batchRequestV2Schema>;

const seqRangeSchema = z.tuple([z.number().int().min(1), z.number().int().min(1)]);

/** The reply: the kiosk's chain head and each record's outcome, as inclusive seq ranges. */
export const batchReplyV2Schema = z
  .object({
    head: chainHeadSchema,
    accepted: z.array(seqRangeSchema),
    duplicate: z.array(seqRangeSchema),
    rejected: z
      .array(z.object({ seq: z.number().int().min(1), reason: z.string() }).strict())
      .max(5000),
  })
  .strict();
export type BatchReplyV2 = z.infer<typeof batchReplyV2Schema>;

/** The HPKE additional data of a batch's sealed personal fields: its kiosk and batch. */
export function personalAad(kioskId: string, batchId: string): string {
  return `service-point/batch/v2\n${kioskId}\n${batchId}`;
}

function hexToBase64Url(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return toBase64Url(bytes);
}

function base64UrlToHex(text: string): string {
  return toHex(fromBase64Url(text));
}

/**
 * Whether a record (a chain record, or a record as it travels) declares personal fields: it has
 * an entry in the batch's sealed array.
 */
export function declaresPersonal(record: { kind: string; body: object }): boolean {
  return record.kind === 'transaction' && 'personal' in record.body && !!record.body.personal;
}

/** One record for a v2 batch, with its personal fields' JSON text when it declares them. */
export interface OpenItem {
  record: ChainRecord;
  /** The `{salt, fields}` JSON text (personal-fields.ts); absent when the kiosk lacks it. */
  personal?: string;
}

function toWireRecord(record: ChainRecord, sound: boolean, digestDerived: boolean): WireRecord {
  const { kind, createdAt } = record;
  const claimed = sound ? {} : { hash: hexToBase64Url(record.hash) };
  const body = record.body as Record<string, unknown>;
  if (record.kind === 'transaction' && record.body.personal) {
    const { fieldIds, digest } = record.body.personal;
    const personal = digestDerived ? { fieldIds } : { fieldIds, digest: hexToBase64Url(digest) };
    return { kind, createdAt, body: { ...body, personal }, ...claimed };
  }
  return { kind, createdAt, body, ...claimed };
}

/**
 * Whether the gateway can derive an item's personal-fields digest from its sealed entry: the
 * record is sound, declares personal fields, and its `{salt, fields}` text is a payload whose
 * digest is the one the record was signed with.
 */
async function digestDerivable(
  item: OpenItem,
  sound: boolean,
  primitives: CryptoPrimitives,
): Promise<boolean> {
  const { record, personal } = item;
  if (!sound || personal === undefined || record.kind !== 'transaction') return false;
  const declared = record.body.personal;
  if (!declared) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(personal);
  } catch {
    return false;
  }
  const payload = personalPayloadSchema.safeParse(parsed);
  return payload.success && (await personalDigest(payload.data, primitives)) === declared.digest;
}

/**
 * Splits items (records in chain order, with their personal fields' text where the kiosk has it)
 * into segments of consecutive, linked records, each signed by its last record's signature. A
 * record's personal-fields digest is left out where the gateway can derive it from the sealed
 * entry (`digestDerivable`). Throws when a record is not the kiosk's own signed record.
 */
export async function toSegments(
  items: readonly OpenItem[],
  primitives: CryptoPrimitives = webCrypto,
): Promise<Segment[]> {
  // Every record's checks at once (each a digest or two), then the segments in order.
  const wires = await Promise.all(
    items.map(async (item) => {
      const sound = (await recordHash(item.record, primitives)) === item.record.hash;
      return toWireRecord(item.record, sound, await digestDerivable(item, sound, primitives));
    }),
  );
  const segments: Segment[] = [];
  let current: { segment: Segment; last: ChainRecord } | undefined;
  for (const [i, item] of items.entries()) {
    const { record } = item;
    const wire = wires[i]!;
    const continues =
      current && record.seq === current.last.seq + 1 && record.prevHash === current.last.hash;
    if (current && continues) {
      current.segment.records.push(wire);
      current.segment.sig = record.sig;
      current.last = record;
      continue;
    }
    current = {
      segment: {
        seq: record.seq,
        prevHash: hexToBase64Url(record.prevHash),
        sig: record.sig,
        records: [wire],
      },
      last: record,
    };
    segments.push(current.segment);
  }
  return segments;
}

/**
 * A personal-fields text as one entry of the sealed array: itself when it is one JSON value, else
 * as a JSON string, which the gateway refuses for that record alone (`personal-unreadable`; its
 * digest is sent, `digestDerivable`). Spliced in as it is, a broken copy would make the whole
 * array unreadable, or shift the entries after it, and so refuse every segment of the batch.
 */
function sealedEntry(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

/** Builds a v2 batch from records in chain order, sealing their personal fields at once. */
export async function encodeBatchV2(input: {
  batchId: string;
  kioskId: string;
  items: readonly OpenItem[];
  gatewayKey: () => Promise<EcPublicJwk>;
}): Promise<BatchRequestV2> {
  const { batchId, kioskId, items } = input;
  const segments = await toSegments(items);
  const payloads = items
    .filter((item) => declaresPersonal(item.record))
    .map((item) => (item.personal === undefined ? null : sealedEntry(item.personal)));
  if (payloads.length === 0) return { batchId, segments };
  const personal = await sealPersonalBatch(
    await input.gatewayKey(),
    payloads,
    personalAad(kioskId, batchId),
  );
  return { batchId, segments, personal };
}

/** A v2 batch whose records are not valid chain records once rebuilt (the gateway answers 400). */
export class MalformedBatchError extends Error {
  override name = 'MalformedBatchError';
}

/** A segment as the gateway reconstructs it: its records and whether they parsed. */
export interface DecodedSegment {
  segment: Segment;
  /**
   * The records rebuilt with every derived field; the last one carries the segment's `sig`.
   * When `underived` is set they hold a placeholder digest and must only be refused, never stored.
   */
  records: GatewayRecord[];
  /** Positions of records whose content does not hash to the hash they claim (`hash`). */
  altered: Set<number>;
  /**
   * The declaring index (see `decodeSegments`) of the segment's first record whose personal-fields
   * digest was neither sent nor derivable: the segment's hashes, so its signature, cannot be
   * rebuilt, and the whole segment is unproven.
   */
  underived?: number;
}

/** A digest of 64 zeros: stands in for one that could not be derived, in a segment never stored. */
const PLACEHOLDER_DIGEST = '0'.repeat(64);

/** A sealed entry read as personal fields: its payload and that payload's digest (hex). */
export interface ReadEntry {
  payload: PersonalPayload;
  digest: string;
}

/** Reads a sealed entry as personal fields, with its digest; undefined when it is not a payload. */
export async function readEntry(
  entry: unknown,
  primitives: CryptoPrimitives = webCrypto,
): Promise<ReadEntry | undefined> {
  const payload = personalPayloadSchema.safeParse(entry);
  if (!payload.success) return undefined;
  return { payload: payload.data, digest: await personalDigest(payload.data, primitives) };
}

/**
 * Rebuilds a v2 batch's records as v1 would have carried them (hashes computed, the segment's
 * signature on its last record). `derived[k]` is the hex digest of the k-th record that declares
 * personal fields (batch order, the order of the sealed entries), computed from its opened entry
 * (`readEntry`); undefined when the entry is missing or unreadable. It fills in the digest a
 * record left out. Throws a `MalformedBatchError` naming the first record that is not a valid
 * chain record once rebuilt; the signature is NOT checked here.
 */
export async function decodeSegments(
  kioskId: string,
  batch: BatchRequestV2,
  derived: ReadonlyArray<string | undefined> = [],
  primitives: CryptoPrimitives = webCrypto,
): Promise<DecodedSegment[]> {
  const decoded: DecodedSegment[] = [];
  let declaring = 0;
  for (const [s, segment] of batch.segments.entries()) {
    const records: GatewayRecord[] = [];
    const altered = new Set<number>();
    let underived: number | undefined;
    let prevHash = base64UrlToHex(segment.prevHash);
    for (const [i, wire] of segment.records.entries()) {
      let body = wire.body;
      if (declaresPersonal(wire)) {
        const index = declaring++;
        const personal = wire.body.personal as { digest?: unknown };
        let digest: string;
        if (personal.digest !== undefined) {
          digest = typeof personal.digest === 'string' ? safeHex(personal.digest) : '';
        } else {
          const fromEntry = derived[index];
          if (fromEntry === undefined) underived ??= index;
          digest = fromEntry ?? PLACEHOLDER_DIGEST;
        }
        body = { ...wire.body, personal: { ...personal, digest } };
      }
      const unsigned = {
        v: 1,
        kioskId,
        seq: segment.seq + i,
        prevHash,
        createdAt: wire.createdAt,
        kind: wire.kind,
        body,
      };
      let computed: string;
      try {
        computed = await recordHash(unsigned as Parameters<typeof recordHash>[0], primitives);
      } catch (error) {
        // A body canonical JSON cannot encode (a number past 1e308, nesting past the stack).
        if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
        throw new MalformedBatchError(`segments.${s}.records.${i}: ${(error as Error).message}`);
      }
      const hash = wire.hash === undefined ? computed : base64UrlToHex(wire.hash);
      if (hash !== computed) altered.add(i);
      const last = i === segment.records.length - 1;
      const parsed = gatewayRecordSchema.safeParse({
        ...unsigned,
        hash,
        ...(last ? { sig: segment.sig } : {}),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new MalformedBatchError(
          `segments.${s}.records.${i}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
        );
      }
      records.push(parsed.data);
      prevHash = hash;
    }
    decoded.push({ segment, records, altered, ...(underived === undefined ? {} : { underived }) });
  }
  return decoded;
}

function safeHex(text: string): string {
  try {
    return base64UrlToHex(text);
  } catch {
    return text;
  }
}

function ranges(seqs: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

/** The v2 reply for results computed by the shared ingest (one per record). */
export function compactReply(reply: {
  results: readonly ItemResult[];
  head: BatchReplyV2['head'];
}): BatchReplyV2 {
  const of = (status: ItemResult['status']): number[] =>
    reply.results.filter((r) => r.status === status).map((r) => r.seq);
  return {
    head: reply.head,
    accepted: ranges(of('accepted')),
    duplicate: ranges(of('duplicate')),
    rejected: reply.results
      .filter((r) => r.status === 'rejected')
      .map((r) => ({ seq: r.seq, reason: r.reason ?? 'rejected' })),
  };
}

/**
 * The per-record results a v2 reply stands for, named by the sent records' ids; a seq the batch
 * did not send is ignored, and one without an outcome has no result (the engine resends it).
 */
export function expandReply(
  reply: BatchReplyV2,
  sent: ReadonlyArray<Pick<ChainRecord, 'seq' | 'body'>>,
): ItemResult[] {
  const ids = new Map(sent.map((record) => [record.seq, record.body.txId]));
  const results: ItemResult[] = [];
  const push = (seq: number, status: ItemResult['status'], reason?: string): void => {
    const id = ids.get(seq);
    if (id === undefined) return;
    results.push(reason === undefined ? { id, seq, status } : { id, seq, status, reason });
  };
  for (const status of ['accepted', 'duplicate'] as const) {
    for (const [from, to] of reply[status]) {
      // A range is bounded by the records sent, so a hostile reply cannot make this loop long.
      for (let seq = Math.max(from, 0); seq <= to && ids.has(seq); seq += 1) push(seq, status);
    }
  }
  for (const { seq, reason } of reply.rejected) push(seq, 'rejected', reason);
  return results;
}
