import Dexie, { liveQuery } from 'dexie';
import { GENESIS_HASH } from '../../protocol/records';
import { chainHeadSchema } from '../../protocol/wire';
import type { ChainHead } from '../../protocol/wire';
import { SyncError } from '../sync-error';
import {
  HEAD_KEY,
  SEEN_STATUS_PREFIX,
  seenStatusSchema,
  KioskDatabase,
  kioskDatabaseName,
  outboxRowSchema,
  settingSchemas,
} from './dexie-schema';
import type {
  DeadLetterRow,
  DeliveryOutcome,
  DeliveryState,
  HeldRecord,
  OutboxRow,
  OutboxStore,
  QueueFigures,
  SeenStatus,
  SettingKey,
  Settings,
  Subscribable,
} from './outbox-store';

type DexieOptions = ConstructorParameters<typeof Dexie>[1];

/** Opens (and upgrades, see dexie-schema.ts) the outbox store of one kiosk. */
export async function openOutboxStore(
  kioskId: string,
  options?: DexieOptions,
): Promise<DexieOutboxStore> {
  const db = new KioskDatabase(kioskDatabaseName(kioskId), options);
  await db.open();
  return new DexieOutboxStore(db);
}

function firstIssue(error: {
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>;
}): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || 'row'}: ${issue?.message ?? 'invalid'}`;
}

/** The outbox store over IndexedDB (Dexie): the only code that knows the tables and indexes. */
export class DexieOutboxStore implements OutboxStore {
  readonly #db: KioskDatabase;
  readonly #queuedListeners = new Set<() => void>();

  constructor(db: KioskDatabase) {
    this.#db = db;
  }

  async readHead(): Promise<ChainHead> {
    const row = await this.#db.meta.get(HEAD_KEY);
    if (!row) return { seq: 0, hash: GENESIS_HASH };
    const parsed = chainHeadSchema.safeParse(row.value);
    // A corrupt head must stop commits: guessing one would fork the chain.
    if (!parsed.success) {
      throw new SyncError('commit-failed', { reason: 'the stored chain head is not valid' });
    }
    return parsed.data;
  }

  async append(
    row: OutboxRow,
    expected: ChainHead,
    settings: Partial<Settings> = {},
  ): Promise<void> {
    const db = this.#db;
    await db.transaction('rw', db.outbox, db.meta, async () => {
      const current = await this.readHead();
      if (current.seq !== expected.seq || current.hash !== expected.hash) {
        throw new SyncError('commit-conflict');
      }
      await db.outbox.add(row);
      await db.meta.put({ key: HEAD_KEY, value: { seq: row.record.seq, hash: row.record.hash } });
      for (const [key, value] of Object.entries(settings)) await db.meta.put({ key, value });
    });
    // The transaction has completed: the row is on disk, so it may be sent.
    this.#wakeQueued();
  }

  async queued(limit: number, afterSeq?: number): Promise<OutboxRow[]> {
    const db = this.#db;
    const raw: unknown[] = await db.outbox
      .where('[state+seq]')
      .between(
        ['queued', afterSeq ?? Dexie.minKey],
        ['queued', Dexie.maxKey],
        afterSeq === undefined,
      )
      .limit(limit)
      .toArray();
    const rows: OutboxRow[] = [];
    const dead: Array<{ key: unknown; reason: string; raw: unknown }> = [];
    for (const item of raw) {
      const parsed = outboxRowSchema.safeParse(item);
      if (parsed.success) rows.push(parsed.data as OutboxRow);
      else
        dead.push({
          key: (item as { seq?: unknown }).seq,
          reason: firstIssue(parsed.error),
          raw: item,
        });
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

  async settle(outcomes: readonly DeliveryOutcome[], at: number): Promise<number> {
    const db = this.#db;
    let settled = 0;
    await db.transaction('rw', db.outbox, async () => {
      // One read and one write for the whole batch: a row at a time cost three requests each
      // (0.5 s for 1,000 rows on fake-indexeddb, the last batch's results on the drain's clock).
      const rows = await this.#rowsBySeq(outcomes.map((item) => item.seq));
      const changed = new Map<number, OutboxRow>();
      for (const item of outcomes) {
        const current = changed.get(item.seq) ?? rows.get(item.seq);
        if (!current || current.state !== 'queued') continue;
        const attempts = current.attempts + 1;
        switch (item.outcome) {
          case 'unanswered':
            changed.set(item.seq, { ...current, attempts });
            break;
          case 'rejected':
            settled += 1;
            changed.set(item.seq, {
              ...current,
              state: 'rejected',
              rejectReason: item.reason,
              attempts,
            });
            break;
          case 'delivered':
            settled += 1;
            changed.set(item.seq, { ...current, state: 'delivered', deliveredAt: at, attempts });
            break;
          default:
            throw new TypeError(
              `unknown delivery outcome for seq ${(item as { seq: number }).seq}`,
            );
        }
      }
      if (changed.size > 0) await db.outbox.bulkPut([...changed.values()]);
    });
    return settled;
  }

  async confirmHeld(
    records: readonly HeldRecord[],
    at: number,
    from: 'queued' | 'rejected' = 'queued',
  ): Promise<number> {
    const db = this.#db;
    let marked = 0;
    await db.transaction('rw', db.outbox, async () => {
      const rows = await this.#rowsBySeq(records.map((held) => held.seq));
      const changed = new Map<number, OutboxRow>();
      for (const held of records) {
        const row = changed.has(held.seq) ? undefined : rows.get(held.seq);
        if (!row || row.state !== from) continue;
        if (row.txId !== held.id || row.record.hash !== held.hash) continue;
        const delivered: OutboxRow = { ...row, state: 'delivered', deliveredAt: at };
        delete delivered.rejectReason;
        changed.set(held.seq, delivered);
        marked += 1;
      }
      if (changed.size > 0) await db.outbox.bulkPut([...changed.values()]);
    });
    return marked;
  }

  /** The outbox rows with these seqs (inside the caller's transaction), by seq; missing ones left out. */
  async #rowsBySeq(seqs: readonly number[]): Promise<Map<number, OutboxRow>> {
    const unique = [...new Set(seqs)];
    const rows = await this.#db.outbox.bulkGet(unique);
    const bySeq = new Map<number, OutboxRow>();
    for (const row of rows) if (row) bySeq.set(row.seq, row);
    return bySeq;
  }

  countQueued(range?: { fromSeq: number; toSeq: number }): Promise<number> {
    if (!range) return this.#count('queued');
    return this.#db.outbox
      .where('[state+seq]')
      .between(['queued', range.fromSeq], ['queued', range.toSeq], true, true)
      .count();
  }

  async figures(): Promise<QueueFigures> {
    const db = this.#db;
    const latest = (state: DeliveryState): Promise<OutboxRow | undefined> =>
      db.outbox
        .where('[state+deliveredAt]')
        .between([state, Dexie.minKey], [state, Dexie.maxKey])
        .last();
    const [queued, rejected, delivered, deadLetters, oldest, lastDelivered, lastPurged] =
      await Promise.all([
        this.#count('queued'),
        this.#count('rejected'),
        this.#count('delivered'),
        db.deadLetters.count(),
        db.outbox
          .where('[state+seq]')
          .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
          .first(),
        latest('delivered'),
        latest('purged'),
      ]);
    const deliveries = [lastDelivered?.deliveredAt, lastPurged?.deliveredAt].filter(
      (at): at is number => at !== undefined,
    );
    return {
      queued,
      rejected,
      delivered,
      deadLetters,
      ...(oldest ? { oldestQueuedAt: oldest.queuedAt } : {}),
      ...(deliveries.length > 0 ? { lastDeliveredAt: Math.max(...deliveries) } : {}),
    };
  }

  find(key: { txId: string } | { ref: string }): Promise<OutboxRow | undefined> {
    const outbox = this.#db.outbox;
    return 'txId' in key
      ? outbox.where('txId').equals(key.txId).first()
      : outbox.where('ref').equals(key.ref).first();
  }

  rows(state?: DeliveryState): Promise<OutboxRow[]> {
    const outbox = this.#db.outbox;
    if (state === undefined) return outbox.orderBy('seq').toArray();
    return outbox
      .where('[state+seq]')
      .between([state, Dexie.minKey], [state, Dexie.maxKey])
      .toArray();
  }

  deadLetters(): Promise<DeadLetterRow[]> {
    return this.#db.deadLetters.toArray();
  }

  async requeueRejected(seq: number): Promise<void> {
    const db = this.#db;
    await db.transaction('rw', db.outbox, async () => {
      const row = await db.outbox.get(seq);
      if (!row || row.state !== 'rejected') {
        throw new SyncError('retry-refused', { reason: 'only a rejected item can be retried' });
      }
      await db.outbox.update(seq, { state: 'queued', rejectReason: undefined, attempts: 0 });
    });
    this.#wakeQueued();
  }

  async restoreDeadLetter(
    id: number,
    corrected?: unknown,
  ): Promise<{ ok: true; seq: number } | { ok: false; reason: string }> {
    const db = this.#db;
    const result = await db.transaction('rw', db.outbox, db.deadLetters, async () => {
      const dead = await db.deadLetters.get(id);
      if (!dead) return { ok: false as const, reason: 'no such dead letter' };
      const parsed = outboxRowSchema.safeParse(corrected ?? dead.raw);
      if (!parsed.success) return { ok: false as const, reason: firstIssue(parsed.error) };
      const row = { ...(parsed.data as OutboxRow), state: 'queued' as const, attempts: 0 };
      if (await db.outbox.get(row.seq)) {
        return { ok: false as const, reason: `seq ${row.seq} is already in the queue` };
      }
      await db.outbox.add(row);
      await db.deadLetters.delete(id);
      return { ok: true as const, seq: row.seq };
    });
    if (result.ok) this.#wakeQueued();
    return result;
  }

  async purgePersonal(deliveredBefore: number, at: number): Promise<number> {
    const db = this.#db;
    const due = await db.outbox
      .where('[state+deliveredAt]')
      .between(['delivered', Dexie.minKey], ['delivered', deliveredBefore], true, false)
      .primaryKeys();
    if (due.length === 0) return 0;
    await db.transaction('rw', db.outbox, async () => {
      for (const seq of due) {
        const current = await db.outbox.get(seq);
        if (!current || current.state !== 'delivered') continue;
        // Rows from schema v1 held their values in the record itself: blank them; the record's
        // hash still proves what was sent.
        const record =
          current.legacyPlaintext && current.record.kind === 'transaction'
            ? { ...current.record, body: { ...current.record.body, fields: {} } }
            : current.record;
        await db.outbox.put({
          seq: current.seq,
          txId: current.txId,
          ...(current.ref !== undefined ? { ref: current.ref } : {}),
          ...(current.serviceId !== undefined ? { serviceId: current.serviceId } : {}),
          state: 'purged',
          record,
          queuedAt: current.queuedAt,
          deliveredAt: current.deliveredAt,
          attempts: current.attempts,
          purgedAt: at,
          ...(current.legacyPlaintext ? { legacyPlaintext: true } : {}),
        });
      }
    });
    return due.length;
  }

  async rememberStatuses(statuses: readonly SeenStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    await this.#db.meta.bulkPut(
      statuses.map((status) => ({ key: `${SEEN_STATUS_PREFIX}${status.ref}`, value: status })),
    );
  }

  async seenStatuses(refs: readonly string[]): Promise<SeenStatus[]> {
    const rows = await this.#db.meta.bulkGet(refs.map((ref) => `${SEEN_STATUS_PREFIX}${ref}`));
    return rows.flatMap((row) => {
      const parsed = seenStatusSchema.safeParse(row?.value);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async forgetStatusesBefore(beforeMs: number): Promise<number> {
    const meta = this.#db.meta;
    const old = await meta
      .where('key')
      .startsWith(SEEN_STATUS_PREFIX)
      .filter((row) => {
        const parsed = seenStatusSchema.safeParse(row.value);
        return !parsed.success || parsed.data.checkedAt < beforeMs;
      })
      .primaryKeys();
    await meta.bulkDelete(old);
    return old.length;
  }

  async readSetting<K extends SettingKey>(key: K): Promise<Settings[K] | undefined> {
    const row = await this.#db.meta.get(key);
    if (!row) return undefined;
    const parsed = settingSchemas[key].safeParse(row.value);
    return parsed.success ? parsed.data : undefined;
  }

  async writeSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
    await this.#db.meta.put({ key, value });
  }

  writeSettingOnce<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings[K]> {
    const db = this.#db;
    return db.transaction('rw', db.meta, async () => {
      const existing = await this.readSetting(key);
      if (existing !== undefined) return existing;
      await db.meta.put({ key, value });
      return value;
    });
  }

  async deleteSetting(key: SettingKey): Promise<void> {
    await this.#db.meta.delete(key);
  }

  observe<T>(query: () => Promise<T>): Subscribable<T> {
    const live = liveQuery(query);
    return {
      subscribe: (observer) =>
        typeof observer === 'function' ? live.subscribe(observer) : live.subscribe(observer),
    };
  }

  onQueued(listener: () => void): () => void {
    this.#queuedListeners.add(listener);
    return () => this.#queuedListeners.delete(listener);
  }

  close(): void {
    this.#db.close();
  }

  #count(state: DeliveryState): Promise<number> {
    return this.#db.outbox.where('state').equals(state).count();
  }

  #wakeQueued(): void {
    for (const listener of this.#queuedListeners) listener();
  }
}
