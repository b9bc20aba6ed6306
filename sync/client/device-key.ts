import { generateDeviceKeyPair } from '../protocol/device-signature';
import type { OutboxStore } from './store/outbox-store';

/**
 * The kiosk's signing key: created once, stored as a non-extractable CryptoKeyPair (IndexedDB
 * keeps CryptoKey objects by structured clone, so the private key bytes never exist in JS).
 */
export async function loadOrCreateDeviceKey(store: OutboxStore): Promise<CryptoKeyPair> {
  const existing = await store.readSetting('device-key');
  if (existing) return existing;
  // A concurrent first start in another tab may have stored one already: keep the first.
  return store.writeSettingOnce('device-key', await generateDeviceKeyPair());
}
