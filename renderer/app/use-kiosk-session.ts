import { useEffect, useMemo, useReducer, useRef } from 'react';
import type { Dispatch } from 'react';
import { languageCodeSchema } from '../../kiosk-config/schema';
import type { OpenReceipt } from '../../sync/client/open-receipt';
import type { KioskFrame } from './kiosk-frame';
import { initialSession, sessionReducer } from './session';
import type { Session, SessionAction } from './session';

/**
 * The citizen's session (session.ts) with the site's defaults. A receipt a crash left open comes
 * first, as soon as the store has been read (`openReceipt`, from the runtime that starts beside
 * the first screen): the citizen must not apply twice. Until then a citizen can reach the
 * language screen at most (later screens wait for the runtime), so nothing is lost.
 */
export function useKioskSession(
  frame: Pick<KioskFrame, 'site' | 'catalogue'>,
  openReceipt: OpenReceipt | undefined,
): [Session, Dispatch<SessionAction>] {
  const { site, catalogue } = frame;
  const defaults = useMemo(
    () => ({ language: site.defaultLanguage, audio: site.audioGuidance }),
    [site.defaultLanguage, site.audioGuidance],
  );
  const reducer = useMemo(() => sessionReducer(defaults), [defaults]);
  const [session, dispatch] = useReducer(reducer, defaults, initialSession);
  const resumed = useRef<OpenReceipt | undefined>(undefined);
  useEffect(() => {
    if (!openReceipt || resumed.current === openReceipt) return;
    resumed.current = openReceipt;
    const language = languageCodeSchema.safeParse(openReceipt.language);
    if (language.success && catalogue.services.some((s) => s.id === openReceipt.serviceId)) {
      dispatch({ type: 'resume-receipt', receipt: { ...openReceipt, language: language.data } });
    }
  }, [openReceipt, catalogue]);
  return [session, dispatch];
}
