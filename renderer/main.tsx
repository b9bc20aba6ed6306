import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { loadKioskFrame } from './app/kiosk-frame';
import type { KioskFrame } from './app/kiosk-frame';
import type { KioskRuntime } from './app/kiosk-runtime';
import { preloadScreensOnDemand, whenQuiet } from './app/screens-on-demand';
import { ReceiptScreen } from './app/service-screens-on-demand';
import { outOfServiceLanguages } from './app/config-store';
import { loadLanguages } from './i18n/translator';
import { connectShellBridge } from './platform/kiosk-bridge';
import { installKeyGuard } from './platform/key-guard';
import { installAutoRepeatGuard } from './platform/auto-repeat';
import { watchPresses } from './components/double-tap';
import { createSimulatedBridge } from './platform/simulated-bridge';
import { OutOfServiceScreen } from './screens/OutOfServiceScreen';
import { watchPinnedActions } from './components/reveal';
import { registerAppShell } from './sw/register';
import type { KioskBridge } from '../sync/bridge/kiosk-bridge';
import './styles.css';

// Before anything else: from the first frame, no key or gesture opens a browser feature.
installKeyGuard(window);
// A held Enter acts once (not on the next screen's button too), and the double of a tap that
// opened a screen does not press what came up under it.
installAutoRepeatGuard(window);
watchPresses(window);
// The pinned action row's height, for the page's scroll padding (styles.css).
watchPinnedActions(document);

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing');
const root = createRoot(container);

// The offline shell installs once the first screen (or the out-of-service screen) is up and
// nobody is touching the kiosk: precaching every file never competes with a first touch or scan.
// Under the vite dev server there is no sw.js; registration then fails quietly.
let shown: () => void = () => undefined;
const firstScreenShown = new Promise<void>((resolve) => (shown = resolve));
const updates = registerAppShell(firstScreenShown.then(() => whenQuiet()));

const outOfService = (reason: 'no-shell' | 'start-failed', detail: string): void => {
  const languages = outOfServiceLanguages(localStorage);
  // Said in each of the kiosk's languages: their messages first (English if one cannot load).
  void loadLanguages(languages).then(() => {
    flushSync(() =>
      root.render(<OutOfServiceScreen languages={languages} reason={reason} detail={detail} />),
    );
    document.body.dataset.ready = 'error';
    shown();
  });
};

// Fail closed: a production page without its shell must not take personal data under a key that
// is gone after a reload. Only the demo build stands a simulated shell in (see build-flags.d.ts).
const bridge =
  connectShellBridge() ?? (__SERVICE_POINT_DEMO__ ? createSimulatedBridge() : undefined);

if (!bridge) {
  outOfService(
    'no-shell',
    'No kiosk shell: this page was opened without the Electron preload or the browser shell’s ' +
      'token. Start the kiosk with the installed app or npm start.',
  );
} else {
  start(bridge);
}

function start(bridge: KioskBridge): void {
  loadKioskFrame(bridge)
    // The site's own first language, when it is not English (which is always in the page).
    .then(async (frame) => {
      await loadLanguages([frame.site.defaultLanguage]);
      return frame;
    })
    .then(
      (frame) => {
        const render = (started?: KioskRuntime): void =>
          root.render(
            <StrictMode>
              <App frame={frame} runtime={started} updates={updates} />
            </StrictMode>,
          );
        // Rendered synchronously, so "ready" means the first screen is on the page and focused
        // (createRoot's render alone commits later, and a test or a scanner could act too early).
        flushSync(() => render());
        document.body.dataset.ready = 'true';
        shown();
        // Then the runtime (IndexedDB store, device key, sync engine: a chunk of its own),
        // which the first screen waited for none of, and the site's other languages (a small
        // chunk each), which the language screen asks in.
        const languages = loadLanguages(frame.site.languages);
        import('./app/kiosk-runtime')
          .then((module) => module.startKioskRuntime(frame))
          .then(async (started) => {
            await languages;
            // A receipt a crash left open comes first once the store is read: its code and
            // language arrive before the App is told, so it never shows as a placeholder.
            if (started.openReceipt) {
              await Promise.all([
                ReceiptScreen.preload().catch(() => undefined),
                loadLanguages([started.openReceipt.language]),
              ]);
            }
            return started;
          })
          .then(
            (started) => {
              flushSync(() => render(started));
              // Everything has started: the store is open, the engine runs and the site's
              // languages are in (tests wait for this).
              document.body.dataset.runtime = 'ready';
              // The other screens' code, fetched once the kiosk is quiet.
              void preloadScreensOnDemand();
            },
            (error: unknown) => failed(frame, error),
          );
      },
      (error: unknown) =>
        outOfService('start-failed', error instanceof Error ? error.message : String(error)),
    );
}

/** The runtime could not start (no IndexedDB, a store that will not open): out of service. */
function failed(frame: KioskFrame, error: unknown): void {
  frame.log('error', `start failed: ${error instanceof Error ? error.message : String(error)}`);
  outOfService('start-failed', error instanceof Error ? error.message : String(error));
}
