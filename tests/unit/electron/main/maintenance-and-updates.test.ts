import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { MaintenanceService } from '../../../../electron/main/maintenance';
import { UpdateService } from '../../../../electron/main/update-service';
import type { Updater } from '../../../../electron/main/update-service';
import { signUpdate } from '../../../../electron/main/update-signature';
import { FakeClock } from './fake-clock';

const HOUR = 3_600_000;
/** Local hour in a fixed zone (UTC) so the test does not depend on the machine. */
const utcHour = (at: number): number => new Date(at).getUTCHours();

/** A recording fake of electron-updater's autoUpdater. */
class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
  disableWebInstaller = false;
  feed: unknown;
  checks = 0;
  installs: Array<[boolean | undefined, boolean | undefined]> = [];
  failInstall = false;
  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feed = options;
  }
  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return Promise.resolve(null);
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    if (this.failInstall) throw new Error('installer missing');
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

const FEED = 'https://gateway.example/updates/';
// The fleet's signing key (the private half stays with the fleet owner) and a signed installer.
const fleetKey = generateKeyPairSync('ed25519');
const publicKey = fleetKey.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const privateKeyPem = fleetKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const downloads = mkdtempSync(path.join(tmpdir(), 'sp-updates-'));
const installer = path.join(downloads, 'Service-Point-0.2.0.AppImage');
writeFileSync(installer, 'the new version');
const signatures = new Map<string, string>();
afterAll(() => rmSync(downloads, { recursive: true, force: true }));

function setup(options: { start?: number; restart?: boolean; feedUrl?: string } = {}) {
  // Starts at 20:00 UTC; the quiet hour is 03:00.
  const clock = new FakeClock(options.start ?? Date.UTC(2026, 0, 15, 20, 0, 0));
  const logger = createMemoryLogger();
  const updater = new FakeUpdater();
  const feedUrl = 'feedUrl' in options ? options.feedUrl : FEED;
  const fetched: string[] = [];
  const updates = new UpdateService({
    updater,
    feed: feedUrl ? { url: feedUrl, publicKey } : undefined,
    fetchText: async (url) => {
      fetched.push(url);
      const text = signatures.get(url);
      if (text === undefined) throw new Error('HTTP 404');
      return text;
    },
    clock,
    logger,
  });
  updates.initialize();
  let relaunches = 0;
  const maintenance = new MaintenanceService({
    clock,
    logger,
    quietHour: 3,
    restartEnabled: options.restart ?? true,
    localHour: utcHour,
    relaunch: () => {
      relaunches += 1;
    },
    installUpdate: () => updates.installDownloaded(),
  });
  maintenance.initialize();
  return {
    clock,
    logger,
    updater,
    updates,
    maintenance,
    fetched,
    relaunches: () => relaunches,
  };
}

describe('the maintenance restart', () => {
  it('restarts at the quiet hour when no citizen session is open', () => {
    const { clock, relaunches } = setup();
    clock.advance(6 * HOUR); // 02:00
    expect(relaunches()).toBe(0);
    clock.advance(HOUR + 60_000); // 03:01
    expect(relaunches()).toBe(1);
    clock.advance(23 * HOUR);
    expect(relaunches()).toBe(1);
  });

  it('never restarts during a citizen session, and restarts as soon as it ends', () => {
    const { clock, maintenance, relaunches, logger } = setup();
    clock.advance(6 * HOUR + 50 * 60_000); // 02:50
    maintenance.setSessionActive(true);
    clock.advance(30 * 60_000); // 03:20, session still open
    expect(relaunches()).toBe(0);
    expect(logger.entries.some((e) => e.event === 'maintenance.deferred')).toBe(true);
    maintenance.setSessionActive(false);
    expect(relaunches()).toBe(1);
  });

  it('skips the night when the session lasts past the quiet hour', () => {
    const { clock, maintenance, relaunches } = setup();
    clock.advance(6 * HOUR + 50 * 60_000); // 02:50
    maintenance.setSessionActive(true);
    clock.advance(90 * 60_000); // 04:20
    maintenance.setSessionActive(false);
    expect(relaunches()).toBe(0);
  });

  it('does not restart a kiosk that started less than an hour ago (after its own restart)', () => {
    const { clock, relaunches } = setup({ start: Date.UTC(2026, 0, 15, 3, 0, 5) });
    clock.advance(59 * 60_000);
    expect(relaunches()).toBe(0);
  });

  it('does nothing at the quiet hour when restarts are off and no update waits', () => {
    const { clock, relaunches } = setup({ restart: false });
    clock.advance(8 * HOUR);
    expect(relaunches()).toBe(0);
  });
});

/** Publishes a signature for the installer in the feed, as the fleet owner's build does. */
async function publishSignature(version: string, file = installer): Promise<void> {
  signatures.set(
    `${FEED}Service-Point-0.2.0.AppImage.sig`,
    await signUpdate(privateKeyPem, version, file),
  );
}

