import { personalPayloadSchema } from '../protocol/personal-fields';
import type { OutboxStore } from './store/outbox-store';
import { decryptLocal } from './data-key';
import { SyncError } from './sync-error';

const DAY_MS = 24 * 60 * 60_000;

/**
 * A transaction's personal field values, decrypted from the kiosk's own copy (for a reprint).
 * `undefined` when the transaction had none or they were purged.
 */
export async function readPersonalFields(
  store: OutboxStore,
  dataKey: CryptoKey,
  txId: string,
): Promise<Record<string, string> | undefined> {
  const row = await store.find({ txId });
  if (!row?.personalLocal) return undefined;
  try {
    const payload = personalPayloadSchema.parse(
      JSON.parse(await decryptLocal(dataKey, row.personalLocal, txId)) as unknown,
    );
    return payload.fields;
  } catch {
    throw new SyncError('personal-data-unreadable', { txId });
  }
}

/**
 * Retention: personal data is removed from rows delivered more than `retentionDays` ago. The
 * chain record (which holds only a salted digest of personal fields) and the receipt stub (ref,
 * service, fee, times) stay. Rows never delivered are never touched. Rows from schema v1 held
 * values in their record; those values are blanked, and `record.hash` still proves what was sent.
 */
export function purgeDeliveredPersonalData(
  store: OutboxStore,
  options: { retentionDays: number; now?: number },
): Promise<number> {
  const now = options.now ?? Date.now();
  return store.purgePersonal(now - options.retentionDays * DAY_MS, now);
}
