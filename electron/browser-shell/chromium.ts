import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import type { ScreenGeometry } from '../launch/screen-geometry';

const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The system Chromium or Chrome (CHROME_PATH wins), or undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROME_PATH && existsSync(env.CHROME_PATH)) return env.CHROME_PATH;
  return candidates.find((candidate) => existsSync(candidate));
}

export interface ChromiumLaunch {
  /** What the window opens: the private launch page (launch-page.ts), never a URL with a secret. */
  url: string;
  userDataDir: string;
  /** true: full-screen `--kiosk --app`; false: a normal app window (operator debugging). */
  kiosk: boolean;
  runningAsRoot?: boolean;
  /**
   * The screen's size and place. Kiosk machines often run X with no window manager, where
   * `--kiosk` cannot make the window full screen; placing and sizing it explicitly covers it.
   */
  screen?: ScreenGeometry;
}

/**
 * Flags for a locked-down kiosk window that makes no calls home. `--app` matters beyond looks:
 * in an app window Chromium reserves no shortcut for itself (Ctrl+N, Ctrl+W, Alt+F4 …), so the
 * page's key guard (renderer/platform/key-guard.ts) can cancel every one of them.
 */
export function chromiumArgs(launch: ChromiumLaunch): string[] {
  const args = [
    `--app=${launch.url}`,
    `--user-data-dir=${launch.userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-translate',
    '--disable-features=Translate,MediaRouter,DownloadBubble,PasswordManagerOnboarding,AutofillServerCommunication',
    '--password-store=basic',
    // Touch-style scroll bars drawn over the page while it scrolls, taking no room: a classic bar
    // took 15 px from a screen that scrolls and none from one that does not, so the top bar's
    // right-hand buttons moved under a finger from one screen to the next (seen by hand).
    '--enable-features=OverlayScrollbar',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-session-crashed-bubble',
    '--hide-crash-restore-bubble',
    '--noerrdialogs',
    '--disable-infobars',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (launch.kiosk) args.unshift('--kiosk');
  if (launch.kiosk && launch.screen) {
    // One pixel more each way: given exactly the screen's size, Chromium on X11 makes the window
    // one pixel smaller (measured: 1279x799 on a 1280x800 screen), leaving a line of desktop.
    args.push(
      `--window-position=${launch.screen.x},${launch.screen.y}`,
      `--window-size=${launch.screen.width + 1},${launch.screen.height + 1}`,
    );
  }
  // Chromium refuses to start as root without this; kiosk machines run it as a normal user.
  if (launch.runningAsRoot) args.push('--no-sandbox');
  return args;
}

export interface ChromiumSupervisor {
  stop(): void;
  readonly restarts: number;
  /** The running browser's process id (the one whose windows are the kiosk's). */
  readonly pid: number | undefined;
}

export interface SupervisorOptions {
  /** Pause before a restart; 0 (the default) reopens a closed window at once. */
  restartDelayMs?: number;
  /** Exits in quick succession that count as a crash loop, and the pause it then gets. */
  crashLoop?: { exits: number; withinMs: number; pauseMs: number };
  /** Run before every start (profile preferences, launch page). */
  beforeStart?: () => void;
  log?: (message: string) => void;
  now?: () => number;
}

/**
 * Runs the browser and starts it again at once whenever it exits (a closed window, a crash, a
 * kill), until stopped. A browser that keeps dying (`crashLoop`) is restarted after a pause so a
 * broken install does not spin the CPU.
 */
export function superviseChromium(
  executable: string,
  args: string[],
  options: SupervisorOptions = {},
): ChromiumSupervisor {
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exits: number[] = [];
  const now = options.now ?? Date.now;
  const loop = options.crashLoop ?? { exits: 5, withinMs: 30_000, pauseMs: 5_000 };
  const start = (): void => {
    timer = undefined;
    try {
      options.beforeStart?.();
    } catch (error) {
      options.log?.(`browser start preparation failed: ${(error as Error).message}`);
    }
    const running = spawn(executable, args, { stdio: 'ignore' });
    child = running;
    // The operator (and `kill` in a field test) needs the new browser's pid, not the first one's.
    if (restarts > 0 && running.pid !== undefined) {
      options.log?.(`browser restarted (pid ${running.pid}, restart ${restarts})`);
    }
    running.on('exit', (code, signal) => {
      if (stopped || child !== running) return;
      restarts += 1;
      const at = now();
      exits.push(at);
      while (exits.length > 0 && (exits[0] ?? at) < at - loop.withinMs) exits.shift();
      const looping = exits.length >= loop.exits;
      const delay = looping ? loop.pauseMs : (options.restartDelayMs ?? 0);
      options.log?.(
        `browser exited (code ${String(code)}, signal ${String(signal)}); ` +
          (looping ? `it keeps exiting: restarting in ${delay} ms` : 'restarting it now'),
      );
      timer = setTimeout(start, delay);
    });
    running.on('error', (error) => options.log?.(`browser failed to start: ${error.message}`));
  };
  start();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      child?.kill('SIGTERM');
    },
    get restarts() {
      return restarts;
    },
    get pid() {
      return child?.pid;
    },
  };
}

/**
 * A Chromium still running on the kiosk's profile from an earlier launcher that died (a crash,
 * SIGKILL): left alone, the new start would only hand its window to that browser and exit, and
 * the kiosk would have two windows. Chromium's `SingletonLock` (a symlink `<host>-<pid>`) names
 * it; it is stopped only if its command line is really on this profile. Returns its pid if one
 * was stopped.
 */
export async function stopLeftoverChromium(userDataDir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(/-(\d+)$/.exec(readlinkSync(`${userDataDir}/SingletonLock`))?.[1]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return undefined;
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  if (!commandLine.split('\0').includes(`--user-data-dir=${userDataDir}`)) return undefined;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(); i += 1) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
  return pid;
}
