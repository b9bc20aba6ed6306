import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the at-rest data key lives. The page gets the key once through `keys:data-key` and
 * imports it as a non-extractable CryptoKey; the shell keeps the only readable copy.
 * Implementations: file custody (browser shell, here) and safeStorage custody (Electron).
 */
export interface KeyCustody {
  /** The 32-byte AES-256 data key; the same bytes on every call and every start. */
  getDataKey(): Promise<Uint8Array>;
}

export const DATA_KEY_BYTES = 32;

/**
 * File custody for the browser shell: a 32-byte key in a file readable only by the kiosk's OS
 * user (mode 0600), created on first use with O_EXCL so two starts cannot make two keys. This
 * protects the IndexedDB files copied off the machine, not a machine whose kiosk account is
 * compromised; Electron's safeStorage (OS keychain) custody is stronger.
 */
export function createFileKeyCustody(file: string): KeyCustody {
  let cached: Uint8Array | undefined;
  const read = (): Uint8Array => {
    const bytes = new Uint8Array(readFileSync(file));
    if (bytes.byteLength !== DATA_KEY_BYTES) {
      throw new Error(`data key file ${file} is damaged (expected ${DATA_KEY_BYTES} bytes)`);
    }
    return bytes;
  };
  return {
    async getDataKey() {
      if (cached) return new Uint8Array(cached);
      try {
        cached = read();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        mkdirSync(path.dirname(file), { recursive: true });
        try {
          const fd = openSync(file, 'wx', 0o600);
          try {
            writeSync(fd, randomBytes(DATA_KEY_BYTES));
          } finally {
            closeSync(fd);
          }
          chmodSync(file, 0o600);
        } catch (createError) {
          if ((createError as NodeJS.ErrnoException).code !== 'EEXIST') throw createError;
        }
        cached = read();
      }
      return new Uint8Array(cached);
    },
  };
}

/** Who asks for the data key: one page load, as the shell's end of the bridge sees it. */
export interface KeyRequester {
  readonly page: string;
  alive(): boolean;
}

export type DataKeyRelease =
  | { ok: true; key: Uint8Array }
  | { ok: false; reason: 'already-handed' | 'held-by-another-page' | 'page-gone' };

/**
 * Hands the data key to one page load, once. The kiosk page asks at start-up and keeps the key as
 * a non-extractable CryptoKey; any later request, from a script in the same page or from another
 * page while that one lives, is refused, so a script that runs after start-up cannot read the raw
 * key through the bridge. When the holder is gone (a reload, a crash, a closed connection), the
 * next page load may ask again. Why not encryption behind the bridge instead: a page-callable
 * decrypt channel would give any page script every personal value for as long as the page lives.
 */
export function createDataKeyRelease(custody: KeyCustody): {
  release(requester: KeyRequester): Promise<DataKeyRelease>;
} {
  let holder: KeyRequester | undefined;
  return {
    async release(requester) {
      if (!requester.alive()) return { ok: false, reason: 'page-gone' };
      if (holder?.alive()) {
        return {
          ok: false,
          reason: holder.page === requester.page ? 'already-handed' : 'held-by-another-page',
        };
      }
      // Claimed before the await, so two requests at once cannot both pass the check.
      holder = requester;
      try {
        return { ok: true, key: await custody.getDataKey() };
      } catch (error) {
        holder = undefined;
        throw error;
      }
    },
  };
}
