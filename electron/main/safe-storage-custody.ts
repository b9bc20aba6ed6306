import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { DATA_KEY_BYTES } from '../services/key-custody';
import type { KeyCustody } from '../services/key-custody';
import type { ShellLogger } from './logger';
import { ShellError } from './shell-error';

/** Names of sealed secrets; one file each under `<dataDir>/keys/`. */
export type SecretName = 'data-key' | 'device-key';

export interface SafeStorageCustodyDeps {
  safeStorage: Pick<
    SafeStorage,
    'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
  >;
  dataDir: string;
  logger: ShellLogger;
  platform?: NodeJS.Platform;
}

/**
 * The Electron shell's `KeyCustody` (the browser shell's is file custody in electron/services):
 * keys go through Electron's safeStorage (DPAPI on Windows, the keyring on Linux, the
 * Keychain on macOS): secrets are sealed by the OS user's credentials before they touch the disk.
 * On Linux, the `basic_text` backend seals with a constant password, so it is refused rather than
 * pretending to protect anything. A sealed file that no longer opens is an error, never a reason to
 * make a fresh key: a new key would silently orphan every encrypted record.
 */
export class SafeStorageCustody implements KeyCustody {
  private readonly dir: string;
  private readonly cache = new Map<SecretName, Uint8Array>();

  constructor(private readonly deps: SafeStorageCustodyDeps) {
    this.dir = path.join(deps.dataDir, 'keys');
  }

  async getDataKey(): Promise<Uint8Array> {
    const existing = await this.openSecret('data-key');
    if (existing) {
      if (existing.length !== DATA_KEY_BYTES)
        throw new ShellError('custody-corrupt', 'data-key length');
      return existing;
    }
    const key = new Uint8Array(randomBytes(DATA_KEY_BYTES));
    await this.sealSecret('data-key', key);
    this.deps.logger.log('info', 'custody.data-key-created');
    return key;
  }

  /** Seals `secret` (for example the device key's PKCS#8 bytes) under `name`, replacing any. */
  async sealSecret(name: SecretName, secret: Uint8Array): Promise<void> {
    this.assertAvailable();
    const sealed = this.deps.safeStorage.encryptString(Buffer.from(secret).toString('base64'));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(name);
    const temp = `${file}.${process.pid}.tmp`;
    // Write then rename: a power cut leaves the old key or the new one, never half a key.
    writeFileSync(temp, sealed, { mode: 0o600 });
    renameSync(temp, file);
    this.cache.set(name, Uint8Array.from(secret));
  }

  /** The secret sealed under `name`, or undefined when none has been sealed yet. */
  async openSecret(name: SecretName): Promise<Uint8Array | undefined> {
    const cached = this.cache.get(name);
    if (cached) return Uint8Array.from(cached);
    let sealed: Buffer;
    try {
      sealed = readFileSync(this.file(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ShellError('custody-corrupt', `${name}: cannot be read`);
    }
    this.assertAvailable();
    let text: string;
    try {
      text = this.deps.safeStorage.decryptString(sealed);
    } catch {
      this.deps.logger.log('error', 'custody.unseal-failed', { name });
      throw new ShellError('custody-corrupt', name);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new ShellError('custody-corrupt', name);
    const secret = new Uint8Array(Buffer.from(text, 'base64'));
    this.cache.set(name, secret);
    return Uint8Array.from(secret);
  }

  private assertAvailable(): void {
    const { safeStorage } = this.deps;
    if (!safeStorage.isEncryptionAvailable()) throw new ShellError('custody-unavailable');
    if (
      (this.deps.platform ?? process.platform) === 'linux' &&
      safeStorage.getSelectedStorageBackend() === 'basic_text'
    ) {
      throw new ShellError(
        'custody-unavailable',
        'no keyring in the kiosk session (basic_text); see the README, Kiosk shell',
      );
    }
  }

  private file(name: SecretName): string {
    return path.join(this.dir, `${name}.sealed`);
  }
}
