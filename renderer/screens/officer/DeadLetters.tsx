import { retryDeadLetter } from '../../../sync/client/officer-queue';
import type { DeadLetterRow } from '../../../sync/client/store/outbox-store';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import type { Translator } from '../../i18n/translator';
import type { OfficerNotice } from './queue-item-state';

/**
 * Records that failed to parse (dead letters), each with its reason and its raw JSON for the
 * officer to correct and retry; a correction that is not JSON, or still fails, is said so.
 * `corrections` (by dead letter id) is kept by the tools screen, so an edit survives a tab change.
 */
export function DeadLetters({
  tr,
  runtime,
  deadLetters,
  corrections,
  onCorrect,
  say,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  deadLetters: DeadLetterRow[];
  corrections: Record<number, string>;
  onCorrect(id: number, text: string): void;
  say: OfficerNotice;
}) {
  return (
    <>
      {deadLetters.map((dead) => (
        <div key={dead.id} className="dead-letter" data-dead-letter={dead.id}>
          <h2>{tr.t('officer.dead.title', { key: dead.key })}</h2>
          <p className="error">{dead.reason}</p>
          <label htmlFor={`dead-${dead.id}`}>{tr.t('officer.dead.correct')}</label>
          <textarea
            id={`dead-${dead.id}`}
            rows={6}
            spellCheck={false}
            value={corrections[dead.id ?? 0] ?? JSON.stringify(dead.raw, null, 1)}
            onChange={(event) => onCorrect(dead.id ?? 0, event.target.value)}
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
  );
}
