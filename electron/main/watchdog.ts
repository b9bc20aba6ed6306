import type { WebContents } from 'electron';
import type { Clock } from '../services/clock';
import type { ShellLogger } from './logger';
import type { ShellConfig } from './shell-config';
import { InitializeOnce } from './shell-error';

export type WatchdogState = 'running' | 'reloading' | 'out-of-service';

type WatchedContents = Pick<WebContents, 'on' | 'loadURL' | 'forcefullyCrashRenderer'>;

export interface WatchdogDeps {
  contents: WatchedContents;
  clock: Clock;
  logger: ShellLogger;
  limits: ShellConfig['watchdog'];
  appUrl: string;
  outOfServiceUrl: string;
}

/**
 * Heals the kiosk page. A crashed or hung renderer is reloaded after a back-off that doubles with
 * each recent crash; more than `maxCrashes` within `windowMinutes` shows the static out-of-service
 * page instead, and the app is tried again every `outOfServiceRetryMs` until it stays up.
 */
export class WatchdogService {
  private readonly once = new InitializeOnce('watchdog');
  private crashes: number[] = [];
  private timer: unknown;
  private killing = false;
  private current: WatchdogState = 'running';

  constructor(private readonly deps: WatchdogDeps) {}

  get state(): WatchdogState {
    return this.current;
  }

  initialize(): void {
    this.once.claim();
    const { contents, logger } = this.deps;
    contents.on('render-process-gone', (_event, details) => {
      if (this.killing) {
        // The watchdog killed a hung renderer itself; that incident is already being handled.
        this.killing = false;
        return;
      }
      this.incident('render-process-gone', { reason: details.reason, exitCode: details.exitCode });
    });
    contents.on('unresponsive', () => {
      this.killing = true;
      // A hung renderer does not reload; killing it is the documented way to recover.
      contents.forcefullyCrashRenderer();
      this.incident('unresponsive', {});
    });
    contents.on('responsive', () => logger.log('info', 'watchdog.responsive'));
    contents.on('did-fail-load', (_event, errorCode, _description, url, isMainFrame) => {
      if (isMainFrame) logger.log('error', 'watchdog.load-failed', { errorCode, url });
    });
  }

  private incident(kind: string, detail: Record<string, unknown>): void {
    const { clock, logger, limits } = this.deps;
    const now = clock.now();
    const windowMs = limits.windowMinutes * 60_000;
    this.crashes = [...this.crashes.filter((at) => now - at < windowMs), now];
    const recent = this.crashes.length;
    logger.log('error', `watchdog.${kind}`, { ...detail, recentCrashes: recent });
    if (this.timer !== undefined) clock.clearTimeout(this.timer);

    if (recent > limits.maxCrashes) {
      this.current = 'out-of-service';
      logger.log('error', 'watchdog.out-of-service', { recentCrashes: recent });
      this.load(this.deps.outOfServiceUrl);
      this.timer = clock.setTimeout(() => this.retry(), limits.outOfServiceRetryMs);
      return;
    }
    const delay = Math.min(limits.baseDelayMs * 2 ** (recent - 1), limits.maxDelayMs);
    this.current = 'reloading';
    logger.log('warn', 'watchdog.reload-scheduled', { delayMs: delay });
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.current = 'running';
      logger.log('info', 'watchdog.reload');
      this.load(this.deps.appUrl);
    }, delay);
  }

  /** Tries the app again; if it crashes again the window is still full and the page comes back. */
  private retry(): void {
    this.timer = undefined;
    this.current = 'running';
    this.deps.logger.log('info', 'watchdog.retry-app');
    this.load(this.deps.appUrl);
  }

  private load(url: string): void {
    this.deps.contents.loadURL(url).catch((error: unknown) => {
      this.deps.logger.log('error', 'watchdog.load-rejected', {
        url,
        message: (error as Error).message,
      });
    });
  }
}
