import { useState } from 'react';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { UncertainPrints } from '../../components/UncertainPrints';
import type { Translator } from '../../i18n/translator';
import { BundleExportPanel } from './BundleExportPanel';
import type { ConsoleAction } from './console-action';
import { HealthPanel } from './HealthPanel';
import { OperatorExitPanel } from './OperatorExitPanel';
import { ShellLogPanel } from './ShellLogPanel';
import { SimulatedDevicesPanel } from './SimulatedDevicesPanel';
import { useConsoleStatus } from './use-console-status';

/**
 * The telecentre operator's console: one panel each for device health, link and queue
 * (HealthPanel), uncertain prints, simulated-device controls (only where hardware is simulated),
 * the USB bundle export, the shell's recent events and the exit from kiosk mode. This screen
 * holds the notice line every panel's action reports to.
 */
export function OperatorConsoleScreen({
  tr,
  runtime,
  onClose,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  onClose: () => void;
}) {
  const status = useConsoleStatus(runtime, tr);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const act: ConsoleAction = async (work) => {
    try {
      setNotice({ text: await work() });
    } catch (error) {
      setNotice({ text: (error as Error).message, error: true });
    }
    await status.refresh();
  };

  return (
    <main className="screen operator-console" data-screen="operator-console">
      <h1 data-prompt>{tr.t('operator.title')}</h1>
      {/* At the top: the focused Close button never scrolls the console open at its end. */}
      <div className="actions console-actions">
        <button type="button" className="primary" onClick={onClose} autoFocus>
          {tr.t('operator.close')}
        </button>
      </div>
      {notice ? (
        <p className={notice.error ? 'error' : 'print-done'} role="status" data-operator-notice>
          {notice.text}
        </p>
      ) : null}
      <div className="console-grid">
        <HealthPanel tr={tr} runtime={runtime} status={status} act={act} />
        <UncertainPrints tr={tr} bridge={runtime.bridge} />
        <SimulatedDevicesPanel tr={tr} runtime={runtime} act={act} onPrinter={status.setPrinter} />
        <BundleExportPanel tr={tr} runtime={runtime} act={act} />
        <ShellLogPanel tr={tr} lines={status.lines} />
        <OperatorExitPanel tr={tr} runtime={runtime} act={act} />
      </div>
    </main>
  );
}
