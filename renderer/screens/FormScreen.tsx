import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { FieldDefinition, LanguageCode, ServiceDefinition } from '../../kiosk-config/schema';
import {
  CONSENT_GIVEN,
  LIST_SEPARATOR,
  canonicalAnswer,
  checkField,
  dateProblem,
  splitList,
} from '../../kiosk-config/field-validation';
import { parseDateInput } from '../../kiosk-config/formatting';
import { serviceFee } from '../../kiosk-config/service-fee';
import { PAYMENT_METHOD_FIELD } from '../../kiosk-config/service-steps';
import type { FieldCheckContext, FieldProblem } from '../../kiosk-config/field-validation';
import { OnScreenKeyboard } from '../components/OnScreenKeyboard';
import { MessageSlot } from '../components/MessageSlot';
import { useQuestionInView } from '../components/reveal';
import {
  codeKeys,
  digitsOnly,
  keyboardKindFor,
  textTakesDigits,
} from '../components/keyboard-layouts';
import type { Translator } from '../i18n/translator';
import { focusWithoutScroll } from '../components/focus';

interface FormScreenProps {
  tr: Translator;
  service: ServiceDefinition;
  /** The questions asked, in order (shown fields and the payment step). */
  fields: FieldDefinition[];
  index: number;
  answers: Record<string, string>;
  onAnswer: (fieldId: string, value: string) => void;
  onBack: () => void;
  onNext: () => void;
  /** The site's date, for date limits ("not after today" on the country's clock). */
  checkContext: FieldCheckContext;
  /** The site's languages, whose letters the letter keyboard offers (a name keeps its own). */
  siteLanguages: readonly LanguageCode[];
}

const inputModes: Partial<Record<FieldDefinition['type'], 'text' | 'decimal' | 'tel' | 'numeric'>> =
  {
    text: 'text',
    number: 'decimal',
    amount: 'decimal',
    phone: 'tel',
    date: 'numeric',
    'national-id': 'numeric',
  };

/**
 * A typed date read back in the citizen's words ("1 Moranang 1990"), so a wrong month is easy
 * to spot; an impossible one is read back as what is wrong with it, never as another day.
 * Nothing while the date is still being typed: a format not yet whole, or a month or day so far
 * only "0", the first of its two digits ("1990-04-0" on the way to "1990-04-01" had read back
 * "There is no day 0 in April 1990", four lines in Setswana with Large text, for one key).
 */
function dateReadBack(tr: Translator, value: string): { text: string; valid: boolean } | undefined {
  if (/(^|\D)0$/.test(value.trim())) return undefined;
  const parsed = parseDateInput(value);
  if (parsed.ok) return { text: tr.date(parsed.date), valid: true };
  if (parsed.problem.kind === 'format') return undefined;
  return { text: tr.problem(dateProblem(parsed.problem)), valid: false };
}

function Question({ tr, field }: { tr: Translator; field: FieldDefinition }) {
  return (
    <>
      {tr.text(field.label)}
      {!field.required ? <span className="optional"> ({tr.t('form.optional')})</span> : null}
    </>
  );
}

