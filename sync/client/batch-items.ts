import type { EcPublicJwk } from '../protocol/crypto-primitives';
import { sealTo } from '../protocol/sealed-box';
import type { BatchItem } from '../protocol/wire';
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

/**
 * The one sealing loop, for sync batches and USB bundles alike: each outbox row becomes the item
 * the gateway ingests, its personal fields decrypted from the kiosk's copy and sealed to the
 * gateway's key at send time (so a kiosk can commit before it has ever reached the gateway),
 * bound to the record id.
 *
 * A row whose copy cannot be opened (a changed data key, a damaged ciphertext) is left out and
 * returned in `unreadable`; both carriers then mark it rejected on the kiosk
 * (`UNREADABLE_REASON`), where the officer sees it and can retry it once the cause is put right,
 * and the rest moves on. Sending it without its values would only be refused by the gateway
 * (`personal-missing`, and a whole USB bundle with it). No data key at all is different: it may
 * come back (the shell restarts), so `SyncError('no-data-key')` stops the whole run instead.
 */
export async function toBatchItems(
  rows: readonly OutboxRow[],
  keys: SealingKeys,
): Promise<SealedItems> {
  const sealed: SealedItems = { rows: [], items: [], unreadable: [] };
  for (const row of rows) {
    const hasPersonal = row.record.kind === 'transaction' && row.record.body.personal;
    if (!hasPersonal || !row.personalLocal) {
      sealed.rows.push(row);
      sealed.items.push({ record: row.record });
      continue;
    }
    if (!keys.dataKey) throw new SyncError('no-data-key');
    let plaintext: string;
    try {
      plaintext = await decryptLocal(keys.dataKey, row.personalLocal, row.txId);
    } catch {
      sealed.unreadable.push(row);
      continue;
    }
    const personal = await sealTo(await keys.gatewayKey(), plaintext, row.txId);
    sealed.rows.push(row);
    sealed.items.push({ record: row.record, personal });
  }
  return sealed;
}
