import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

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
  url: string;
  userDataDir: string;
  /** true: full-screen `--kiosk --app`; false: a normal app window (operator debugging). */
  kiosk: boolean;
  runningAsRoot?: boolean;
  /**
   * The screen's size. Kiosk machines often run X with no window manager, where `--kiosk`
   * cannot make the window full screen; placing and sizing it explicitly covers the screen.
   */
  screen?: { width: number; height: number };
}

/** The screen size from `xrandr --current` output (`Screen 0: … current 1920 x 1080, …`). */
export function parseScreenSize(
  xrandrOutput: string,
): { width: number; height: number } | undefined {
  const match = /current (\d+) x (\d+)/.exec(xrandrOutput);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Flags for a locked-down kiosk window that makes no calls home. */
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
    '--disable-features=Translate,MediaRouter,DownloadBubble',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-session-crashed-bubble',
    '--noerrdialogs',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (launch.kiosk) args.unshift('--kiosk');
  if (launch.kiosk && launch.screen) {
    args.push(
      '--window-position=0,0',
      `--window-size=${launch.screen.width},${launch.screen.height}`,
    );
  }
  // Chromium refuses to start as root without this; kiosk machines run it as a normal user.
  if (launch.runningAsRoot) args.push('--no-sandbox');
  return args;
}

export interface ChromiumSupervisor {
  stop(): void;
  readonly restarts: number;
}

/** Runs the browser and starts it again (after a pause) whenever it exits, until stopped. */
export function superviseChromium(
  executable: string,
  args: string[],
  options: { restartDelayMs?: number; log?: (message: string) => void } = {},
): ChromiumSupervisor {
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  const start = (): void => {
    child = spawn(executable, args, { stdio: 'ignore' });
    child.on('exit', (code, signal) => {
      if (stopped) return;
      restarts += 1;
      options.log?.(`browser exited (code ${String(code)}, signal ${String(signal)}); restarting`);
      setTimeout(start, options.restartDelayMs ?? 2000);
    });
    child.on('error', (error) => options.log?.(`browser failed to start: ${error.message}`));
  };
  start();
  return {
    stop() {
      stopped = true;
      child?.kill('SIGTERM');
    },
    get restarts() {
      return restarts;
    },
  };
}
