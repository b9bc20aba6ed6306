import { useCallback, useState } from 'react';
import type { Dispatch } from 'react';
import { loadLanguages } from '../i18n/translator';
import type { KioskFrame } from './kiosk-frame';
import type { SessionAction } from './session';

/**
 * Starting a session: storage is checked first, before a citizen types anything. Better to turn
 * them away with a message (`storageLow`) than to fail their commit at the end. A check that
 * cannot run lets the session start. The language screen asks in every language of the site:
 * their messages are loaded first (usually fetched already, while the start screen was idle).
 */
export function useSessionStart(
  frame: Pick<KioskFrame, 'checkStorage' | 'site'>,
  dispatch: Dispatch<SessionAction>,
): { start(): void; storageLow: boolean } {
  const [storageLow, setStorageLow] = useState(false);
  const start = useCallback(() => {
    void Promise.all([
      frame.checkStorage().catch(() => ({ ok: true as const })),
      loadLanguages(frame.site.languages),
    ]).then(([check]) => {
      setStorageLow(!check.ok);
      if (check.ok) dispatch({ type: 'start' });
    });
  }, [frame, dispatch]);
  return { start, storageLow };
}
