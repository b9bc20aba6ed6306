import { connectCardReads } from './card-reads';
import type { CardReads } from './card-reads';
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
import { SHELL_TIMEOUT_MS } from './kiosk-frame';
import type { KioskFrame } from './kiosk-frame';
import { withTimeout } from './config-store';
import { importDataKey } from '../../sync/client/data-key';
import { purgeDeliveredPersonalData } from '../../sync/client/personal-data';
import { requestPersistentStorage } from '../../sync/client/storage-guard';
import { OfficerSession, cacheRoster } from '../../sync/client/officer-session';
import { syncEventLogger } from '../../sync/client/sync-events';
import type { OfficerDeps } from '../../sync/client/officer-records';
import { recordConfigInForce } from '../../sync/client/officer-records';
import { reconcileBundleAcks } from '../../sync/client/bundle-export';
import { SyncError } from '../../sync/client/sync-error';
import type { HeartbeatRequest } from '../../sync/protocol/wire';

/**
 * Everything a running kiosk page needs, wired once at start-up: the first screen's frame
 * (kiosk-frame.ts) and what starts beside it. This module and what it imports (Dexie, the sync
 * engine, the chain and sealing code) are a chunk of their own, loaded once the first screen is
 * up: the start and language screens never wait on IndexedDB.
 */
export interface KioskRuntime extends KioskFrame {
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
  /**
   * What the agencies decided for these reference numbers: a signed request on the sync
   * engine's own client, so the clock correction the engine learnt applies; when the gateway
   * cannot be reached, what this kiosk last heard (`online: false`), never an error.
   */
  lookupStatus(refs: string[]): Promise<StatusLookup>;
  /** Card swipes and code scans from every reader (HID and keyboard-wedge). */
  cardReads: CardReads;
  /** Assisted mode: who is signed in; sign-in, sign-out and inactivity are chain records. */
  officers: OfficerSession;
  /** What officer and operator actions need to append to the chain (void, reprint, bundles). */
  chain: OfficerDeps;
  /** Tears the page's runtime down: sync, timers, reader listeners, the store. */
  stop(): void;
}

/** A transaction as the screens hand it over; the catalogue says which fields are personal. */
export type SubmitInput = Omit<TransactionInput, 'personalFieldIds'>;

/**
 * Opens the kiosk's store (IndexedDB), its device key and a receipt a crash left open, asks the
 * shell for the data key (once per page load) and starts the sync engine, officer session and
 * card readers. Rejects when the store cannot be opened: the page then shows out of service.
 */
export async function startKioskRuntime(frame: KioskFrame): Promise<KioskRuntime> {
  const { bridge, info, log } = frame;
  // Shaped like a parse result so the rest of start-up reads as before.
  const site = { value: frame.site };
  const catalogue = { value: frame.catalogue };

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
    ...frame,
    cardReads,
    officers,
    chain,
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
