/**
 * `npm start`: runs the kiosk for the site profile in `SERVICE_POINT_SITE` (default: the demo).
 * A site with `embeddedGateway` gets the reference gateway here on 127.0.0.1 (SQLite under the
 * data directory, a demo roster, the fleet dashboard); any other talks to the gateway it names.
 * It builds the renderer only when its sources changed since the last build (renderer-build.ts),
 * serves it, and opens the kiosk in Electron when its binary is present, else in the browser
 * shell (system Chromium or Chrome, locked down: browser-shell/).
 *
 * Up in seconds: everything that decides whether the kiosk may start (the site config, the
 * provisioning, the roster, both ports) is checked before the window opens, and the window opens
 * before the heavy parts are loaded: the embedded gateway (embedded-gateway.ts) and the devices
 * and bridge handlers (kiosk-backend.ts) are chunks of their own, imported here while Chromium
 * starts. The page copes with both arriving late (its bridge calls wait for the handlers; its
 * sync engine retries the gateway). Any of them failing stops the kiosk as a failure before the
 * window would.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BridgeRouter } from '../../sync/bridge/router';
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
import { kioskConfigDir, loadKioskConfig } from '../services/load-config';
import { findElectronBinary } from './electron-binary';
import type { EmbeddedGateway } from './embedded-gateway';
import { prepareEmbeddedGateway } from './gateway-setup';
import type { KioskBackend } from './kiosk-backend';
import { LaunchError, listenError } from './launch-error';
import { reservePort } from './port-reservation';
import { resolveProvisioning } from './provisioning';
import { ensureRendererBuild } from './renderer-build';
import { measureScreen } from './screen-geometry';
import { signInGuide } from './sign-in-guide';
import { traceStep } from './startup-trace';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const log = (message: string): void => console.log(`[service-point] ${message}`);

/** What runs, in the order it stops: the first added stops first. */
interface Stopping {
  add(stop: () => Promise<void> | void, options?: { first?: boolean }): void;
  /** Stops everything; anything added after that is stopped at once. */
  stopAll(): Promise<void>;
}

