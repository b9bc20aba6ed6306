import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Chromium's managed ("mandatory") policy for the kiosk: what neither a page nor a profile
 * preference can forbid, enforced by the browser for every profile on the machine. Names and
 * values are Chromium's enterprise policies (https://chromeenterprise.google/policies/).
 *
 * Deliberately absent, because the policy is machine-wide and test tools drive Chromium through
 * the DevTools protocol (`--remote-debugging-pipe`): `DeveloperToolsAvailability: 2` (measured:
 * Playwright cannot open a page under it) and `RemoteDebuggingAllowed: false`. DevTools stay shut
 * on the kiosk without them: the page cancels every DevTools key, Chromium's kiosk mode refuses
 * DevTools, and the kiosk's own profile sets `devtools.availability` (chromium-profile.ts).
 * Also absent: `ForceEphemeralProfiles` (the queue of committed transactions lives in the
 * profile's IndexedDB).
 */
export function kioskManagedPolicy(input: {
  /** The kiosk page's origin, e.g. `http://127.0.0.1:4780`. */
  pageOrigin: string;
  /** The gateway's origin (the page fetches it; allowed in case a policy also covers fetches). */
  gatewayOrigin: string;
  /** The private launch page (`file://…`) that hands the page its bridge token. */
  launchUrl: string;
}): Record<string, unknown> {
  return {
    // Nothing but pages on this machine may load in a window: no settings, history, downloads or
    // other chrome:// pages, no other site, no file:// but the launch page. The whole loopback
    // host is allowed (not only the kiosk's port) so local test pages keep working.
    // `*` does not reach the browser's own pages (measured: with `*` alone Ctrl+H still opened
    // chrome://history): they are listed by scheme.
    URLBlocklist: [
      '*',
      'chrome://*',
      'chrome-untrusted://*',
      'chrome-extension://*',
      'devtools://*',
      'view-source:*',
      'file://*',
    ],
    URLAllowlist: [
      ...new Set([
        `${new URL(input.pageOrigin).protocol}//${new URL(input.pageOrigin).hostname}`,
        input.gatewayOrigin,
        input.launchUrl,
        'about:blank',
      ]),
    ],
    IncognitoModeAvailability: 1,
    BrowserGuestModeEnabled: false,
    BrowserAddPersonEnabled: false,
    BrowserSignin: 0,
    SyncDisabled: true,
    PrintingEnabled: false,
    DownloadRestrictions: 3,
    AllowFileSelectionDialogs: false,
    PasswordManagerEnabled: false,
    PasswordLeakDetectionEnabled: false,
    AutofillAddressEnabled: false,
    AutofillCreditCardEnabled: false,
    TranslateEnabled: false,
    SpellcheckEnabled: false,
    SearchSuggestEnabled: false,
    EditBookmarksEnabled: false,
    BookmarkBarEnabled: false,
    SavingBrowserHistoryDisabled: true,
    TaskManagerEndProcessEnabled: false,
    DefaultPopupsSetting: 2,
    // The async Clipboard API (navigator.clipboard.read/readText) for every site. Ctrl+C/Ctrl+V
    // and the X PRIMARY selection are "trusted" operations no Chromium policy on Linux stops;
    // the page's key guard refuses those (renderer/platform/key-guard.ts).
    DefaultClipboardSetting: 2,
    DefaultNotificationsSetting: 2,
    DefaultGeolocationSetting: 2,
    DefaultWebUsbGuardSetting: 2,
    DefaultWebHidGuardSetting: 2,
    DefaultSerialGuardSetting: 2,
    DefaultWebBluetoothGuardSetting: 2,
    DefaultFileSystemReadGuardSetting: 2,
    DefaultFileSystemWriteGuardSetting: 2,
    AudioCaptureAllowed: false,
    VideoCaptureAllowed: false,
    ScreenCaptureAllowed: false,
    AutoplayAllowed: true,
    EnableMediaRouter: false,
    CommandLineFlagSecurityWarningsEnabled: false,
    DefaultBrowserSettingEnabled: false,
    BackgroundModeEnabled: false,
    MetricsReportingEnabled: false,
    SafeBrowsingProtectionLevel: 0,
    AllowDinosaurEasterEgg: false,
    HideWebStoreIcon: true,
    ExtensionInstallBlocklist: ['*'],
  };
}

/** The file name the kiosk's policy is installed under, in Chromium's managed policy folder. */
export const policyFileName = 'service-point-kiosk.json';

/**
 * Chromium's managed policy folder for this browser binary on Linux (Debian's Chromium reads
 * `/etc/chromium/policies/managed`, Google Chrome `/etc/opt/chrome/policies/managed`).
 */
export function managedPolicyDir(browser: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return /google-chrome|\/opt\/google\/chrome/.test(browser)
    ? '/etc/opt/chrome/policies/managed'
    : '/etc/chromium/policies/managed';
}

export type PolicyInstall =
  | { state: 'installed'; file: string; removeOnExit: boolean }
  | { state: 'already'; file: string }
  | { state: 'not-installed'; file: string; command: string; reason: string };

/**
 * Puts the kiosk's policy where Chromium reads it. As root it is written there (and the caller
 * removes it when the kiosk stops, if it was not there before); otherwise the policy is written
 * to `stagedFile` and the result carries the exact command an administrator runs once.
 */
export function installManagedPolicy(input: {
  policy: Record<string, unknown>;
  dir: string;
  stagedFile: string;
  isRoot: boolean;
}): PolicyInstall {
  const file = path.join(input.dir, policyFileName);
  const text = `${JSON.stringify(input.policy, null, 2)}\n`;
  mkdirSync(path.dirname(input.stagedFile), { recursive: true });
  writeFileSync(input.stagedFile, text, { mode: 0o644 });
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) return { state: 'already', file };
  const command = `sudo install -D -m 0644 ${input.stagedFile} ${file}`;
  if (!input.isRoot) {
    return {
      state: 'not-installed',
      file,
      command,
      reason: current === undefined ? 'it is not installed' : 'the installed one is out of date',
    };
  }
  try {
    mkdirSync(input.dir, { recursive: true, mode: 0o755 });
    writeFileSync(file, text, { mode: 0o644 });
  } catch (error) {
    return {
      state: 'not-installed',
      file,
      command,
      reason: `writing it failed (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  return { state: 'installed', file, removeOnExit: current === undefined };
}

/** Removes the policy this launcher installed (see `removeOnExit`); never any other file. */
export function removeManagedPolicy(file: string): void {
  if (path.basename(file) !== policyFileName) return;
  rmSync(file, { force: true });
}

/** The start-up warning when the policy is not in force: loud, with the one command to run. */
export function policyWarning(
  install: Extract<PolicyInstall, { state: 'not-installed' }>,
): string[] {
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! The kiosk's Chromium policy is NOT in force: ${install.reason}.`,
    '!! Without it a person at the keyboard can reach what a page cannot forbid (settings pages,',
    '!! downloads, other sites). Install it once, as an administrator, then restart the kiosk:',
    `!!   ${install.command}`,
    bar,
  ];
}
