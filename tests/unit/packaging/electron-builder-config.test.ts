import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPERATOR_EXIT_CODE } from '../../../electron/main/main';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>;

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as {
      DebugLogger: new (on: boolean) => unknown;
    };
    await expect(
      validateConfiguration(structuredClone(config), new DebugLogger(false)),
    ).resolves.toBeUndefined();
  });

  it('names the app and pins the Electron version the tests ran against', () => {
    const installed = (require('electron/package.json') as { version: string }).version;
    expect(config.appId).toBe('gov.servicepoint.kiosk');
    expect(config.productName).toBe('Service Point');
    expect(config.electronVersion).toBe(installed);
  });

  it('flips the Electron fuses a kiosk needs: no Node mode, NODE_OPTIONS or inspector; asar only, checked', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
    // onlyLoadAppFromAsar and asar integrity mean nothing without an asar archive.
    expect(config.asar).toBe(true);
  });

  it('refuses to build an unsigned Windows installer and verifies the publisher of updates', () => {
    expect(config.win).toMatchObject({ forceCodeSigning: true, verifyUpdateCodeSignature: true });
  });

  it('builds AppImage and deb for Linux and NSIS for Windows, with the icon', () => {
    const linux = config.linux as { target: string[]; icon: string };
    const win = config.win as { target: string[]; icon: string };
    expect(linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(win.target).toEqual(['nsis']);
    for (const icon of [linux.icon, win.icon]) {
      const file = path.join(root, icon);
      const png = readFileSync(file);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    }
  });

  it('packs the bundled app from dist/ and the config it reads, with the bundle as main', () => {
    const files = config.files as string[];
    expect(files).toEqual(
      expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'kiosk-config/**/*.json']),
    );
    expect((config.extraMetadata as { main: string }).main).toBe('dist/electron/main.cjs');
  });

  it('keeps the native modules (node-hid, better-sqlite3) outside the asar archive', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/node-hid/**', 'node_modules/better-sqlite3/**']),
    );
  });

  it('publishes to a generic https feed (the kiosk reads the real URL from its shell.json)', () => {
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect(new URL((config.publish as { url: string }).url).protocol).toBe('https:');
  });

  it('points at resources that exist', () => {
    const deb = config.deb as { afterInstall: string };
    const script = path.join(root, deb.afterInstall);
    expect(existsSync(script)).toBe(true);
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });
});

describe('the Linux kiosk session files', () => {
  const unit = readFileSync(path.join(root, 'build/linux/service-point-kiosk.service'), 'utf8');
  const rules = readFileSync(path.join(root, 'build/linux/70-service-point-devices.rules'), 'utf8');

  it('restarts the kiosk whenever it stops, except after an operator exit', () => {
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(new RegExp(`^RestartPreventExitStatus=${OPERATOR_EXIT_CODE}$`, 'm'));
    expect(unit).toMatch(/^WantedBy=graphical-session\.target$/m);
    expect(unit).toMatch(/^ExecStart=.+service-point$/m);
  });

  it('gives the kiosk group the card reader (hidraw) and the printer (usb lp) without root', () => {
    const active = rules.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    expect(active.some((l) => l.includes('SUBSYSTEM=="hidraw"'))).toBe(true);
    expect(active.some((l) => l.includes('KERNEL=="lp[0-9]*"'))).toBe(true);
    for (const line of active) {
      expect(line).toMatch(/MODE="0660"/);
      expect(line).toMatch(/GROUP="servicepoint"/);
      expect(line).not.toMatch(/MODE="0666"/);
      // Every rule names a device: no blanket access to all USB devices.
      expect(line).toMatch(/ATTRS\{idVendor\}=="[0-9a-f]{4}", ATTRS\{idProduct\}=="[0-9a-f]{4}"/);
    }
  });

  it('has an autostart entry that also stops after an operator exit', () => {
    const desktop = readFileSync(
      path.join(root, 'build/linux/service-point-kiosk.desktop'),
      'utf8',
    );
    expect(desktop).toMatch(/^Type=Application$/m);
    expect(desktop).toContain(`-eq ${OPERATOR_EXIT_CODE} ]`);
  });
});

describe('the managed Chromium policy for the browser shell', () => {
  const policy = JSON.parse(
    readFileSync(path.join(root, 'build/linux/chromium-kiosk-policy.json'), 'utf8'),
  ) as Record<string, unknown>;

  it('blocks what a page cannot block for itself: other sites, downloads, devtools, popups', () => {
    expect(policy).toMatchObject({
      URLBlocklist: ['*'],
      DownloadRestrictions: 3,
      DeveloperToolsAvailability: 2,
      DefaultPopupsSetting: 2,
      PrintingEnabled: false,
      AllowFileSelectionDialogs: false,
    });
    // The host's fixed port (npm start) is the one site allowed.
    expect(policy.URLAllowlist).toContain('http://127.0.0.1:4780');
  });
});
