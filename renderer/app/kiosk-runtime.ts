import { parseCatalogue, parseSiteConfig } from '../../kiosk-config/load';
import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';
import type { KioskInfo } from '../../electron/bridge/channels';
import type { KioskBridge } from '../../electron/bridge/kiosk-bridge';
import { openKioskDatabase } from '../../sync/client/db';
import type { KioskDatabase } from '../../sync/client/db';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { commitTransaction } from '../../sync/client/commit';
import type { CommittedTransaction, TransactionInput } from '../../sync/client/commit';
import { SyncEngine } from '../../sync/client/engine';
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
  /** Whether a new session may start: `{ ok: false, code: 'storage-low' }` when quota is low. */
  checkStorage(): Promise<StorageCheck>;
}

export async function startKioskRuntime(bridge: KioskBridge): Promise<KioskRuntime> {
  const info = await bridge.invoke('kiosk:info');
  const config = await bridge.invoke('config:get');
  const site = parseSiteConfig(config.site);
  if (!site.ok) throw new Error(site.error);
  const catalogue = parseCatalogue(config.catalogue);
  if (!catalogue.ok) throw new Error(catalogue.error);

  const db = openKioskDatabase(info.kioskId);
  await db.open();
  const keys = await loadOrCreateDeviceKey(db);
  const dataKey = await importDataKey((await bridge.invoke('keys:data-key')).key);
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
  };
}
