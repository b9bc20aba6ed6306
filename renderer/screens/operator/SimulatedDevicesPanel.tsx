import type { PrinterStatus } from '../../../sync/bridge/device-payloads';
import type { ConsolePanelProps } from './console-action';
import { ConsoleNoticeLine } from './ConsoleNoticeLine';

/**
 * Controls for simulated devices only (nothing is shown where all hardware is real): swipe an
 * officer card or the last receipt's code on the simulated reader; take the simulated printer's
 * paper out and put it back.
 */
export function SimulatedDevicesPanel({
  tr,
  runtime,
  act,
  notice,
  onPrinter,
}: ConsolePanelProps & {
  /** The printer status the simulated printer reports after a change. */
  onPrinter(status: PrinterStatus): void;
}) {
  const simulated = runtime.info.simulatedDevices;
  if (simulated.length === 0) return null;
  return (
    <section aria-labelledby="sim-title" data-simulated-controls>
      <h2 id="sim-title">{tr.t('operator.simulatedDevices')}</h2>
      <div className="actions wrap">
        {simulated.includes('card-reader') ? (
          <>
            <button
              type="button"
              className="secondary"
              data-sim="officer-card"
              onClick={() =>
                void act(async () => {
                  const officerId = runtime.officers.officer?.officerId ?? '00012345';
                  await runtime.bridge.invoke('card-reader:simulate-swipe', {
                    kind: 'officer',
                    officerId,
                  });
                  return tr.t('operator.swiped');
                })
              }
            >
              {tr.t('operator.swipeOfficer')}
            </button>
            <button
              type="button"
              className="secondary"
              data-sim="receipt-code"
              onClick={() =>
                void act(async () => {
                  const last = (await runtime.store.rows())
                    .reverse()
                    .find((row) => row.record.kind === 'transaction');
                  const ref =
                    last?.record.kind === 'transaction' ? last.record.body.ref : '7K3M-Q9XD-N';
                  await runtime.bridge.invoke('card-reader:simulate-swipe', {
                    kind: 'reference',
                    ref,
                  });
                  return tr.t('operator.swiped');
                })
              }
            >
              {tr.t('operator.swipeReceipt')}
            </button>
          </>
        ) : null}
        {simulated.includes('printer') ? (
          <>
            <button
              type="button"
              className="secondary"
              data-sim="paper-out"
              onClick={() =>
                void act(async () => {
                  onPrinter(
                    await runtime.bridge.invoke('printer:simulate', { state: 'paper-out' }),
                  );
                  return tr.t('operator.paperOutDone');
                })
              }
            >
              {tr.t('operator.paperOut')}
            </button>
            <button
              type="button"
              className="secondary"
              data-sim="paper-back"
              onClick={() =>
                void act(async () => {
                  onPrinter(await runtime.bridge.invoke('printer:simulate', { state: 'online' }));
                  return tr.t('operator.paperBackDone');
                })
              }
            >
              {tr.t('operator.paperBack')}
            </button>
          </>
        ) : null}
      </div>
      <ConsoleNoticeLine notice={notice} />
    </section>
  );
}
