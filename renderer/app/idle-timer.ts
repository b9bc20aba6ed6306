import { useEffect, useRef, useState } from 'react';
import type { SiteConfig } from '../../kiosk-config/schema';

export type IdlePhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number };

/** Input that proves someone is at the kiosk. */
const activityEvents = ['pointerdown', 'keydown', 'touchstart', 'wheel', 'input'] as const;

/**
 * Counts time without input while a session is open. After `idleMs` it enters the warning phase
 * and counts down `warningMs` (WCAG 2.2.1: at least 20 s to continue); at zero it calls
 * `onExpire`. Input during the warning does not dismiss it by accident: only `keepAlive` does
 * (the warning's own button), so a stray touch still shows the citizen what is happening. With
 * `warningMs` 0 there is no warning phase: `onExpire` is called after `idleMs` without input.
 */
export function useIdleTimer(options: {
  enabled: boolean;
  idleMs: number;
  warningMs: number;
  onExpire: () => void;
}): { state: IdlePhase; keepAlive: () => void } {
  const { enabled, idleMs, warningMs } = options;
  const [state, setState] = useState<IdlePhase>({ phase: 'active' });
  const lastInput = useRef(0);
  const warningSince = useRef<number | undefined>(undefined);
  const onExpire = useRef(options.onExpire);
  useEffect(() => {
    onExpire.current = options.onExpire;
  });

  useEffect(() => {
    if (!enabled) return undefined;
    lastInput.current = Date.now();
    const touch = () => {
      if (warningSince.current === undefined) lastInput.current = Date.now();
    };
    for (const name of activityEvents) window.addEventListener(name, touch, { capture: true });
    const timer = window.setInterval(() => {
      const now = Date.now();
      if (warningSince.current === undefined) {
        if (now - lastInput.current >= idleMs) {
          // No warning asked for: expire at once, so a touch a moment later counts again.
          if (warningMs <= 0) {
            lastInput.current = now;
            onExpire.current();
            return;
          }
          warningSince.current = now;
          setState({ phase: 'warning', secondsLeft: Math.ceil(warningMs / 1000) });
        }
        return;
      }
      const left = warningMs - (now - warningSince.current);
      if (left <= 0) {
        warningSince.current = undefined;
        setState({ phase: 'active' });
        onExpire.current();
      } else {
        setState({ phase: 'warning', secondsLeft: Math.ceil(left / 1000) });
      }
    }, 250);
    return () => {
      for (const name of activityEvents) window.removeEventListener(name, touch, { capture: true });
      window.clearInterval(timer);
      // A session that ended (or was ended from the warning) leaves no warning for the next one.
      warningSince.current = undefined;
      setState({ phase: 'active' });
    };
  }, [enabled, idleMs, warningMs]);

  const keepAlive = () => {
    warningSince.current = undefined;
    lastInput.current = Date.now();
    setState({ phase: 'active' });
  };
  return { state, keepAlive };
}

/** Idle timings in ms: the site's, or the short test-only ones a browser test serves. */
export function sessionIdleTimings(site: SiteConfig): { idleMs: number; warningMs: number } {
  const timing = site.testTiming ?? site;
  return { idleMs: timing.idleTimeoutSeconds * 1000, warningMs: timing.idleWarningSeconds * 1000 };
}
