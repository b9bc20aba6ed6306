/**
 * How the test tooling starts Debian's Chromium (never a downloaded browser): the path, and the
 * flags every suite, the bench and measure-startup pass so a run does no networking of its own
 * (no component updates, no sync, no first-run pages) and works as root in a container
 * (`--no-sandbox`) without a GPU. The kiosk's own launch flags are the product's, in
 * electron/browser-shell/chromium.ts.
 */
export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const testChromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
