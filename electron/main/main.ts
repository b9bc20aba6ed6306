/**
 * Electron entry (bundled to dist/electron/main.cjs). Lifecycle, the kiosk window, the lockdown,
 * the watchdog, maintenance and updates, and the bridge's IPC endpoint. The renderer is served
 * from the privileged app:// scheme. Every service is created once here with its dependencies.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  net,
  powerSaveBlocker,
  protocol,
  safeStorage,
  session,
} from 'electron';
import { createBridgeRouter } from '../../sync/bridge/router';
import { httpsRequiredMessage, isAllowedKioskUrl } from '../../kiosk-config/gateway-url';
import { contentSecurityPolicy } from '../browser-shell/content-security-policy';
import { createKioskServices } from '../services/kiosk-services';
import { createLogRing } from '../services/log-ring';
import { loadKioskConfig } from '../services/load-config';
import type { LoadedConfig } from '../services/load-config';
import { APP_ENTRY_URL, APP_ORIGIN } from './app-origin';
import { registerAppProtocol, registerAppScheme } from './app-protocol';
import { installBridgeEndpoint } from './bridge-endpoint';
import { systemClock } from '../services/clock';
import type { Clock } from '../services/clock';
import { createFileLogger } from './logger';
import type { ShellLogger } from './logger';
import { LockdownService } from './lockdown';
import { MaintenanceService } from './maintenance';
import { OperatorExitService } from './operator-exit';
import { OUT_OF_SERVICE_PATH } from './out-of-service-page';
import { SafeStorageCustody } from './safe-storage-custody';
import { loadShellConfig } from './shell-config';
import { UpdateService } from './update-service';
import type { Updater } from './update-service';
import { WatchdogService } from './watchdog';
import { kioskWindowOptions } from './window-options';
import { createKioskDevices } from '../devices/kiosk-devices';
import type { KioskDevices } from '../devices/kiosk-devices';
import { devicesConfigSchema } from '../../kiosk-config/devices-schema';

/**
 * Exit status of an operator exit. The systemd unit restarts the kiosk after any other exit
 * (`RestartPreventExitStatus=77`), so only the PIN takes the terminal out of kiosk mode.
 */
export const OPERATOR_EXIT_CODE = 77;

export interface KioskMainOptions {
  clock?: Clock;
  logger?: ShellLogger;
  /** electron-updater's autoUpdater, loaded lazily: it reads the app's files when imported. */
  loadUpdater?: () => Promise<Updater>;
  loadConfig?: () => LoadedConfig;
  /** The printer and card reader; by default from the site's `devices` section. */
  createDevices?: (config: LoadedConfig, dataDir: string) => Promise<KioskDevices>;
}

/** Real hardware where the site names it, simulated devices where it is absent. */
async function defaultDevices(
  config: LoadedConfig,
  dataDir: string,
  clock: Clock,
  logger: ShellLogger,
): Promise<KioskDevices> {
  const section = config.site.devices ?? {};
  return createKioskDevices({
    config: devicesConfigSchema.parse(section),
    dataDir: path.join(dataDir, 'devices'),
    clock,
    logger,
  });
}

export interface KioskShell {
  window: BrowserWindow;
  lockdown: LockdownService;
  watchdog: WatchdogService;
  maintenance: MaintenanceService;
  operatorExit: OperatorExitService;
  custody: SafeStorageCustody;
  updates: Promise<UpdateService | undefined>;
  devices: KioskDevices | undefined;
}

/** Longest update signature file read (an Ed25519 signature in base64 is 88 characters). */
const SIGNATURE_FILE_MAX_BYTES = 1024;

/**
 * Fetches an update's detached signature over https through Chromium's network stack (the same
 * proxy settings as the update download), refusing redirects and anything larger than a signature.
 */
