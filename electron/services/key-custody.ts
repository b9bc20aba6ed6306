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
