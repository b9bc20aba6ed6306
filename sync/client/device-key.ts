import { generateDeviceKeyPair } from '../protocol/device-signature';
import type { KioskDatabase } from './db';
import { readMeta, writeMeta } from './db';

const DEVICE_KEY = 'device-key';

/**
 * The kiosk's signing key: created once, stored as a non-extractable CryptoKeyPair (IndexedDB
 * keeps CryptoKey objects by structured clone, so the private key bytes never exist in JS).
 */
export async function loadOrCreateDeviceKey(db: KioskDatabase): Promise<CryptoKeyPair> {
  const existing = await readMeta<CryptoKeyPair>(db, DEVICE_KEY);
  if (existing?.privateKey && existing.publicKey) return existing;
  const created = await generateDeviceKeyPair();
  // A concurrent first start in another tab may have stored one already: keep the first.
  return db.transaction('rw', db.meta, async () => {
    const raced = await readMeta<CryptoKeyPair>(db, DEVICE_KEY);
    if (raced?.privateKey) return raced;
    await writeMeta(db, DEVICE_KEY, created);
    return created;
  });
}
