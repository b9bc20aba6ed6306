import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tiedToThisProcess } from './tied-process';

/**
 * A bare X server for field tests: Xvfb with no window manager, as on a kiosk that boots
 * straight into the browser. Everything asserted here comes from the X server itself (its window
 * tree, its pixels), and input goes in as real X events through XTEST (xdotool), which reach
 * Chromium's own shortcut handling exactly as a keyboard would.
 */
export interface XDisplay {
  /** `:N` */
  display: string;
  env: NodeJS.ProcessEnv;
  width: number;
  height: number;
  stop(): Promise<void>;
}

export interface XWindow {
  id: number;
  name: string;
  pid?: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

const tools = ['Xvfb', 'xdpyinfo', 'xdotool', 'xwininfo', 'import', 'compare'] as const;

/** The X tools a field test needs that are missing (Debian: xvfb, xdotool, x11-utils, imagemagick). */
export function missingXTools(): string[] {
  return tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Starts Xvfb on a free display number. The number is chosen here and claimed the way X servers
 * claim one (Xvfb writes `/tmp/.X<n>-lock`), so `xvfb-run -a` and other tests on the same
 * machine never take it over. (`-displayfd` would pick one without a lock file, and a second
 * server could then replace its socket.)
 */
export async function startXvfb(size: { width: number; height: number }): Promise<XDisplay> {
  const first = 100 + Math.floor(Math.random() * 400);
  for (let n = first; n < first + 50; n += 1) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    // Tied to this test process, so a killed worker leaves no X server behind.
    const child: ChildProcess = spawn(
      ...tiedToThisProcess('Xvfb', [
        `:${n}`,
        '-screen',
        '0',
        `${size.width}x${size.height}x24`,
        '-nolisten',
        'tcp',
        '-noreset',
      ]),
      { stdio: 'ignore' },
    );
    const display = `:${n}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
    delete env.WAYLAND_DISPLAY;
    const started = await new Promise<boolean>((resolve) => {
      const deadline = Date.now() + 20_000;
      child.once('exit', () => resolve(false));
      const poll = (): void => {
        try {
          execFileSync('xdpyinfo', [], { env, stdio: 'ignore', timeout: 5_000 });
          resolve(true);
        } catch {
          if (child.exitCode !== null || Date.now() > deadline) resolve(false);
          else setTimeout(poll, 100);
        }
      };
      poll();
    });
    if (!started) {
      if (child.exitCode === null) child.kill('SIGKILL');
      continue;
    }
    return {
      display,
      env,
      ...size,
      async stop() {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      },
    };
  }
  throw new Error('no free X display number for Xvfb');
}

function x(display: XDisplay, command: string, args: string[]): string {
  return execFileSync(command, args, {
    env: display.env,
    encoding: 'utf8',
    timeout: 15_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The root window's direct children that are mapped and viewable: every window a person sees. */
export function visibleTopLevelWindows(display: XDisplay): XWindow[] {
  const root = Number(/Window id: (0x[0-9a-f]+)/.exec(x(display, 'xwininfo', ['-root']))?.[1]);
  let ids: number[];
  try {
    ids = x(display, 'xdotool', ['search', '--maxdepth', '1', '--onlyvisible', '--name', ''])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((id) => id !== root);
  } catch {
    // xdotool exits 1 when nothing matches.
    return [];
  }
  return ids.flatMap((id): XWindow[] => {
    let info: string;
    try {
      info = x(display, 'xwininfo', ['-id', String(id)]);
    } catch {
      // It closed between the listing and this look: it is not on screen.
      return [];
    }
    const num = (label: string): number =>
      Number(new RegExp(`${label}:\\s+(-?\\d+)`).exec(info)?.[1] ?? NaN);
    let pid: number | undefined;
    try {
      pid = Number(x(display, 'xdotool', ['getwindowpid', String(id)]).trim());
    } catch {
      pid = undefined;
    }
    return [
      {
        id,
        name: /xwininfo: Window id: 0x[0-9a-f]+ (.*)/.exec(info)?.[1] ?? '',
        ...(pid ? { pid } : {}),
        x: num('Absolute upper-left X'),
        y: num('Absolute upper-left Y'),
        width: num('Width'),
        height: num('Height'),
      },
    ];
  });
}

/** A real key press through XTEST, e.g. `ctrl+shift+i` (xdotool key names). */
export function pressKeys(display: XDisplay, keys: string): void {
  x(display, 'xdotool', ['key', '--clearmodifiers', keys]);
}

/** Types text as fast, even keystrokes (`delayMs` apart), as a keyboard-wedge card reader does. */
export function typeFast(display: XDisplay, text: string, delayMs = 4): void {
  x(display, 'xdotool', ['type', '--delay', String(delayMs), text]);
}

/** Runs raw xdotool commands (pointer moves, clicks, button holds). */
export function xdotool(display: XDisplay, ...args: string[]): void {
  x(display, 'xdotool', args);
}

/** The whole X screen as a PNG (ImageMagick `import -window root`). */
export function screenshot(display: XDisplay, file: string): void {
  x(display, 'import', ['-window', 'root', file]);
}

/**
 * How many pixels differ by more than 5 % between two screenshots (ImageMagick `compare -metric
 * AE`), over the whole screen or one region of it.
 */
export function differingPixels(
  a: string,
  b: string,
  region?: { x: number; y: number; width: number; height: number },
): number {
  if (!existsSync(a) || !existsSync(b)) throw new Error('screenshot missing');
  const crop = region ? `[${region.width}x${region.height}+${region.x}+${region.y}]` : '';
  try {
    const out = execFileSync(
      'compare',
      ['-metric', 'AE', '-fuzz', '5%', `${a}${crop}`, `${b}${crop}`, 'null:'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return Number(out.trim() || 0);
  } catch (error) {
    // compare exits 1 when the images differ; the count is on stderr.
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    const count = Number(/^[\d.e+]+/.exec(stderr.trim())?.[0]);
    if (Number.isFinite(count)) return count;
    throw error;
  }
}
