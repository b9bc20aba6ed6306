/**
 * Electron entry (bundled to dist/electron/main.cjs). Lifecycle, the kiosk window and the
 * bridge's IPC endpoint. The renderer is served from the privileged app:// scheme.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, protocol } from 'electron';
import { createBridgeRouter } from '../bridge/router';
import { createKioskServices } from '../services/kiosk-services';
import { loadKioskConfig } from '../services/load-config';
import { registerAppProtocol, registerAppScheme, APP_ORIGIN } from './app-protocol';
import { kioskWindowOptions } from './window-options';
import { installBridgeEndpoint } from './bridge-endpoint';

export function startKiosk(env: NodeJS.ProcessEnv = process.env): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerAppScheme(protocol);
  Menu.setApplicationMenu(null);

  void app.whenReady().then(() => {
    const rendererDir = env.SERVICE_POINT_RENDERER_DIR ?? path.join(__dirname, '..', 'renderer');
    registerAppProtocol(protocol, rendererDir);
    const config = loadKioskConfig();
    const services = createKioskServices({
      config,
      shell: 'electron',
      appVersion: app.getVersion(),
      gatewayUrl: env.SERVICE_POINT_GATEWAY_URL ?? config.site.gatewayUrl,
      enrolmentToken: env.SERVICE_POINT_ENROLMENT_TOKEN,
      simulatedDevices: ['printer', 'card-reader'],
    });
    const window = new BrowserWindow(kioskWindowOptions(path.join(__dirname, 'preload.cjs')));
    installBridgeEndpoint(ipcMain, createBridgeRouter(services), () => window);
    window.once('ready-to-show', () => window.show());
    void window.loadURL(`${APP_ORIGIN}/`);
  });
}

// Bundled entry: start when Electron runs this file, not when a test imports it.
if (process.versions.electron && !process.env.VITEST) startKiosk();
