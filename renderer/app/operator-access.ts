import { verifyOfficerPin } from '../../sync/client/officer-pin';
import type { OutboxStore } from '../../sync/client/store/outbox-store';

export const MAX_OPERATOR_PIN_FAILURES = 5;

export type OperatorPinResult =
  | { result: 'ok' }
  | { result: 'wrong-pin'; attemptsLeft: number }
  | { result: 'locked'; retryAfterSeconds: number }
  /** The site config has no operator PIN: the console cannot be opened on this kiosk. */
  | { result: 'disabled' };

/**
 * The operator console's PIN: the site config's PBKDF2 hash, checked in the page like an
 * officer's PIN (it must work offline in every shell). Wrong PINs are counted in IndexedDB, so
 * a reload does not reset them; the fifth locks the console for `lockoutMs`.
 */
export async function checkOperatorPin(
  store: OutboxStore,
  pinHash: string | undefined,
  pin: string,
  options: { now?: number; lockoutMs?: number; minIterations?: number } = {},
): Promise<OperatorPinResult> {
  if (!pinHash) return { result: 'disabled' };
  const now = options.now ?? Date.now();
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const failures = (await store.readSetting('operator-pin-failures')) ?? { count: 0 };
  if (failures.lockedUntil !== undefined && failures.lockedUntil > now) {
    return { result: 'locked', retryAfterSeconds: Math.ceil((failures.lockedUntil - now) / 1000) };
  }
  const ok = await verifyOfficerPin(pin, pinHash, { minIterations: options.minIterations });
  if (ok) {
    await store.writeSetting('operator-pin-failures', { count: 0 });
    return { result: 'ok' };
  }
  const count = (failures.lockedUntil !== undefined ? 0 : failures.count) + 1;
  if (count >= MAX_OPERATOR_PIN_FAILURES) {
    await store.writeSetting('operator-pin-failures', { count, lockedUntil: now + lockoutMs });
    return { result: 'locked', retryAfterSeconds: Math.ceil(lockoutMs / 1000) };
  }
  await store.writeSetting('operator-pin-failures', { count });
  return { result: 'wrong-pin', attemptsLeft: MAX_OPERATOR_PIN_FAILURES - count };
}
