import { existsSync } from 'node:fs';

/**
 * How the test tooling starts Debian's Chromium (never a downloaded browser): the path, and the
 * flags every suite, the bench and measure-startup pass so a run does no networking of its own
 * (no component updates, no sync, no first-run pages) and works as root in a container
 * (`--no-sandbox`) without a GPU. The kiosk's own launch flags are the product's, in
 * electron/browser-shell/chromium.ts.
 */
export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Debian's package `chromium-headless-shell` (the same Chromium release, headless only). */
export const headlessShellPath = '/usr/bin/chromium-headless-shell';

/**
 * The browser Playwright's browser tests drive pages in: Debian's headless shell of the same
 * Chromium release when it is installed (what Playwright's own headless Chromium is: the same
 * Blink, V8 and fonts without the full browser's UI layers), else Debian's full Chromium.
 * CHROME_PATH chooses another for both. Ten identical kiosk tests on two workers of a 2-core
 * machine took 23-27 s with it against 39-53 s with the full browser (2 December 2026). The
 * kiosk itself, its field tests on a real X server (kiosk-real-keys: `npm start`), the
 * crash and proof suites that kill a real browser, and the start-up bench run the full browser.
 */
export const pageTestChromiumPath =
  process.env.CHROME_PATH ?? (existsSync(headlessShellPath) ? headlessShellPath : chromiumPath);

export const testChromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
