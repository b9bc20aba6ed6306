/**
 * Storage safety for a kiosk that must never fail a commit: ask the browser to keep our data
 * (persistent storage is not evicted under pressure), and refuse to start a session when free
 * quota is below a threshold, long before a commit could run out of room.
 */
export interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
  estimate?: () => Promise<{ quota?: number; usage?: number }>;
}

function defaultStorage(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/** Requests persistent storage; resolves to whether the data is now persisted. */
export async function requestPersistentStorage(
  storage: StorageManagerLike | undefined = defaultStorage(),
): Promise<boolean> {
  try {
    if (await storage?.persisted?.()) return true;
    return (await storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}

export type StorageCheck =
  | { ok: true; freeBytes: number | undefined }
  | { ok: false; code: 'storage-low'; freeBytes: number; minFreeBytes: number };

/** Default threshold: room for thousands of transactions and the chain behind them. */
export const DEFAULT_MIN_FREE_BYTES = 50 * 1024 * 1024;

/**
 * Whether a new session may start. An unknown estimate (no API) is allowed: refusing every
 * citizen because a browser hides its quota would be worse than the risk it guards against.
 */
export async function checkStorageHeadroom(
  options: { minFreeBytes?: number; storage?: StorageManagerLike } = {},
): Promise<StorageCheck> {
  const storage = options.storage ?? defaultStorage();
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  let estimate: { quota?: number; usage?: number } | undefined;
  try {
    estimate = await storage?.estimate?.();
  } catch {
    estimate = undefined;
  }
  if (!estimate || estimate.quota === undefined) return { ok: true, freeBytes: undefined };
  const freeBytes = Math.max(0, estimate.quota - (estimate.usage ?? 0));
  if (freeBytes < minFreeBytes) return { ok: false, code: 'storage-low', freeBytes, minFreeBytes };
  return { ok: true, freeBytes };
}
