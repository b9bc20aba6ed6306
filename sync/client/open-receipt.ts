import { readCachedRoster } from './officer-session';
import type { OutboxStore } from './store/outbox-store';

/**
 * The receipt a citizen has not finished with yet. Its marker is written in the same IndexedDB
 * transaction as the transaction itself (commit.ts, `openReceipt`), so whenever a commit is on
 * disk so is the marker: if the browser or the kiosk dies before the citizen has seen (or
 * printed) the receipt, the kiosk shows it again first thing when it is back, and clears it when
 * that session ends like any other. The marker holds only the transaction id; what is shown is
 * read back from the signed record, never a personal field. The marker is a setting of the
 * outbox store (`open-receipt`).
 */

/** What the receipt screen needs again after a restart: nothing personal. */
export interface OpenReceipt {
  txId: string;
  ref: string;
  serviceId: string;
  language: string;
  /** Payment method and its reference, as on the receipt (not personal fields). */
  payment?: { method: string; reference?: string };
  /** The officer who completed it (assisted mode), from the cached roster. */
  officer?: { officerId: string; name: string };
  /** When it was committed (ms since the epoch). */
  committedAt: number;
  /** The fee its transaction recorded (a bill's stated amount, or the catalogue's fee). */
  fee: { amountMinor: number; currency: string };
}

/**
 * The receipt left open by a session the browser or the kiosk did not get to finish, or
 * undefined. A marker whose transaction is gone (or unreadable) is cleared.
 */
export async function readOpenReceipt(store: OutboxStore): Promise<OpenReceipt | undefined> {
  const marker = await store.readSetting('open-receipt');
  if (!marker) return undefined;
  const row = await store.find({ txId: marker.txId });
  const record = row?.record;
  if (!row || !record || record.kind !== 'transaction') {
    await clearOpenReceipt(store);
    return undefined;
  }
  const { body } = record;
  const method = body.fields.paymentMethod;
  let officer: OpenReceipt['officer'];
  if (body.officerId) {
    const entry = (await readCachedRoster(store)).find((o) => o.officerId === body.officerId);
    officer = { officerId: body.officerId, name: entry?.name ?? body.officerId };
  }
  return {
    txId: body.txId,
    ref: body.ref,
    serviceId: body.serviceId,
    language: body.language,
    ...(method ? { payment: { method, reference: body.fields.paymentReference } } : {}),
    ...(officer ? { officer } : {}),
    committedAt: marker.at,
    fee: body.fee,
  };
}

/** The session ended (finished, started over or timed out): its receipt is no longer open. */
export function clearOpenReceipt(store: OutboxStore): Promise<void> {
  return store.deleteSetting('open-receipt');
}
