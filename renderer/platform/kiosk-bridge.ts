import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { createBrowserShellBridge, takeBridgeToken } from './browser-shell-bridge';
import { createSimulatedBridge } from './simulated-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    kiosk?: KioskBridge;
  }
}

/** Picks the bridge for the shell the page runs in: Electron, browser shell, or simulated. */
export function connectKioskBridge(): KioskBridge {
  if (window.kiosk) return window.kiosk;
  const token = takeBridgeToken();
  if (token) return createBrowserShellBridge(token);
  return createSimulatedBridge();
}
