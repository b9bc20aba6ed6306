import type { Translator } from '../../i18n/translator';
import type { ConsolePanelProps } from './console-action';
import { ConsoleNoticeLine } from './ConsoleNoticeLine';
import type { ConsoleStatus } from './use-console-status';

function age(tr: Translator, since: number | undefined, now: number): string {
  if (since === undefined) return tr.t('operator.none');
  const minutes = Math.max(0, Math.round((now - since) / 60_000));
  if (minutes < 120) return tr.t('operator.minutesAgo', { n: minutes });
  return tr.t('operator.hoursAgo', { n: Math.round(minutes / 60) });
}

/**
 * Device health and the link: printer (held and uncertain jobs), card reader and its last read,
 * link, queue depth, rejected, oldest queued, last delivery, config and app versions, kiosk id;
 * and Sync now, first, above the figures.
 */
export function HealthPanel({
  tr,
  runtime,
  status,
  act,
  notice,
}: ConsolePanelProps & { status: ConsoleStatus }) {
  const { printer, figures, engine, now, lastRead } = status;
  const simulated = runtime.info.simulatedDevices;
  const printerState =
    printer === undefined ? undefined : printer === 'unavailable' ? 'unavailable' : printer.state;
  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">{tr.t('operator.health')}</h2>
      {/* Before the figures, so a short screen (1280×800) shows it without scrolling. */}
      <div className="actions console-actions">
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
      <ConsoleNoticeLine notice={notice} />
      <dl className="figures">
        <dt>{tr.t('operator.printer')}</dt>
        <dd data-printer-state={printerState}>
          {printerState ? tr.t(`operator.printer.${printerState}`) : '…'}
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
    </section>
  );
}
