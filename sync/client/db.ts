import Dexie from 'dexie';
import type { EntityTable, Transaction } from 'dexie';
import { z } from 'zod';
import { chainRecordSchema } from '../protocol/records';
import type { ChainRecord } from '../protocol/records';
import { chainHeadSchema } from '../protocol/wire';
import type { ChainHead } from '../protocol/wire';

/**
 * The only module that knows the IndexedDB layout. Everything else goes through the functions
 * and types exported here. Schema versions are listed in `schemaVersions`; a new version is
 * appended (never edited) with an upgrade that keeps every queued row.
 */
export type DeliveryState = 'queued' | 'delivered' | 'rejected' | 'purged';

/** AES-GCM ciphertext under the at-rest data key (data-key.ts). */
export interface LocalCiphertext {
  iv: string;
  ct: string;
}

/** One chain record and its delivery state: the outbox row. */
export interface OutboxRow {
  seq: number;
  /** The record's id (`record.body.txId`), for every record kind. */
  txId: string;
  /** Reference number and service: transaction rows only (officer records have neither). */
  ref?: string;
  serviceId?: string;
  state: DeliveryState;
  record: ChainRecord;
  /** Epoch ms on the kiosk clock when committed. */
  queuedAt: number;
  deliveredAt?: number;
  rejectReason?: string;
  attempts: number;
  /**
   * The personal fields (salt and values) encrypted with the data key: the kiosk's own copy, used
   * to reprint and to seal the values to the gateway when the record is sent. Removed by purge.
   */
  personalLocal?: LocalCiphertext;
  purgedAt?: number;
  /** Committed under schema v1, before personal fields were encrypted (see the v2 upgrade). */
  legacyPlaintext?: boolean;
}

/** A row that could not be read back as a valid outbox row: kept with its reason, never retried. */
export interface DeadLetterRow {
  id?: number;
  table: 'outbox';
  key: string;
  reason: string;
  raw: unknown;
  at: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

const localCiphertextSchema = z.object({ iv: z.string().min(1), ct: z.string().min(1) }).strict();

export const outboxRowSchema = z
  .object({
    seq: z.number().int().min(1),
    txId: z.string().uuid(),
    ref: z.string().min(1).optional(),
    serviceId: z.string().min(1).optional(),
    state: z.enum(['queued', 'delivered', 'rejected', 'purged']),
    record: chainRecordSchema,
    queuedAt: z.number(),
    deliveredAt: z.number().optional(),
    rejectReason: z.string().optional(),
    attempts: z.number().int().min(0),
    personalLocal: localCiphertextSchema.optional(),
    purgedAt: z.number().optional(),
    legacyPlaintext: z.boolean().optional(),
  })
  .strict()
  .refine(
    (row) =>
      row.seq === row.record.seq &&
      row.txId === row.record.body.txId &&
      (row.record.kind === 'transaction' ? row.ref === row.record.body.ref : row.ref === undefined),
    { message: 'row keys do not match its record' },
  );

export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<unknown>;
}

/** Every schema the kiosk has shipped, oldest first. Dexie upgrades through them in order. */
export const schemaVersions: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: { outbox: 'seq, &txId, &ref, state, [state+seq]', meta: 'key' },
  },
  {
    // v2: dead letters; an index for the retention purge; rows from v1 are marked as holding
    // plaintext (their signed records cannot be re-encrypted without breaking the chain).
    version: 2,
    stores: {
      outbox: 'seq, &txId, &ref, state, [state+seq], [state+deliveredAt]',
      meta: 'key',
      deadLetters: '++id, at',
    },
    upgrade: (tx) =>
      tx
        .table('outbox')
        .toCollection()
        .modify((row: Record<string, unknown>) => {
          row.legacyPlaintext = true;
        }),
  },
];

export const CURRENT_SCHEMA_VERSION = 2;

export class KioskDatabase extends Dexie {
  outbox!: EntityTable<OutboxRow, 'seq'>;
  meta!: EntityTable<MetaRow, 'key'>;
  deadLetters!: EntityTable<DeadLetterRow, 'id'>;

  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    for (const schema of schemaVersions) {
      const version = this.version(schema.version).stores(schema.stores);
      if (schema.upgrade) version.upgrade(schema.upgrade);
    }
  }
}

/** One database per kiosk id, so a re-enrolled kiosk never mixes chains. */
export function openKioskDatabase(
  kioskId: string,
  options?: ConstructorParameters<typeof Dexie>[1],
): KioskDatabase {
  return new KioskDatabase(kioskDatabaseName(kioskId), options);
}

export function kioskDatabaseName(kioskId: string): string {
  return `service-point:${kioskId}`;
}

const HEAD_KEY = 'chain-head';

export async function readHead(db: KioskDatabase): Promise<ChainHead | undefined> {
  const row = await db.meta.get(HEAD_KEY);
  if (!row) return undefined;
  const parsed = chainHeadSchema.safeParse(row.value);
  // A corrupt head must stop commits: guessing one would fork the chain.
  if (!parsed.success) throw new TypeError('the stored chain head is not valid');
  return parsed.data;
}

export function writeHead(db: KioskDatabase, head: ChainHead): Promise<string> {
  return db.meta.put({ key: HEAD_KEY, value: head });
}

export async function readMeta<T>(db: KioskDatabase, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export function writeMeta(db: KioskDatabase, key: string, value: unknown): Promise<string> {
  return db.meta.put({ key, value });
}

/**
 * Queued rows in chain order, oldest first, each parsed; with `afterSeq`, only the rows after
 * that seq. A row that fails to parse is moved to the dead-letter table with its reason (in one
 * transaction) instead of being sent or retried.
 */
export async function queuedRows(
  db: KioskDatabase,
  limit: number,
  afterSeq?: number,
): Promise<OutboxRow[]> {
  const raw: unknown[] = await db.outbox
    .where('[state+seq]')
    .between(['queued', afterSeq ?? Dexie.minKey], ['queued', Dexie.maxKey], afterSeq === undefined)
    .limit(limit)
    .toArray();
  const rows: OutboxRow[] = [];
  const dead: Array<{ key: unknown; reason: string; raw: unknown }> = [];
  for (const item of raw) {
    const parsed = outboxRowSchema.safeParse(item);
    if (parsed.success) {
      rows.push(parsed.data as OutboxRow);
    } else {
      const issue = parsed.error.issues[0];
      dead.push({
        key: (item as { seq?: unknown }).seq,
        reason: `${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}`,
        raw: item,
      });
    }
  }
  if (dead.length > 0) {
    await db.transaction('rw', db.outbox, db.deadLetters, async () => {
      for (const item of dead) {
        await db.deadLetters.add({
          table: 'outbox',
          key: String(item.key),
          reason: item.reason,
          raw: item.raw,
          at: Date.now(),
        });
        if (typeof item.key === 'number') await db.outbox.delete(item.key);
      }
    });
  }
  return rows;
}

export function countByState(db: KioskDatabase, state: DeliveryState): Promise<number> {
  return db.outbox.where('state').equals(state).count();
}

/** Delivered rows whose delivery is older than `before` (epoch ms): candidates for purge. */
export function deliveredBefore(db: KioskDatabase, before: number): Promise<OutboxRow[]> {
  return db.outbox
    .where('[state+deliveredAt]')
    .between(['delivered', Dexie.minKey], ['delivered', before], true, false)
    .toArray();
}
