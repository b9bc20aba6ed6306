import { connectCardReads } from './card-reads';
import type { CardReads } from './card-reads';
import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';
import type { KioskInfo } from '../../sync/bridge/channels';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { openKioskDatabase } from '../../sync/client/db';
import type { KioskDatabase } from '../../sync/client/db';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { commitTransaction } from '../../sync/client/commit';
import type {
  CommitOptions,
  CommittedTransaction,
  TransactionInput,
} from '../../sync/client/commit';
import { clearOpenReceipt, readOpenReceipt } from '../../sync/client/open-receipt';
import type { OpenReceipt } from '../../sync/client/open-receipt';
import { SyncEngine } from '../../sync/client/engine';
import { GatewayClient } from '../../sync/client/gateway-client';
import { forgetStatusesBefore, lookUpStatuses } from '../../sync/client/status-cache';
import type { StatusLookup } from '../../sync/client/status-cache';
import { loadConfiguration, withTimeout } from './config-store';
import type { KeyValueStore } from './config-store';
import { importDataKey } from '../../sync/client/data-key';
import { purgeDeliveredPersonalData } from '../../sync/client/personal-data';
import { checkStorageHeadroom, requestPersistentStorage } from '../../sync/client/storage-guard';
import type { StorageCheck } from '../../sync/client/storage-guard';
import { OfficerSession, cacheRoster } from '../../sync/client/officer-session';
import type { OfficerDeps } from '../../sync/client/officer-records';
import { recordConfigInForce } from '../../sync/client/officer-records';
import { reconcileBundleAcks } from '../../sync/client/bundle-export';
import type { HeartbeatRequest } from '../../sync/protocol/wire';

