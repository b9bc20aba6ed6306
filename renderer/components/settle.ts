import { useEffect, useState } from 'react';

/**
 * How long (ms) a screen's actions ignore presses after the screen appears. A double tap, or a
 * citizen tapping again because the first tap seemed to do nothing, lands its second tap
 * 100–400 ms after the first; by then the next screen may be up with another button in the same
 * place. The receipt puts Finish exactly where the consent screen's Send was, so a double tap on
 * Send ended the session before the citizen saw the reference. Nobody reads a receipt and
 * decides to leave it in under a second, so 800 ms costs a deliberate user nothing.
 */
export const SETTLE_MS = 800;

/**
 * True for `ms` after the calling component mounts, then false. A screen uses it to hold back
 * the actions that arrive under the finger that opened it: it renders their container with
 * `data-settling` while true, and the stylesheet turns pointer events off for the buttons
 * inside, so a tap in that time meets the container and nothing happens. Keys are not held
 * back: a keyboard user acts on the focus, not on a place, and a held Enter's repeats are
 * cancelled for the whole page (platform/auto-repeat.ts). Nothing is disabled to the eye or to
 * assistive technology: the buttons look and read the same, they only answer a tap a moment
 * later.
 */
export function useSettling(ms: number = SETTLE_MS): boolean {
  const [settling, setSettling] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setSettling(false), ms);
    return () => clearTimeout(timer);
  }, [ms]);
  return settling;
}
