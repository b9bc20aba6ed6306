import { connectCardReads } from './card-reads';
import type { CardReads } from './card-reads';
import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';
import type { KioskInfo } from '../../electron/bridge/channels';
import type { KioskBridge } from '../../electron/bridge/kiosk-bridge';
import { openKioskDatabase } from '../../sync/client/db';
import type { KioskDatabase } from '../../sync/client/db';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { commitTransaction } from '../../sync/client/commit';
import type { CommittedTransaction, TransactionInput } from '../../sync/client/commit';
import { SyncEngine } from '../../sync/client/engine';
import { GatewayClient } from '../../sync/client/gateway-client';
import type { StatusReply } from '../../sync/protocol/wire';
import { loadConfiguration, withTimeout } from './config-store';
import type { KeyValueStore } from './config-store';
import { importDataKey } from '../../sync/client/data-key';
import { purgeDeliveredPersonalData } from '../../sync/client/personal-data';
import { checkStorageHeadroom, requestPersistentStorage } from '../../sync/client/storage-guard';
import type { StorageCheck } from '../../sync/client/storage-guard';

/** Everything a running kiosk page needs, wired once at start-up. */
export interface KioskRuntime {
  bridge: KioskBridge;
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  db: KioskDatabase;
  engine: SyncEngine;
  /** Durably commits, then wakes the sync engine. Rejects with a coded SyncError on failure. */
  submit(input: TransactionInput): Promise<CommittedTransaction>;
  /** Set when the shell's config was refused and the last good one is in use (names the field). */
  configRefused?: string;
  /** Asks the gateway what it knows of these reference numbers (signed request). */
  lookupStatus(refs: string[]): Promise<StatusReply>;
  /** Whether a new session may start: `{ ok: false, code: 'storage-low' }` when quota is low. */
  checkStorage(): Promise<StorageCheck>;
  /** Card swipes and code scans from every reader (HID and keyboard-wedge). */
  cardReads: CardReads;
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
  // Without the shell (a page that lost its host) there is no data key: answers marked personal
  // then cannot be committed, and the review screen says so instead of saving them in the clear.
  const dataKey = await withTimeout(bridge.invoke('keys:data-key'), SHELL_TIMEOUT_MS, 'keys')
    .then((reply) => importDataKey(reply.key))
    .catch(() => undefined);
  void requestPersistentStorage();
  const purge = (): void =>
    void purgeDeliveredPersonalData(db, { retentionDays: site.value.retentionDays }).catch(
      () => undefined,
    );
  purge();
  setInterval(purge, 60 * 60_000);
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
  });
  engine.start();
  return {
    bridge,
    info,
    cardReads: connectCardReads(bridge),
    site: site.value,
    catalogue: catalogue.value,
    db,
    engine,
    async submit(input) {
      const service = catalogue.value.services.find((s) => s.id === input.serviceId);
      const personalFieldIds =
        input.personalFieldIds ??
        service?.fields.filter((field) => field.personal).map((field) => field.id) ??
        [];
      const committed = await commitTransaction(
        { db, kioskId: info.kioskId, keys, dataKey },
        { ...input, personalFieldIds },
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
      return client.getStatus(refs);
    },
  };
}
