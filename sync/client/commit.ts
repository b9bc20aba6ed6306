import { GENESIS_HASH, chainRecordSchema, recordHash } from '../protocol/records';
import type { ChainRecord, TransactionBody, UnsignedRecord } from '../protocol/records';
import { canonicalJson } from '../protocol/canonical-json';
import { signText } from '../protocol/device-signature';
import type { KioskDatabase, OutboxRow } from './db';
import { readHead, writeHead } from './db';
import { newReferenceNumber } from './reference-number';
import { withSerialLock } from './serial-lock';
import { SyncError } from './sync-error';

export interface CommitDeps {
  db: KioskDatabase;
  kioskId: string;
  keys: CryptoKeyPair;
  now?: () => Date;
  randomBytes?: (bytes: Uint8Array) => void;
  randomUuid?: () => string;
}

export type TransactionInput = Omit<TransactionBody, 'txId' | 'ref'>;

export interface CommittedTransaction {
  txId: string;
  ref: string;
  seq: number;
  record: ChainRecord;
}

/**
 * Makes a transaction durable: builds the next chain record (gapless seq, prevHash, hash,
 * device signature) and writes the outbox row and the new chain head in one IndexedDB
 * transaction. Resolves only after that transaction has completed, so a citizen is never told
 * "submitted" for something that is not on disk.
 */
export function commitTransaction(
  deps: CommitDeps,
  input: TransactionInput,
): Promise<CommittedTransaction> {
  const now = deps.now ?? (() => new Date());
  const randomBytes = deps.randomBytes ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const randomUuid = deps.randomUuid ?? (() => crypto.randomUUID());

  return withSerialLock(`commit:${deps.kioskId}`, async () => {
    const head = (await readHead(deps.db)) ?? { seq: 0, hash: GENESIS_HASH };
    const body: TransactionBody = {
      ...input,
      txId: randomUuid(),
      ref: newReferenceNumber(randomBytes),
    };
    const unsigned: UnsignedRecord = {
      v: 1,
      kioskId: deps.kioskId,
      seq: head.seq + 1,
      prevHash: head.hash,
      createdAt: now().toISOString(),
      kind: 'transaction',
      body,
    };
    const hash = await recordHash(unsigned);
    const sig = await signText(deps.keys.privateKey, hash);
    const parsed = chainRecordSchema.safeParse({ ...unsigned, hash, sig });
    if (!parsed.success) {
      throw new SyncError('invalid-record', { reason: parsed.error.issues[0]?.message });
    }
    const record = parsed.data;
    // Make sure the record is encodable before it is stored: a record that cannot be sent
    // must never be committed.
    canonicalJson(record);

    const row: OutboxRow = {
      seq: record.seq,
      txId: body.txId,
      ref: body.ref,
      serviceId: body.serviceId,
      state: 'queued',
      record,
      queuedAt: now().getTime(),
      attempts: 0,
    };
    try {
      await deps.db.transaction('rw', deps.db.outbox, deps.db.meta, async () => {
        const current = (await readHead(deps.db)) ?? { seq: 0, hash: GENESIS_HASH };
        if (current.seq !== head.seq || current.hash !== head.hash) {
          throw new SyncError('commit-conflict');
        }
        await deps.db.outbox.add(row);
        await writeHead(deps.db, { seq: record.seq, hash: record.hash });
      });
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new SyncError('commit-failed', { reason: (error as Error).message });
    }
    return { txId: body.txId, ref: body.ref, seq: record.seq, record };
  });
}
