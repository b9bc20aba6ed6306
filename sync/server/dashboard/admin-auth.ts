import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { GatewayStore } from '../store';

/**
 * The fleet dashboard's administrator login. The password is kept only as an scrypt hash in the
 * gateway's settings (`--admin-password-file` sets it); sessions are random tokens held in this
 * process, sent as an HttpOnly, SameSite=Strict cookie; repeated failures lock logins out.
 */
export const ADMIN_PASSWORD_SETTING = 'admin-password.v1';
export const SESSION_COOKIE = 'sp_admin';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashAdminPassword(password: string): Promise<string> {
  if (password.length < 12)
    throw new Error('the administrator password must be 12 characters or more');
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyAdminPassword(password: string, encoded: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = encoded.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  if (Number(n) !== SCRYPT.N || Number(r) !== SCRYPT.r || Number(p) !== SCRYPT.p) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export async function setAdminPassword(store: GatewayStore, password: string): Promise<void> {
  await store.putSetting(ADMIN_PASSWORD_SETTING, await hashAdminPassword(password));
}

export interface AdminSession {
  token: string;
  csrf: string;
  expiresAt: number;
}

export type LoginOutcome =
  | { result: 'ok'; session: AdminSession }
  | { result: 'wrong-password'; attemptsLeft: number }
  | { result: 'locked'; retryAfterSeconds: number }
  | { result: 'no-password' };

export const MAX_LOGIN_FAILURES = 5;

export interface AdminAuth {
  login(password: string, client: string): Promise<LoginOutcome>;
  session(token: string | undefined): AdminSession | undefined;
  logout(token: string | undefined): void;
}

/**
 * Failures are counted per client address and in total: five in a row from one address, or
 * twenty across all, lock logins for `lockoutMs` (an attacker rotating addresses still stops).
 */
export function createAdminAuth(options: {
  store: GatewayStore;
  now?: () => number;
  sessionMs?: number;
  lockoutMs?: number;
}): AdminAuth {
  const now = options.now ?? (() => Date.now());
  const sessionMs = options.sessionMs ?? 8 * 60 * 60_000;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const sessions = new Map<string, AdminSession>();
  const failures = new Map<string, { count: number; lockedUntil?: number }>();
  const GLOBAL = '*';
  const lockedFor = (key: string): number => {
    const entry = failures.get(key);
    return entry?.lockedUntil !== undefined && entry.lockedUntil > now()
      ? Math.ceil((entry.lockedUntil - now()) / 1000)
      : 0;
  };
  const fail = (key: string, limit: number): number => {
    const entry = failures.get(key);
    const count = (entry?.lockedUntil !== undefined ? 0 : (entry?.count ?? 0)) + 1;
    failures.set(key, count >= limit ? { count, lockedUntil: now() + lockoutMs } : { count });
    return limit - count;
  };
  return {
    async login(password, client) {
      const locked = Math.max(lockedFor(client), lockedFor(GLOBAL));
      if (locked > 0) return { result: 'locked', retryAfterSeconds: locked };
      const stored = await options.store.getSetting(ADMIN_PASSWORD_SETTING);
      if (!stored) return { result: 'no-password' };
      if (!(await verifyAdminPassword(password, stored))) {
        const left = fail(client, MAX_LOGIN_FAILURES);
        fail(GLOBAL, MAX_LOGIN_FAILURES * 4);
        if (left <= 0) return { result: 'locked', retryAfterSeconds: Math.ceil(lockoutMs / 1000) };
        return { result: 'wrong-password', attemptsLeft: left };
      }
      failures.delete(client);
      const session: AdminSession = {
        token: randomBytes(32).toString('base64url'),
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: now() + sessionMs,
      };
      sessions.set(session.token, session);
      return { result: 'ok', session };
    },
    session(token) {
      if (!token) return undefined;
      const session = sessions.get(token);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(token);
        return undefined;
      }
      return session;
    },
    logout(token) {
      if (token) sessions.delete(token);
    },
  };
}
