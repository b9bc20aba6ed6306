import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromiumArgs, superviseChromium } from '../../../../electron/browser-shell/chromium';
import {
  measureScreen,
  parseXdpyinfo,
  parseXrandr,
  parseXwininfoRoot,
} from '../../../../electron/launch/screen-geometry';
import type { ChromiumSupervisor } from '../../../../electron/browser-shell/chromium';

/**
 * A tiny fake browser: a shell script that records its arguments and each start in a file, then
 * exits at once (standing in for a crash or a citizen closing the window) or, if a `stay` file
 * exists, keeps running until killed.
 */
function fakeBrowser(dir: string): { executable: string; starts: () => string[] } {
  const log = path.join(dir, 'starts.log');
  const executable = path.join(dir, 'fake-chromium.sh');
  writeFileSync(
    executable,
    `#!/bin/sh\necho "$*" >> "${log}"\nif [ -f "${dir}/stay" ]; then exec sleep 30; fi\nexit 3\n`,
  );
  chmodSync(executable, 0o755);
  return {
    executable,
    starts: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition not reached');
}

describe('the Chromium supervisor', () => {
  let dir: string;
  let supervisor: ChromiumSupervisor | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-chromium-'));
  });
  afterEach(() => {
    supervisor?.stop();
    supervisor = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the browser again each time it exits, with the same kiosk arguments', async () => {
    const browser = fakeBrowser(dir);
    const args = chromiumArgs({ url: 'file:///data/launch.html', userDataDir: dir, kiosk: true });
    const messages: string[] = [];
    supervisor = superviseChromium(browser.executable, args, {
      restartDelayMs: 1,
      log: (m) => messages.push(m),
    });
    await until(() => browser.starts().length >= 3);
    expect(supervisor.restarts).toBeGreaterThanOrEqual(2);
    const [first, second] = browser.starts();
    expect(first).toBe(second);
    expect(first).toContain('--kiosk');
    expect(first).toContain('--app=file:///data/launch.html');
    expect(messages[0]).toMatch(/browser exited \(code 3, signal null\); restarting it now/);
  });

  it('reopens at once after an exit, prepares each start, and pauses a browser that keeps dying', async () => {
    const browser = fakeBrowser(dir);
    const prepared: number[] = [];
    const messages: string[] = [];
    supervisor = superviseChromium(browser.executable, ['--kiosk'], {
      crashLoop: { exits: 3, withinMs: 60_000, pauseMs: 400 },
      beforeStart: () => prepared.push(browser.starts().length),
      log: (m) => messages.push(m),
    });
    await until(() => browser.starts().length >= 3);
    // Each start was prepared before it ran (profile preferences, launch page).
    expect(prepared.slice(0, 3)).toEqual([0, 1, 2]);
    expect(messages[0]).toMatch(/restarting it now/);
    const exited = (): string[] => messages.filter((m) => m.startsWith('browser exited'));
    await until(() => exited().length >= 3);
    expect(exited()[2]).toMatch(/it keeps exiting: restarting in 400 ms/);
    const startsAtLoop = browser.starts().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(browser.starts()).toHaveLength(startsAtLoop);
    await until(() => browser.starts().length > startsAtLoop);
    expect(supervisor.pid).toBeGreaterThan(0);
  });

  it('says the new pid when it restarts a killed browser', async () => {
    const browser = fakeBrowser(dir);
    writeFileSync(path.join(dir, 'stay'), '');
    const messages: string[] = [];
    supervisor = superviseChromium(browser.executable, [], { log: (m) => messages.push(m) });
    await until(() => browser.starts().length === 1 && supervisor?.pid !== undefined);
    const first = supervisor.pid as number;
    process.kill(first, 'SIGKILL');
    await until(() => messages.some((m) => m.startsWith('browser restarted')));
    expect(messages).toEqual([
      'browser exited (code null, signal SIGKILL); restarting it now',
      `browser restarted (pid ${String(supervisor.pid)}, restart 1)`,
    ]);
    expect(supervisor.pid).not.toBe(first);
  });

  it('stops restarting once stopped, and kills the running browser', async () => {
    const browser = fakeBrowser(dir);
    writeFileSync(path.join(dir, 'stay'), '');
    supervisor = superviseChromium(browser.executable, [], { restartDelayMs: 1 });
    await until(() => browser.starts().length === 1);
    supervisor.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(browser.starts()).toHaveLength(1);
    expect(supervisor.restarts).toBe(0);
  });

  it('gives Chromium the lockdown flags: kiosk app window, no pinch, no swipe-back, no first run, overlay scroll bars', () => {
    const args = chromiumArgs({ url: 'http://127.0.0.1:1/', userDataDir: '/tmp/p', kiosk: true });
    for (const flag of [
      '--kiosk',
      '--enable-features=OverlayScrollbar',
      '--disable-pinch',
      '--overscroll-history-navigation=0',
      '--no-first-run',
      '--disable-sync',
      '--noerrdialogs',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--no-sandbox');
  });

  it('covers the whole screen in kiosk mode even with no window manager to make it full screen', () => {
    const screen = parseXrandr(
      'Screen 0: minimum 8 x 8, current 1080 x 1920, maximum 32767 x 32767\n' +
        'HDMI-1 connected primary 1080x1920+0+0 right (normal left inverted right x axis y axis) 600mm x 340mm\n',
    );
    expect(screen).toEqual({ width: 1080, height: 1920, x: 0, y: 0 });
    const args = chromiumArgs({
      url: 'file:///data/launch/launch.html',
      userDataDir: '/tmp/p',
      kiosk: true,
      ...(screen ? { screen } : {}),
    });
    expect(args).toEqual(
      expect.arrayContaining(['--kiosk', '--window-position=0,0', '--window-size=1081,1921']),
    );
    const windowed = chromiumArgs({
      url: 'file:///data/launch/launch.html',
      userDataDir: '/tmp/p',
      kiosk: false,
      ...(screen ? { screen } : {}),
    });
    expect(windowed.some((arg) => arg.startsWith('--window-size'))).toBe(false);
  });

  it('places the window on the primary output of a two-screen kiosk', () => {
    const xrandr = [
      'Screen 0: minimum 8 x 8, current 3840 x 1080, maximum 32767 x 32767',
      'DP-1 connected 1920x1080+0+0 (normal left inverted right x axis y axis) 520mm x 290mm',
      'HDMI-1 connected primary 1920x1080+1920+0 (normal left inverted right x axis y axis) 520mm x 290mm',
      'VGA-1 disconnected (normal left inverted right x axis y axis)',
    ].join('\n');
    expect(parseXrandr(xrandr)).toEqual({ width: 1920, height: 1080, x: 1920, y: 0 });
    const args = chromiumArgs({
      url: 'file:///l.html',
      userDataDir: '/tmp/p',
      kiosk: true,
      screen: { width: 1920, height: 1080, x: 1920, y: 0 },
    });
    expect(args).toContain('--window-position=1920,0');
  });

  it('gets the screen size from xdpyinfo or xwininfo when xrandr is not installed', () => {
    const tools: Record<string, string> = {
      xdpyinfo: 'screen #0:\n  dimensions:    1366x768 pixels (361x203 millimeters)\n',
      xwininfo: '  Width: 800\n  Height: 1280\n',
    };
    const run = (command: string): string => {
      const output = tools[command];
      if (output === undefined) throw new Error(`${command}: not found`);
      return output;
    };
    expect(measureScreen(run)).toEqual({
      geometry: { width: 1366, height: 768, x: 0, y: 0 },
      source: 'xdpyinfo',
    });
    delete tools.xdpyinfo;
    expect(measureScreen(run)).toEqual({
      geometry: { width: 800, height: 1280, x: 0, y: 0 },
      source: 'xwininfo',
    });
    delete tools.xwininfo;
    expect(measureScreen(run)).toBeUndefined();
    expect(parseXrandr("Can't open display")).toBeUndefined();
    expect(parseXdpyinfo('')).toBeUndefined();
    expect(parseXwininfoRoot('  Width: 0\n  Height: 0\n')).toBeUndefined();
  });
});
