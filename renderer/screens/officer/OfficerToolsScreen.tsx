import { useState } from 'react';
import { SMS_OPT_IN_SERVICE } from '../../../kiosk-config/schema';
import type { QueueItem } from '../../../sync/client/officer-queue';
import { retryDeadLetter, retryRejected } from '../../../sync/client/officer-queue';
import { voidTransaction } from '../../../sync/client/officer-records';
import type { SignedInOfficer } from '../../../sync/client/officer-session';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { observeOfficerView, reprintReceipt } from '../../app/officer-tools';
import type { OfficerView } from '../../app/officer-tools';
import { useObservable } from '../../app/use-observable';
import { OnScreenKeyboard } from '../../components/OnScreenKeyboard';
import type { Translator } from '../../i18n/translator';
import { EndOfDayPanel } from './EndOfDayPanel';
import { UncertainPrints } from '../../components/UncertainPrints';
import { DecisionCell, useTodayDecisions } from './TodayDecisions';

type Tab = 'today' | 'queue' | 'report';

function itemState(item: QueueItem): string {
  return item.voided ? 'voided' : item.state;
}

/** The void form: a reason is required (at least 3 characters), typed on the touch keyboard. */
function VoidForm({
  tr,
  item,
  onVoid,
  onCancel,
}: {
  tr: Translator;
  item: QueueItem;
  onVoid: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = async () => {
    if (reason.trim().length < 3) {
      setProblem(tr.t('officer.void.reasonRequired'));
      return;
    }
    try {
      await onVoid(reason);
    } catch (error) {
      setProblem(tr.t('officer.void.refused', { reason: (error as Error).message }));
    }
  };
  return (
    <form
      className="void-form"
      data-void-form={item.ref}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      noValidate
    >
      <label htmlFor="void-reason" className="question">
        {tr.t('officer.void.reason', { ref: item.ref ?? '' })}
      </label>
      <input
        id="void-reason"
        className="answer"
        type="text"
        autoComplete="off"
        autoFocus
        maxLength={500}
        value={reason}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'void-error' : undefined}
        onChange={(event) => {
          setReason(event.target.value);
          setProblem(undefined);
        }}
      />
      {problem ? (
        <p id="void-error" className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>
          {tr.t('officer.cancel')}
        </button>
        <button type="submit" className="primary" data-confirm-void>
          {tr.t('officer.void.confirm')}
        </button>
      </div>
      <OnScreenKeyboard
        tr={tr}
        kind="text"
        language={tr.language}
        value={reason}
        onChange={setReason}
        onEnter={() => void submit()}
      />
    </form>
  );
}

/**
 * The officer's tools: today's transactions (reprint, void), the queue with per-item state
 * (retry a rejected item or a corrected dead letter), sync now, and the end-of-day report.
 */
export function OfficerToolsScreen({
  tr,
  runtime,
  officer,
  onServe,
  onSignOut,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  officer: SignedInOfficer;
  onServe: () => void;
  onSignOut: () => void;
}) {
  const [tab, setTab] = useState<Tab>('today');
  const [voiding, setVoiding] = useState<QueueItem | undefined>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [corrections, setCorrections] = useState<Record<number, string>>({});
  const view = useObservable<OfficerView>(() => observeOfficerView(runtime), [runtime]);
  const services = new Map(runtime.catalogue.services.map((s) => [s.id, tr.text(s.title)]));
  const transactions = (view?.items ?? []).filter((item) => item.kind === 'transaction');
  // Only applications that reached the office can have a decision (an SMS sign-up never has).
  const decisions = useTodayDecisions(
    runtime,
    transactions
      .filter((item) => item.ref && (item.state === 'delivered' || item.state === 'purged'))
      .filter((item) => item.serviceId !== SMS_OPT_IN_SERVICE)
      .map((item) => item.ref ?? ''),
  );
  const say = (text: string, error = false) => setNotice({ text, error });

  const reprint = async (item: QueueItem) => {
    try {
      const { reply, copy } = await reprintReceipt(runtime, {
        txId: item.txId,
        officerId: officer.officerId,
      });
      say(
        reply.state === 'held' || reply.state === 'uncertain'
          ? tr.t('officer.reprint.held', { ref: item.ref ?? '' })
          : tr.t('officer.reprint.done', { ref: item.ref ?? '', copy }),
        reply.state === 'held' || reply.state === 'uncertain',
      );
    } catch {
      say(tr.t('officer.reprint.failed'), true);
    }
  };

  const syncNow = async () => {
    say(tr.t('officer.sync.running'));
    await runtime.engine.syncNow();
    const status = runtime.engine.status;
    say(
      status.link === 'online' && !status.lastError
        ? tr.t('officer.sync.done')
        : tr.t('officer.sync.offline'),
      status.link !== 'online',
    );
  };

  const tabs: Array<[Tab, string]> = [
    ['today', tr.t('officer.tab.today')],
    ['queue', tr.t('officer.tab.queue')],
    ['report', tr.t('officer.tab.report')],
  ];

  return (
    <main className="screen officer-tools" data-screen="officer-tools">
      <h1 data-prompt>{tr.t('officer.tools.title')}</h1>
      <p className="lead" data-officer={officer.officerId}>
        {tr.t('officer.signedInAs', { name: officer.name, id: officer.officerId })}
      </p>
      <div className="actions officer-actions">
        <button type="button" className="primary" onClick={onServe}>
          {tr.t('officer.serve')}
        </button>
        <button type="button" className="secondary" data-sync-now onClick={() => void syncNow()}>
          {tr.t('officer.sync.now')}
        </button>
        <button type="button" className="secondary" data-sign-out onClick={onSignOut}>
          {tr.t('officer.signOut')}
        </button>
      </div>
      {notice ? (
        <p className={notice.error ? 'error' : 'print-done'} role="status" data-officer-notice>
          {notice.text}
        </p>
      ) : null}
      <UncertainPrints tr={tr} bridge={runtime.bridge} />
      <div className="tabs" role="tablist" aria-label={tr.t('officer.tools.title')}>
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            className={tab === id ? 'tab selected' : 'tab'}
            onClick={() => {
              setTab(id);
              setVoiding(undefined);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'today' && voiding ? (
          <VoidForm
            tr={tr}
            item={voiding}
            onCancel={() => setVoiding(undefined)}
            onVoid={async (reason) => {
              await voidTransaction(runtime.chain, {
                officerId: officer.officerId,
                txId: voiding.txId,
                reason,
              });
              setVoiding(undefined);
              say(tr.t('officer.void.done', { ref: voiding.ref ?? '' }));
            }}
          />
        ) : null}
        {tab === 'today' && !voiding ? (
          transactions.length === 0 ? (
            <p>{tr.t('officer.today.empty')}</p>
          ) : (
            <>
              <div className="decision-bar">
                <button
                  type="button"
                  className="secondary"
                  data-check-decisions
                  disabled={decisions.busy}
                  onClick={() => void decisions.check()}
                >
                  {decisions.busy
                    ? tr.t('officer.decision.checking')
                    : tr.t('officer.decision.check')}
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
                <thead>
                  <tr>
                    <th scope="col">{tr.t('officer.column.time')}</th>
                    <th scope="col">{tr.t('officer.column.reference')}</th>
                    <th scope="col">{tr.t('officer.column.service')}</th>
                    <th scope="col">{tr.t('officer.column.channel')}</th>
                    <th scope="col">{tr.t('officer.column.state')}</th>
                    <th scope="col">{tr.t('officer.column.decision')}</th>
                    <th scope="col">{tr.t('officer.column.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...transactions].reverse().map((item) => (
                    <tr key={item.seq} data-ref={item.ref} data-state={itemState(item)}>
                      <td>{tr.time(item.queuedAt)}</td>
                      <td>
                        <strong>{item.ref}</strong>
                      </td>
                      <td>{services.get(item.serviceId ?? '') ?? item.serviceId}</td>
                      <td>
                        {item.channel === 'assisted'
                          ? tr.t('report.channel.assisted')
                          : tr.t('report.channel.self-service')}
                        {item.officerId ? ` · ${item.officerId}` : ''}
                      </td>
                      <td>
                        {tr.t(`officer.state.${itemState(item) as 'queued'}`)}
                        {item.voided ? ` · ${item.voided.reason}` : ''}
                      </td>
                      <DecisionCell
                        tr={tr}
                        status={decisions.byRef.get(item.ref ?? '')}
                        cached={decisions.online === false}
                      />
                      <td className="row-actions">
                        <button
                          type="button"
                          className="secondary"
                          data-reprint={item.ref}
                          onClick={() => void reprint(item)}
                        >
                          {tr.t('officer.reprint')}
                        </button>
                        {item.state === 'queued' && !item.voided ? (
                          <button
                            type="button"
                            className="secondary"
                            data-void={item.ref}
                            onClick={() => setVoiding(item)}
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
          )
        ) : null}
        {tab === 'queue' ? (
          <>
            <p data-queue-count={view?.waiting.filter((i) => i.state === 'queued').length ?? 0}>
              {tr.t('officer.queue.summary', {
                queued: view?.waiting.filter((i) => i.state === 'queued').length ?? 0,
                rejected: view?.waiting.filter((i) => i.state === 'rejected').length ?? 0,
                dead: view?.deadLetters.length ?? 0,
              })}
            </p>
            {(view?.waiting.length ?? 0) > 0 ? (
              <table className="officer-table">
                <thead>
                  <tr>
                    <th scope="col">{tr.t('officer.column.seq')}</th>
                    <th scope="col">{tr.t('officer.column.kind')}</th>
                    <th scope="col">{tr.t('officer.column.reference')}</th>
                    <th scope="col">{tr.t('officer.column.state')}</th>
                    <th scope="col">{tr.t('officer.column.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {view?.waiting.map((item) => (
                    <tr key={item.seq} data-seq={item.seq} data-state={itemState(item)}>
                      <td>{item.seq}</td>
                      <td>{tr.t(`officer.kind.${item.kind}`)}</td>
                      <td>{item.ref ?? ''}</td>
                      <td>
                        {tr.t(`officer.state.${itemState(item) as 'queued'}`)}
                        {item.rejectReason ? ` · ${item.rejectReason}` : ''}
                        {item.attempts > 0
                          ? ` · ${tr.t('officer.attempts', { n: item.attempts })}`
                          : ''}
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
            {view?.deadLetters.map((dead) => (
              <div key={dead.id} className="dead-letter" data-dead-letter={dead.id}>
                <h2>{tr.t('officer.dead.title', { key: dead.key })}</h2>
                <p className="error">{dead.reason}</p>
                <label htmlFor={`dead-${dead.id}`}>{tr.t('officer.dead.correct')}</label>
                <textarea
                  id={`dead-${dead.id}`}
                  rows={6}
                  spellCheck={false}
                  value={corrections[dead.id ?? 0] ?? JSON.stringify(dead.raw, null, 1)}
                  onChange={(event) =>
                    setCorrections({ ...corrections, [dead.id ?? 0]: event.target.value })
                  }
                />
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    const text = corrections[dead.id ?? 0];
                    let corrected: unknown;
                    try {
                      corrected = text === undefined ? undefined : (JSON.parse(text) as unknown);
                    } catch {
                      say(tr.t('officer.dead.notJson'), true);
                      return;
                    }
                    void retryDeadLetter(runtime.store, dead.id ?? 0, corrected).then((result) => {
                      if (result.ok) say(tr.t('officer.retry.done'));
                      else say(tr.t('officer.dead.stillBad', { reason: result.reason }), true);
                    });
                  }}
                >
                  {tr.t('officer.retry')}
                </button>
              </div>
            ))}
          </>
        ) : null}
        {tab === 'report' ? <EndOfDayPanel tr={tr} runtime={runtime} officer={officer} /> : null}
      </section>
    </main>
  );
}
