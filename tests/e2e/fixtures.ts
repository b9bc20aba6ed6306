import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect as expectOf } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { buildGateway, closeGateway, hashToken } from '../../sync/server/app';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';
import { LocalSmsc } from '../../sync/server/sms/local-smsc';
import { registerSmsAlerts } from '../../sync/server/sms/sms-service';
import { createBridgeRouter } from '../../sync/bridge/router';
import { startBrowserShellHost } from '../../electron/browser-shell/host';
import type { BrowserShellHost } from '../../electron/browser-shell/host';
import { createKioskServices } from '../../electron/services/kiosk-services';
import { loadKioskConfig, siteProfilePath } from '../../electron/services/load-config';
import { createFileKeyCustody } from '../../electron/services/key-custody';
import type { SiteConfig } from '../../kiosk-config/schema';
import type { OfficerRosterEntry } from '../../sync/protocol/officer-roster';
import { createKioskDevices } from '../../electron/devices/kiosk-devices';
import type { KioskDevices } from '../../electron/devices/kiosk-devices';
import { systemDeviceClock } from '../../electron/devices/device-runtime';
import { devicesConfigSchema } from '../../kiosk-config/devices-schema';
import { createLogRing } from '../../electron/services/log-ring';
import { createEspeakEngine } from '../../electron/services/speech-engine';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const artifactsDir = path.join(root, 'tests', 'artifacts');
export const rendererDir = path.join(root, 'dist', 'renderer');

