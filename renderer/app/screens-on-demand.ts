import { lazyScreen } from './lazy-screen';

/*
 * Every screen after the start and language screens, each in its own chunk: the first screen
 * loads only what it needs. The service worker precaches every chunk, so they open offline too;
 * `preloadScreensOnDemand` fetches them once the first screen is up.
 */

export const ServicesScreen = lazyScreen(() =>
  import('../screens/ServicesScreen').then((m) => m.ServicesScreen),
);
export const FormScreen = lazyScreen(() =>
  import('../screens/FormScreen').then((m) => m.FormScreen),
);
export const ReviewScreen = lazyScreen(() =>
  import('../screens/ReviewScreen').then((m) => m.ReviewScreen),
);
export const ConsentScreen = lazyScreen(() =>
  import('../screens/ConsentScreen').then((m) => m.ConsentScreen),
);
export const ReceiptScreen = lazyScreen(() =>
  import('../screens/ReceiptScreen').then((m) => m.ReceiptScreen),
);
export const StatusScreen = lazyScreen(() =>
  import('../screens/StatusScreen').then((m) => m.StatusScreen),
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
 * Fetches every on-demand screen, one at a time, while nobody is using the kiosk: each waits
 * until there has been no key or touch for QUIET_MS, so evaluating a screen's code never runs
 * into a citizen's touch or a scanner's burst of keys. A screen asked for before its turn loads
 * then (lazyScreen); a fetch that fails (no network and no service worker yet) is left for the
 * screen's first use. Returns a function that stops it (page teardown, tests).
 */
export function preloadScreensOnDemand(target: Window = window): () => void {
  let lastInput = performance.now();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = (): void => {
    lastInput = performance.now();
  };
  const events = ['keydown', 'pointerdown'] as const;
  for (const name of events) target.addEventListener(name, touch, true);
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
    for (const name of events) target.removeEventListener(name, touch, true);
  };
  const quiet = (): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        const wait = lastInput + QUIET_MS - performance.now();
        if (wait <= 0) resolve();
        else timer = setTimeout(check, wait);
      };
      check();
    });
  void (async () => {
    for (const screen of inOrder) {
      await quiet();
      if (stopped) return;
      await screen.preload().catch(() => undefined);
    }
    stop();
  })();
  return stop;
}
