import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tiedToThisProcess } from './tied-process';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm start` or `npm run gateway` as a person runs them, in their own process group, with their
 * output collected line by line.
 */
export interface NpmProcess {
  child: ChildProcess;
  lines: string[];
  /**
   * Resolves with the first line that matches, among those printed from line `from` on (default:
   * every line, already printed or still to come).
   */
  waitForLine(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the whole group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** A signal to the whole group, as a terminal sends SIGHUP to its jobs when it closes. */
  signal(name: NodeJS.Signals): void;
  /** Resolves when the process started (npm, or unshare) has exited. */
  exited: Promise<void>;
  /** Whether the Chromium managed policy was kept in a private copy of /etc/chromium. */
  privatePolicy: boolean;
  /** The folder that holds the launcher's managed policy, seen from this process. */
  policyDir: string;
}

/**
 * Whether a private mount namespace can hold the kiosk's managed Chromium policy: as root, with
 * `unshare`, a copy of /etc/chromium is mounted over it for the launcher and its Chromium only,
 * so the machine-wide policy it installs never reaches another Chromium on this machine (other
 * tests, other people's browsers), even if the test dies before the launcher removes it.
 */
export function canIsolatePolicy(): boolean {
  if (process.getuid?.() !== 0 || !existsSync('/etc/chromium')) return false;
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function runNpm(
  script: 'start' | 'gateway',
  options: { env: NodeJS.ProcessEnv; args?: string[]; isolatePolicy?: boolean },
): NpmProcess {
  const npmArgs = ['run', '--silent', script, ...(options.args ? ['--', ...options.args] : [])];
  let command = 'npm';
  let args = npmArgs;
  let etcCopy: string | undefined;
  if (options.isolatePolicy) {
    etcCopy = mkdtempSync(path.join(tmpdir(), 'sp-etc-chromium-'));
    cpSync('/etc/chromium', etcCopy, { recursive: true });
    mkdirSync(path.join(etcCopy, 'policies', 'managed'), { recursive: true });
    command = 'unshare';
    args = [
      '--mount',
      '--propagation',
      'private',
      'bash',
      '-c',
      'mount --bind "$0" /etc/chromium && exec npm "$@"',
      etcCopy,
      ...npmArgs,
    ];
  }
  // Tied to this test process: a worker killed mid-test still stops the kiosk and its browser
  // (the private /etc/chromium goes with them) and removes the copy.
  const [file, fileArgs] = tiedToThisProcess(command, args, {
    group: true,
    ...(etcCopy ? { cleanup: [etcCopy] } : {}),
  });
  const child = spawn(file, fileArgs, {
    cwd: root,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const take = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    privatePolicy: Boolean(etcCopy),
    policyDir: path.join(etcCopy ?? '/etc/chromium', 'policies', 'managed'),
    exited,
    signal(name) {
      try {
        process.kill(-(child.pid ?? 0), name);
      } catch {
        // already gone
      }
    },
    waitForLine(pattern, timeoutMs = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (const line of lines.slice(from)) {
            const match = pattern.exec(line);
            if (match) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(match);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${lines.join('\n')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
        void exited.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`exited before a line matching ${pattern}:\n${lines.join('\n')}`));
          }
        });
      });
    },
    async stop(graceMs = 10_000) {
      const group = -(child.pid ?? 0);
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(group, 'SIGTERM');
        } catch {
          // already gone
        }
        const killed = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(true), graceMs)),
        ]);
        if (killed) {
          try {
            process.kill(group, 'SIGKILL');
          } catch {
            // already gone
          }
          await exited;
        }
      }
      // Anything left in the group (a browser the launcher did not stop) goes too.
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // nothing left
      }
      if (etcCopy) rmSync(etcCopy, { recursive: true, force: true });
    },
  };
}
