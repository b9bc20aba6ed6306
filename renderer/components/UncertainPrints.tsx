import { useCallback, useEffect, useState } from 'react';
import { WAITING_AT_RESTART } from '../../sync/bridge/device-payloads';
import type { UncertainDecision, UncertainPrintJob } from '../../sync/bridge/device-payloads';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import type { Translator } from '../i18n/translator';
import { useWhenHeldJobPrints } from './held-print';
import type { HeldReceipt } from './held-print';

type MessageKey = Parameters<Translator['t']>[0];
type Decision = UncertainDecision;

const reasons = new Set(['job-interrupted', 'job-unconfirmed', 'interrupted-while-printing']);

/** What a person is asked about a job, by kind: the two answers and what each result says. */
const kinds = {
  // The printer did not confirm it: it came out, or print it again (the paper says COPY).
  uncertain: {
    title: 'prints.uncertain.title',
    explain: 'prints.uncertain.explain',
    answers: [
      ['was-printed', 'secondary', 'prints.uncertain.wasPrinted'],
      ['print-again', 'primary', 'prints.uncertain.printAgain'],
    ],
    results: {
      'was-printed': 'prints.uncertain.markedPrinted',
      'print-again': 'prints.uncertain.printedCopy',
      'do-not-print': 'prints.waiting.notPrinted',
    },
    notReady: 'prints.uncertain.notReady',
  },
  // Waiting for the printer when the kiosk restarted: print it now, or not at all.
  waiting: {
    title: 'prints.waiting.title',
    explain: 'prints.waiting.explain',
    answers: [
      ['do-not-print', 'secondary', 'prints.waiting.doNotPrint'],
      ['print-again', 'primary', 'prints.waiting.printNow'],
    ],
    results: {
      'was-printed': 'prints.uncertain.markedPrinted',
      'print-again': 'prints.waiting.printed',
      'do-not-print': 'prints.waiting.notPrinted',
    },
    notReady: 'prints.waiting.notReady',
  },
} as const satisfies Record<
  string,
  {
    title: MessageKey;
    explain: MessageKey;
    answers: ReadonlyArray<readonly [Decision, 'primary' | 'secondary', MessageKey]>;
    results: Record<Decision, MessageKey>;
    notReady: MessageKey;
  }
>;
type Kind = keyof typeof kinds;

const kindOf = (job: UncertainPrintJob): Kind =>
  job.reason === WAITING_AT_RESTART ? 'waiting' : 'uncertain';

/**
 * Receipts that wait for a person's answer, in two lists, each with the two answers a person
 * gives at the printer: those the printer did not confirm (it came out, or print it again: the
 * paper then says it is a copy), and those that were waiting for the printer when the kiosk
 * restarted (print it now, or do not print it: whoever asked may have gone). Shown on the
 * officer's tools and the operator console; renders nothing when there are none.
 */
export function UncertainPrints({ tr, bridge }: { tr: Translator; bridge: KioskBridge }) {
  const [jobs, setJobs] = useState<UncertainPrintJob[]>([]);
  // `held`: the answer was Print, but the printer was not ready; once it prints, the notice
  // says so instead of staying "will print when it is" (QA: it stayed after the receipt came out).
  const [notice, setNotice] = useState<{
    kind: Kind;
    text: string;
    error?: boolean;
    held?: HeldReceipt;
  }>();
  useWhenHeldJobPrints(bridge, notice?.held?.jobId, () =>
    setNotice((said) => (said?.held ? { kind: said.kind, text: said.held.printed } : said)),
  );

  const load = useCallback(async () => {
    const reply = await bridge.invoke('printer:uncertain-jobs').catch(() => ({ jobs: [] }));
    setJobs(reply.jobs);
  }, [bridge]);

  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const off = bridge.on('printer:status', () => void load());
    return () => {
      clearTimeout(first);
      off();
    };
  }, [bridge, load]);

  const decide = async (job: UncertainPrintJob, decision: Decision) => {
    const kind = kindOf(job);
    const words = kinds[kind];
    const ref = job.ref ?? '';
    try {
      const reply = await bridge.invoke('printer:resolve', { jobId: job.jobId, decision });
      const done = reply.state === 'printed' || reply.state === 'not-printed';
      setNotice(
        done
          ? { kind, text: tr.t(words.results[decision], { ref }) }
          : {
              kind,
              text: tr.t(words.notReady, { ref }),
              error: true,
              held: { jobId: job.jobId, printed: tr.t(words.results['print-again'], { ref }) },
            },
      );
    } catch {
      setNotice({ kind, text: tr.t('prints.uncertain.failed'), error: true });
    }
    await load();
  };

  const lists = (Object.keys(kinds) as Kind[])
    .map((kind) => ({ kind, jobs: jobs.filter((job) => kindOf(job) === kind) }))
    .filter((list) => list.jobs.length > 0 || notice?.kind === list.kind);
  if (lists.length === 0) return null;
  return (
    <>
      {lists.map(({ kind, jobs: listed }) => {
        const words = kinds[kind];
        const said = notice?.kind === kind ? notice : undefined;
        return (
          <section
            key={kind}
            aria-labelledby={`${kind}-prints-title`}
            {...{ [kind === 'waiting' ? 'data-waiting-prints' : 'data-uncertain-prints']: '' }}
          >
            <h2 id={`${kind}-prints-title`}>{tr.t(words.title)}</h2>
            {said ? (
              <p className={said.error ? 'error' : 'print-done'} role="status">
                {said.text}
              </p>
            ) : null}
            {listed.length > 0 ? <p>{tr.t(words.explain)}</p> : null}
            <ul className="uncertain-prints">
              {listed.map((job) => (
                <li key={job.jobId} data-uncertain-job={job.ref ?? job.jobId}>
                  <span>
                    {tr.t('prints.uncertain.item', { ref: job.ref ?? '?' })}
                    {job.copy && job.copy > 1
                      ? ` · ${tr.t('prints.uncertain.copy', { copy: job.copy })}`
                      : ''}
                    {` · ${tr.time(job.since)}`}
                    {job.reason && reasons.has(job.reason)
                      ? ` · ${tr.t(`prints.uncertain.reason.${job.reason}` as MessageKey)}`
                      : ''}
                  </span>
                  <span className="actions">
                    {words.answers.map(([decision, style, label]) => (
                      <button
                        key={decision}
                        type="button"
                        className={style}
                        data-decision={decision}
                        onClick={() => void decide(job, decision)}
                      >
                        {tr.t(label)}
                      </button>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
