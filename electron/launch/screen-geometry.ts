import { execFileSync } from 'node:child_process';

/** A rectangle on the X screen, in pixels. */
export interface ScreenGeometry {
  width: number;
  height: number;
  x: number;
  y: number;
}

/** Which tool told the size, for the start-up log. */
export interface MeasuredScreen {
  geometry: ScreenGeometry;
  source: 'xrandr' | 'xdpyinfo' | 'xwininfo';
}

const positive = (width: number, height: number): boolean => width > 0 && height > 0;

/**
 * The kiosk's screen from `xrandr --current`: the primary output (`HDMI-1 connected primary
 * 1920x1080+0+0 …`), else the first connected output with a mode, else the whole X screen
 * (`Screen 0: … current 1920 x 1080, …`). A rotated output reports its rotated size.
 */
export function parseXrandr(output: string): ScreenGeometry | undefined {
  const outputs = [...output.matchAll(/^\S+ connected (primary )?(\d+)x(\d+)\+(\d+)\+(\d+)/gm)].map(
    (match) => ({
      primary: Boolean(match[1]),
      width: Number(match[2]),
      height: Number(match[3]),
      x: Number(match[4]),
      y: Number(match[5]),
    }),
  );
  const chosen = outputs.find((o) => o.primary) ?? outputs[0];
  if (chosen && positive(chosen.width, chosen.height)) {
    return { width: chosen.width, height: chosen.height, x: chosen.x, y: chosen.y };
  }
  const screen = /current (\d+) x (\d+)/.exec(output);
  if (!screen) return undefined;
  const width = Number(screen[1]);
  const height = Number(screen[2]);
  return positive(width, height) ? { width, height, x: 0, y: 0 } : undefined;
}

/** `xdpyinfo`'s first screen: `dimensions:    1920x1080 pixels (…)`. */
export function parseXdpyinfo(output: string): ScreenGeometry | undefined {
  const match = /dimensions:\s+(\d+)x(\d+) pixels/.exec(output);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return positive(width, height) ? { width, height, x: 0, y: 0 } : undefined;
}

/** `xwininfo -root`: `  Width: 1920` and `  Height: 1080`. */
export function parseXwininfoRoot(output: string): ScreenGeometry | undefined {
  const width = Number(/^\s*Width: (\d+)/m.exec(output)?.[1]);
  const height = Number(/^\s*Height: (\d+)/m.exec(output)?.[1]);
  return Number.isInteger(width) && Number.isInteger(height) && positive(width, height)
    ? { width, height, x: 0, y: 0 }
    : undefined;
}

type Run = (command: string, args: string[]) => string;

const runTool: Run = (command, args) =>
  execFileSync(command, args, {
    encoding: 'utf8',
    timeout: 5000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });

/**
 * Asks the X server for the screen's size with whichever tool is installed: `xrandr` (Debian
 * `x11-xserver-utils`), else `xdpyinfo` or `xwininfo` (`x11-utils`). `npm start` installs them
 * when it can (build/scripts/ensure-system-deps.sh). Undefined when none answers.
 */
export function measureScreen(run: Run = runTool): MeasuredScreen | undefined {
  const attempts: Array<
    [MeasuredScreen['source'], string[], (text: string) => ScreenGeometry | undefined]
  > = [
    ['xrandr', ['--current'], parseXrandr],
    ['xdpyinfo', [], parseXdpyinfo],
    ['xwininfo', ['-root'], parseXwininfoRoot],
  ];
  for (const [source, args, parse] of attempts) {
    let output: string;
    try {
      output = run(source, args);
    } catch {
      continue;
    }
    const geometry = parse(output);
    if (geometry) return { geometry, source };
  }
  return undefined;
}