async function fetchSignatureText(url: string): Promise<string> {
  if (new URL(url).protocol !== 'https:')
    throw new Error('update signatures are fetched over https only');
  const response = await net.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    size += chunk.value.byteLength;
    if (size > SIGNATURE_FILE_MAX_BYTES) {
      await reader?.cancel();
      throw new Error('the signature file is too large');
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const defaultUpdaterLoader = async (): Promise<Updater> =>
  (await import('electron-updater')).autoUpdater as unknown as Updater;

/** Starts the kiosk; resolves with its services once the window exists (undefined: not started). */
export function startKiosk(
  env: NodeJS.ProcessEnv = process.env,
  options: KioskMainOptions = {},
): Promise<KioskShell | undefined> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return Promise.resolve(undefined);
  }
  const clock = options.clock ?? systemClock;
  const dataDir = path.resolve(env.SERVICE_POINT_DATA_DIR ?? app.getPath('userData'));
  const fileLogger = options.logger ?? createFileLogger(path.join(dataDir, 'logs', 'shell.log'));
  // Every event also goes to a ring the operator console reads (`log:tail`).
  const logRing = createLogRing();
  const logger: ShellLogger = {
    log(level, event, detail) {
      fileLogger.log(level, event, detail);
      logRing.push(level, event);
    },
  };
  registerAppScheme(protocol);
  Menu.setApplicationMenu(null);
  // Pinch and overscroll gestures zoom or navigate back; a kiosk page does neither.
  app.commandLine.appendSwitch('disable-pinch');
  app.commandLine.appendSwitch('overscroll-history-navigation', '0');
  // Scroll bars drawn over the page while it scrolls (browser-shell/chromium.ts says why).
  app.commandLine.appendSwitch('enable-features', 'OverlayScrollbar');

  let window: BrowserWindow | undefined;
  app.on('second-instance', () => {
    logger.log('warn', 'app.second-instance');
    window?.focus();
  });
  app.on('window-all-closed', () => {
    // The kiosk window never closes on purpose; exit non-zero so the service manager restarts us.
    logger.log('error', 'app.window-closed');
    app.exit(1);
  });
  if (process.versions.electron) {
    // Electron shows an error dialog for an uncaught exception: on a kiosk that is a dead screen.
    process.on('uncaughtException', (error) => {
      logger.log('error', 'app.uncaught-exception', { message: error.message });
    });
  }

  return app.whenReady().then(async () => {
    logger.log('info', 'app.ready', { version: app.getVersion() });
    const shellConfigFile = env.SERVICE_POINT_SHELL_CONFIG ?? path.join(dataDir, 'shell.json');
    const shellConfig = loadShellConfig(shellConfigFile);
    if (!shellConfig.ok) logger.log('error', 'shell-config.invalid', { error: shellConfig.error });
    const { config: shell } = shellConfig;

    let config: LoadedConfig | undefined;
    try {
      config = options.loadConfig
        ? options.loadConfig()
        : loadKioskConfig({ siteFile: env.SERVICE_POINT_SITE });
    } catch (error) {
      logger.log('error', 'config.invalid', { message: (error as Error).message });
    }
    // The override is held to the same rule as the site's gatewayUrl (kiosk-config/schema.ts) and
    // the browser shell's launcher (electron/launch/provisioning.ts): https, or http on 127.0.0.1.
    const override = env.SERVICE_POINT_GATEWAY_URL;
    if (config && override !== undefined && !isAllowedKioskUrl(override)) {
      logger.log('error', 'config.invalid', {
        message: `SERVICE_POINT_GATEWAY_URL "${override}" ${httpsRequiredMessage}`,
      });
      config = undefined;
    }
    const gatewayUrl = config ? (override ?? config.site.gatewayUrl) : undefined;
    const csp = contentSecurityPolicy(gatewayUrl ? [gatewayUrl] : [], { bridgeWebSocket: false });
    const rendererDir = env.SERVICE_POINT_RENDERER_DIR ?? path.join(__dirname, '..', 'renderer');
    registerAppProtocol(protocol, rendererDir, { contentSecurityPolicy: csp });

    const lockdown = new LockdownService({
      app,
      session: session.defaultSession,
      logger,
      contentSecurityPolicy: csp,
      allowedHidDevices: shell.allowedHidDevices,
    });
    lockdown.initialize();
    powerSaveBlocker.start('prevent-display-sleep');

    const windowOptions = kioskWindowOptions(path.join(__dirname, 'preload.cjs'));
    const kioskWindow = new BrowserWindow({
      ...windowOptions,
      // Restated at the constructor, where Electronegativity (npm test) checks them: the page's
      // isolation must be visible here, not only inside a helper's return value.
      webPreferences: {
        ...windowOptions.webPreferences,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        disableBlinkFeatures: 'Auxclick',
      },
    });
    window = kioskWindow;
    kioskWindow.removeMenu();
    lockdown.guard(kioskWindow.webContents);

    const watchdog = new WatchdogService({
      contents: kioskWindow.webContents,
      clock,
      logger,
      limits: shell.watchdog,
      appUrl: APP_ENTRY_URL,
      outOfServiceUrl: `${APP_ORIGIN}${OUT_OF_SERVICE_PATH}`,
    });
    watchdog.initialize();

    const updates = shell.updates
      ? (options.loadUpdater ?? defaultUpdaterLoader)().then(
          (updater) => {
            const service = new UpdateService({
              updater,
              feed: shell.updates,
              fetchText: fetchSignatureText,
              clock,
              logger,
            });
            service.initialize();
            return service;
          },
          (error: unknown) => {
            logger.log('error', 'update.unavailable', { message: (error as Error).message });
            return undefined;
          },
        )
      : Promise.resolve(undefined);
    let updateService: UpdateService | undefined;
    void updates.then((service) => {
      updateService = service;
    });

    const maintenance = new MaintenanceService({
      clock,
      logger,
      quietHour: shell.maintenance.quietHour,
      restartEnabled: shell.maintenance.restart,
      relaunch: () => {
        app.relaunch();
        app.exit(0);
      },
      installUpdate: () => updateService?.installDownloaded() ?? false,
    });
    maintenance.initialize();

    const operatorExit = new OperatorExitService({
      pinHash: shell.operatorPinHash,
      clock,
      logger,
      // Let the reply reach the page before the process goes.
      exit: () => clock.setTimeout(() => app.exit(OPERATOR_EXIT_CODE), 250),
    });
    operatorExit.initialize();

    const custody = new SafeStorageCustody({ safeStorage, dataDir, logger });

    let devices: KioskDevices | undefined;
    if (config) {
      try {
        devices = await (options.createDevices
          ? options.createDevices(config, dataDir)
          : defaultDevices(config, dataDir, clock, logger));
        devices.start();
        // Device events reach the page through the preload's one listener.
        devices.onCardRead((read) =>
          kioskWindow.webContents.send('bridge:event', 'card-reader:read', read),
        );
        devices.onPrinterStatus((status) =>
          kioskWindow.webContents.send('bridge:event', 'printer:status', status),
        );
        app.on('will-quit', () => devices?.stop());
      } catch (error) {
        // No printer is better than no kiosk: the page is told the printer is unavailable.
        logger.log('error', 'devices.unavailable', { message: (error as Error).message });
      }
      const services = createKioskServices({
        config,
        shell: 'electron',
        appVersion: app.getVersion(),
        gatewayUrl: gatewayUrl ?? config.site.gatewayUrl,
        enrolmentToken: env.SERVICE_POINT_ENROLMENT_TOKEN,
        devices,
        simulatedDevices: devices?.simulated ?? [],
        keyCustody: custody,
        log: (level, message) => logger.log('info', 'page.log', { level, message }),
        dataDir,
        logRing,
      });
      const router = createBridgeRouter({
        ...services,
        'operator:exit': ({ pin }) => operatorExit.attempt(pin),
        'session:state': async ({ active }) => {
          maintenance.setSessionActive(active);
          return undefined;
        },
      });
      installBridgeEndpoint(ipcMain, router, () => window, logger);
    }

    kioskWindow.once('ready-to-show', () => kioskWindow.show());
    // Without a valid config there is nothing to serve: say so instead of a dead screen.
    const first = config ? APP_ENTRY_URL : `${APP_ORIGIN}${OUT_OF_SERVICE_PATH}`;
    kioskWindow.loadURL(first).catch((error: unknown) => {
      logger.log('error', 'app.load-failed', { message: (error as Error).message });
    });
    return {
      window: kioskWindow,
      lockdown,
      watchdog,
      maintenance,
      operatorExit,
      custody,
      updates,
      devices,
    };
  });
}

// Bundled entry: start when Electron runs this file, not when a test imports it.
if (process.versions.electron && !process.env.VITEST) void startKiosk();
