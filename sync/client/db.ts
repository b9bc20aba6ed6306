import Dexie from 'dexie';
import type { EntityTable } from 'dexie';
import type { ChainRecord } from '../protocol/records';
import type { ChainHead } from '../protocol/wire';

/**
 * The only module that knows the IndexedDB layout. Everything else goes through the functions
 * and types exported here.
 */
export type DeliveryState = 'queued' | 'delivered' | 'rejected';

/** One chain record and its delivery state: the outbox row. */
export interface OutboxRow {
  seq: number;
  txId: string;
  ref: string;
  serviceId: string;
  state: DeliveryState;
  record: ChainRecord;
  /** Epoch ms on the kiosk clock when committed. */
  queuedAt: number;
  deliveredAt?: number;
  rejectReason?: string;
  attempts: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class KioskDatabase extends Dexie {
  outbox!: EntityTable<OutboxRow, 'seq'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      outbox: 'seq, &txId, &ref, state, [state+seq]',
      meta: 'key',
    });
  }
}

/** One database per kiosk id, so a re-enrolled kiosk never mixes chains. */
export function openKioskDatabase(
  kioskId: string,
  options?: ConstructorParameters<typeof Dexie>[1],
): KioskDatabase {
  return new KioskDatabase(`service-point:${kioskId}`, options);
}

const HEAD_KEY = 'chain-head';

export async function readHead(db: KioskDatabase): Promise<ChainHead | undefined> {
  const row = await db.meta.get(HEAD_KEY);
  return row?.value as ChainHead | undefined;
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

/** Queued rows in chain order, oldest first. */
export function queuedRows(db: KioskDatabase, limit: number): Promise<OutboxRow[]> {
  return db.outbox
    .where('[state+seq]')
    .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
    .limit(limit)
    .toArray();
}

export function countByState(db: KioskDatabase, state: DeliveryState): Promise<number> {
  return db.outbox.where('state').equals(state).count();
}
