import { useEffect, useRef } from 'react';
import type { Translator } from '../i18n/translator';

/**
 * "Start over?" asked before a session with answers is cleared: one touch on the top bar's Start
 * over (easy to hit by mistake: after a language switch it can stand where another language's
 * button was) would otherwise wipe every answer. Keeping the answers is the focused, primary
 * choice; a session without answers starts over at once (App.tsx).
 */
export function StartOverConfirm({
  tr,
  onKeep,
  onStartOver,
}: {
  tr: Translator;
  onKeep: () => void;
  onStartOver: () => void;
}) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus({ preventScroll: true }), []);
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="start-over-title"
        aria-describedby="start-over-body"
        data-start-over-confirm
      >
        <h2 id="start-over-title">{tr.t('startOver.title')}</h2>
        <p id="start-over-body">{tr.t('startOver.body')}</p>
        <div className="actions">
          <button type="button" className="secondary" onClick={onStartOver} data-confirm-start-over>
            {tr.t('startOver.confirm')}
          </button>
          <button ref={keep} type="button" className="primary" onClick={onKeep}>
            {tr.t('startOver.keep')}
          </button>
        </div>
      </div>
    </div>
  );
}
