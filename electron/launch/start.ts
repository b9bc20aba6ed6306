/**
 * `npm start`: runs the kiosk on its embedded default. Starts the reference gateway on 127.0.0.1
 * (SQLite under the data directory), builds and serves the renderer, and opens the kiosk in
 * Electron when its binary is present, else in the browser shell (system Chromium or Chrome).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildGateway, hashToken } from '../../sync/server/app';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import { createBridgeRouter } from '../../sync/bridge/router';
import { startBrowserShellHost } from '../browser-shell/host';
import {
  chromiumArgs,
  findChromium,
  parseScreenSize,
  superviseChromium,
} from '../browser-shell/chromium';
import { createKioskServices } from '../services/kiosk-services';
import { createFileKeyCustody } from '../services/key-custody';
import { loadKioskConfig } from '../services/load-config';
import { createLogRing } from '../services/log-ring';
import { findElectronBinary } from './electron-binary';
import { createKioskDevices } from '../devices/kiosk-devices';
import { systemDeviceClock } from '../devices/device-runtime';
import { devicesConfigSchema } from '../../kiosk-config/devices-schema';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const log = (message: string): void => console.log(`[service-point] ${message}`);

function readOrCreateToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** The X screen's size, when `xrandr` can tell (no window manager needed). */
function screenSize(): { width: number; height: number } | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return parseScreenSize(
      execFileSync('xrandr', ['--current'], { encoding: 'utf8', timeout: 5000 }),
    );
  } catch {
    return undefined;
  }
}

async function buildRenderer(): Promise<string> {
  const outDir = path.join(repoRoot, 'dist', 'renderer');
  if (process.env.SERVICE_POINT_SKIP_BUILD === '1' && existsSync(path.join(outDir, 'index.html'))) {
    return outDir;
  }
  const { build } = await import('vite');
  log('building the renderer…');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  return outDir;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(
    process.env.SERVICE_POINT_DATA_DIR ?? path.join(repoRoot, '.kiosk-data'),
  );
  mkdirSync(path.join(dataDir, 'gateway'), { recursive: true });
  const config = loadKioskConfig({
    siteFile: process.env.SERVICE_POINT_SITE
      ? path.resolve(process.env.SERVICE_POINT_SITE)
      : undefined,
  });
  const { kioskId } = config.site;
  const enrolmentToken = readOrCreateToken(path.join(dataDir, 'enrolment-token'));

  // The embedded reference gateway.
  const store = await openGatewayStore({
    sqliteFile: path.join(dataDir, 'gateway', 'gateway.sqlite'),
  });
  await store.addEnrolmentToken(kioskId, hashToken(enrolmentToken));
  const gateway = await buildGateway({ store });
  const wantedPort = Number(new URL(config.site.gatewayUrl).port || 8787);
  let gatewayUrl: string;
  try {
    gatewayUrl = await gateway.listen({ port: wantedPort, host: '127.0.0.1' });
  } catch {
    gatewayUrl = await gateway.listen({ port: 0, host: '127.0.0.1' });
    log(`port ${wantedPort} is busy; the gateway uses ${gatewayUrl} instead`);
  }
  log(`gateway: ${gatewayUrl} (SQLite in ${path.join(dataDir, 'gateway')})`);

  const rendererDir = await buildRenderer();
  const electronBinary =
    process.env.SERVICE_POINT_SHELL === 'browser' ? undefined : findElectronBinary();
  const stopping: Array<() => Promise<void> | void> = [() => gateway.close(), () => store.close()];

  if (electronBinary) {
    const { bundleElectron } = await import('../../build/scripts/bundle-electron');
    const mainFile = await bundleElectron();
    log(`shell: electron (${electronBinary})`);
    log('url: app://kiosk/');
    const child = spawn(electronBinary, [mainFile], {
      stdio: 'inherit',
      env: {
        ...process.env,
        SERVICE_POINT_GATEWAY_URL: gatewayUrl,
        SERVICE_POINT_ENROLMENT_TOKEN: enrolmentToken,
        SERVICE_POINT_RENDERER_DIR: rendererDir,
        SERVICE_POINT_DATA_DIR: dataDir,
      },
    });
    child.on('exit', (code) => {
      void Promise.all(stopping.map((stop) => stop())).then(() => process.exit(code ?? 0));
    });
    return;
  }

  // The operator console's recent events (`log:tail`): device and page events, no personal data.
  const logRing = createLogRing();
  // Printer and card reader from the site's `devices` section; simulated where absent.
  const siteDevices = config.site.devices ?? {};
  const devices = await createKioskDevices({
    config: devicesConfigSchema.parse(siteDevices),
    dataDir: path.join(dataDir, 'devices'),
    clock: systemDeviceClock,
    logger: {
      log: (level, event) => {
        logRing.push(level, `device ${event}`);
        if (level === 'warn' || level === 'error') log(`device ${level}: ${event}`);
      },
    },
  });
  devices.start();
  stopping.unshift(() => devices.stop());
  if (devices.simulated.length > 0) {
    log(
      `simulated devices: ${devices.simulated.join(', ')} (printouts in ${path.join(dataDir, 'devices')})`,
    );
  }

  const services = createKioskServices({
    config,
    shell: 'browser',
    appVersion: process.env.npm_package_version ?? '0.0.0',
    gatewayUrl,
    enrolmentToken,
    devices,
    simulatedDevices: devices.simulated,
    log: (level, message) => log(`page ${level}: ${message}`),
    keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
    dataDir,
    logRing,
  });
  const host = await startBrowserShellHost({
    rendererDir,
    router: createBridgeRouter(services),
    // A fixed port keeps the page's origin, and so its IndexedDB queue, the same across restarts.
    port: Number(process.env.SERVICE_POINT_PORT ?? 4780),
    connectSources: [gatewayUrl],
  });
  stopping.unshift(() => host.close());
  devices.onCardRead((read) => host.emit('card-reader:read', read));
  devices.onPrinterStatus((status) => host.emit('printer:status', status));
  const pageUrl = `${host.url}#bridge-token=${host.token}`;
  log(`shell: browser`);
  log(`url: ${host.url}`);

  const chromium = findChromium();
  const hasDisplay =
    process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!chromium) {
    log('no Chromium or Chrome found: install it (Debian/Ubuntu: sudo apt-get install chromium)');
    log(`or open this address in a browser on this machine: ${pageUrl}`);
  } else if (!hasDisplay) {
    log(
      'no display found (DISPLAY is not set): run under a desktop session or `xvfb-run npm start`',
    );
    log(`or open this address in a browser on this machine: ${pageUrl}`);
  } else {
    const args = chromiumArgs({
      url: pageUrl,
      userDataDir: path.join(dataDir, 'chromium-profile'),
      kiosk: process.env.SERVICE_POINT_WINDOWED !== '1',
      runningAsRoot: process.getuid?.() === 0,
      screen: screenSize(),
    });
    const browser = superviseChromium(chromium, args, { log });
    stopping.unshift(() => browser.stop());
    log(`browser: ${chromium} --kiosk --app=${host.url}`);
  }

  const shutdown = (): void => {
    log('stopping');
    void Promise.all(stopping.map((stop) => stop())).then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`[service-point] cannot start: ${(error as Error).message}`);
  process.exit(1);
});
