import type { EcPublicJwk } from '../protocol/crypto-primitives';
import { sealTo } from '../protocol/sealed-box';
import type { BatchItem } from '../protocol/wire';
import { encodeBatchV2 } from '../protocol/wire-v2';
import type { BatchRequestV2, OpenItem } from '../protocol/wire-v2';
import { decryptLocal } from './data-key';
import type { OutboxRow } from './store/outbox-store';
import { SyncError } from './sync-error';

export interface SealingKeys {
  /** The at-rest data key that opens the rows' own copies of their personal fields. */
  dataKey: CryptoKey | undefined;
  /** The gateway's sealing key; asked for only when a row has personal fields to seal. */
  gatewayKey: () => Promise<EcPublicJwk>;
}

export interface SealedItems {
  /** The rows that go, in chain order, and their items (same index). */
  rows: OutboxRow[];
  items: BatchItem[];
  /** Rows whose own copy of the personal fields cannot be opened: left out. */
  unreadable: OutboxRow[];
}

/** Why a row left out for an unreadable personal copy is rejected on the kiosk. */
export const UNREADABLE_REASON = 'personal-unreadable';

/** Rows opened for sealing: each row's record and its personal fields' plaintext. */
interface OpenedRows {
  rows: OutboxRow[];
  items: OpenItem[];
  unreadable: OutboxRow[];
}

/**
 * The one loop that opens rows for sending, for sync batches (both protocol versions) and USB
 * bundles alike: each row's personal fields are decrypted from the kiosk's copy at send time (so
 * a kiosk can commit before it has ever reached the gateway) for the caller to seal.
 *
 * A row whose copy cannot be opened (a changed data key, a damaged ciphertext) is left out and
 * returned in `unreadable`; every carrier then marks it rejected on the kiosk
 * (`UNREADABLE_REASON`), where the officer sees it and can retry it once the cause is put right,
 * and the rest moves on. Sending it without its values would only be refused by the gateway
 * (`personal-missing`, and a whole USB bundle with it). No data key at all is different: it may
 * come back (the shell restarts), so `SyncError('no-data-key')` stops the whole run instead.
 */
async function openRows(
  rows: readonly OutboxRow[],
  dataKey: CryptoKey | undefined,
): Promise<OpenedRows> {
  const needsKey = (row: OutboxRow): boolean =>
    row.record.kind === 'transaction' && !!row.record.body.personal && !!row.personalLocal;
  if (!dataKey && rows.some(needsKey)) throw new SyncError('no-data-key');
  // Every row's copy opened at once (each an AES-GCM decryption), then sorted in chain order.
  const texts = await Promise.all(
    rows.map((row) =>
      dataKey && row.personalLocal && needsKey(row)
        ? decryptLocal(dataKey, row.personalLocal, row.txId).catch(() => null)
        : undefined,
    ),
  );
  const opened: OpenedRows = { rows: [], items: [], unreadable: [] };
  for (const [i, row] of rows.entries()) {
    const personal = texts[i];
    if (personal === null) {
      opened.unreadable.push(row);
      continue;
    }
    opened.rows.push(row);
    opened.items.push(
      personal === undefined ? { record: row.record } : { record: row.record, personal },
    );
  }
  return opened;
}

/**
 * Protocol v1 items (and USB bundles): each row's personal fields sealed to the gateway's key on
 * their own, bound to the record id (sealed-box.ts).
 */
export async function toBatchItems(
  rows: readonly OutboxRow[],
  keys: SealingKeys,
): Promise<SealedItems> {
  const opened = await openRows(rows, keys.dataKey);
  const items: BatchItem[] = [];
  for (const { record, personal } of opened.items) {
    items.push(
      personal === undefined
        ? { record }
        : { record, personal: await sealTo(await keys.gatewayKey(), personal, record.body.txId) },
    );
  }
  return { rows: opened.rows, items, unreadable: opened.unreadable };
}

/** A protocol v2 batch of rows, and which rows it carries (wire-v2.ts). */
export interface SealedBatchV2 {
  rows: OutboxRow[];
  request: BatchRequestV2 | undefined;
  unreadable: OutboxRow[];
}

/**
 * Protocol v2: the rows as signed segments, their personal fields sealed together to the
 * gateway's key in one HPKE message (wire-v2.ts). `request` is undefined when no row can go.
 */
export async function toBatchV2(
  rows: readonly OutboxRow[],
  keys: SealingKeys,
  ids: { batchId: string; kioskId: string },
): Promise<SealedBatchV2> {
  const opened = await openRows(rows, keys.dataKey);
  const request =
    opened.items.length === 0
      ? undefined
      : await encodeBatchV2({ ...ids, items: opened.items, gatewayKey: keys.gatewayKey });
  return { rows: opened.rows, request, unreadable: opened.unreadable };
}
