import { useEffect } from 'react';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import type { AppShellUpdates } from '../sw/register';

/**
 * Tells the shell (which holds restarts) and the service worker's updater (which holds updates)
 * whether a citizen session is open.
 */
export function useSessionOpenSignal(
  sessionOpen: boolean,
  bridge: KioskBridge,
  updates: AppShellUpdates | undefined,
): void {
  useEffect(() => {
    updates?.setSessionOpen(sessionOpen);
    void bridge.invoke('session:state', { active: sessionOpen }).catch(() => undefined);
  }, [sessionOpen, bridge, updates]);
}
