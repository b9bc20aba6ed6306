import { useState } from 'react';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { UncertainPrints } from '../../components/UncertainPrints';
import type { Translator } from '../../i18n/translator';
import { BundleExportPanel } from './BundleExportPanel';
import type { ConsoleAction, ConsoleNotice } from './console-action';
import { HealthPanel } from './HealthPanel';
import { OperatorExitPanel } from './OperatorExitPanel';
import { ShellLogPanel } from './ShellLogPanel';
import { SimulatedDevicesPanel } from './SimulatedDevicesPanel';
import { useConsoleStatus } from './use-console-status';

type Panel = 'health' | 'devices' | 'bundle' | 'exit';

/**
 * The telecentre operator's console: one panel each for device health, link and queue
 * (HealthPanel), uncertain prints, simulated-device controls (only where hardware is simulated),
 * the USB bundle export, the shell's recent events and the exit from kiosk mode. An action's
 * result is said in the panel it was touched in, below its button (ConsoleNoticeLine), not at
 * the top of a console the operator has scrolled down.
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
  // Kept with the language it was said in, and shown only in it (see OfficerToolsScreen).
  const [notice, setNotice] = useState<
    (ConsoleNotice & { panel: Panel; language: string }) | undefined
  >();
  const actIn =
    (panel: Panel): ConsoleAction =>
    async (work) => {
      try {
        setNotice({ panel, text: await work(), language: tr.language });
      } catch (error) {
        setNotice({ panel, text: (error as Error).message, error: true, language: tr.language });
      }
      await status.refresh();
    };
  const panel = (name: Panel) => ({
    act: actIn(name),
    notice: notice?.panel === name && notice.language === tr.language ? notice : undefined,
  });

  return (
    <main className="screen operator-console" data-screen="operator-console">
      <h1 data-prompt>{tr.t('operator.title')}</h1>
      {/* At the top: the focused Close button never scrolls the console open at its end. */}
      <div className="actions console-actions">
        <button type="button" className="primary" onClick={onClose} autoFocus>
          {tr.t('operator.close')}
        </button>
      </div>
      <div className="console-grid">
        <HealthPanel tr={tr} runtime={runtime} status={status} {...panel('health')} />
        <UncertainPrints tr={tr} bridge={runtime.bridge} />
        <SimulatedDevicesPanel
          tr={tr}
          runtime={runtime}
          onPrinter={status.setPrinter}
          {...panel('devices')}
        />
        <BundleExportPanel tr={tr} runtime={runtime} {...panel('bundle')} />
        <ShellLogPanel tr={tr} lines={status.lines} />
        <OperatorExitPanel tr={tr} runtime={runtime} {...panel('exit')} />
      </div>
    </main>
  );
}
