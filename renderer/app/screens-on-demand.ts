import { lazyScreen } from './lazy-screen';
import {
  ConsentScreen,
  FormScreen,
  ReceiptScreen,
  ReviewScreen,
  ServicesScreen,
  StatusScreen,
} from './service-screens-on-demand';

/*
 * Every screen after the start and language screens, each in its own chunk: the first screen
 * loads only what it needs. The service worker precaches every chunk, so they open offline too;
 * `preloadScreensOnDemand` fetches them once the first screen is up. The screens of a citizen's
 * service (list, form, review, consent, receipt, status) are in service-screens-on-demand.ts,
 * which ServiceScreens (itself on demand) uses without importing this file back.
 */

export const ServiceScreens = lazyScreen(() =>
  import('./ServiceScreens').then((m) => m.ServiceScreens),
);
export const OfficerSignInScreen = lazyScreen(() =>
  import('../screens/officer/OfficerSignInScreen').then((m) => m.OfficerSignInScreen),
);
export const OfficerToolsScreen = lazyScreen(() =>
  import('../screens/officer/OfficerToolsScreen').then((m) => m.OfficerToolsScreen),
);
export const OperatorPinScreen = lazyScreen(() =>
  import('../screens/operator/OperatorPinScreen').then((m) => m.OperatorPinScreen),
);
export const OperatorConsoleScreen = lazyScreen(() =>
  import('../screens/operator/OperatorConsoleScreen').then((m) => m.OperatorConsoleScreen),
);

/** The citizen's path first (what a touch on Start leads to), then the staff screens. */
const inOrder = [
  ServiceScreens,
  ServicesScreen,
  FormScreen,
  ReviewScreen,
  ConsentScreen,
  ReceiptScreen,
  StatusScreen,
  OfficerSignInScreen,
  OfficerToolsScreen,
  OperatorPinScreen,
  OperatorConsoleScreen,
];

/** Input within this long counts as someone using the kiosk (or a scanner sending a code). */
const QUIET_MS = 1000;

/**
 * Resolves once nobody has touched the kiosk (key or pointer) for QUIET_MS. Background work
 * started then (installing the offline shell, fetching screens ahead) never runs into a citizen's
 * touch or a scanner's burst of keys.
 */
export function whenQuiet(target: Window = window, quietMs = QUIET_MS): Promise<void> {
  return new Promise((resolve) => {
    let lastInput = performance.now();
    const touch = (): void => {
      lastInput = performance.now();
    };
    const events = ['keydown', 'pointerdown'] as const;
    for (const name of events) target.addEventListener(name, touch, true);
    const check = (): void => {
      const wait = lastInput + quietMs - performance.now();
      if (wait > 0) {
        setTimeout(check, wait);
        return;
      }
      for (const name of events) target.removeEventListener(name, touch, true);
      resolve();
    };
    check();
  });
}

/**
 * Fetches every on-demand screen, one at a time, each once the kiosk is quiet (whenQuiet). A
 * screen asked for before its turn loads then (lazyScreen); a fetch that fails (no network and
 * no service worker yet) is left for the screen's first use.
 */
export async function preloadScreensOnDemand(target: Window = window): Promise<void> {
  for (const screen of inOrder) {
    await whenQuiet(target);
    await screen.preload().catch(() => undefined);
  }
}
