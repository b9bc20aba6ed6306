import { useCallback, useState } from 'react';
import type { Dispatch } from 'react';
import type { KioskFrame } from './kiosk-frame';
import type { SessionAction } from './session';

/**
 * Starting a session: storage is checked first, before a citizen types anything. Better to turn
 * them away with a message (`storageLow`) than to fail their commit at the end. A check that
 * cannot run lets the session start.
 */
export function useSessionStart(
  runtime: Pick<KioskFrame, 'checkStorage'>,
  dispatch: Dispatch<SessionAction>,
): { start(): void; storageLow: boolean } {
  const [storageLow, setStorageLow] = useState(false);
  const start = useCallback(() => {
    void runtime
      .checkStorage()
      .catch(() => ({ ok: true as const }))
      .then((check) => {
        setStorageLow(!check.ok);
        if (check.ok) dispatch({ type: 'start' });
      });
  }, [runtime, dispatch]);
  return { start, storageLow };
}
