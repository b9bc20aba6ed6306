import type { Clock } from '../services/clock';
import type { ShellLogger } from './logger';
import { InitializeOnce } from './shell-error';

/**
 * The part of electron-updater's `autoUpdater` this service uses; main passes the real one, tests
 * a recording fake.
 */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown;
}

export interface UpdateServiceDeps {
  updater: Updater;
  /** The generic feed (from shell.json); undefined turns updates off. */
  feedUrl: string | undefined;
  clock: Clock;
  logger: ShellLogger;
  checkEveryMs?: number;
}

/**
 * Fleet updates: checks the feed now and then, downloads in the background (electron-updater
 * verifies the download's SHA-512 against the feed's metadata, and on Windows the publisher's
 * signature), and installs only when the maintenance service asks, at the quiet hour between
 * sessions. Any failure leaves the running version in place.
 */
export class UpdateService {
  private readonly once = new InitializeOnce('updates');
  private ready: string | undefined;

  constructor(private readonly deps: UpdateServiceDeps) {}

  /** The verified version waiting to be installed, if any. */
  get downloadedVersion(): string | undefined {
    return this.ready;
  }

  initialize(): void {
    this.once.claim();
    const { updater, feedUrl, logger } = this.deps;
    if (!feedUrl) {
      logger.log('info', 'update.disabled', { reason: 'no updates.url in shell.json' });
      return;
    }
    updater.autoDownload = true;
    // Installing on quit would install after an operator exit or a crash, mid-day: never.
    updater.autoInstallOnAppQuit = false;
    updater.allowDowngrade = false;
    updater.setFeedURL({ provider: 'generic', url: feedUrl });
    updater.on('update-available', (info) =>
      logger.log('info', 'update.available', { version: info.version }),
    );
    updater.on('update-downloaded', (info) => {
      this.ready = info.version;
      logger.log('info', 'update.downloaded', { version: info.version });
    });
    updater.on('error', (error) =>
      logger.log('error', 'update.failed', { message: error.message.slice(0, 300) }),
    );
    this.check();
  }

  /**
   * Installs the downloaded update (quits and restarts into it). Returns false, keeping the running
   * version, when there is none or the installer cannot start.
   */
  installDownloaded(): boolean {
    const version = this.ready;
    if (!version) return false;
    try {
      this.deps.logger.log('info', 'update.installing', { version });
      this.deps.updater.quitAndInstall(true, true);
      return true;
    } catch (error) {
      // The file may be gone or corrupt; forget it so the next check downloads it again.
      this.ready = undefined;
      this.deps.logger.log('error', 'update.install-failed', {
        version,
        message: (error as Error).message,
      });
      return false;
    }
  }

  private check(): void {
    const { updater, clock, logger } = this.deps;
    updater.checkForUpdates().catch((error: unknown) => {
      logger.log('warn', 'update.check-failed', { message: (error as Error).message });
    });
    clock.setTimeout(() => this.check(), this.deps.checkEveryMs ?? 6 * 3_600_000);
  }
}
