import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';
import type { KioskInfo } from '../../sync/bridge/channels';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { checkStorageHeadroom } from '../../sync/client/storage-guard';
import type { StorageCheck } from '../../sync/client/storage-guard';
import { loadConfiguration, withTimeout } from './config-store';
import type { KeyValueStore } from './config-store';

/**
 * What the first screens (start and language) need, and all they wait for: the shell's bridge
 * and the kiosk's validated config. The rest of the runtime (the IndexedDB store, the device
 * key, the sync engine, officers, card readers: kiosk-runtime.ts) is its own chunk, started
 * beside the first screen.
 */
export interface KioskFrame {
  bridge: KioskBridge;
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  /** Set when the shell's config was refused and the last good one is in use (names the field). */
  configRefused?: string;
  /** Whether a new session may start: `{ ok: false, code: 'storage-low' }` when quota is low. */
  checkStorage(): Promise<StorageCheck>;
  /** A short line for the shell's log (and so the operator console); never personal data. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** How long the shell may take to answer at start before the last good config is used. */
export const SHELL_TIMEOUT_MS = 4_000;

/**
 * Asks the shell who this kiosk is and for its config, validated (config-store.ts: a refused
 * config falls back to the last good one, and says so). Rejects only when there is nothing good
 * to run on.
 */
export async function loadKioskFrame(
  bridge: KioskBridge,
  lastGoodConfig: KeyValueStore = localStorage,
): Promise<KioskFrame> {
  const loaded = await loadConfiguration(async () => {
    const info = await withTimeout(bridge.invoke('kiosk:info'), SHELL_TIMEOUT_MS, 'kiosk:info');
    const config = await withTimeout(bridge.invoke('config:get'), SHELL_TIMEOUT_MS, 'config:get');
    return { info, site: config.site, catalogue: config.catalogue };
  }, lastGoodConfig);
  const log = (level: 'info' | 'warn' | 'error', message: string): void =>
    void bridge.invoke('log:write', { level, message }).catch(() => undefined);
  if (loaded.refused) log('error', `config refused: ${loaded.refused}`);
  return {
    bridge,
    info: loaded.info,
    site: loaded.site,
    catalogue: loaded.catalogue,
    ...(loaded.refused ? { configRefused: loaded.refused } : {}),
    checkStorage: () => checkStorageHeadroom(),
    log,
  };
}