/** Everything a running kiosk page needs, wired once at start-up. */
export interface KioskRuntime {
  bridge: KioskBridge;
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  db: KioskDatabase;
  engine: SyncEngine;
  /** Durably commits, then wakes the sync engine. Rejects with a coded SyncError on failure. */
  submit(input: TransactionInput, options?: CommitOptions): Promise<CommittedTransaction>;
  /** A receipt a crash left unfinished: shown before anything else (open-receipt.ts). */
  openReceipt?: OpenReceipt;
  /** The session ended: its receipt is no longer open. */
  closeReceipt(): void;
  /** Set when the shell's config was refused and the last good one is in use (names the field). */
  configRefused?: string;
  /** Asks the gateway what it knows of these reference numbers (signed request). */
  /**
   * What the agencies decided for these reference numbers (signed request); when the gateway
   * cannot be reached, what this kiosk last heard (`online: false`), never an error.
   */
  lookupStatus(refs: string[]): Promise<StatusLookup>;
  /** Whether a new session may start: `{ ok: false, code: 'storage-low' }` when quota is low. */
  checkStorage(): Promise<StorageCheck>;
  /** Card swipes and code scans from every reader (HID and keyboard-wedge). */
  cardReads: CardReads;
  /** Assisted mode: who is signed in; sign-in, sign-out and inactivity are chain records. */
  officers: OfficerSession;
  /** What officer and operator actions need to append to the chain (void, reprint, bundles). */
  chain: OfficerDeps;
  /** A short line for the shell's log (and so the operator console); never personal data. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** How long the shell may take to answer at start before the last good config is used. */
const SHELL_TIMEOUT_MS = 4_000;

export async function startKioskRuntime(
  bridge: KioskBridge,
  store: KeyValueStore = localStorage,
): Promise<KioskRuntime> {
  const loaded = await loadConfiguration(async () => {
    const info = await withTimeout(bridge.invoke('kiosk:info'), SHELL_TIMEOUT_MS, 'kiosk:info');
    const config = await withTimeout(bridge.invoke('config:get'), SHELL_TIMEOUT_MS, 'config:get');
    return { info, site: config.site, catalogue: config.catalogue };
  }, store);
  const { info } = loaded;
  // Shaped like a parse result so the rest of start-up reads as before.
  const site = { value: loaded.site };
  const catalogue = { value: loaded.catalogue };
  if (loaded.refused) {
    void bridge
      .invoke('log:write', { level: 'error', message: `config refused: ${loaded.refused}` })
      .catch(() => undefined);
  }

  const db = openKioskDatabase(info.kioskId);
  await db.open();
  const keys = await loadOrCreateDeviceKey(db);
  const openReceipt = await readOpenReceipt(db).catch(() => undefined);
  // Without the shell (a page that lost its host) there is no data key: answers marked personal
  // then cannot be committed, and the review screen says so instead of saving them in the clear.
  // The shell hands the key once per page load, so this is the page's only chance to ask.
  const dataKey = await withTimeout(bridge.invoke('keys:data-key'), SHELL_TIMEOUT_MS, 'keys')
    .then((reply) => importDataKey(reply.key))
    .catch((error: unknown) => {
      void bridge
        .invoke('log:write', {
          level: 'error',
          message: `no data key: ${(error as Error).message}`,
        })
        .catch(() => undefined);
      return undefined;
    });
  void requestPersistentStorage();
  const purge = (): void => {
    // Last-seen decisions are kept as long as the personal data they would be shown beside.
    void forgetStatusesBefore(db, Date.now() - site.value.retentionDays * 86_400_000).catch(
      () => undefined,
    );
    void purgeDeliveredPersonalData(db, { retentionDays: site.value.retentionDays }).catch(
      () => undefined,
    );
  };
  purge();
  setInterval(purge, 60 * 60_000);
  const chain: OfficerDeps = { db, kioskId: info.kioskId, keys, dataKey };
  const log = (level: 'info' | 'warn' | 'error', message: string): void =>
    void bridge.invoke('log:write', { level, message }).catch(() => undefined);
  // The chain says which site config and catalogue every later record was made under.
  void recordConfigInForce(chain, 'site', '', site.value)
    .then(() => recordConfigInForce(chain, 'catalogue', catalogue.value.version, catalogue.value))
    .catch((error: unknown) => log('error', `config record failed: ${(error as Error).message}`));
  const officers = new OfficerSession({
    ...chain,
    inactivityMs: site.value.officerInactivityMinutes * 60_000,
    siteId: info.kioskId,
  });
  const engine = new SyncEngine({
    db,
    kioskId: info.kioskId,
    keys,
    gatewayUrl: info.gatewayUrl,
    enrolmentToken: info.enrolmentToken,
    dataKey,
    appVersion: info.appVersion,
    periodicMs: 15_000,
    backoffCapMs: 60_000,
    // The officer roster (and PIN hashes) for offline sign-in; a change is a config-change record.
    onConfig: (config) =>
      void cacheRoster(chain, config.roster).then(
        (cached) => {
          if (!cached.ok) log('error', `roster refused: ${cached.reason}`);
          else if (cached.changed) {
            log('info', 'officer roster updated');
            // The config-change record goes out with this run, not at the next timer.
            void engine.trigger();
          }
        },
        () => log('error', 'roster could not be stored'),
      ),
    // After a USB bundle, learn what the gateway already holds before sending it again.
    beforeDrain: (client) => reconcileBundleAcks(db, (fromSeq) => client.getAcks(fromSeq)),
    heartbeatExtras: () =>
      heartbeatExtras(bridge, info, site.value.siteName, catalogue.value.version),
  });
  engine.start();
  return {
    bridge,
    info,
    // The site's wedge thresholds (devices.wedge), else the defaults.
    cardReads: connectCardReads(bridge, window, site.value.devices?.wedge),
    officers,
    chain,
    log,
    site: site.value,
    catalogue: catalogue.value,
    db,
    engine,
    ...(openReceipt ? { openReceipt } : {}),
    closeReceipt() {
      void clearOpenReceipt(db).catch(() => undefined);
    },
    async submit(input, options) {
      const service = catalogue.value.services.find((s) => s.id === input.serviceId);
      const personalFieldIds =
        input.personalFieldIds ??
        service?.fields.filter((field) => field.personal).map((field) => field.id) ??
        [];
      const committed = await commitTransaction(
        { db, kioskId: info.kioskId, keys, dataKey },
        { ...input, personalFieldIds },
        options,
      );
      void engine.trigger();
      return committed;
    },
    checkStorage: () => checkStorageHeadroom(),
    configRefused: loaded.refused,
    lookupStatus(refs) {
      const client = new GatewayClient({
        baseUrl: info.gatewayUrl,
        kioskId: info.kioskId,
        signingKey: keys.privateKey,
        timeoutMs: 8_000,
      });
      return lookUpStatuses(db, refs, (chunk) => client.getDecisionStatus(chunk));
    },
  };
}

/** Site, config version and device health for the fleet dashboard's kiosk table. */
async function heartbeatExtras(
  bridge: KioskBridge,
  info: KioskInfo,
  siteId: string,
  configVersion: string,
): Promise<Pick<HeartbeatRequest, 'siteId' | 'configVersion' | 'devices'>> {
  const printer = await bridge
    .invoke('printer:status')
    .then((status) => status.state as string)
    .catch(() => 'unavailable');
  return {
    siteId: siteId.slice(0, 64),
    configVersion: configVersion.slice(0, 100),
    devices: {
      printer,
      // The shell reports reads, not reader health: a simulated reader is always ready; a real
      // one is known to work only when it reads (the console shows the last read).
      cardReader: info.simulatedDevices.includes('card-reader') ? 'ready' : 'unknown',
      simulated: info.simulatedDevices,
    },
  };
}
