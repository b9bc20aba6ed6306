import { personalPayloadSchema } from '../protocol/personal-fields';
import type { KioskDatabase } from './db';
import { deliveredBefore } from './db';
import { decryptLocal } from './data-key';
import { SyncError } from './sync-error';

const DAY_MS = 24 * 60 * 60_000;

/**
 * A transaction's personal field values, decrypted from the kiosk's own copy (for a reprint).
 * `undefined` when the transaction had none or they were purged.
 */
export async function readPersonalFields(
  db: KioskDatabase,
  dataKey: CryptoKey,
  txId: string,
): Promise<Record<string, string> | undefined> {
  const row = await db.outbox.where('txId').equals(txId).first();
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
export async function purgeDeliveredPersonalData(
  db: KioskDatabase,
  options: { retentionDays: number; now?: number },
): Promise<number> {
  const now = options.now ?? Date.now();
  const due = await deliveredBefore(db, now - options.retentionDays * DAY_MS);
  if (due.length === 0) return 0;
  await db.transaction('rw', db.outbox, async () => {
    for (const row of due) {
      const current = await db.outbox.get(row.seq);
      if (!current || current.state !== 'delivered') continue;
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
        purgedAt: now,
        ...(current.legacyPlaintext ? { legacyPlaintext: true } : {}),
      });
    }
  });
  return due.length;
}
