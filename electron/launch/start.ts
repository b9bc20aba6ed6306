/**
 * `npm start`: runs the kiosk for the site profile in `SERVICE_POINT_SITE` (default: the demo).
 * A site with `embeddedGateway` gets the reference gateway here on 127.0.0.1 (SQLite under the
 * data directory, a demo roster, the fleet dashboard); any other talks to the gateway it names.
 * It builds the renderer only when its sources changed since the last build (renderer-build.ts),
 * serves it, and opens the kiosk in Electron when its binary is present, else in the browser
 * shell (system Chromium or Chrome, locked down: browser-shell/).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBridgeRouter } from '../../sync/bridge/router';
import { readRosterFile } from '../../sync/server/roster';
import { startBrowserShellHost } from '../browser-shell/host';
import {
  chromiumArgs,
  findChromium,
  stopLeftoverChromium,
  superviseChromium,
} from '../browser-shell/chromium';
import { seedKioskProfile } from '../browser-shell/chromium-profile';
import { createLaunchPage } from '../browser-shell/launch-page';
import {
  installManagedPolicy,
  kioskManagedPolicy,
  managedPolicyDir,
  policyWarning,
  removeManagedPolicy,
} from '../browser-shell/managed-policy';
import { createKioskServices } from '../services/kiosk-services';
import { createFileKeyCustody } from '../services/key-custody';
import { kioskConfigDir, loadKioskConfig } from '../services/load-config';
import { createLogRing } from '../services/log-ring';
import { findElectronBinary } from './electron-binary';
import { startEmbeddedGateway } from './embedded-gateway';
import { LaunchError, listenError } from './launch-error';
import { resolveProvisioning } from './provisioning';
import { ensureRendererBuild } from './renderer-build';
import { measureScreen } from './screen-geometry';
import { signInGuide } from './sign-in-guide';
import { traceStep } from './startup-trace';
import { createKioskDevices } from '../devices/kiosk-devices';
import { systemDeviceClock } from '../devices/device-runtime';
import { devicesConfigSchema } from '../../kiosk-config/devices-schema';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const log = (message: string): void => console.log(`[service-point] ${message}`);

async function main(): Promise<void> {
  traceStep('launcher bundle loaded');
  const env = process.env;
  const dataDir = path.resolve(env.SERVICE_POINT_DATA_DIR ?? path.join(repoRoot, '.kiosk-data'));
  mkdirSync(dataDir, { recursive: true });
  const siteFile = path.resolve(
    env.SERVICE_POINT_SITE ?? path.join(kioskConfigDir, 'sites', 'demo.json'),
  );
  const config = loadKioskConfig({ siteFile });
  const { kioskId } = config.site;
  const provisioning = resolveProvisioning({ site: config.site, siteFile, env });
  traceStep('site config loaded');
  const stopping: Array<() => Promise<void> | void> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stopping.splice(0)) await Promise.resolve(stop()).catch(() => undefined);
  };
  // From the first thing started on: Ctrl+C or the service manager stops everything, and the
  // managed policy this launcher installed goes with it.
  // Once: Ctrl+C reaches npm, tsx and this process alike, and each passes it on, so the signal
  // comes more than once; a second one must not exit before the first stop has finished.
  let stoppingNow: Promise<void> | undefined;
  const shutdown = (): void => {
    if (stoppingNow) return;
    log('stopping');
    stoppingNow = stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const shownSiteFile = path.relative(process.cwd(), siteFile);
  log(
    `site: ${config.site.siteName} (${kioskId}, ${shownSiteFile.startsWith('..') ? siteFile : shownSiteFile})`,
  );

  let gatewayUrl: string;
  let enrolmentToken: string | undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedGateway>> | undefined;
  if (provisioning.kind === 'embedded') {
    embedded = await startEmbeddedGateway({
      dataDir,
      kioskId,
      host: provisioning.host,
      port: provisioning.port,
      rosterTemplate: provisioning.rosterTemplate,
      resetAdminPassword: env.SERVICE_POINT_NEW_ADMIN_PASSWORD === '1',
    });
    stopping.push(() => embedded?.close());
    traceStep('gateway listening');
    gatewayUrl = embedded.url;
    enrolmentToken = embedded.enrolmentToken;
    log(`gateway: ${gatewayUrl} (embedded reference gateway, SQLite in ${embedded.dir})`);
    log(
      `SMS alerts: local SMS centre (demo, no phone gets them); messages in ${embedded.smsOutbox}`,
    );
  } else {
    gatewayUrl = provisioning.gatewayUrl;
    enrolmentToken = provisioning.enrolmentToken;
    log(
      `gateway: ${gatewayUrl} (not started here; enrolment token ` +
        `${enrolmentToken ? `from ${provisioning.enrolmentFile}` : 'none'})`,
    );
    for (const warning of provisioning.warnings) log(`warning: ${warning}`);
  }

  try {
    await runShell({ env, dataDir, siteFile, config, gatewayUrl, enrolmentToken, stopping });
  } catch (error) {
    await stopAll();
    throw error;
  }

  const roster = embedded
    ? { file: embedded.rosterFile, officers: readRosterFile(embedded.rosterFile) }
    : undefined;
  for (const line of await signInGuide({
    site: config.site,
    gatewayUrl,
    ...(roster ? { roster } : {}),
    ...(embedded?.newAdminPassword ? { newAdminPassword: embedded.newAdminPassword } : {}),
    simulatedCardReader: !config.site.devices?.cardReader,
  })) {
    log(line);
  }
}

async function runShell(input: {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  siteFile: string;
  config: ReturnType<typeof loadKioskConfig>;
  gatewayUrl: string;
  enrolmentToken: string | undefined;
  stopping: Array<() => Promise<void> | void>;
}): Promise<void> {
  const { env, dataDir, config, gatewayUrl, enrolmentToken, stopping } = input;
  const { outDir: rendererDir } = await ensureRendererBuild({ repoRoot, env, log });
  traceStep('renderer build checked');
  const electronBinary = env.SERVICE_POINT_SHELL === 'browser' ? undefined : findElectronBinary();

  if (electronBinary) {
    const { bundleElectron } = await import('../../build/scripts/bundle-electron');
    const mainFile = await bundleElectron();
    log(`shell: electron (${electronBinary})`);
    log('url: app://kiosk/');
    // Secrets go in the environment (readable by this user only), never on a command line.
    const child = spawn(electronBinary, [mainFile], {
      stdio: 'inherit',
      env: {
        ...env,
        SERVICE_POINT_SITE: input.siteFile,
        SERVICE_POINT_GATEWAY_URL: gatewayUrl,
        SERVICE_POINT_ENROLMENT_TOKEN: enrolmentToken ?? '',
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
  const devices = await createKioskDevices({
    config: devicesConfigSchema.parse(config.site.devices ?? {}),
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
  traceStep('devices started');
  stopping.unshift(() => devices.stop());
  if (devices.simulated.length > 0) {
    log(
      `simulated devices: ${devices.simulated.join(', ')} (printouts in ${path.join(dataDir, 'devices')})`,
    );
  }

  const services = createKioskServices({
    config,
    shell: 'browser',
    appVersion: env.npm_package_version ?? '0.0.0',
    gatewayUrl,
    enrolmentToken,
    devices,
    simulatedDevices: devices.simulated,
    log: (level, message) => log(`page ${level}: ${message}`),
    keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
    dataDir,
    logRing,
  });
  const launchDir = path.join(dataDir, 'launch');
  // Made once the host's address is known; its token is removed as soon as the page connects.
  const launch: { page?: ReturnType<typeof createLaunchPage> } = {};
  // A fixed port keeps the page's origin, and so its IndexedDB queue, the same across restarts.
  const port = Number(env.SERVICE_POINT_PORT ?? 4780);
  const host = await startBrowserShellHost({
    rendererDir,
    router: createBridgeRouter(services),
    port,
    connectSources: [gatewayUrl],
    onPageConnected: () => launch.page?.retire(),
  }).catch((error: unknown) => {
    throw listenError(
      error,
      'the kiosk page',
      port,
      'Stop the other program (another `npm start`?), or choose another port: ' +
        'SERVICE_POINT_PORT=<port> npm start (the queue of a kiosk lives with its port: keep it fixed)',
    );
  });
  stopping.unshift(() => host.close());
  devices.onCardRead((read) => host.emit('card-reader:read', read));
  devices.onPrinterStatus((status) => host.emit('printer:status', status));
  traceStep('page host listening');
  log(`shell: browser`);
  log(`url: ${host.url}`);

  const chromium = findChromium(env);
  const hasDisplay = process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  if (!chromium || !hasDisplay) {
    log(
      !chromium
        ? 'no Chromium or Chrome found: install it (Debian/Ubuntu: sudo apt-get install chromium)'
        : 'no display found (DISPLAY is not set): run under a desktop session or `xvfb-run npm start`',
    );
    // The token is printed for this user's terminal only; it never goes on a command line.
    log(
      `or open this address in a browser on this machine: ${host.url}#bridge-token=${host.token}`,
    );
    return;
  }

  const launchPage = createLaunchPage({ dir: launchDir, pageUrl: host.url, token: host.token });
  launch.page = launchPage;
  stopping.push(() => launchPage.remove());
  const userDataDir = path.join(dataDir, 'chromium-profile');
  const isRoot = process.getuid?.() === 0;
  const kiosk = env.SERVICE_POINT_WINDOWED !== '1';

  const policyDir = managedPolicyDir(chromium);
  if (policyDir && kiosk) {
    const install = installManagedPolicy({
      policy: kioskManagedPolicy({
        pageOrigin: new URL(host.url).origin,
        gatewayOrigin: new URL(gatewayUrl).origin,
        launchUrl: launchPage.url,
      }),
      dir: env.SERVICE_POINT_POLICY_DIR ?? policyDir,
      stagedFile: path.join(dataDir, 'chromium-policy.json'),
      isRoot,
    });
    if (install.state === 'not-installed') {
      for (const line of policyWarning(install)) console.warn(`[service-point] ${line}`);
    } else {
      log(
        install.state === 'installed'
          ? `managed Chromium policy installed: ${install.file} (it applies to every Chromium on this machine${install.removeOnExit ? '; removed when the kiosk stops' : ''})`
          : `managed Chromium policy in force: ${install.file}`,
      );
      if (install.state === 'installed' && install.removeOnExit) {
        stopping.push(() => removeManagedPolicy(install.file));
      }
    }
  }

  traceStep('policy installed');
  const screen = kiosk && process.platform === 'linux' ? measureScreen() : undefined;
  traceStep('screen measured');
  if (kiosk && process.platform === 'linux') {
    log(
      screen
        ? `screen: ${screen.geometry.width}x${screen.geometry.height} at ${screen.geometry.x},${screen.geometry.y} (from ${screen.source}); the kiosk window covers it`
        : 'screen: size unknown (none of xrandr, xdpyinfo, xwininfo answered; install x11-xserver-utils): ' +
            'without a window manager the kiosk window may not cover the screen',
    );
  }
  const args = chromiumArgs({
    url: launchPage.url,
    userDataDir,
    kiosk,
    runningAsRoot: isRoot,
    ...(screen ? { screen: screen.geometry } : {}),
  });
  const leftover = await stopLeftoverChromium(userDataDir);
  if (leftover) log(`stopped a browser left running on the kiosk's profile (pid ${leftover})`);
  const browser = superviseChromium(chromium, args, {
    log,
    // Every start: the kiosk's own preferences (password manager, autofill, translate off …) and
    // a fresh launch page carrying the bridge token.
    beforeStart: () => {
      seedKioskProfile(userDataDir);
      launchPage.write();
      traceStep('profile seeded');
    },
  });
  stopping.unshift(() => browser.stop());
  traceStep('chromium spawned');
  log(
    `browser: ${chromium} ${kiosk ? '--kiosk ' : ''}--app=${launchPage.url} (pid ${String(browser.pid)})`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof LaunchError ? error.message : (error as Error).message;
  console.error(`[service-point] cannot start: ${message}`);
  process.exit(1);
});
