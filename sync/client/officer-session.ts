import { officerRosterSchema } from '../protocol/officer-roster';
import type { OfficerRosterEntry } from '../protocol/officer-roster';
import type { OutboxStore, PinFailures } from './store/outbox-store';
import { verifyOfficerPin } from './officer-pin';
import { recordConfigInForce, recordSignIn, recordSignOut } from './officer-records';
import type { OfficerDeps } from './officer-records';

/** Failed PINs allowed in a row before an officer id is locked out. */
export const MAX_PIN_FAILURES = 5;

export interface SignedInOfficer {
  officerId: string;
  name: string;
  method: 'card' | 'pin';
  since: number;
}

export type SignInResult =
  | { result: 'signed-in'; officer: SignedInOfficer }
  | { result: 'wrong-pin'; attemptsLeft: number }
  | { result: 'locked'; retryAfterSeconds: number }
  | { result: 'unknown-officer' }
  /** No roster has ever arrived from the gateway (the kiosk has not reached the office). */
  | { result: 'no-roster' }
  /** The gateway's roster arrived and lists no officers (the office must add one). */
  | { result: 'empty-roster' };

export interface OfficerSessionOptions extends OfficerDeps {
  /** Signs the officer out after this long without a touch. */
  inactivityMs: number;
  /** How long an officer id stays locked after `MAX_PIN_FAILURES` wrong PINs. */
  lockoutMs?: number;
  /** Lowest PBKDF2 iteration count accepted (tests lower it; production keeps the default). */
  minPinIterations?: number;
  siteId?: string;
  clock?: {
    now(): number;
    setTimeout(cb: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

/** The roster as last received from the gateway (IndexedDB), or an empty list. */
export async function readCachedRoster(store: OutboxStore): Promise<OfficerRosterEntry[]> {
  return (await readReceivedRoster(store)) ?? [];
}

/** The roster as last received, or `undefined` when no roster has arrived yet. */
async function readReceivedRoster(store: OutboxStore): Promise<OfficerRosterEntry[] | undefined> {
  return await store.readSetting('officer-roster');
}

/**
 * Keeps the roster from a gateway config reply for offline sign-in. A roster that does not parse
 * is refused (the last good one stays) and reported; a changed roster is a config-change record.
 */
export async function cacheRoster(
  deps: OfficerDeps,
  roster: unknown,
): Promise<{ ok: true; changed: boolean } | { ok: false; reason: string }> {
  const parsed = officerRosterSchema.safeParse(roster);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'roster'}: ${issue?.message ?? ''}` };
  }
  await deps.store.writeSetting('officer-roster', parsed.data);
  const changed = await recordConfigInForce(
    deps,
    'roster',
    `${parsed.data.length} officers`,
    parsed.data,
  );
  return { ok: true, changed: changed !== undefined };
}

type Failures = Record<string, PinFailures>;

/**
 * Officer sign-in for assisted mode: officer card or officer id, then PIN, checked against the
 * cached roster. Wrong PINs are counted per officer id in IndexedDB (a reload does not reset
 * them); the fifth locks the id for `lockoutMs`. Sign-in, sign-out and automatic sign-out after
 * inactivity are chain records.
 */
export class OfficerSession {
  readonly #options: OfficerSessionOptions;
  readonly #clock: NonNullable<OfficerSessionOptions['clock']>;
  readonly #listeners = new Set<(officer: SignedInOfficer | undefined) => void>();
  #officer: SignedInOfficer | undefined;
  #timer: unknown;

  constructor(options: OfficerSessionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? {
      now: () => Date.now(),
      setTimeout: (cb, ms) => setTimeout(cb, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  get officer(): SignedInOfficer | undefined {
    return this.#officer;
  }

  subscribe(listener: (officer: SignedInOfficer | undefined) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#officer);
    return () => this.#listeners.delete(listener);
  }

  async signIn(input: {
    officerId: string;
    pin: string;
    method: 'card' | 'pin';
  }): Promise<SignInResult> {
    const { store } = this.#options;
    const roster = await readReceivedRoster(store);
    if (roster === undefined) return { result: 'no-roster' };
    if (roster.length === 0) return { result: 'empty-roster' };
    const now = this.#clock.now();
    const failures: Failures = (await store.readSetting('officer-pin-failures')) ?? {};
    const mine = failures[input.officerId];
    if (mine?.lockedUntil !== undefined && mine.lockedUntil > now) {
      return { result: 'locked', retryAfterSeconds: Math.ceil((mine.lockedUntil - now) / 1000) };
    }
    const entry = roster.find((e) => e.officerId === input.officerId && e.active);
    const allowedHere =
      entry &&
      (!entry.sites || !this.#options.siteId || entry.sites.includes(this.#options.siteId));
    const ok =
      entry !== undefined &&
      allowedHere === true &&
      (await verifyOfficerPin(input.pin, entry.pinHash, {
        minIterations: this.#options.minPinIterations,
      }));
    if (!ok) {
      // Unknown ids count too, so probing for valid ids costs the same as guessing PINs.
      const count = (mine?.lockedUntil !== undefined ? 0 : (mine?.count ?? 0)) + 1;
      const locked = count >= MAX_PIN_FAILURES;
      failures[input.officerId] = locked
        ? { count, lockedUntil: now + (this.#options.lockoutMs ?? 15 * 60_000) }
        : { count };
      await store.writeSetting('officer-pin-failures', failures);
      if (locked) {
        return {
          result: 'locked',
          retryAfterSeconds: Math.ceil((this.#options.lockoutMs ?? 15 * 60_000) / 1000),
        };
      }
      if (!entry) return { result: 'unknown-officer' };
      return { result: 'wrong-pin', attemptsLeft: MAX_PIN_FAILURES - count };
    }
    delete failures[input.officerId];
    await store.writeSetting('officer-pin-failures', failures);
    if (this.#officer) await this.signOut('signed-out');
    await recordSignIn(this.#options, entry.officerId, input.method);
    this.#officer = {
      officerId: entry.officerId,
      name: entry.name,
      method: input.method,
      since: now,
    };
    this.touch();
    this.#emit();
    return { result: 'signed-in', officer: this.#officer };
  }

  /** Any officer activity: restarts the inactivity timer. */
  touch(): void {
    if (!this.#officer) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      void this.signOut('inactivity').catch(() => undefined);
    }, this.#options.inactivityMs);
  }

  async signOut(cause: 'signed-out' | 'inactivity' | 'shutdown' = 'signed-out'): Promise<void> {
    const officer = this.#officer;
    if (!officer) return;
    this.#clock.clearTimeout(this.#timer);
    this.#officer = undefined;
    this.#emit();
    await recordSignOut(this.#options, officer.officerId, cause);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener(this.#officer);
  }
}
