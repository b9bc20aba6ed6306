import { useCallback, useRef } from 'react';
import type { MouseEvent } from 'react';

/**
 * How long (ms) after a screen appears a tap where the tap that opened it was is taken as that
 * tap's double, and ignored. A double tap, or a citizen tapping again because the first tap
 * seemed to do nothing, lands its second tap 100–400 ms after the first, in the same place; by
 * then the next screen may be up with another button there. With Large text on an 800 x 1280
 * screen the receipt puts Finish where the consent screen's Send was, so a double tap on Send
 * ended the session before the citizen saw the reference.
 */
export const DOUBLE_TAP_MS = 800;

/**
 * How far (CSS px) a second tap may land from the first and still be its double: Android's
 * double-tap slop (`ViewConfiguration`, 100 dp), as fingers do not land twice on one pixel.
 */
export const DOUBLE_TAP_SLOP_PX = 100;

interface Press {
  x: number;
  y: number;
  /** `performance.now()` time (ms). */
  at: number;
}

let lastPress: Press | undefined;

/**
 * Records where and when each press begins (capture phase, before any screen changes under
 * it), for `useDoubleTapGuard`. Returns a function that stops recording.
 */
export function watchPresses(target: Pick<Window, 'addEventListener' | 'removeEventListener'>) {
  const onDown = (event: PointerEvent): void => {
    lastPress = { x: event.clientX, y: event.clientY, at: performance.now() };
  };
  target.addEventListener('pointerdown', onDown as EventListener, { capture: true });
  return () =>
    target.removeEventListener('pointerdown', onDown as EventListener, { capture: true });
}

/**
 * Whether a click at (`x`, `y`) at time `at` is the double of `opener`, the press that opened a
 * screen shown at `shownAt`: within `DOUBLE_TAP_MS` of the screen and `DOUBLE_TAP_SLOP_PX` of the
 * opener. Pure, for tests.
 */
export function isDoubleOf(opener: Press | undefined, shownAt: number, click: Press): boolean {
  if (!opener || opener.at > shownAt) return false;
  if (click.at - shownAt > DOUBLE_TAP_MS) return false;
  return Math.hypot(click.x - opener.x, click.y - opener.y) <= DOUBLE_TAP_SLOP_PX;
}

/**
 * For the container of a screen's actions: an `onClickCapture` handler that swallows the
 * double of the tap that opened the screen (`isDoubleOf`), so it reaches none of the buttons.
 * Every other press acts at once: a tap elsewhere, a later tap in the same place, and keys (a
 * keyboard user acts on the focus, not a place; a held Enter's repeats are cancelled for the
 * whole page, platform/auto-repeat.ts). Nothing is disabled to the eye, to a screen reader or
 * to a test: the buttons only ignore that one tap.
 */
export function useDoubleTapGuard(): (event: MouseEvent) => void {
  // The press that opened the screen, and when it was shown: taken once, as it mounts.
  const opened = useRef<{ opener: Press | undefined; shownAt: number } | undefined>(undefined);
  opened.current ??= { opener: lastPress, shownAt: performance.now() };
  return useCallback((event: MouseEvent) => {
    // A key's click (detail 0) has no place: it is never a double tap.
    if (event.detail === 0 || !opened.current) return;
    const click = { x: event.clientX, y: event.clientY, at: performance.now() };
    if (!isDoubleOf(opened.current.opener, opened.current.shownAt, click)) return;
    event.stopPropagation();
    event.preventDefault();
  }, []);
}