function createStopping(): Stopping {
  const stops: Array<() => Promise<void> | void> = [];
  let stopped = false;
  const run = (stop: () => Promise<void> | void): Promise<void> =>
    Promise.resolve()
      .then(stop)
      .catch(() => undefined);
  return {
    add(stop, options) {
      if (stopped) void run(stop);
      else if (options?.first) stops.unshift(stop);
      else stops.push(stop);
    },
    async stopAll() {
      stopped = true;
      for (const stop of stops.splice(0)) await run(stop);
    },
  };
}

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
  const stopping = createStopping();
  // From the first thing started on: Ctrl+C or the service manager stops everything, and the
  // managed policy this launcher installed goes with it. So does a part that fails after the
  // window opened (the embedded gateway, the devices): the kiosk stops with its reason.
  // Once: Ctrl+C reaches npm and this process alike, and each passes it on, so the signal comes
  // more than once; a second one must not exit before the first stop has finished.
  let stoppingNow: Promise<void> | undefined;
  const exit = (code: number, error?: unknown): void => {
    if (stoppingNow) return;
    if (error === undefined) log('stopping');
    else {
      const message = error instanceof LaunchError ? error.message : (error as Error).message;
      console.error(`[service-point] cannot start: ${message}`);
    }
    stoppingNow = stopping.stopAll().then(() => process.exit(code));
  };
  const fail = (error: unknown): void => exit(1, error);
  process.on('SIGINT', () => exit(0));
  process.on('SIGTERM', () => exit(0));
  // The terminal that ran `npm start` was closed: stop as for Ctrl+C. Left to Node's default,
  // the process would die at once, leaving the managed policy installed and Chromium running.
  process.on('SIGHUP', () => exit(0));
  const shownSiteFile = path.relative(process.cwd(), siteFile);
  log(
    `site: ${config.site.siteName} (${kioskId}, ${shownSiteFile.startsWith('..') ? siteFile : shownSiteFile})`,
  );

  let gatewayUrl: string;
  let enrolmentToken: string | undefined;
  let gateway: Promise<EmbeddedGateway> | undefined;
  // The gateway is not needed for the first screen, and loading it holds this process's one
  // thread for a while (Fastify, Kysely, SQLite…): it starts once the page has made its start-up
  // calls (runShell says when), so their answers do not wait behind it.
  let startGateway: () => void = () => undefined;
  const gatewayMayStart = new Promise<void>((resolve) => (startGateway = resolve));
  if (provisioning.kind === 'embedded') {
    // Checked now, before anything is shown: the roster, the token, and the port (held until
    // the gateway listens on it, so a busy port is refused before the window opens).
    const files = prepareEmbeddedGateway({
      dataDir,
      ...(provisioning.rosterTemplate ? { rosterTemplate: provisioning.rosterTemplate } : {}),
    });
    const portReservation = await reservePort(provisioning.host, provisioning.port).catch(
      (error: unknown) => {
        throw listenError(
          error,
          'the embedded gateway',
          provisioning.port,
          'Stop the other program (another `npm start`?), or give this kiosk another gateway port: ' +
            `SERVICE_POINT_GATEWAY_URL=http://127.0.0.1:<port> npm start`,
        );
      },
    );
    gatewayUrl = `http://${provisioning.host}:${portReservation.port}`;
    enrolmentToken = files.enrolmentToken;
    // Loaded once the page has made its start-up calls (below); a failure stops the kiosk.
    let stopped = false;
    gateway = gatewayMayStart
      .then(() => {
        if (stopped) throw new LaunchError('the kiosk stopped before its gateway started');
        return import('./embedded-gateway');
      })
      .then(({ startEmbeddedGateway }) =>
        startEmbeddedGateway({
          dataDir,
          kioskId,
          host: provisioning.host,
          port: portReservation.port,
          ...(provisioning.rosterTemplate ? { rosterTemplate: provisioning.rosterTemplate } : {}),
          resetAdminPassword: env.SERVICE_POINT_NEW_ADMIN_PASSWORD === '1',
          portReservation,
        }),
      );
    stopping.add(async () => {
      stopped = true;
      startGateway();
      await portReservation.release();
      portReservation.dropHeld();
      await (await gateway?.catch(() => undefined))?.close();
    });
    gateway.then((embedded) => {
      traceStep('gateway listening');
      log(`gateway: ${embedded.url} (embedded reference gateway, SQLite in ${embedded.dir})`);
      log(
        `SMS alerts: local SMS centre (demo, no phone gets them); messages in ${embedded.smsOutbox}`,
      );
    }, fail);
  } else {
    gatewayUrl = provisioning.gatewayUrl;
    enrolmentToken = provisioning.enrolmentToken;
    log(
      `gateway: ${gatewayUrl} (not started here; enrolment token ` +
        `${enrolmentToken ? `from ${provisioning.enrolmentFile}` : 'none'})`,
    );
    for (const warning of provisioning.warnings) log(`warning: ${warning}`);
  }

  let backend: Promise<unknown> | undefined;
  try {
    ({ backend } = await runShell({
      env,
      dataDir,
      siteFile,
      config,
      gatewayUrl,
      enrolmentToken,
      gateway,
      stopping,
      fail,
      startGateway,
    }));
  } catch (error) {
    fail(error);
    return;
  }

  // Both are up (a failure of either has already stopped the kiosk, with its reason).
  const [embedded] = await Promise.all([gateway, backend]).catch(() => [undefined, undefined]);
  if (gateway && !embedded) return;
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

/**
 * The bridge's router before the handlers are loaded: each call waits for them (the page's
 * first calls come while they load); if they fail to load, the call gets an error reply (the
 * kiosk is then stopping).
 */
function routerWhenReady(
  backend: Promise<KioskBackend>,
  onStartUpCallsAnswered: () => void,
): BridgeRouter {
  return {
    handle(channel, request, caller) {
      return backend.then(
        async ({ router }) => {
          const reply = await router.handle(channel, request, caller);
          // The data key is the page's last start-up call (renderer/app/kiosk-runtime.ts): the
          // rest of its start is its own (IndexedDB, the first render).
          if (channel === 'keys:data-key') onStartUpCallsAnswered();
          return reply;
        },
        (error: unknown) => ({
          ok: false,
          error: {
            code: 'failed',
            message: `the shell did not start: ${(error as Error).message}`,
          },
        }),
      );
    },
  };
}

