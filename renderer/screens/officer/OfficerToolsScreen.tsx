import { MessageSlot } from '../../components/MessageSlot';
import { NoticeLine } from '../../components/NoticeLine';
import { useState } from 'react';
import { SMS_OPT_IN_SERVICE } from '../../../kiosk-config/schema';
import type { QueueItem } from '../../../sync/client/officer-queue';
import type { SignedInOfficer } from '../../../sync/client/officer-session';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { observeOfficerView } from '../../app/officer-tools';
import type { OfficerView } from '../../app/officer-tools';
import { useObservable } from '../../app/use-observable';
import { UncertainPrints } from '../../components/UncertainPrints';
import { useWhenHeldJobPrints } from '../../components/held-print';
import type { HeldReceipt } from '../../components/held-print';
import type { OfficerNotice } from './queue-item-state';
import type { Translator } from '../../i18n/translator';
import { DeadLetters } from './DeadLetters';
import { EndOfDayPanel } from './EndOfDayPanel';
import { QueueTab } from './QueueTab';
import { TodayTab } from './TodayTab';
import { useTodayDecisions } from './TodayDecisions';

type Tab = 'today' | 'queue' | 'report';

/**
 * The officer's tools: who is signed in, serve / sync now / sign out, and three tabs: today's
 * transactions (TodayTab: reprint, void), the queue (QueueTab and DeadLetters: retry a rejected
 * item or a corrected dead letter) and the end-of-day report (EndOfDayPanel). This screen holds
 * what the tabs share: the live view of the queue, the decisions looked up, and the notice line.
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
  // Kept with the language it was said in: after a language switch it is not left on screen in
  // the other language (an English reprint result under a Spanish screen; QA).
  const [notice, setNotice] = useState<
    { text: string; error?: boolean; language: string; held?: HeldReceipt } | undefined
  >();
  const [corrections, setCorrections] = useState<Record<number, string>>({});
  const view = useObservable<OfficerView>(() => observeOfficerView(runtime), [runtime]);
  const transactions = (view?.items ?? []).filter((item) => item.kind === 'transaction');
  // Only applications that reached the office can have a decision (an SMS sign-up never has).
  const decisions = useTodayDecisions(
    runtime,
    transactions
      .filter((item) => item.ref && (item.state === 'delivered' || item.state === 'purged'))
      .filter((item) => item.serviceId !== SMS_OPT_IN_SERVICE)
      .map((item) => item.ref ?? ''),
  );
  const say: OfficerNotice = (text, error = false, held) =>
    setNotice({ text, error, language: tr.language, ...(held ? { held } : {}) });
  useWhenHeldJobPrints(runtime.bridge, notice?.held?.jobId, () =>
    setNotice((said) => (said?.held ? { text: said.held.printed, language: said.language } : said)),
  );

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
      {/* Brought into view when it changes: a reprint or void far down the day's table. Its
          place is kept while no result is said, so a result never moves the table's rows (a
          second tap lands on the row the first did). */}
      <MessageSlot lines={2} largeTextLines={3} kind="words">
        <NoticeLine notice={notice?.language === tr.language ? notice : undefined} who="officer" />
      </MessageSlot>
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
        {tab === 'today' ? (
          <TodayTab
            tr={tr}
            runtime={runtime}
            officer={officer}
            transactions={transactions}
            decisions={decisions}
            voiding={voiding}
            onVoiding={setVoiding}
            say={say}
          />
        ) : null}
        {tab === 'queue' ? (
          <>
            <QueueTab
              tr={tr}
              runtime={runtime}
              waiting={view?.waiting}
              deadLetterCount={view?.deadLetters.length ?? 0}
              say={say}
            />
            <DeadLetters
              tr={tr}
              runtime={runtime}
              deadLetters={view?.deadLetters ?? []}
              corrections={corrections}
              onCorrect={(id, text) => setCorrections((all) => ({ ...all, [id]: text }))}
              say={say}
            />
          </>
        ) : null}
        {tab === 'report' ? <EndOfDayPanel tr={tr} runtime={runtime} officer={officer} /> : null}
      </section>
    </main>
  );
}
