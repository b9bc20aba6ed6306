import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chromiumArgs,
  parseScreenSize,
  superviseChromium,
} from '../../../../electron/browser-shell/chromium';
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
    const args = chromiumArgs({ url: 'http://127.0.0.1:4780/', userDataDir: dir, kiosk: true });
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
    expect(first).toContain('--app=http://127.0.0.1:4780/');
    expect(messages[0]).toMatch(/browser exited \(code 3/);
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

  it('gives Chromium the lockdown flags: kiosk app window, no pinch, no swipe-back, no first run', () => {
    const args = chromiumArgs({ url: 'http://127.0.0.1:1/', userDataDir: '/tmp/p', kiosk: true });
    for (const flag of [
      '--kiosk',
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
    const screen = parseScreenSize(
      'Screen 0: minimum 8 x 8, current 1080 x 1920, maximum 32767 x 32767',
    );
    expect(screen).toEqual({ width: 1080, height: 1920 });
    const args = chromiumArgs({
      url: 'http://127.0.0.1:4780/',
      userDataDir: '/tmp/p',
      kiosk: true,
      screen,
    });
    expect(args).toEqual(
      expect.arrayContaining(['--kiosk', '--window-position=0,0', '--window-size=1080,1920']),
    );
    expect(parseScreenSize("Can't open display")).toBeUndefined();
    const windowed = chromiumArgs({
      url: 'http://127.0.0.1:4780/',
      userDataDir: '/tmp/p',
      kiosk: false,
      screen,
    });
    expect(windowed.some((arg) => arg.startsWith('--window-size'))).toBe(false);
  });
});
