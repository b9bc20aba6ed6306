import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { createBrowserShellBridge, takeBridgeToken } from './browser-shell-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    kiosk?: KioskBridge;
  }
}

/**
 * The bridge of the shell the page runs in: Electron's preload or the browser shell's token
 * (from the address, or kept from before a reload). Undefined when there is neither: a
 * production page then shows the out-of-service screen (see main.tsx); only the demo build
 * falls back to the simulated bridge.
 */
export function connectShellBridge(): KioskBridge | undefined {
  if (window.kiosk) return window.kiosk;
  const token = takeBridgeToken();
  return token ? createBrowserShellBridge(token) : undefined;
}
