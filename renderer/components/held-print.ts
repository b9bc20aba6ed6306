import { useEffect, useRef } from 'react';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';

/**
 * A result line about a receipt that waits for the printer: the job to watch, and the words that
 * replace the line once it has printed (`useWhenHeldJobPrints`).
 */
export interface HeldReceipt {
  jobId: string;
  printed: string;
}

/**
 * Watches a print job that waits for the printer (held: out of paper, cover open, offline) and
 * calls `onPrinted` once, when it has left the printer's waiting list (`printer:waiting-jobs`)
 * without being listed for a person's answer (`printer:uncertain-jobs`): the print queue then
 * printed it. A result line that said "held, will print when the printer is ready" is replaced by
 * what happened, instead of staying on screen after the receipt came out.
 *
 * Checked on each printer status event and every `everyMs` milliseconds (the queue offers held
 * jobs again on its own timer, after the status event). A bridge call that fails is retried at the
 * next check; nothing is said until the job is known to be gone. `jobId` undefined: not watching.
 */
export function useWhenHeldJobPrints(
  bridge: KioskBridge,
  jobId: string | undefined,
  onPrinted: () => void,
  everyMs = 2_000,
): void {
  // The callback may be a new function each render; the watch reads the latest one.
  const latest = useRef(onPrinted);
  useEffect(() => {
    latest.current = onPrinted;
  });
  useEffect(() => {
    if (!jobId) return undefined;
    let done = false;
    const check = async () => {
      try {
        const [waiting, uncertain] = await Promise.all([
          bridge.invoke('printer:waiting-jobs'),
          bridge.invoke('printer:uncertain-jobs'),
        ]);
        if (done) return;
        const listed = (jobs: ReadonlyArray<{ jobId: string }>) =>
          jobs.some((job) => job.jobId === jobId);
        if (listed(waiting.jobs) || listed(uncertain.jobs)) return;
        done = true;
        latest.current();
      } catch {
        // The next check asks again.
      }
    };
    const timer = setInterval(() => void check(), everyMs);
    const off = bridge.on('printer:status', () => void check());
    return () => {
      done = true;
      clearInterval(timer);
      off();
    };
  }, [bridge, jobId, everyMs]);
}
