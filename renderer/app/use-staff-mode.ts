import { useCallback, useEffect, useRef, useState } from 'react';
import type { SignedInOfficer } from '../../sync/client/officer-session';
import type { KioskRuntime } from './kiosk-runtime';

/** How long a staff screen (PIN pad, operator console) stays open without a touch. */
export const STAFF_IDLE_MS = 3 * 60_000;

/** Officer and operator screens, shown instead of the citizen flow. */
export type StaffMode =
  | { name: 'citizen' }
  | { name: 'officer-sign-in'; card?: string }
  | { name: 'officer-tools' }
  | { name: 'operator-pin' }
  | { name: 'operator' };

export interface StaffModeState {
  mode: StaffMode;
  setMode(mode: StaffMode): void;
  /** The officer signed in now, if any (assisted mode). */
  officer: SignedInOfficer | undefined;
  /** The last officer was signed out by the inactivity timer, not by the sign-out button. */
  signedOutIdle: boolean;
  /** A staff screen replaces the citizen flow now (officer tools need an officer signed in). */
  staffScreenOpen: boolean;
  /** The sign-out button: a chain record, then back to the citizen flow. */
  signOut(): void;
}

/**
 * Which staff screen is open and who is signed in. Follows the officer session (a sign-out
 * closes the officer tools), closes a staff screen left alone for STAFF_IDLE_MS so a citizen
 * never finds the console open, and keeps a signed-in officer signed in while they touch.
 * `officers` is undefined until the runtime has started (nobody is signed in before that).
 */
export function useStaffMode(officers: KioskRuntime['officers'] | undefined): StaffModeState {
  const [mode, setMode] = useState<StaffMode>({ name: 'citizen' });
  const [officer, setOfficer] = useState<SignedInOfficer | undefined>(officers?.officer);
  const [signedOutIdle, setSignedOutIdle] = useState(false);
  const signingOut = useRef(false);

  useEffect(() => {
    if (!officers) return undefined;
    // Called at once with who is signed in now.
    let previous = officers.officer;
    return officers.subscribe((next) => {
      // Signed out without the sign-out button: the inactivity timer did it.
      if (previous && !next && !signingOut.current) setSignedOutIdle(true);
      if (next) setSignedOutIdle(false);
      signingOut.current = false;
      previous = next;
      setOfficer(next);
      if (!next)
        setMode((current) => (current.name === 'officer-tools' ? { name: 'citizen' } : current));
    });
  }, [officers]);

  const signOut = useCallback(() => {
    signingOut.current = true;
    void officers?.signOut('signed-out').catch(() => undefined);
    setMode({ name: 'citizen' });
  }, [officers]);

  // A staff screen left alone (PIN pad, operator console) goes back to the start screen.
  // Officer tools close with the officer's sign-out instead.
  useEffect(() => {
    if (mode.name === 'citizen' || mode.name === 'officer-tools') return undefined;
    let timer = setTimeout(() => setMode({ name: 'citizen' }), STAFF_IDLE_MS);
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => setMode({ name: 'citizen' }), STAFF_IDLE_MS);
    };
    window.addEventListener('pointerdown', touch, true);
    window.addEventListener('keydown', touch, true);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', touch, true);
      window.removeEventListener('keydown', touch, true);
    };
  }, [mode.name]);

  // Any touch or key while an officer is signed in keeps them signed in.
  useEffect(() => {
    if (!officer || !officers) return undefined;
    const touch = (): void => officers.touch();
    window.addEventListener('pointerdown', touch, true);
    window.addEventListener('keydown', touch, true);
    return () => {
      window.removeEventListener('pointerdown', touch, true);
      window.removeEventListener('keydown', touch, true);
    };
  }, [officer, officers]);

  const staffScreenOpen =
    mode.name !== 'citizen' && (mode.name !== 'officer-tools' || officer !== undefined);
  return { mode, setMode, officer, signedOutIdle, staffScreenOpen, signOut };
}
