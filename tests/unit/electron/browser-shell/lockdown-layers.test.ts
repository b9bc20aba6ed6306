import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedKioskProfile } from '../../../../electron/browser-shell/chromium-profile';
import { createLaunchPage } from '../../../../electron/browser-shell/launch-page';
import {
  installManagedPolicy,
  kioskManagedPolicy,
  managedPolicyDir,
  policyFileName,
  policyWarning,
  removeManagedPolicy,
} from '../../../../electron/browser-shell/managed-policy';

describe("the browser shell's lockdown layers", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-layers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("seeds the kiosk's own Chromium profile: no password manager, autofill, translate, zoom or restore bubble", () => {
    const profile = path.join(dir, 'profile');
    mkdirSync(path.join(profile, 'Default'), { recursive: true });
    // What Chromium left after a session: a zoomed page, a crash, and a setting of its own.
    writeFileSync(
      path.join(profile, 'Default', 'Preferences'),
      JSON.stringify({
        credentials_enable_service: true,
        partition: { per_host_zoom_levels: { x: { '127.0.0.1': 2.5 } } },
        profile: { exit_type: 'Crashed', name: 'Person 1' },
        webkit: { webprefs: { default_font_size: 16 } },
      }),
    );
    seedKioskProfile(profile);
    const prefs = JSON.parse(readFileSync(path.join(profile, 'Default', 'Preferences'), 'utf8'));
    expect(prefs.credentials_enable_service).toBe(false);
    expect(prefs.profile.password_manager_enabled).toBe(false);
    expect(prefs.autofill).toMatchObject({ profile_enabled: false, credit_card_enabled: false });
    expect(prefs.translate.enabled).toBe(false);
    expect(prefs.devtools.availability).toBe(2);
    expect(prefs.incognito.mode_availability).toBe(1);
    expect(prefs.printing.enabled).toBe(false);
    expect(prefs.download_restrictions).toBe(3);
    expect(prefs.partition.per_host_zoom_levels).toEqual({});
    expect(prefs.profile.exit_type).toBe('Normal');
    // Chromium's own settings stay.
    expect(prefs.profile.name).toBe('Person 1');
    expect(prefs.webkit.webprefs.default_font_size).toBe(16);
    const localState = JSON.parse(readFileSync(path.join(profile, 'Local State'), 'utf8'));
    expect(localState.profile).toMatchObject({
      browser_guest_enabled: false,
      add_person_enabled: false,
    });
    // A half-written file is replaced rather than stopping the start.
    writeFileSync(path.join(profile, 'Default', 'Preferences'), '{"credentials_enab');
    seedKioskProfile(profile);
    expect(
      JSON.parse(readFileSync(path.join(profile, 'Default', 'Preferences'), 'utf8'))
        .credentials_enable_service,
    ).toBe(false);
  });

  it('installs the managed policy as root, says exactly what to run when it cannot, and removes only its own file', () => {
    const policy = kioskManagedPolicy({
      pageOrigin: 'http://127.0.0.1:4780',
      gatewayOrigin: 'https://gateway.gov.example',
      launchUrl: 'file:///var/lib/kiosk/launch/launch.html',
    });
    expect(policy).toMatchObject({
      URLBlocklist: expect.arrayContaining(['*', 'chrome://*', 'file://*', 'view-source:*']),
      URLAllowlist: [
        'http://127.0.0.1',
        'https://gateway.gov.example',
        'file:///var/lib/kiosk/launch/launch.html',
        'about:blank',
      ],
      IncognitoModeAvailability: 1,
      PasswordManagerEnabled: false,
      PrintingEnabled: false,
      DownloadRestrictions: 3,
      DefaultClipboardSetting: 2,
    });
    // Machine-wide: nothing that stops test tools from driving Chromium.
    expect(policy).not.toHaveProperty('DeveloperToolsAvailability');
    expect(policy).not.toHaveProperty('RemoteDebuggingAllowed');

    const managed = path.join(dir, 'etc', 'chromium', 'policies', 'managed');
    const stagedFile = path.join(dir, 'data', 'chromium-policy.json');
    const asUser = installManagedPolicy({ policy, dir: managed, stagedFile, isRoot: false });
    expect(asUser.state).toBe('not-installed');
    if (asUser.state !== 'not-installed') throw new Error('unreachable');
    expect(asUser.command).toBe(
      `sudo install -D -m 0644 ${stagedFile} ${path.join(managed, policyFileName)}`,
    );
    expect(JSON.parse(readFileSync(stagedFile, 'utf8'))).toEqual(policy);
    expect(policyWarning(asUser).join('\n')).toContain(asUser.command);
    expect(existsSync(path.join(managed, policyFileName))).toBe(false);

    const asRoot = installManagedPolicy({ policy, dir: managed, stagedFile, isRoot: true });
    expect(asRoot).toEqual({
      state: 'installed',
      file: path.join(managed, policyFileName),
      removeOnExit: true,
    });
    expect(statSync(path.join(managed, policyFileName)).mode & 0o777).toBe(0o644);
    // Installed by someone before: left in place when the kiosk stops.
    expect(installManagedPolicy({ policy, dir: managed, stagedFile, isRoot: false })).toEqual({
      state: 'already',
      file: path.join(managed, policyFileName),
    });
    writeFileSync(path.join(managed, 'other.json'), '{}');
    removeManagedPolicy(path.join(managed, 'other.json'));
    expect(existsSync(path.join(managed, 'other.json'))).toBe(true);
    removeManagedPolicy(path.join(managed, policyFileName));
    expect(existsSync(path.join(managed, policyFileName))).toBe(false);
    expect(managedPolicyDir('/usr/bin/chromium')).toBe('/etc/chromium/policies/managed');
    expect(managedPolicyDir('/usr/bin/google-chrome-stable')).toBe(
      '/etc/opt/chrome/policies/managed',
    );
  });

  it('hands the page its token through a private file, never the command line, and takes it back once used', () => {
    const page = createLaunchPage({
      dir: path.join(dir, 'launch'),
      pageUrl: 'http://127.0.0.1:4780/',
      token: 'tok_EN-123',
    });
    expect(page.url).toBe(`file://${path.join(dir, 'launch', 'launch.html')}`);
    expect(page.url).not.toContain('tok_EN-123');
    page.write();
    expect(readFileSync(page.file, 'utf8')).toContain(
      'url=http://127.0.0.1:4780/#bridge-token=tok_EN-123',
    );
    expect(statSync(page.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(page.file)).mode & 0o777).toBe(0o700);
    page.retire();
    expect(readFileSync(page.file, 'utf8')).not.toContain('tok_EN-123');
    expect(readFileSync(page.file, 'utf8')).toContain('url=http://127.0.0.1:4780/"');
    page.remove();
    expect(existsSync(page.file)).toBe(false);
  });
});