async function runShell(input: {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  siteFile: string;
  config: ReturnType<typeof loadKioskConfig>;
  gatewayUrl: string;
  enrolmentToken: string | undefined;
  gateway: Promise<EmbeddedGateway> | undefined;
  stopping: Stopping;
  fail: (error: unknown) => void;
  /** Lets the embedded gateway start (the page no longer waits on this process). */
  startGateway: () => void;
}): Promise<{ backend?: Promise<KioskBackend> }> {
  const { env, dataDir, config, gatewayUrl, enrolmentToken, stopping } = input;
  const { outDir: rendererDir } = await ensureRendererBuild({ repoRoot, env, log });
  traceStep('renderer build checked');
  const electronBinary = env.SERVICE_POINT_SHELL === 'browser' ? undefined : findElectronBinary();

  if (electronBinary) {
    // The Electron shell starts once the gateway listens.
    input.startGateway();
    if (input.gateway && !(await input.gateway.catch(() => undefined))) return {};
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
      void stopping.stopAll().then(() => process.exit(code ?? 0));
    });
    return {};
  }

  // Printer, card reader and the bridge's handlers: loaded once Chromium is on its way (loading
  // them holds this thread for a while), before the page's first call, which waits for them.
  let backendMayStart = false;
  let startBackend: () => void = () => undefined;
  const backend = new Promise<void>((resolve) => {
    startBackend = () => {
      backendMayStart = true;
      resolve();
    };
  })
    .then(() => import('./kiosk-backend'))
    .then(({ startKioskBackend }) =>
      startKioskBackend({
        config,
        dataDir,
        gatewayUrl,
        enrolmentToken,
        appVersion: env.npm_package_version ?? '0.0.0',
        log,
      }),
    );
  stopping.add(
    async () => {
      if (backendMayStart) (await backend.catch(() => undefined))?.devices.stop();
    },
    { first: true },
  );
  const launchDir = path.join(dataDir, 'launch');
  // Made once the host's address is known; its token is removed as soon as the page connects.
  const launch: { page?: ReturnType<typeof createLaunchPage> } = {};
  // A fixed port keeps the page's origin, and so its IndexedDB queue, the same across restarts.
  const port = Number(env.SERVICE_POINT_PORT ?? 4780);
  const host = await startBrowserShellHost({
    rendererDir,
    router: routerWhenReady(backend, input.startGateway),
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
  stopping.add(() => host.close(), { first: true });
  traceStep('page host listening');
  backend.then((started) => {
    traceStep('devices started');
    started.devices.onCardRead((read) => host.emit('card-reader:read', read));
    started.devices.onPrinterStatus((status) => host.emit('printer:status', status));
    if (started.devices.simulated.length > 0) {
      log(
        `simulated devices: ${started.devices.simulated.join(', ')} (printouts in ${path.join(dataDir, 'devices')})`,
      );
    }
  }, input.fail);
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
    startBackend();
    input.startGateway();
    return { backend };
  }

  const launchPage = createLaunchPage({ dir: launchDir, pageUrl: host.url, token: host.token });
  launch.page = launchPage;
  stopping.add(() => launchPage.remove());
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
        stopping.add(() => removeManagedPolicy(install.file));
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
  stopping.add(() => browser.stop(), { first: true });
  traceStep('chromium spawned');
  startBackend();
  // A page that is slow to ask (or never does) does not keep the gateway from starting.
  setTimeout(input.startGateway, 5_000);
  log(
    `browser: ${chromium} ${kiosk ? '--kiosk ' : ''}--app=${launchPage.url} (pid ${String(browser.pid)})`,
  );
  return { backend };
}

main().catch((error: unknown) => {
  const message = error instanceof LaunchError ? error.message : (error as Error).message;
  console.error(`[service-point] cannot start: ${message}`);
  process.exit(1);
});
