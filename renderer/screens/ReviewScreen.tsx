import { ServiceIcon } from '../components/ServiceIcon';
import type { FieldDefinition, ServiceDefinition } from '../../kiosk-config/schema';
import { amountMinor, splitList } from '../../kiosk-config/field-validation';
import { serviceFee } from '../../kiosk-config/service-fee';
import { parseDateInput } from '../../kiosk-config/formatting';
import type { Translator } from '../i18n/translator';
import { focusWithoutScroll } from '../components/focus';

interface ReviewScreenProps {
  tr: Translator;
  service: ServiceDefinition;
  fields: FieldDefinition[];
  answers: Record<string, string>;
  /** Change one answer; the flow comes back here once it is answered. */
  onChange: (index: number) => void;
  /** Back: to the last question, walking back through the form. */
  onBackToQuestions: () => void;
  onContinue: () => void;
}

/** An answer as the citizen saw it: the option's label, the date in words, the ticked papers. */
export function displayValue(
  tr: Translator,
  field: FieldDefinition,
  value: string,
  currency: string,
): string {
  if (!value) return '';
  switch (field.type) {
    case 'amount': {
      const minor = amountMinor(value);
      return minor === undefined ? value : tr.money({ amountMinor: minor, currency });
    }
    case 'choice':
      return tr.text(field.options.find((o) => o.value === value)?.label ?? { en: value });
    case 'documents':
      return splitList(value)
        .map((id) => tr.text(field.items.find((item) => item.id === id)?.label ?? { en: id }))
        .join(', ');
    case 'date': {
      // Never rolled into another day: an impossible date is shown as typed.
      const parsed = parseDateInput(value);
      return parsed.ok ? tr.date(parsed.date) : value;
    }
    default:
      return value;
  }
}

export function ReviewScreen({
  tr,
  service,
  fields,
  answers,
  onChange,
  onBackToQuestions,
  onContinue,
}: ReviewScreenProps) {
  const fee = serviceFee(service, answers);
  return (
    <main className="screen" data-screen="review">
      <h1 data-prompt>{tr.t('review.title')}</h1>
      <h2>
        <ServiceIcon name={service.icon} size={40} />
        {tr.text(service.title)}
      </h2>
      <dl className="review-list">
        {fields.map((field, index) => (
          <div key={field.id} className="review-row">
            <dt>{tr.text(field.label)}</dt>
            <dd>
              <span data-answer={field.id}>
                {displayValue(tr, field, answers[field.id] ?? '', service.fee.currency) || '—'}
              </span>
              <button
                type="button"
                className="chip chip-quiet"
                aria-label={`${tr.t('review.change')}: ${tr.text(field.label)}`}
                onClick={() => onChange(index)}
              >
                {tr.t('review.change')}
              </button>
            </dd>
          </div>
        ))}
        <div className="review-row total">
          {/* A bill's amount is no fee: its total row says what is to be paid. */}
          <dt>{tr.t(service.feeField === undefined ? 'review.fee' : 'review.amountToPay')}</dt>
          <dd>{fee.amountMinor > 0 ? tr.money(fee) : tr.t('services.free')}</dd>
        </div>
      </dl>
      <div className="actions">
        <button type="button" className="secondary" onClick={onBackToQuestions}>
          {tr.t('form.back')}
        </button>
        <button type="button" className="primary" onClick={onContinue} ref={focusWithoutScroll}>
          {tr.t('review.continue')}
        </button>
      </div>
    </main>
  );
}
