import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startKioskRuntime } from './app/kiosk-runtime';
import { ReceiptScreen, preloadScreensOnDemand, whenQuiet } from './app/screens-on-demand';
import { outOfServiceLanguages } from './app/config-store';
import { connectShellBridge } from './platform/kiosk-bridge';
import { installKeyGuard } from './platform/key-guard';
import { createSimulatedBridge } from './platform/simulated-bridge';
import { OutOfServiceScreen } from './screens/OutOfServiceScreen';
import { registerAppShell } from './sw/register';
import type { KioskBridge } from '../sync/bridge/kiosk-bridge';
import './styles.css';

// Before anything else: from the first frame, no key or gesture opens a browser feature.
installKeyGuard(window);

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
  flushSync(() =>
    root.render(
      <OutOfServiceScreen
        languages={outOfServiceLanguages(localStorage)}
        reason={reason}
        detail={detail}
      />,
    ),
  );
  document.body.dataset.ready = 'error';
  shown();
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
  startKioskRuntime(bridge).then(
    async (runtime) => {
      // A receipt a crash left open is the first screen: its code comes before the first render.
      if (runtime.openReceipt) await ReceiptScreen.preload().catch(() => undefined);
      // Rendered synchronously, so "ready" means the first screen is on the page and focused
      // (createRoot's render alone commits later, and a test or a scanner could act too early).
      flushSync(() =>
        root.render(
          <StrictMode>
            <App runtime={runtime} updates={updates} />
          </StrictMode>,
        ),
      );
      document.body.dataset.ready = 'true';
      shown();
      // The other screens' code, fetched once the first screen is up and the kiosk is quiet.
      void preloadScreensOnDemand();
    },
    (error: unknown) =>
      outOfService('start-failed', error instanceof Error ? error.message : String(error)),
  );
}
