import { useEffect, useRef } from 'react';
import type { Translator } from '../i18n/translator';

/** The idle warning: a modal dialog with a live countdown and a big way to continue. */
export function IdleWarning({
  tr,
  secondsLeft,
  onContinue,
  onEnd,
}: {
  tr: Translator;
  secondsLeft: number;
  onContinue: () => void;
  onEnd: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="idle-title"
        aria-describedby="idle-body"
        data-idle-warning
      >
        <h2 id="idle-title">{tr.t('idle.title')}</h2>
        <p id="idle-body" aria-live="polite">
          {tr.t('idle.body', { seconds: secondsLeft })}
        </p>
        <div className="actions">
          <button type="button" className="secondary" onClick={onEnd}>
            {tr.t('idle.end')}
          </button>
          <button ref={button} type="button" className="primary" onClick={onContinue}>
            {tr.t('idle.continue')}
          </button>
        </div>
      </div>
    </div>
  );
}
