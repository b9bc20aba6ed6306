import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeStorage } from 'electron';
import { resetElectronFake, safeStorage as fakeSafeStorage } from '../../../support/electron-fake';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { SafeStorageCustody } from '../../../../electron/main/safe-storage-custody';

describe('key custody through safeStorage', () => {
  let dataDir: string;
  const custody = (platform: NodeJS.Platform = 'linux') =>
    new SafeStorageCustody({
      safeStorage: safeStorage as never,
      dataDir,
      logger: createMemoryLogger(),
      platform,
    });

  beforeEach(() => {
    resetElectronFake();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-custody-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a 32-byte data key once and returns the same key after a restart', async () => {
    const first = await custody().getDataKey();
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first.length).toBe(32);
    const again = await custody().getDataKey();
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
  });

  it('writes only the sealed form to disk, owner-readable only', async () => {
    const key = await custody().getDataKey();
    const file = path.join(dataDir, 'keys', 'data-key.sealed');
    const onDisk = readFileSync(file);
    expect(onDisk.includes(Buffer.from(key))).toBe(false);
    expect(onDisk.toString('utf8')).not.toContain(Buffer.from(key).toString('base64'));
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readdirSync(path.join(dataDir, 'keys'))).toEqual(['data-key.sealed']);
  });

  it('seals and opens device-key material under its own name', async () => {
    const material = new Uint8Array([1, 2, 3, 250, 251]);
    await custody().sealSecret('device-key', material);
    expect(Array.from((await custody().openSecret('device-key')) ?? [])).toEqual([
      1, 2, 3, 250, 251,
    ]);
    expect(await custody().openSecret('data-key')).toBeUndefined();
  });

  it('refuses to work when OS encryption is not available', async () => {
    fakeSafeStorage.available = false;
    await expect(custody().getDataKey()).rejects.toMatchObject({ code: 'custody-unavailable' });
  });

  it('refuses the Linux basic_text backend, which seals with a constant password', async () => {
    fakeSafeStorage.backend = 'basic_text';
    await expect(custody('linux').getDataKey()).rejects.toMatchObject({
      code: 'custody-unavailable',
    });
    await expect(custody('win32').getDataKey()).resolves.toHaveLength(32);
  });

  it('never replaces a key whose sealed file no longer opens (that would orphan the data)', async () => {
    await custody().getDataKey();
    const file = path.join(dataDir, 'keys', 'data-key.sealed');
    writeFileSync(file, 'garbage');
    await expect(custody().getDataKey()).rejects.toMatchObject({ code: 'custody-corrupt' });
    expect(readFileSync(file, 'utf8')).toBe('garbage');
  });
});
