import { useCallback, useEffect, useState } from 'react';
import type { PrinterStatus } from '../../../sync/bridge/device-payloads';
import type { LogLine } from '../../../sync/bridge/operator-payloads';
import type { EngineStatus } from '../../../sync/client/engine';
import type { QueueFigures } from '../../../sync/client/store/outbox-store';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { exportBundleToDrive } from '../../app/officer-tools';
import { UncertainPrints } from '../../components/UncertainPrints';
import type { Translator } from '../../i18n/translator';

function age(tr: Translator, since: number | undefined, now: number): string {
  if (since === undefined) return tr.t('operator.none');
  const minutes = Math.max(0, Math.round((now - since) / 60_000));
  if (minutes < 120) return tr.t('operator.minutesAgo', { n: minutes });
  return tr.t('operator.hoursAgo', { n: Math.round(minutes / 60) });
}

/**
 * The telecentre operator's console: device health, link and queue, versions, recent shell
 * events, simulated-device controls (only where hardware is simulated), the USB bundle export
 * and the exit from kiosk mode.
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
  const [printer, setPrinter] = useState<PrinterStatus | 'unavailable' | undefined>();
  const [figures, setFigures] = useState<QueueFigures | undefined>();
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [target, setTarget] = useState('');
  const [exitPin, setExitPin] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [lastRead, setLastRead] = useState<string | undefined>();
  const simulated = runtime.info.simulatedDevices;

  const refresh = useCallback(async () => {
    const [status, queue, tail] = await Promise.all([
      runtime.bridge.invoke('printer:status').catch(() => 'unavailable' as const),
      runtime.store.figures(),
      runtime.bridge
        .invoke('log:tail', { limit: 30 })
        .then((reply) => reply.lines)
        .catch(() => []),
    ]);
    setNow(Date.now());
    setPrinter(status);
    setFigures(queue);
    setLines(tail);
  }, [runtime]);

  useEffect(() => {
    const first = setTimeout(() => void refresh(), 0);
    const timer = setInterval(() => void refresh(), 5000);
    const offEngine = runtime.engine.subscribe(setEngine);
    // The reader works if it reads: the console shows the last read (kind and staff/receipt
    // number only; a bank card shows its kind alone).
    const offReads = runtime.cardReads.subscribe((read) =>
      setLastRead(
        read.kind === 'officer'
          ? `${tr.t('operator.read.officer')} ${read.officerId}`
          : read.kind === 'reference'
            ? `${tr.t('operator.read.reference')} ${read.ref}`
            : read.kind === 'bank-card'
              ? tr.t('operator.read.bankCard')
              : `${tr.t('operator.read.rejected')} (${read.code})`,
      ),
    );
    const offPrinter = runtime.bridge.on('printer:status', setPrinter);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
      offEngine();
      offPrinter();
      offReads();
    };
  }, [refresh, runtime, tr]);

  const say = (text: string, error = false) => setNotice({ text, error });
  const act = async (work: () => Promise<string>) => {
    try {
      say(await work());
    } catch (error) {
      say((error as Error).message, true);
    }
    await refresh();
  };

  const printerState =
    printer === undefined ? undefined : printer === 'unavailable' ? 'unavailable' : printer.state;

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
        <section aria-labelledby="health-title">
          <h2 id="health-title">{tr.t('operator.health')}</h2>
          <dl className="figures">
            <dt>{tr.t('operator.printer')}</dt>
            <dd data-printer-state={printerState}>
              {printerState ?? '…'}
              {printer && printer !== 'unavailable' && printer.heldJobs > 0
                ? ` · ${tr.t('operator.heldJobs', { n: printer.heldJobs })}`
                : ''}
              {printer && printer !== 'unavailable' && printer.uncertainJobs > 0
                ? ` · ${tr.t('prints.uncertain.title')}: ${printer.uncertainJobs}`
                : ''}
              {simulated.includes('printer') ? ` · ${tr.t('operator.simulated')}` : ''}
            </dd>
            <dt>{tr.t('operator.cardReader')}</dt>
            <dd data-card-reader>
              {simulated.includes('card-reader')
                ? tr.t('operator.simulated')
                : tr.t('operator.hardware')}
            </dd>
            <dt>{tr.t('operator.lastRead')}</dt>
            <dd data-last-read>{lastRead ?? tr.t('operator.none')}</dd>
            <dt>{tr.t('operator.link')}</dt>
            <dd data-link={engine.link}>{tr.t(`operator.link.${engine.link}`)}</dd>
            <dt>{tr.t('operator.queueDepth')}</dt>
            <dd data-queue-depth={figures?.queued}>{figures?.queued ?? '…'}</dd>
            <dt>{tr.t('operator.rejected')}</dt>
            <dd data-rejected={figures?.rejected}>{figures?.rejected ?? '…'}</dd>
            <dt>{tr.t('operator.oldest')}</dt>
            <dd data-oldest>{figures ? age(tr, figures.oldestQueuedAt, now) : '…'}</dd>
            <dt>{tr.t('operator.lastDelivery')}</dt>
            <dd data-last-delivery>{age(tr, engine.lastDeliveryAt, now)}</dd>
            <dt>{tr.t('operator.configVersion')}</dt>
            <dd data-config-version>{runtime.catalogue.version}</dd>
            <dt>{tr.t('operator.appVersion')}</dt>
            <dd data-app-version>
              {runtime.info.appVersion} · {runtime.info.shell}
            </dd>
            <dt>{tr.t('operator.kiosk')}</dt>
            <dd>{runtime.info.kioskId}</dd>
          </dl>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void act(async () => {
                  await runtime.engine.syncNow();
                  return runtime.engine.status.link === 'online'
                    ? tr.t('officer.sync.done')
                    : tr.t('officer.sync.offline');
                })
              }
            >
              {tr.t('officer.sync.now')}
            </button>
          </div>
        </section>
        <UncertainPrints tr={tr} bridge={runtime.bridge} />
        {simulated.length > 0 ? (
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
                          last?.record.kind === 'transaction'
                            ? last.record.body.ref
                            : '7K3M-Q9XD-N';
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
                        setPrinter(
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
                        setPrinter(
                          await runtime.bridge.invoke('printer:simulate', { state: 'online' }),
                        );
                        return tr.t('operator.paperBackDone');
                      })
                    }
                  >
                    {tr.t('operator.paperBack')}
                  </button>
                </>
              ) : null}
            </div>
          </section>
        ) : null}
        <section aria-labelledby="bundle-title">
          <h2 id="bundle-title">{tr.t('operator.bundle.title')}</h2>
          <p>{tr.t('operator.bundle.lead')}</p>
          <label htmlFor="bundle-target">{tr.t('operator.bundle.target')}</label>
          <input
            id="bundle-target"
            className="answer"
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="/media/usb"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
          />
          <div className="actions">
            <button
              type="button"
              className="primary"
              data-export-bundle
              onClick={() =>
                void act(async () => {
                  const written = await exportBundleToDrive(runtime, target.trim() || undefined);
                  runtime.log('info', `bundle exported: seq ${written.fromSeq}-${written.toSeq}`);
                  if (written.unreadable > 0) {
                    runtime.log(
                      'warn',
                      `bundle: ${written.unreadable} record(s) left out, personal data unreadable on this kiosk (now rejected in the officer queue)`,
                    );
                  }
                  return tr.t('operator.bundle.written', {
                    path: written.path,
                    count: written.count,
                    from: written.fromSeq,
                    to: written.toSeq,
                  });
                })
              }
            >
              {tr.t('operator.bundle.export')}
            </button>
          </div>
        </section>
        <section aria-labelledby="log-title" className="log-section">
          <h2 id="log-title">{tr.t('operator.log')}</h2>
          {lines.length === 0 ? (
            <p>{tr.t('operator.none')}</p>
          ) : (
            <ol className="log-lines" data-log-lines>
              {[...lines].reverse().map((line, index) => (
                <li key={`${line.at}-${index}`} data-level={line.level}>
                  <time dateTime={line.at}>{line.at.slice(11, 19)}</time> {line.level} {line.text}
                </li>
              ))}
            </ol>
          )}
        </section>
        <section aria-labelledby="exit-title">
          <h2 id="exit-title">{tr.t('operator.exit.title')}</h2>
          {runtime.info.shell === 'electron' ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                void act(async () => {
                  const result = await runtime.bridge.invoke('operator:exit', { pin: exitPin });
                  setExitPin('');
                  switch (result.result) {
                    case 'exiting':
                      return tr.t('operator.exit.exiting');
                    case 'wrong-pin':
                      throw new Error(tr.t('operator.pin.wrong', { left: result.attemptsLeft }));
                    case 'locked':
                      throw new Error(
                        tr.t('officer.signIn.locked', {
                          minutes: Math.ceil(result.retryAfterSeconds / 60),
                        }),
                      );
                    case 'disabled':
                      throw new Error(tr.t('operator.exit.disabled'));
                  }
                });
              }}
            >
              <label htmlFor="exit-pin">{tr.t('operator.exit.pin')}</label>
              <input
                id="exit-pin"
                className="answer secret-digits"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                data-secret
                value={exitPin}
                onChange={(event) => setExitPin(event.target.value.replace(/\D/g, '').slice(0, 12))}
              />
              <button type="submit" className="secondary">
                {tr.t('operator.exit.button')}
              </button>
            </form>
          ) : (
            <p data-exit-disabled>{tr.t('operator.exit.browserShell')}</p>
          )}
        </section>
      </div>
    </main>
  );
}
