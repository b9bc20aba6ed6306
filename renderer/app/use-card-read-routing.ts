import { useEffect, useState } from 'react';
import type { Dispatch } from 'react';
import type { ServiceDefinition } from '../../kiosk-config/schema';
import type { CardReads } from './card-reads';
import type { SessionAction } from './session';
import type { StaffMode } from './use-staff-mode';

/** Screens on which a scanned receipt code opens its status (never a form in progress). */
const SCAN_OPENS_STATUS_ON = ['attract', 'language', 'services', 'status'];

/** How long the "card not recognised" sentence stays. */
const SCAN_NOTICE_MS = 6000;

export interface CardReadRouting {
  /** The last receipt code scanned (the status screen looks it up). */
  scanned: { ref: string; at: number } | undefined;
  /** A card was read but not recognised: one calm sentence is shown. */
  scanNotice: boolean;
}

/**
 * Where a card read goes: an officer card opens sign-in from the start screen (never in a
 * citizen's session; also from the operator console, whose simulated reader swipes one); a
 * receipt's code opens its status from the start, language, service or status screen; a card
 * that is not recognised shows a notice for a few seconds.
 */
export function useCardReadRouting(input: {
  /** Undefined until the runtime has started the readers. */
  cardReads: CardReads | undefined;
  statusService: ServiceDefinition | undefined;
  screenName: string;
  modeName: StaffMode['name'];
  setMode(mode: StaffMode): void;
  dispatch: Dispatch<SessionAction>;
}): CardReadRouting {
  const { cardReads, statusService, screenName, modeName, setMode, dispatch } = input;
  const [scanned, setScanned] = useState<{ ref: string; at: number } | undefined>();
  const [scanNotice, setScanNotice] = useState(false);

  useEffect(
    () =>
      cardReads?.subscribe((read) => {
        if (read.kind === 'rejected') {
          setScanNotice(true);
          return;
        }
        if (read.kind === 'officer') {
          if (screenName === 'attract' && (modeName === 'citizen' || modeName === 'operator')) {
            setMode({ name: 'officer-sign-in', card: read.officerId });
          }
          return;
        }
        if (modeName !== 'citizen') return;
        if (read.kind !== 'reference' || !statusService) return;
        if (!SCAN_OPENS_STATUS_ON.includes(screenName)) return;
        setScanNotice(false);
        setScanned({ ref: read.ref, at: Date.now() });
        if (screenName !== 'status') {
          dispatch({ type: 'choose-service', serviceId: statusService.id, kind: 'status-check' });
        }
      }),
    [cardReads, statusService, screenName, modeName, setMode, dispatch],
  );

  useEffect(() => {
    if (!scanNotice) return undefined;
    const timer = setTimeout(() => setScanNotice(false), SCAN_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [scanNotice]);

  return { scanned, scanNotice };
}
