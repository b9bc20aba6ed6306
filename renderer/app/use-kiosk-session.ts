import { useMemo, useReducer } from 'react';
import type { Dispatch } from 'react';
import { languageCodeSchema } from '../../kiosk-config/schema';
import type { KioskRuntime } from './kiosk-runtime';
import { initialSession, resumedReceiptSession, sessionReducer } from './session';
import type { Session, SessionAction } from './session';

/**
 * The citizen's session (session.ts) with the site's defaults. A receipt a crash left open comes
 * first: the citizen must not apply twice.
 */
export function useKioskSession(
  runtime: Pick<KioskRuntime, 'site' | 'catalogue' | 'openReceipt'>,
): [Session, Dispatch<SessionAction>] {
  const { site, catalogue } = runtime;
  const defaults = useMemo(
    () => ({ language: site.defaultLanguage, audio: site.audioGuidance }),
    [site.defaultLanguage, site.audioGuidance],
  );
  const reducer = useMemo(() => sessionReducer(defaults), [defaults]);
  return useReducer(reducer, defaults, (d) => {
    const open = runtime.openReceipt;
    const language = languageCodeSchema.safeParse(open?.language);
    return open && language.success && catalogue.services.some((s) => s.id === open.serviceId)
      ? resumedReceiptSession(d, { ...open, language: language.data })
      : initialSession(d);
  });
}
