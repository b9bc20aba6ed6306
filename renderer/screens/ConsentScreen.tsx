import { useRef, useState } from 'react';
import type { FieldDefinition } from '../../kiosk-config/schema';
import { CONSENT_GIVEN, checkField } from '../../kiosk-config/field-validation';
import type { Translator } from '../i18n/translator';
import { MessageSlot } from '../components/MessageSlot';
import { SteadyLabel } from '../components/SteadyLabel';
import { focusWithoutScroll } from '../components/focus';
import { useQuestionInView } from '../components/reveal';

interface ConsentScreenProps {
  tr: Translator;
  fields: FieldDefinition[];
  answers: Record<string, string>;
  onAnswer: (fieldId: string, value: string) => void;
  onBack: () => void;
  /** Commits the transaction; rejects when it could not be saved. */
  onSubmit: () => Promise<void>;
}

/**
 * The last step before anything is saved: what happens to the answers, the service's own
 * agreements (each must be ticked), and the one button that submits.
 */
export function ConsentScreen({
  tr,
  fields,
  answers,
  onAnswer,
  onBack,
  onSubmit,
}: ConsentScreenProps) {
  const [state, setState] = useState<'ready' | 'saving' | 'failed' | 'missing'>('ready');
  const screen = useRef<HTMLElement>(null);
  // The boxes to tick, in view above the pinned Back and Send as the screen opens.
  useQuestionInView(screen, { answers: 'label.choice.consent', withPrompt: false });
  const submit = async () => {
    if (fields.some((field) => checkField(field, answers[field.id]))) {
      setState('missing');
      return;
    }
    setState('saving');
    try {
      await onSubmit();
    } catch {
      setState('failed');
    }
  };
  return (
    <main className="screen" data-screen="consent" ref={screen}>
      <h1>{tr.t('consent.title')}</h1>
      <p className="lead" data-prompt>
        {tr.t('consent.notice')}
      </p>
      {fields.map((field, index) => {
        const given = answers[field.id] === CONSENT_GIVEN;
        return (
          <label key={field.id} className={given ? 'choice consent selected' : 'choice consent'}>
            <input
              type="checkbox"
              checked={given}
              ref={index === 0 ? focusWithoutScroll : undefined}
              aria-describedby={state === 'missing' ? 'consent-error' : undefined}
              onChange={(event) => {
                onAnswer(field.id, event.target.checked ? CONSENT_GIVEN : '');
                setState('ready');
              }}
            />
            <span>{tr.text(field.label)}</span>
          </label>
        );
      })}
      <MessageSlot lines={2}>
        {state === 'missing' ? (
          <p id="consent-error" className="error" role="alert">
            {tr.t('form.error.consent')}
          </p>
        ) : null}
        {state === 'failed' ? (
          <p className="error" role="alert">
            {tr.t('error.commitFailed')}
          </p>
        ) : null}
      </MessageSlot>
      <div className="actions">
        <button type="button" className="secondary" onClick={onBack}>
          {tr.t('form.back')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={state === 'saving'}
          ref={fields.length === 0 ? focusWithoutScroll : undefined}
          onClick={() => void submit()}
        >
          <SteadyLabel
            text={state === 'saving' ? tr.t('consent.submitting') : tr.t('consent.submit')}
            reserve={state === 'saving' ? tr.t('consent.submit') : tr.t('consent.submitting')}
          />
        </button>
      </div>
    </main>
  );
}
