import { chainRecordSchema, recordHash } from '../protocol/records';
import type {
  ChainRecord,
  RecordBodyOf,
  RecordKind,
  TransactionBody,
  TransactionRecord,
  UnsignedRecord,
} from '../protocol/records';
import { canonicalJson } from '../protocol/canonical-json';
import { signText } from '../protocol/device-signature';
import { toBase64Url } from '../protocol/encoding';
import { personalDigest } from '../protocol/personal-fields';
import type { PersonalPayload } from '../protocol/personal-fields';
import type { OutboxRow, OutboxStore, Settings } from './store/outbox-store';
import { encryptLocal } from './data-key';
import { newReferenceNumber } from './reference-number';
import { withSerialLock } from './serial-lock';
import { SyncError } from './sync-error';

export interface CommitDeps {
  store: OutboxStore;
  kioskId: string;
  keys: CryptoKeyPair;
  /** The at-rest data key (data-key.ts); required when the input has personal fields. */
  dataKey?: CryptoKey;
  now?: () => Date;
  randomBytes?: (bytes: Uint8Array) => void;
  randomUuid?: () => string;
}

export type TransactionInput = Omit<TransactionBody, 'txId' | 'ref' | 'personal'> & {
  /**
   * Ids of the fields that are personal (`personal: true` in the catalogue). Their values are
   * never written in the clear: the record keeps a salted digest, the row an encrypted copy.
   */
  personalFieldIds?: readonly string[];
};

export interface CommitOptions {
  /**
   * This is the session's own transaction, whose receipt the citizen is about to see: mark its
   * receipt open in the same IndexedDB transaction (open-receipt.ts), so a crash cannot lose it.
   */
  openReceipt?: boolean;
}

export interface CommittedTransaction {
  txId: string;
  ref: string;
  seq: number;
  record: TransactionRecord;
}

/** The row fields a commit adds beside the record, its keys and its delivery state. */
type RowExtras = Pick<OutboxRow, 'ref' | 'serviceId' | 'personalLocal'>;

/**
 * Makes a transaction durable: builds the next chain record (gapless seq, prevHash, hash,
 * device signature) and has the store write the outbox row and the new chain head in one
 * IndexedDB transaction. Resolves only after that transaction has completed, so a citizen is
 * never told "submitted" for something that is not on disk; any failure rejects with a coded
 * SyncError. Personal fields are split off here, once: the record keeps their salted digest,
 * the row their values encrypted with the data key.
 */
export function commitTransaction(
  deps: CommitDeps,
  input: TransactionInput,
  options: CommitOptions = {},
): Promise<CommittedTransaction> {
  const now = deps.now ?? (() => new Date());
  const randomBytes = deps.randomBytes ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const randomUuid = deps.randomUuid ?? (() => crypto.randomUUID());

  return withSerialLock(`commit:${deps.kioskId}`, async () => {
    const txId = randomUuid();
    const personalIds = new Set(input.personalFieldIds ?? []);
    const plainFields: Record<string, string> = {};
    const personalFields: Record<string, string> = {};
    for (const [id, value] of Object.entries(input.fields)) {
      if (personalIds.has(id)) personalFields[id] = value;
      else plainFields[id] = value;
    }
    let personal: TransactionBody['personal'];
    let personalLocal: OutboxRow['personalLocal'];
    if (Object.keys(personalFields).length > 0) {
      if (!deps.dataKey) throw new SyncError('no-data-key');
      const salt = new Uint8Array(16);
      randomBytes(salt);
      const payload: PersonalPayload = { salt: toBase64Url(salt), fields: personalFields };
      personal = {
        fieldIds: Object.keys(personalFields).sort(),
        digest: await personalDigest(payload),
      };
      personalLocal = await encryptLocal(deps.dataKey, canonicalJson(payload), txId);
    }
    const body: TransactionBody = {
      txId,
      ref: newReferenceNumber(randomBytes),
      serviceId: input.serviceId,
      catalogueVersion: input.catalogueVersion,
      channel: input.channel,
      language: input.language,
      fee: input.fee,
      fields: plainFields,
      ...(personal ? { personal } : {}),
      ...(input.officerId !== undefined ? { officerId: input.officerId } : {}),
    };
    const record = await appendLocked(
      deps,
      'transaction',
      body,
      {
        ref: body.ref,
        serviceId: body.serviceId,
        ...(personalLocal ? { personalLocal } : {}),
      },
      options.openReceipt ? { 'open-receipt': { txId, at: now().getTime() } } : {},
    );
    return { txId, ref: body.ref, seq: record.seq, record: record as TransactionRecord };
  });
}

/**
 * Appends a non-transaction record (officer sign-in/out, void, reprint, config change) to the
 * chain: same lock, head check, hash and signature as a transaction, one IndexedDB transaction
 * for the outbox row and the new head. Its outbox row has no reference number or service.
 */
export function appendChainRecord<K extends Exclude<RecordKind, 'transaction'>>(
  deps: CommitDeps,
  kind: K,
  body: Omit<RecordBodyOf<K>, 'txId'>,
): Promise<ChainRecord & { kind: K }> {
  const randomUuid = deps.randomUuid ?? (() => crypto.randomUUID());
  return withSerialLock(`commit:${deps.kioskId}`, async () => {
    const full = { ...body, txId: randomUuid() } as RecordBodyOf<K>;
    return (await appendLocked(deps, kind, full, {})) as ChainRecord & { kind: K };
  });
}

/**
 * Builds, signs and stores the record after the head, with `settings` written in the same
 * IndexedDB transaction; the caller holds the commit lock.
 */
async function appendLocked<K extends RecordKind>(
  deps: CommitDeps,
  kind: K,
  body: RecordBodyOf<K>,
  extras: RowExtras,
  settings: Partial<Settings> = {},
): Promise<ChainRecord> {
  const now = deps.now ?? (() => new Date());
  const head = await coded(() => deps.store.readHead());
  const unsigned = {
    v: 1,
    kioskId: deps.kioskId,
    seq: head.seq + 1,
    prevHash: head.hash,
    createdAt: now().toISOString(),
    kind,
    body,
  } as UnsignedRecord;
  // A record that cannot be encoded could never be hashed by the gateway or sent: refuse it
  // before it is signed, with a coded error.
  try {
    canonicalJson(unsigned);
  } catch (error) {
    throw new SyncError('invalid-record', { reason: (error as Error).message });
  }
  const hash = await recordHash(unsigned);
  const sig = await signText(deps.keys.privateKey, hash);
  const parsed = chainRecordSchema.safeParse({ ...unsigned, hash, sig });
  if (!parsed.success) {
    throw new SyncError('invalid-record', { reason: parsed.error.issues[0]?.message });
  }
  const record = parsed.data;
  const row: OutboxRow = {
    seq: record.seq,
    txId: record.body.txId,
    ...extras,
    state: 'queued',
    record,
    queuedAt: now().getTime(),
    attempts: 0,
  };
  await coded(() => deps.store.append(row, head, settings));
  return record;
}

/** Runs a store step; anything but a coded SyncError becomes `commit-failed` with its reason. */
async function coded<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SyncError) throw error;
    throw new SyncError('commit-failed', { reason: (error as Error).message });
  }
}
