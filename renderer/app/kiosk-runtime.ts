import { connectCardReads } from './card-reads';
import type { CardReads } from './card-reads';
import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';
import type { KioskInfo } from '../../sync/bridge/channels';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { openOutboxStore } from '../../sync/client/store/dexie-outbox-store';
import type { OutboxStore } from '../../sync/client/store/outbox-store';
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
import { forgetStatusesBefore, lookUpStatuses } from '../../sync/client/status-cache';
import type { StatusLookup } from '../../sync/client/status-cache';
import { loadConfiguration, withTimeout } from './config-store';
import type { KeyValueStore } from './config-store';
import { importDataKey } from '../../sync/client/data-key';
import { purgeDeliveredPersonalData } from '../../sync/client/personal-data';
import { checkStorageHeadroom, requestPersistentStorage } from '../../sync/client/storage-guard';
import type { StorageCheck } from '../../sync/client/storage-guard';
import { OfficerSession, cacheRoster } from '../../sync/client/officer-session';
import { syncEventLogger } from '../../sync/client/sync-events';
import type { OfficerDeps } from '../../sync/client/officer-records';
import { recordConfigInForce } from '../../sync/client/officer-records';
import { reconcileBundleAcks } from '../../sync/client/bundle-export';
import { SyncError } from '../../sync/client/sync-error';
import type { HeartbeatRequest } from '../../sync/protocol/wire';

/** Everything a running kiosk page needs, wired once at start-up. */
export interface KioskRuntime {
  bridge: KioskBridge;
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  /** The outbox store: every read and write of the kiosk's IndexedDB goes through it. */
  store: OutboxStore;
  engine: SyncEngine;
  /**
   * Durably commits (the store then wakes the sync engine). Which fields are personal comes
   * from the service's catalogue entry, here and nowhere else; a service not in the catalogue is
   * refused. Rejects with a coded SyncError on failure.
   */
  submit(input: SubmitInput, options?: CommitOptions): Promise<CommittedTransaction>;
  /** A receipt a crash left unfinished: shown before anything else (open-receipt.ts). */
  openReceipt?: OpenReceipt;
  /** The session ended: its receipt is no longer open. */
  closeReceipt(): void;
  /** Set when the shell's config was refused and the last good one is in use (names the field). */
  configRefused?: string;
  /**
   * What the agencies decided for these reference numbers: a signed request on the sync
   * engine's own client, so the clock correction the engine learnt applies; when the gateway
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
  /** Tears the page's runtime down: sync, timers, reader listeners, the store. */
  stop(): void;
}

/** A transaction as the screens hand it over; the catalogue says which fields are personal. */
export type SubmitInput = Omit<TransactionInput, 'personalFieldIds'>;

/** How long the shell may take to answer at start before the last good config is used. */
const SHELL_TIMEOUT_MS = 4_000;

export async function startKioskRuntime(
  bridge: KioskBridge,
  lastGoodConfig: KeyValueStore = localStorage,
): Promise<KioskRuntime> {
  const loaded = await loadConfiguration(async () => {
    const info = await withTimeout(bridge.invoke('kiosk:info'), SHELL_TIMEOUT_MS, 'kiosk:info');
    const config = await withTimeout(bridge.invoke('config:get'), SHELL_TIMEOUT_MS, 'config:get');
    return { info, site: config.site, catalogue: config.catalogue };
  }, lastGoodConfig);
  const { info } = loaded;
  // Shaped like a parse result so the rest of start-up reads as before.
  const site = { value: loaded.site };
  const catalogue = { value: loaded.catalogue };
  if (loaded.refused) {
    void bridge
      .invoke('log:write', { level: 'error', message: `config refused: ${loaded.refused}` })
      .catch(() => undefined);
  }

  const store = await openOutboxStore(info.kioskId);
  const keys = await loadOrCreateDeviceKey(store);
  const openReceipt = await readOpenReceipt(store).catch(() => undefined);
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
    void forgetStatusesBefore(store, Date.now() - site.value.retentionDays * 86_400_000).catch(
      () => undefined,
    );
    void purgeDeliveredPersonalData(store, { retentionDays: site.value.retentionDays }).catch(
      () => undefined,
    );
  };
  purge();
  const purgeTimer = setInterval(purge, 60 * 60_000);
  const chain: OfficerDeps = { store, kioskId: info.kioskId, keys, dataKey };
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
  // For the operator console's recent events (and field tests): who, never the PIN.
  let signedIn = officers.officer !== undefined;
  officers.subscribe((officer) => {
    if (Boolean(officer) === signedIn) return;
    signedIn = Boolean(officer);
    log('info', officer ? `officer signed in (${officer.method})` : 'officer signed out');
  });
  const engine = new SyncEngine({
    store,
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
          // Its config-change record wakes the engine (the store does), so it goes out now.
          else if (cached.changed) log('info', 'officer roster updated');
        },
        () => log('error', 'roster could not be stored'),
      ),
    // After a USB bundle, learn what the gateway already holds before sending it again.
    beforeDrain: (client) => reconcileBundleAcks(store, (fromSeq) => client.getAcks(fromSeq)),
    heartbeatExtras: () =>
      heartbeatExtras(bridge, info, site.value.siteName, catalogue.value.version),
  });
  // Link changes and failed syncs for the operator console's recent events and the shell log.
  engine.subscribe(syncEventLogger(log));
  engine.start();
  // The site's wedge thresholds (devices.wedge), else the defaults.
  const cardReads = connectCardReads(bridge, window, site.value.devices?.wedge);
  return {
    bridge,
    info,
    cardReads,
    officers,
    chain,
    log,
    site: site.value,
    catalogue: catalogue.value,
    store,
    engine,
    ...(openReceipt ? { openReceipt } : {}),
    closeReceipt() {
      void clearOpenReceipt(store).catch(() => undefined);
    },
    submit(input, options) {
      const service = catalogue.value.services.find((s) => s.id === input.serviceId);
      if (!service) {
        return Promise.reject(
          new SyncError('commit-failed', {
            reason: `no service ${input.serviceId} in the catalogue`,
          }),
        );
      }
      const personalFieldIds = service.fields.filter((field) => field.personal).map((f) => f.id);
      return commitTransaction(chain, { ...input, personalFieldIds }, options);
    },
    checkStorage: () => checkStorageHeadroom(),
    configRefused: loaded.refused,
    lookupStatus: (refs) =>
      lookUpStatuses(store, refs, (chunk) => engine.lookupDecisions(chunk, { timeoutMs: 8_000 })),
    stop() {
      engine.stop();
      clearInterval(purgeTimer);
      cardReads.close();
      store.close();
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
