import { useCallback, useEffect, useState } from 'react';
import type { UncertainPrintJob } from '../../sync/bridge/device-payloads';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import type { Translator } from '../i18n/translator';

const reasons = new Set(['job-interrupted', 'job-unconfirmed', 'interrupted-while-printing']);

/**
 * Receipts the printer did not confirm printing, each with the two answers a person gives after
 * looking at the printer: it came out, or print it again (the paper then says it is a copy).
 * Shown on the officer's tools and the operator console; renders nothing when there are none.
 */
export function UncertainPrints({ tr, bridge }: { tr: Translator; bridge: KioskBridge }) {
  const [jobs, setJobs] = useState<UncertainPrintJob[]>([]);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();

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

  const decide = async (job: UncertainPrintJob, decision: 'was-printed' | 'print-again') => {
    try {
      const reply = await bridge.invoke('printer:resolve', { jobId: job.jobId, decision });
      setNotice(
        reply.state === 'printed'
          ? {
              text: tr.t(
                decision === 'was-printed'
                  ? 'prints.uncertain.markedPrinted'
                  : 'prints.uncertain.printedCopy',
                { ref: job.ref ?? '' },
              ),
            }
          : { text: tr.t('prints.uncertain.notReady', { ref: job.ref ?? '' }), error: true },
      );
    } catch {
      setNotice({ text: tr.t('prints.uncertain.failed'), error: true });
    }
    await load();
  };

  if (jobs.length === 0 && !notice) return null;
  return (
    <section aria-labelledby="uncertain-prints-title" data-uncertain-prints>
      <h2 id="uncertain-prints-title">{tr.t('prints.uncertain.title')}</h2>
      {notice ? (
        <p className={notice.error ? 'error' : 'print-done'} role="status">
          {notice.text}
        </p>
      ) : null}
      {jobs.length > 0 ? <p>{tr.t('prints.uncertain.explain')}</p> : null}
      <ul className="uncertain-prints">
        {jobs.map((job) => (
          <li key={job.jobId} data-uncertain-job={job.ref ?? job.jobId}>
            <span>
              {tr.t('prints.uncertain.item', { ref: job.ref ?? '?' })}
              {job.reason && reasons.has(job.reason)
                ? ` · ${tr.t(`prints.uncertain.reason.${job.reason}` as Parameters<Translator['t']>[0])}`
                : ''}
            </span>
            <span className="actions">
              <button
                type="button"
                className="secondary"
                data-decision="was-printed"
                onClick={() => void decide(job, 'was-printed')}
              >
                {tr.t('prints.uncertain.wasPrinted')}
              </button>
              <button
                type="button"
                className="primary"
                data-decision="print-again"
                onClick={() => void decide(job, 'print-again')}
              >
                {tr.t('prints.uncertain.printAgain')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
