import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FieldDefinition, ServiceDefinition } from '../../kiosk-config/schema';
import { checkField } from '../../kiosk-config/field-validation';
import type { FieldProblem } from '../../kiosk-config/field-validation';
import type { Translator } from '../i18n/translator';

interface FormScreenProps {
  tr: Translator;
  service: ServiceDefinition;
  index: number;
  answers: Record<string, string>;
  onAnswer: (fieldId: string, value: string) => void;
  onBack: () => void;
  onNext: () => void;
}

const inputModes: Partial<Record<FieldDefinition['type'], 'text' | 'decimal' | 'tel'>> = {
  text: 'text',
  number: 'decimal',
  phone: 'tel',
};

/** One question per screen, with progress, so a first-time user is never faced with a wall. */
export function FormScreen({
  tr,
  service,
  index,
  answers,
  onAnswer,
  onBack,
  onNext,
}: FormScreenProps) {
  const field = service.fields[index];
  const [problem, setProblem] = useState<FieldProblem | undefined>();
  if (!field) return null;
  const value = answers[field.id] ?? '';
  const inputId = `field-${field.id}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = checkField(field, value);
    setProblem(found);
    if (!found) onNext();
  };

  const describedBy =
    [field.hint ? hintId : '', problem ? errorId : ''].filter(Boolean).join(' ') || undefined;

  return (
    <main className="screen" data-screen="form" data-field={field.id}>
      <p className="progress" aria-live="polite">
        {tr.text(service.title)} ·{' '}
        {tr.t('form.step', { current: index + 1, total: service.fields.length })}
      </p>
      <progress max={service.fields.length} value={index + 1} aria-hidden="true" />
      <form onSubmit={submit} noValidate>
        {field.type === 'choice' ? (
          <fieldset aria-describedby={describedBy}>
            <legend className="question">
              {tr.text(field.label)}
              {!field.required ? (
                <span className="optional"> ({tr.t('form.optional')})</span>
              ) : null}
            </legend>
            <div className="choices">
              {field.options.map((option) => (
                <label
                  key={option.value}
                  className={value === option.value ? 'choice selected' : 'choice'}
                >
                  <input
                    type="radio"
                    name={field.id}
                    value={option.value}
                    checked={value === option.value}
                    onChange={() => {
                      onAnswer(field.id, option.value);
                      setProblem(undefined);
                    }}
                  />
                  {tr.text(option.label)}
                </label>
              ))}
            </div>
          </fieldset>
        ) : (
          <>
            <label htmlFor={inputId} className="question">
              {tr.text(field.label)}
              {!field.required ? (
                <span className="optional"> ({tr.t('form.optional')})</span>
              ) : null}
            </label>
            <input
              id={inputId}
              key={field.id}
              className="answer"
              type={field.type === 'date' ? 'date' : 'text'}
              inputMode={inputModes[field.type]}
              autoComplete="off"
              autoCorrect="off"
              spellCheck={false}
              autoFocus
              value={value}
              aria-invalid={problem ? true : undefined}
              aria-describedby={describedBy}
              onChange={(event) => {
                onAnswer(field.id, event.target.value);
                if (problem) setProblem(undefined);
              }}
            />
          </>
        )}
        {field.hint ? (
          <p id={hintId} className="hint">
            {tr.text(field.hint)}
          </p>
        ) : null}
        {problem ? (
          <p id={errorId} className="error" role="alert">
            {tr.t(problem.key, problem.values)}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="secondary" onClick={onBack}>
            {tr.t('form.back')}
          </button>
          <button type="submit" className="primary">
            {tr.t('form.next')}
          </button>
        </div>
      </form>
    </main>
  );
}
