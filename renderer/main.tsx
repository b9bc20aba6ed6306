import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startKioskRuntime } from './app/kiosk-runtime';
import { createTranslator } from './i18n/translator';
import { connectKioskBridge } from './platform/kiosk-bridge';
import { installKeyGuard } from './platform/key-guard';
import { registerAppShell } from './sw/register';
import './styles.css';

// Before anything else: from the first frame, no key or gesture opens a browser feature.
installKeyGuard(window);

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing');
const root = createRoot(container);

function OutOfService({ detail }: { detail: string }) {
  const tr = createTranslator('en');
  const es = createTranslator('es');
  return (
    <main className="screen out-of-service" data-screen="out-of-service">
      <h1>{tr.t('error.config')}</h1>
      <p lang="es">{es.t('error.config')}</p>
      <p className="detail">{detail}</p>
    </main>
  );
}

// Under the vite dev server there is no sw.js; registration then fails quietly.
const updates = registerAppShell();

startKioskRuntime(connectKioskBridge()).then(
  (runtime) => {
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
  },
  (error: unknown) => {
    flushSync(() =>
      root.render(<OutOfService detail={error instanceof Error ? error.message : String(error)} />),
    );
    document.body.dataset.ready = 'error';
  },
);
