import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { MaintenanceService } from '../../../../electron/main/maintenance';
import { UpdateService } from '../../../../electron/main/update-service';
import type { Updater } from '../../../../electron/main/update-service';
import { FakeClock } from './fake-clock';

const HOUR = 3_600_000;
/** Local hour in a fixed zone (UTC) so the test does not depend on the machine. */
const utcHour = (at: number): number => new Date(at).getUTCHours();

/** A recording fake of electron-updater's autoUpdater. */
class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
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

function setup(options: { start?: number; restart?: boolean; feedUrl?: string } = {}) {
  // Starts at 20:00 UTC; the quiet hour is 03:00.
  const clock = new FakeClock(options.start ?? Date.UTC(2026, 0, 15, 20, 0, 0));
  const logger = createMemoryLogger();
  const updater = new FakeUpdater();
  const updates = new UpdateService({
    updater,
    feedUrl: 'feedUrl' in options ? options.feedUrl : 'https://gateway.example/updates/',
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
  return { clock, logger, updater, updates, maintenance, relaunches: () => relaunches };
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

describe('fleet updates', () => {
  it('uses a generic feed from the config, downloads in the background, never installs on quit', () => {
    const { updater } = setup();
    expect(updater.feed).toEqual({ provider: 'generic', url: 'https://gateway.example/updates/' });
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.checks).toBe(1);
  });

  it('installs a downloaded update only at the quiet hour between sessions, instead of a plain restart', () => {
    const { clock, updater, maintenance, relaunches } = setup();
    updater.emit('update-downloaded', { version: '0.2.0' });
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

  it('keeps the running version when the installer cannot start, and restarts as usual', () => {
    const { clock, updater, updates, relaunches } = setup();
    updater.emit('update-downloaded', { version: '0.2.0' });
    updater.failInstall = true;
    clock.advance(7 * HOUR + 60_000);
    expect(relaunches()).toBe(1);
    expect(updates.downloadedVersion).toBeUndefined();
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
});
