import { beforeEach, describe, expect, it } from 'vitest';
import { BrowserWindow } from 'electron';
import { recorder, resetElectronFake } from '../../../support/electron-fake';
import { kioskWindowOptions } from '../../../../electron/main/window-options';

describe('the kiosk window', () => {
  beforeEach(() => resetElectronFake());

  it('is created full-screen in kiosk mode with no menu bar', () => {
    new BrowserWindow(kioskWindowOptions('/app/preload.cjs'));
    const options = recorder.windows[0]?.options;
    expect(options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      frame: false,
      autoHideMenuBar: true,
    });
  });

  it('gives the page no Node, an isolated and sandboxed renderer, and only the preload', () => {
    new BrowserWindow(kioskWindowOptions('/app/preload.cjs'));
    const prefs = recorder.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });
});
