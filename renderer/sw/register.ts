import type { Workbox } from 'workbox-window';

export interface AppShellUpdates {
  /** Tells the updater whether a citizen session is open; updates wait while one is. */
  setSessionOpen(open: boolean): void;
}

/**
 * Registers the offline app shell (sw.js, built with Workbox) through workbox-window, which is
 * fetched only then (it is not needed for the first screen). A new version installs in the
 * background and waits; it is activated, and the page reloaded, only while no session is open,
 * so a citizen's form is never swapped out under them.
 */
export function registerAppShell(
  /** When to register: at once, or once this settles (the kiosk's first screen is up and quiet). */
  when: Promise<unknown> = Promise.resolve(),
): AppShellUpdates {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return { setSessionOpen() {} };
  let waiting: Workbox | undefined;
  let sessionOpen = false;
  const activate = (workbox: Workbox) => {
    waiting = undefined;
    workbox.addEventListener('controlling', () => window.location.reload());
    workbox.messageSkipWaiting();
  };
  void when
    .then(() => import('workbox-window'))
    .then(({ Workbox: WorkboxWindow }) => {
      const workbox = new WorkboxWindow('./sw.js', { scope: './' });
      workbox.addEventListener('waiting', () => {
        waiting = workbox;
        if (!sessionOpen) activate(workbox);
      });
      return workbox.register();
    })
    .catch(() => {
      // Without a service worker the kiosk still runs; it only cannot start with no network.
    });
  return {
    setSessionOpen(open) {
      sessionOpen = open;
      if (!open && waiting) activate(waiting);
    },
  };
}
