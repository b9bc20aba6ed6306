import { operatorExitRequestSchema } from '../../sync/bridge/channels';
import type { OperatorExitResult } from '../../sync/bridge/channels';
import type { Clock } from '../services/clock';
import type { ShellLogger } from './logger';
import { parsePinHash, verifyOperatorPin } from './operator-pin';
import { InitializeOnce } from './shell-error';

/** The PIN's shape, as the bridge's `operator:exit` channel defines it. */
export const operatorPinSchema = operatorExitRequestSchema.shape.pin;

export interface OperatorExitDeps {
  /** From shell.json; absent means there is no operator exit on this kiosk at all. */
  pinHash: string | undefined;
  clock: Clock;
  logger: ShellLogger;
  /** Leaves kiosk mode for good (the app quits); called only after a correct PIN. */
  exit: () => void;
  maxFailures?: number;
  lockoutMs?: number;
}

/**
 * The only way out of the kiosk: the operator PIN, checked with scrypt against the configured
 * hash. After `maxFailures` wrong PINs in a row the exit is locked for `lockoutMs`; attempts are
 * checked one at a time so parallel guesses cannot outrun the counter.
 */
export class OperatorExitService {
  private readonly once = new InitializeOnce('operator-exit');
  private failures = 0;
  private lockedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private pinHash: string | undefined;
  private readonly maxFailures: number;
  private readonly lockoutMs: number;

  constructor(private readonly deps: OperatorExitDeps) {
    this.maxFailures = deps.maxFailures ?? 5;
    this.lockoutMs = deps.lockoutMs ?? 15 * 60_000;
  }

  initialize(): void {
    this.once.claim();
    if (this.deps.pinHash === undefined) {
      this.deps.logger.log('info', 'operator-exit.disabled', { reason: 'no operatorPinHash' });
      return;
    }
    try {
      parsePinHash(this.deps.pinHash);
      this.pinHash = this.deps.pinHash;
    } catch (error) {
      // A bad hash disables the exit rather than letting any PIN through.
      this.deps.logger.log('error', 'operator-exit.disabled', { reason: (error as Error).message });
    }
  }

  attempt(pin: string): Promise<OperatorExitResult> {
    const run = this.queue.then(() => this.check(pin));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async check(pin: string): Promise<OperatorExitResult> {
    const { clock, logger } = this.deps;
    if (!this.pinHash) return { result: 'disabled' };
    const now = clock.now();
    if (now < this.lockedUntil) {
      logger.log('warn', 'operator-exit.locked-attempt');
      return { result: 'locked', retryAfterSeconds: Math.ceil((this.lockedUntil - now) / 1000) };
    }
    if (this.lockedUntil !== 0) {
      this.lockedUntil = 0;
      this.failures = 0;
    }
    const valid =
      operatorPinSchema.safeParse(pin).success && (await verifyOperatorPin(pin, this.pinHash));
    if (valid) {
      this.failures = 0;
      logger.log('warn', 'operator-exit.granted');
      this.deps.exit();
      return { result: 'exiting' };
    }
    this.failures += 1;
    if (this.failures >= this.maxFailures) {
      this.lockedUntil = clock.now() + this.lockoutMs;
      logger.log('error', 'operator-exit.locked-out', { failures: this.failures });
      return { result: 'locked', retryAfterSeconds: Math.ceil(this.lockoutMs / 1000) };
    }
    logger.log('warn', 'operator-exit.wrong-pin', { failures: this.failures });
    return { result: 'wrong-pin', attemptsLeft: this.maxFailures - this.failures };
  }
}
