import type { QueueItem } from '../../../sync/client/officer-queue';
import { retryRejected } from '../../../sync/client/officer-queue';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import type { Translator } from '../../i18n/translator';
import { itemState } from './queue-item-state';
import type { OfficerNotice } from './queue-item-state';
import { OfficerTableHead, columnLabel } from './OfficerTableHead';
import type { OfficerColumn } from './OfficerTableHead';

/**
 * What is waiting to be delivered: a count of queued, rejected and dead-letter records, and a
 * row per queued or rejected record (kind, reference, state, refusal reason, attempts) with a
 * retry for a rejected one.
 */
export function QueueTab({
  tr,
  runtime,
  waiting,
  deadLetterCount,
  say,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  /** Queued or rejected records, today's and older; undefined while the first read runs. */
  waiting: QueueItem[] | undefined;
  deadLetterCount: number;
  say: OfficerNotice;
}) {
  const queued = waiting?.filter((i) => i.state === 'queued').length ?? 0;
  const label = (column: OfficerColumn) => columnLabel(tr, column);
  return (
    <>
      <p data-queue-count={queued}>
        {tr.t('officer.queue.summary', {
          queued,
          rejected: waiting?.filter((i) => i.state === 'rejected').length ?? 0,
          dead: deadLetterCount,
        })}
      </p>
      {waiting && waiting.length > 0 ? (
        <table className="officer-table">
          <OfficerTableHead tr={tr} columns={['seq', 'kind', 'reference', 'state', 'actions']} />
          <tbody>
            {waiting.map((item) => (
              <tr key={item.seq} data-seq={item.seq} data-state={itemState(item)}>
                <td data-label={label('seq')}>{item.seq}</td>
                <td data-label={label('kind')}>{tr.t(`officer.kind.${item.kind}`)}</td>
                <td data-label={label('reference')}>{item.ref ?? ''}</td>
                <td data-label={label('state')}>
                  {tr.t(`officer.state.${itemState(item) as 'queued'}`)}
                  {item.rejectReason ? ` · ${item.rejectReason}` : ''}
                  {item.attempts > 0 ? ` · ${tr.t('officer.attempts', { n: item.attempts })}` : ''}
                </td>
                <td className="row-actions">
                  {item.state === 'rejected' ? (
                    <button
                      type="button"
                      className="secondary"
                      onClick={() =>
                        void retryRejected(runtime.store, item.seq).then(
                          () => say(tr.t('officer.retry.done')),
                          () => say(tr.t('officer.retry.failed'), true),
                        )
                      }
                    >
                      {tr.t('officer.retry')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
