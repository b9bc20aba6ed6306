import { ServiceIcon } from '../components/ServiceIcon';
import { useState } from 'react';
import type { ServiceDefinition } from '../../kiosk-config/schema';
import type { Translator } from '../i18n/translator';

interface ReviewScreenProps {
  tr: Translator;
  service: ServiceDefinition;
  answers: Record<string, string>;
  onChange: (index: number) => void;
  onSubmit: () => Promise<void>;
}

function displayValue(
  tr: Translator,
  service: ServiceDefinition,
  fieldId: string,
  value: string,
): string {
  const field = service.fields.find((f) => f.id === fieldId);
  if (field?.type === 'choice') {
    const option = field.options.find((o) => o.value === value);
    if (option) return tr.text(option.label);
  }
  return value;
}

export function ReviewScreen({ tr, service, answers, onChange, onSubmit }: ReviewScreenProps) {
  const [state, setState] = useState<'ready' | 'saving' | 'failed'>('ready');
  const submit = async () => {
    setState('saving');
    try {
      await onSubmit();
    } catch {
      setState('failed');
    }
  };
  return (
    <main className="screen" data-screen="review">
      <h1>{tr.t('review.title')}</h1>
      <h2>
        <ServiceIcon name={service.icon} size={40} />
        {tr.text(service.title)}
      </h2>
      <dl className="review-list">
        {service.fields.map((field, index) => (
          <div key={field.id} className="review-row">
            <dt>{tr.text(field.label)}</dt>
            <dd data-answer={field.id}>
              {displayValue(tr, service, field.id, answers[field.id] ?? '') || '—'}
            </dd>
            <button type="button" className="chip chip-quiet" onClick={() => onChange(index)}>
              {tr.t('review.change')}
            </button>
          </div>
        ))}
        <div className="review-row total">
          <dt>{tr.t('review.fee')}</dt>
          <dd>{service.fee.amountMinor > 0 ? tr.money(service.fee) : tr.t('services.free')}</dd>
        </div>
      </dl>
      {state === 'failed' ? (
        <p className="error" role="alert">
          {tr.t('error.commitFailed')}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => onChange(service.fields.length - 1)}
        >
          {tr.t('form.back')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={state === 'saving'}
          onClick={() => void submit()}
        >
          {state === 'saving' ? tr.t('review.submitting') : tr.t('review.submit')}
        </button>
      </div>
    </main>
  );
}