/** Emits electron-updater's download event and waits for the signature check to finish. */
async function downloaded(setupResult: ReturnType<typeof setup>, version = '0.2.0') {
  setupResult.updater.emit('update-downloaded', { version, downloadedFile: installer });
  await vi.waitFor(() =>
    expect(
      setupResult.logger.entries.some(
        (e) => e.event === 'update.downloaded' || e.event === 'update.signature-refused',
      ),
    ).toBe(true),
  );
}

describe('fleet updates', () => {
  it('uses a generic https feed from the config, downloads in the background, never installs on quit', () => {
    const { updater } = setup();
    expect(updater.feed).toEqual({ provider: 'generic', url: FEED });
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.disableWebInstaller).toBe(true);
    expect(updater.checks).toBe(1);
  });

  it('installs a signed update only at the quiet hour between sessions, instead of a plain restart', async () => {
    await publishSignature('0.2.0');
    const result = setup();
    const { clock, updater, updates, maintenance, relaunches, fetched } = result;
    await downloaded(result);
    // The signature comes from beside the installer in the feed; the key that checks it does not.
    expect(fetched).toEqual([`${FEED}Service-Point-0.2.0.AppImage.sig`]);
    expect(updates.downloadedVersion).toBe('0.2.0');
    clock.advance(2 * HOUR);
    expect(updater.installs).toEqual([]);
    clock.advance(4 * HOUR + 50 * 60_000); // 02:50
    maintenance.setSessionActive(true);
    clock.advance(20 * 60_000); // 03:10, in session
    expect(updater.installs).toEqual([]);
    maintenance.setSessionActive(false);
    expect(updater.installs).toEqual([[true, true]]);
    expect(relaunches()).toBe(0);
  });

  const refused: Array<[string, () => Promise<void>, string]> = [
    ['has no signature in the feed', async () => void signatures.clear(), 'no-signature'],
    [
      'is signed by another key',
      async () => {
        const other = generateKeyPairSync('ed25519').privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        });
        signatures.set(
          `${FEED}Service-Point-0.2.0.AppImage.sig`,
          await signUpdate(String(other), '0.2.0', installer),
        );
      },
      'bad-signature',
    ],
    [
      'is a signed older version the feed passes off as new',
      () => publishSignature('0.1.9'),
      'bad-signature',
    ],
    [
      'was changed after it was signed',
      async () => {
        const original = path.join(downloads, 'original.AppImage');
        writeFileSync(original, 'what the fleet owner built');
        await publishSignature('0.2.0', original);
      },
      'bad-signature',
    ],
    [
      'has a signature file that is not a signature',
      async () =>
        void signatures.set(`${FEED}Service-Point-0.2.0.AppImage.sig`, '<html>not found</html>'),
      'malformed-signature',
    ],
  ];
  it.each(refused)(
    'never installs an update that %s, and restarts as usual',
    async (_name, arrange, reason) => {
      signatures.clear();
      await arrange();
      const result = setup();
      await downloaded(result);
      expect(result.updates.downloadedVersion).toBeUndefined();
      expect(
        result.logger.entries.find((e) => e.event === 'update.signature-refused')?.detail,
      ).toMatchObject({
        version: '0.2.0',
        reason,
      });
      result.clock.advance(7 * HOUR + 60_000);
      expect(result.updater.installs).toEqual([]);
      expect(result.relaunches()).toBe(1);
    },
  );

  it('keeps the running version when the download fails, and restarts as usual', () => {
    const { clock, updater, updates, logger, relaunches } = setup();
    updater.emit('error', new Error('sha512 checksum mismatch'));
    expect(updates.downloadedVersion).toBeUndefined();
    clock.advance(7 * HOUR + 60_000);
    expect(updater.installs).toEqual([]);
    expect(relaunches()).toBe(1);
    expect(logger.entries.find((e) => e.event === 'update.failed')?.detail).toEqual({
      message: 'sha512 checksum mismatch',
    });
  });

  it('keeps the running version when the installer cannot start, and restarts as usual', async () => {
    await publishSignature('0.2.0');
    const result = setup();
    await downloaded(result);
    result.updater.failInstall = true;
    result.clock.advance(7 * HOUR + 60_000);
    expect(result.relaunches()).toBe(1);
    expect(result.updates.downloadedVersion).toBeUndefined();
  });

  it('checks the feed again every six hours', () => {
    const { clock, updater } = setup();
    clock.advance(12 * HOUR);
    expect(updater.checks).toBe(3);
  });

  it('is off without a feed URL', () => {
    const { updater } = setup({ feedUrl: undefined });
    expect(updater.feed).toBeUndefined();
    expect(updater.checks).toBe(0);
  });

  it('is off, and says why, when handed a plain http feed', () => {
    const { updater, logger } = setup({ feedUrl: 'http://gateway.example/updates/' });
    expect(updater.feed).toBeUndefined();
    expect(updater.checks).toBe(0);
    expect(logger.entries.find((e) => e.event === 'update.disabled')?.detail).toEqual({
      reason: 'the update feed must be https',
    });
  });
});