/** The embedded gateway on a port that stays the same across stop/start, like a real link. */
export class GatewayProcess {
  store: GatewayStore | undefined;
  app: FastifyInstance | undefined;
  port = 0;
  /** A local SMS centre (the smpp package's server side) the gateway sends SMS alerts to. */
  smsc: LocalSmsc | undefined;
  constructor(
    readonly dataDir: string,
    readonly kioskId: string,
    readonly token: string,
    /** The officer roster the gateway serves in the kiosk's config. */
    readonly roster: OfficerRosterEntry[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.store = await openGatewayStore({
      sqliteFile: path.join(this.dataDir, 'gateway.sqlite'),
    });
    await this.store.addEnrolmentToken(this.kioskId, hashToken(this.token));
    const roster = this.roster;
    this.app = await buildGateway({
      store: this.store,
      ...(roster.length > 0 ? { kioskConfig: async () => ({ roster }) } : {}),
      ...(this.smsc ? { jobs: { pollMs: 100 } } : {}),
    });
    if (this.smsc) {
      await registerSmsAlerts(this.app, {
        store: this.store,
        smsc: {
          url: this.smsc.url,
          systemId: 'gateway',
          password: 'e2e',
          sourceAddr: 'ServicePt',
          ratePerSecond: 20,
        },
        log: () => undefined,
      });
    }
    await this.app.listen({ port: this.port, host: '127.0.0.1' });
    const address = this.app.server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  async stop(): Promise<void> {
    // As a site's gateway stops (closeGateway): the kiosk page is still open, and Chromium's
    // preconnected sockets would hold a plain close() for about 10 s each.
    if (this.app) await closeGateway(this.app, { graceMs: 250 });
    await this.store?.close();
    this.app = undefined;
    this.store = undefined;
  }
}

export interface KioskStack {
  gateway: GatewayProcess;
  host: BrowserShellHost;
  pageUrl: string;
  /** The shell's data dir (reports/, exports/, devices/). */
  dataDir: string;
  /** The renderer build the host serves (a private copy when the spec asked for `rendererCopy`). */
  rendererDir: string;
  /** Simulated printer and card reader, when the spec asked for them (`simulatedDevices`). */
  devices?: KioskDevices;
  /** Every call the page made over the bridge, in order (channel and request, as received). */
  bridgeCalls: Array<{ channel: string; request: unknown }>;
  /** Opens the kiosk page and waits until it has started. */
  open(page: Page): Promise<void>;
}

export const test = base.extend<{
  kiosk: KioskStack;
  /** The site profile in kiosk-config/sites/ (`demo-botswana.json` for a Gaborone kiosk). */
  siteFile: string;
  siteOverrides: Partial<SiteConfig>;
  roster: OfficerRosterEntry[];
  simulatedDevices: boolean;
  offlineSpeech: boolean;
  smsCentre: boolean;
  rendererCopy: boolean;
  printQueueFile: string | undefined;
}>({
  siteFile: ['demo.json', { option: true }],
  /** Site config fields a spec changes (`test.use({ siteOverrides: ... })`), e.g. idle timing. */
  siteOverrides: [{}, { option: true }],
  /** Officers the gateway serves to the kiosk (assisted-mode specs). */
  roster: [[], { option: true }],
  /** A simulated printer (PDF printouts) and card reader in the shell, as `npm start` has. */
  simulatedDevices: [false, { option: true }],
  /** The shell's offline speech engine (espeak-ng); `false` is a machine without one. */
  offlineSpeech: [true, { option: true }],
  /** SMS alerts from the gateway to a local SMS centre (`kiosk.gateway.smsc`). */
  smsCentre: [false, { option: true }],
  /** Serve a private copy of the build, which the spec may take files away from. */
  rendererCopy: [false, { option: true }],
  /**
   * The print queue's file (JSON text) as a kiosk that stopped left it, in place before the
   * simulated devices start: what the shell finds after a restart.
   */
  printQueueFile: [undefined, { option: true }],
  kiosk: async (
    {
      siteFile,
      siteOverrides,
      roster,
      simulatedDevices,
      offlineSpeech,
      smsCentre,
      rendererCopy,
      printQueueFile,
    },
    use,
  ) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-e2e-'));
    const servedDir = rendererCopy ? path.join(dataDir, 'renderer') : rendererDir;
    if (rendererCopy) cpSync(rendererDir, servedDir, { recursive: true });
    const loaded = loadKioskConfig({ siteFile: siteProfilePath(siteFile) });
    const config = { ...loaded, site: { ...loaded.site, ...siteOverrides } };
    const gateway = new GatewayProcess(dataDir, config.site.kioskId, 'e2e-enrolment-token', roster);
    if (smsCentre) {
      gateway.smsc = new LocalSmsc({ systemId: 'gateway', password: 'e2e', receiptDelayMs: 100 });
      await gateway.smsc.start();
    }
    await gateway.start();
    if (printQueueFile !== undefined) {
      mkdirSync(path.join(dataDir, 'devices'), { recursive: true });
      writeFileSync(path.join(dataDir, 'devices', 'print-queue.json'), printQueueFile);
    }
    const devices = simulatedDevices
      ? await createKioskDevices({
          config: devicesConfigSchema.parse({}),
          dataDir: path.join(dataDir, 'devices'),
          clock: systemDeviceClock,
          logger: { log: () => undefined },
        })
      : undefined;
    devices?.start();
    const services = createKioskServices({
      config,
      shell: 'browser',
      appVersion: 'e2e',
      gatewayUrl: gateway.url,
      enrolmentToken: gateway.token,
      simulatedDevices: ['printer', 'card-reader'],
      // The browser shell's file custody of the at-rest data key, in this test's data dir.
      keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
      ...(devices ? { devices, dataDir, logRing: createLogRing() } : {}),
      ...(offlineSpeech
        ? {}
        : { speech: createEspeakEngine({ command: '/nonexistent/espeak-ng' }) }),
    });
    const router = createBridgeRouter(services);
    const bridgeCalls: KioskStack['bridgeCalls'] = [];
    const host = await startBrowserShellHost({
      rendererDir: servedDir,
      router: {
        handle(channel, request, caller) {
          bridgeCalls.push({ channel: String(channel), request });
          return router.handle(channel, request, caller);
        },
      },
      connectSources: [gateway.url],
    });
    devices?.onCardRead((read) => host.emit('card-reader:read', read));
    devices?.onPrinterStatus((status) => host.emit('printer:status', status));
    const pageUrl = `${host.url}#bridge-token=${host.token}`;
    await use({
      gateway,
      host,
      pageUrl,
      dataDir,
      rendererDir: servedDir,
      bridgeCalls,
      ...(devices ? { devices } : {}),
      async open(page) {
        await page.goto(pageUrl);
        // The first screen, then the runtime beside it (store open, sync engine running).
        await page.waitForFunction(
          () => document.body.dataset.ready === 'true' && document.body.dataset.runtime === 'ready',
          undefined,
          { timeout: 30_000 },
        );
      },
    });
    // A stop over 5 s is named, with its part. Chromium's preconnected sockets once held the
    // gateway's close for 7-13 s in about six tests a run (closeGateway now cuts them): a stop
    // that grows slow again shows in the log instead of as a test 13 s longer than its kind.
    const stopping = Date.now();
    await host.close();
    const hostStopped = Date.now();
    devices?.stop();
    await gateway.stop();
    await gateway.smsc?.close();
    const stopped = Date.now();
    if (stopped - stopping > 5_000) {
      console.warn(
        `[e2e] the kiosk took ${stopped - stopping} ms to stop: its host ${hostStopped - stopping} ms, ` +
          `devices and gateway ${stopped - hostStopped} ms`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  },
});

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(artifactsDir, 'screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

export { expect } from '@playwright/test';

/**
 * Taps the top bar's Start over and, when the session had answers and the kiosk asks first
 * (StartOverConfirm), confirms; resolves on the start screen.
 */
export async function startOver(page: Page): Promise<void> {
  await page.locator('[data-start-over]').click();
  const confirm = page.locator('[data-confirm-start-over]');
  const start = page.locator('[data-screen=attract]');
  await expectOf(confirm.or(start).first()).toBeVisible();
  if (await confirm.isVisible()) await confirm.click();
  await expectOf(start).toBeVisible();
}
