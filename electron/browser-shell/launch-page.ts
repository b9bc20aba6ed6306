import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * How the browser shell hands the page its bridge token without putting it on Chromium's
 * command line (where `ps` shows it to every local user): Chromium is started on a small local
 * file, readable by the kiosk's user only (0600 in a 0700 folder), that replaces itself with the
 * kiosk page and the token in the fragment (never sent to a server; the page moves it to
 * sessionStorage and out of the address). Once the page has connected, the file is rewritten
 * without the token (a back navigation to it then only leads to the kiosk page again), and the
 * supervisor writes it with the token again before each start of Chromium.
 */
export interface LaunchPage {
  /** `file://…/launch.html`: what goes on the command line. */
  url: string;
  file: string;
  /** (Re)writes the file; call before every start of Chromium. */
  write(): void;
  /** Rewrites the file without the token (the page has it). */
  retire(): void;
  /** Deletes the file (the kiosk stops). */
  remove(): void;
}

export function createLaunchPage(input: {
  dir: string;
  pageUrl: string;
  token: string;
}): LaunchPage {
  const file = path.join(input.dir, 'launch.html');
  // No script: a meta refresh to the page, which moves the token out of its address at once.
  const html = (target: string): string =>
    '<!doctype html><meta charset="utf-8"><title>Service Point</title>' +
    `<meta http-equiv="refresh" content="0;url=${target.replace(/"/g, '&quot;')}">` +
    '<body style="background:#fff"></body>\n';
  const withToken = `${input.pageUrl}#bridge-token=${encodeURIComponent(input.token)}`;
  const write = (text: string): void => {
    mkdirSync(input.dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, text, { mode: 0o600 });
  };
  return {
    url: pathToFileURL(file).href,
    file,
    write() {
      write(html(withToken));
    },
    retire() {
      write(html(input.pageUrl));
    },
    remove() {
      rmSync(file, { force: true });
    },
  };
}
