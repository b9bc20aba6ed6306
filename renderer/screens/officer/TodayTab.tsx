import { useRef, useState } from 'react';
import type { QueueItem } from '../../../sync/client/officer-queue';
import { voidTransaction } from '../../../sync/client/officer-records';
import type { SignedInOfficer } from '../../../sync/client/officer-session';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { reprintReceipt } from '../../app/officer-tools';
import type { Translator } from '../../i18n/translator';
import { itemState } from './queue-item-state';
import type { OfficerNotice } from './queue-item-state';
import { DecisionCell } from './TodayDecisions';
import type { TodayDecisions } from './TodayDecisions';
import { VoidForm } from './VoidForm';
import { OfficerTableHead, columnLabel } from './OfficerTableHead';
import type { OfficerColumn } from './OfficerTableHead';

/**
 * Today's transactions, newest first: time, reference, service, channel, state and the agency's
 * decision, with a reprint for each and a void (with a reason) for what is not yet delivered.
 * While a void form is open it replaces the table.
 */
export function TodayTab({
  tr,
  runtime,
  officer,
  transactions,
  decisions,
  voiding,
  onVoiding,
  say,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  officer: SignedInOfficer;
  /** Today's transaction items, oldest first (as the queue lists them). */
  transactions: QueueItem[];
  decisions: TodayDecisions;
  /** The transaction whose void form is open, if any. */
  voiding: QueueItem | undefined;
  onVoiding(item: QueueItem | undefined): void;
  say: OfficerNotice;
}) {
  const services = new Map(runtime.catalogue.services.map((s) => [s.id, tr.text(s.title)]));
  const label = (column: OfficerColumn) => columnLabel(tr, column);

  // One reprint at a time per receipt: a second tap while the first is on its way (a slow or
  // held printer) would record and print another copy.
  // (The ref guards taps that come before the button is drawn disabled.)
  const inFlight = useRef(new Set<string>());
  const [reprinting, setReprinting] = useState<ReadonlySet<string>>(new Set());
  const reprint = async (item: QueueItem) => {
    if (inFlight.current.has(item.txId)) return;
    inFlight.current.add(item.txId);
    setReprinting(new Set(inFlight.current));
    try {
      const { reply, copy, waiting } = await reprintReceipt(runtime, {
        txId: item.txId,
        officerId: officer.officerId,
      });
      // A reprint is held, never `not-printed` (only a citizen's own original is), but a reply
      // that says so is still not a printed receipt.
      const ref = item.ref ?? '';
      // Once a held copy prints, the line says so (instead of "will print when it is").
      const held = { jobId: reply.jobId, printed: tr.t('officer.reprint.done', { ref, copy }) };
      if (waiting === 'printer') say(tr.t('officer.reprint.waiting', { ref, copy }), true, held);
      // Kept for a person's answer: it may end printed or not printed, so it is not watched.
      else if (waiting === 'restart')
        say(tr.t('officer.reprint.waitingAtRestart', { ref, copy }), true);
      else if (reply.state === 'not-printed') say(tr.t('officer.reprint.failed'), true);
      else if (reply.state === 'held') say(tr.t('officer.reprint.held', { ref }), true, held);
      else if (reply.state === 'uncertain') say(tr.t('officer.reprint.held', { ref }), true);
      else say(tr.t('officer.reprint.done', { ref, copy }));
    } catch {
      say(tr.t('officer.reprint.failed'), true);
    } finally {
      inFlight.current.delete(item.txId);
      setReprinting(new Set(inFlight.current));
    }
  };

  if (voiding) {
    return (
      <VoidForm
        tr={tr}
        item={voiding}
        onCancel={() => onVoiding(undefined)}
        onVoid={async (reason) => {
          await voidTransaction(runtime.chain, {
            officerId: officer.officerId,
            txId: voiding.txId,
            reason,
          });
          onVoiding(undefined);
          say(tr.t('officer.void.done', { ref: voiding.ref ?? '' }));
        }}
      />
    );
  }
  if (transactions.length === 0) return <p>{tr.t('officer.today.empty')}</p>;
  return (
    <>
      <div className="decision-bar">
        <button
          type="button"
          className="secondary"
          data-check-decisions
          disabled={decisions.busy}
          onClick={() => void decisions.check()}
        >
          {decisions.busy ? tr.t('officer.decision.checking') : tr.t('officer.decision.check')}
        </button>
        {decisions.online === false ? (
          <span className="error" data-decisions-offline>
            {tr.t('officer.decision.offline')}
          </span>
        ) : decisions.online && decisions.checkedAt ? (
          <span data-decisions-checked>
            {tr.t('officer.decision.done', { time: tr.time(decisions.checkedAt) })}
          </span>
        ) : null}
      </div>
      <table className="officer-table">
        <OfficerTableHead
          tr={tr}
          columns={['time', 'reference', 'service', 'channel', 'state', 'decision', 'actions']}
        />
        <tbody>
          {[...transactions].reverse().map((item) => (
            <tr key={item.seq} data-ref={item.ref} data-state={itemState(item)}>
              <td data-label={label('time')}>{tr.time(item.queuedAt)}</td>
              <td data-label={label('reference')}>
                <strong className="reference-token">{item.ref}</strong>
              </td>
              <td data-label={label('service')}>
                {services.get(item.serviceId ?? '') ?? item.serviceId}
              </td>
              <td data-label={label('channel')}>
                {item.channel === 'assisted'
                  ? tr.t('report.channel.assisted')
                  : tr.t('report.channel.self-service')}
                {item.officerId ? ` · ${item.officerId}` : ''}
              </td>
              <td data-label={label('state')}>
                {tr.t(`officer.state.${itemState(item) as 'queued'}`)}
                {item.voided ? ` · ${item.voided.reason}` : ''}
              </td>
              <DecisionCell
                tr={tr}
                label={label('decision')}
                status={decisions.byRef.get(item.ref ?? '')}
                cached={decisions.online === false}
              />
              <td className="row-actions">
                <button
                  type="button"
                  className="secondary"
                  data-reprint={item.ref}
                  disabled={reprinting.has(item.txId)}
                  onClick={() => void reprint(item)}
                >
                  {tr.t('officer.reprint')}
                </button>
                {item.state === 'queued' && !item.voided ? (
                  <button
                    type="button"
                    className="secondary"
                    data-void={item.ref}
                    onClick={() => onVoiding(item)}
                  >
                    {tr.t('officer.void')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
