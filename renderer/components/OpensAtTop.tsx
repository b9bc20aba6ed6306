import { useLayoutEffect } from 'react';

/**
 * Every screen opens at its top: the page is scrolled to 0 whenever `screen` (a key naming the
 * screen, its step and service) changes. The kiosk is one page whose screens replace each other,
 * so without this a screen opened at the scroll the one before it left (a review opened 370 px
 * down after a long question with Large text). Rendered before the screen it watches, so its
 * effect runs first and the screen's own (a question brought into view, reveal.ts) still can.
 */
export function OpensAtTop({ screen }: { screen: string }): null {
  useLayoutEffect(() => {
    window.scrollTo({ top: 0, left: 0, behavior: 'instant' });
  }, [screen]);
  return null;
}
