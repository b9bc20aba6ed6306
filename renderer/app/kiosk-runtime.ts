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

/** Everything a running kiosk page needs, wired once at start-up. */
export interface KioskRuntime {
  bridge: KioskBridge;
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  db: KioskDatabase;
  engine: SyncEngine;
  /** Durably commits, then wakes the sync engine. */
  submit(input: TransactionInput): Promise<CommittedTransaction>;
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
  const engine = new SyncEngine({
    db,
    kioskId: info.kioskId,
    keys,
    gatewayUrl: info.gatewayUrl,
    enrolmentToken: info.enrolmentToken,
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
      const committed = await commitTransaction({ db, kioskId: info.kioskId, keys }, input);
      void engine.trigger();
      return committed;
    },
  };
}