/** One question per screen, with progress, so a first-time user is never faced with a wall. */
export function FormScreen({
  tr,
  service,
  fields,
  index,
  answers,
  onAnswer,
  onBack,
  onNext,
  checkContext,
  siteLanguages,
}: FormScreenProps) {
  const field = fields[index];
  const [problem, setProblem] = useState<FieldProblem | undefined>();
  const screen = useRef<HTMLElement>(null);
  useQuestionInView(screen);
  if (!field) return null;
  const value = answers[field.id] ?? '';
  const inputId = `field-${field.id}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const keyboard = keyboardKindFor(field.type);
  const code =
    field.type === 'text' && field.pattern?.includes('A-Z') ? codeKeys(field.pattern) : undefined;
  const keyboardKind = code
    ? 'code'
    : field.type === 'text' && digitsOnly(field.pattern)
      ? 'numeric'
      : keyboard;

  const answer = (next: string) => {
    onAnswer(field.id, next);
    if (problem) setProblem(undefined);
  };
  const next = () => {
    const found = checkField(field, value, { ...checkContext, currency: service.fee.currency });
    setProblem(found);
    if (found) return;
    // Kept as it is sent, however it was typed: a date 19900401 as 1990-04-01, an amount .5 as
    // 0.50, any answer without spaces around it.
    const kept = canonicalAnswer(field, value);
    if (kept !== value) onAnswer(field.id, kept);
    onNext();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    next();
  };

  const describedBy =
    [field.hint ? hintId : '', problem ? errorId : ''].filter(Boolean).join(' ') || undefined;
  // Once Next has shown the error, the read-back stays empty so it is not said twice.
  const readBack = field.type === 'date' && !problem ? dateReadBack(tr, value) : undefined;

  // The payment question says what is to be paid (a bill's amount as typed, or the fixed fee).
  const due = field.id === PAYMENT_METHOD_FIELD ? serviceFee(service, answers) : undefined;

  let control;
  if (field.type === 'choice') {
    control = (
      <fieldset aria-describedby={describedBy}>
        <legend className="question" data-prompt>
          <Question tr={tr} field={field} />
          {due && due.amountMinor > 0 ? (
            <span className="amount-due" data-amount-due={due.amountMinor}>
              {tr.t('payment.amountDue', { amount: tr.money(due) })}
            </span>
          ) : null}
        </legend>
        <div className="choices">
          {field.options.map((option, optionIndex) => (
            <label
              key={option.value}
              className={value === option.value ? 'choice selected' : 'choice'}
            >
              <input
                type="radio"
                name={field.id}
                value={option.value}
                checked={value === option.value}
                // The first option (or the chosen one) takes focus so arrow keys work at once.
                ref={
                  (value ? value === option.value : optionIndex === 0)
                    ? focusWithoutScroll
                    : undefined
                }
                onChange={() => answer(option.value)}
              />
              {tr.text(option.label)}
            </label>
          ))}
        </div>
      </fieldset>
    );
  } else if (field.type === 'documents') {
    const ticked = new Set(splitList(value));
    control = (
      <fieldset aria-describedby={describedBy}>
        <legend className="question" data-prompt>
          <Question tr={tr} field={field} />
        </legend>
        <div className="choices">
          {field.items.map((item, itemIndex) => (
            <label key={item.id} className={ticked.has(item.id) ? 'choice selected' : 'choice'}>
              <input
                type="checkbox"
                name={item.id}
                checked={ticked.has(item.id)}
                ref={itemIndex === 0 ? focusWithoutScroll : undefined}
                onChange={(event) => {
                  const nextSet = new Set(ticked);
                  if (event.target.checked) nextSet.add(item.id);
                  else nextSet.delete(item.id);
                  answer(
                    field.items
                      .filter((i) => nextSet.has(i.id))
                      .map((i) => i.id)
                      .join(LIST_SEPARATOR),
                  );
                }}
              />
              {tr.text(item.label)}
            </label>
          ))}
        </div>
      </fieldset>
    );
  } else if (field.type === 'consent') {
    control = (
      <label className={value === CONSENT_GIVEN ? 'choice selected' : 'choice'}>
        <input
          type="checkbox"
          checked={value === CONSENT_GIVEN}
          onChange={(event) => answer(event.target.checked ? CONSENT_GIVEN : '')}
        />
        <span data-prompt>{tr.text(field.label)}</span>
      </label>
    );
  } else {
    control = (
      <>
        <label htmlFor={inputId} className="question" data-prompt>
          <Question tr={tr} field={field} />
        </label>
        <input
          id={inputId}
          key={field.id}
          className="answer"
          type="text"
          data-type={field.type}
          inputMode={keyboardKind === 'numeric' ? 'numeric' : inputModes[field.type]}
          placeholder={field.type === 'date' ? tr.t('form.datePlaceholder') : undefined}
          autoComplete="off"
          autoCorrect="off"
          spellCheck={false}
          ref={focusWithoutScroll}
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) =>
            answer(code?.capitalsOnly ? event.target.value.toUpperCase() : event.target.value)
          }
        />
        {field.type === 'date' ? (
          // Always there (empty while typing), so nothing moves when the read-back appears. With
          // Large text, three lines: a Setswana date error at 800 x 1280 takes three even at 150%
          // ("Ga go na letsatsi la 31 mo go Moranang 1990: e na le malatsi a le 30.").
          <MessageSlot lines={2} largeTextLines={3} kind="words">
            <p
              className={readBack && !readBack.valid ? 'date-words date-invalid' : 'date-words'}
              aria-live="polite"
              data-date-read-back={readBack ? (readBack.valid ? 'valid' : 'invalid') : 'empty'}
            >
              {readBack?.text ?? ''}
            </p>
          </MessageSlot>
        ) : null}
      </>
    );
  }

  return (
    <main ref={screen} className="screen form" data-screen="form" data-field={field.id}>
      <h1 className="form-title">{tr.text(service.title)}</h1>
      <p className="progress">{tr.t('form.step', { current: index + 1, total: fields.length })}</p>
      <progress max={fields.length} value={index + 1} aria-hidden="true" />
      <form onSubmit={submit} noValidate>
        {control}
        {field.hint ? (
          <p id={hintId} className="hint">
            {tr.text(field.hint)}
          </p>
        ) : null}
        <MessageSlot lines={2}>
          {problem ? (
            <p id={errorId} className="error" role="alert">
              {tr.problem(problem)}
            </p>
          ) : null}
        </MessageSlot>
        <div className="actions">
          <button type="button" className="secondary" onClick={onBack}>
            {tr.t('form.back')}
          </button>
          <button type="submit" className="primary">
            {tr.t('form.next')}
          </button>
        </div>
      </form>
      {keyboardKind ? (
        <OnScreenKeyboard
          tr={tr}
          kind={keyboardKind}
          language={tr.language}
          siteLanguages={siteLanguages}
          {...(code ? { code } : {})}
          digits={field.type !== 'text' || textTakesDigits(field.pattern)}
          value={value}
          onChange={answer}
          onEnter={next}
        />
      ) : null}
    </main>
  );
}
