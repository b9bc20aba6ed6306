import type { Clock } from '../services/clock';
import type { ShellLogger } from './logger';
import { InitializeOnce } from './shell-error';

export interface MaintenanceDeps {
  clock: Clock;
  logger: ShellLogger;
  /** Local hour (0–23) for restarts and updates. */
  quietHour: number;
  restartEnabled: boolean;
  /** Local hour of a time stamp; injected so tests do not depend on the machine's time zone. */
  localHour?: (at: number) => number;
  /** Restarts the app in place (app.relaunch + app.exit). */
  relaunch: () => void;
  /** Installs a downloaded update if there is one; true when it is installing (and restarting). */
  installUpdate?: () => boolean;
  tickMs?: number;
}

/** A kiosk that started less than this long ago is fresh: it must not restart again at once. */
const freshForMs = 60 * 60_000;

/**
 * The nightly maintenance restart. At the quiet hour, and only while no citizen session is open
 * (the page reports it over `session:state`), it installs a downloaded update or restarts the app.
 * If a session is open the restart waits until it ends, as long as the quiet hour lasts.
 */
export class MaintenanceService {
  private readonly once = new InitializeOnce('maintenance');
  private sessionActive = false;
  private startedAt = 0;
  private done = false;

  constructor(private readonly deps: MaintenanceDeps) {}

  initialize(): void {
    this.once.claim();
    this.startedAt = this.deps.clock.now();
    this.schedule();
  }

  get inSession(): boolean {
    return this.sessionActive;
  }

  /** From the page: a citizen session started (true) or ended (false). */
  setSessionActive(active: boolean): void {
    if (active === this.sessionActive) return;
    this.sessionActive = active;
    this.deps.logger.log('info', 'maintenance.session', { active });
    if (!active) this.tick();
  }

  /** Checks whether now is the time; public so a test or the session-end path can ask directly. */
  tick(): void {
    if (!this.once.initialized || this.done) return;
    const { clock, logger, quietHour } = this.deps;
    const now = clock.now();
    const hour = (this.deps.localHour ?? ((at) => new Date(at).getHours()))(now);
    if (hour !== quietHour || now - this.startedAt < freshForMs) return;
    if (this.sessionActive) {
      logger.log('info', 'maintenance.deferred', { reason: 'citizen session open' });
      return;
    }
    if (this.deps.installUpdate?.()) {
      this.done = true;
      return;
    }
    if (!this.deps.restartEnabled) return;
    this.done = true;
    logger.log('info', 'maintenance.restart');
    this.deps.relaunch();
  }

  private schedule(): void {
    this.deps.clock.setTimeout(() => {
      this.tick();
      if (!this.done) this.schedule();
    }, this.deps.tickMs ?? 60_000);
  }
}
