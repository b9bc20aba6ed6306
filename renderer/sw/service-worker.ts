/// <reference lib="webworker" />
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

/**
 * The kiosk's offline app shell. The build replaces `self.__WB_MANIFEST` with every file of the
 * renderer build and its content hash, so the whole app loads with no network at all.
 * There is no skipWaiting here: a new version waits until the page says a session is not open
 * (see register.ts), so a citizen's form is never swapped out under them.
 */
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation (a reload, a deep link) gets the precached shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// Catalogue assets (service pictures, fonts) served by the shell outside the build: kept after
// the first use, so a catalogue that names them still draws offline.
registerRoute(
  ({ request, url }) =>
    url.origin === self.location.origin &&
    (request.destination === 'image' ||
      request.destination === 'font' ||
      url.pathname.startsWith('/catalogue/')),
  new CacheFirst({ cacheName: 'catalogue-assets' }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'SKIP_WAITING'
  ) {
    void self.skipWaiting();
  }
});
