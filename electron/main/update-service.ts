import type { Clock } from '../services/clock';
import type { ShellLogger } from './logger';
import { InitializeOnce } from './shell-error';
import { parseUpdatePublicKey, verifyDownloadedUpdate } from './update-signature';

/**
 * The part of electron-updater's `autoUpdater` this service uses; main passes the real one, tests
 * a recording fake.
 */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  disableWebInstaller: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(
    event: 'update-downloaded',
    listener: (info: { version: string; downloadedFile: string }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown;
}

export interface UpdateServiceDeps {
  updater: Updater;
  /** The https feed and the fleet's signing key (shell.json `updates`); undefined: no updates. */
  feed: { url: string; publicKey: string } | undefined;
  /** Fetches a small text file over https: the installer's detached signature. */
  fetchText(url: string): Promise<string>;
  clock: Clock;
  logger: ShellLogger;
  checkEveryMs?: number;
}

/**
 * Fleet updates: checks the feed now and then and downloads in the background. electron-updater
 * checks the download against the SHA-512 in the feed (and, on Windows, the code-signing
 * publisher baked into the app at build time); this service then checks the installer's detached
 * Ed25519 signature against the public key in shell.json, which does not come from the feed
 * (update-signature.ts). Only a verified update is installed, and only when the maintenance
 * service asks, at the quiet hour between sessions. Any failure leaves the running version.
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
    const { updater, feed, logger } = this.deps;
    if (!feed) {
      logger.log('info', 'update.disabled', { reason: 'no updates in shell.json' });
      return;
    }
    // The shell config's schema already refused http and bad keys; this is the last line.
    if (new URL(feed.url).protocol !== 'https:') {
      logger.log('error', 'update.disabled', { reason: 'the update feed must be https' });
      return;
    }
    const publicKey = parseUpdatePublicKey(feed.publicKey);
    updater.autoDownload = true;
    // Installing on quit would install after an operator exit or a crash, mid-day: never.
    updater.autoInstallOnAppQuit = false;
    updater.allowDowngrade = false;
    // A web installer fetches its payload at install time, after every check here: never.
    updater.disableWebInstaller = true;
    updater.setFeedURL({ provider: 'generic', url: feed.url });
    updater.on('update-available', (info) =>
      logger.log('info', 'update.available', { version: info.version }),
    );
    updater.on('update-downloaded', (info) => {
      void verifyDownloadedUpdate({
        file: info.downloadedFile,
        version: info.version,
        feedUrl: feed.url,
        publicKey,
        fetchText: this.deps.fetchText,
      }).then(
        (verdict) => {
          if (verdict.ok) {
            this.ready = info.version;
            logger.log('info', 'update.downloaded', { version: info.version, signature: 'valid' });
          } else {
            logger.log('error', 'update.signature-refused', {
              version: info.version,
              reason: verdict.reason,
              ...(verdict.detail ? { detail: verdict.detail } : {}),
            });
          }
        },
        (error: unknown) =>
          logger.log('error', 'update.signature-refused', {
            version: info.version,
            reason: 'unreadable',
            detail: (error as Error).message.slice(0, 200),
          }),
      );
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
