import { canonicalAnswer, isFieldShown } from './field-validation';
import { translations } from './messages';
import type { MessageKey } from './messages';
import type {
  FieldDefinition,
  LanguageCode,
  LocalizedText,
  PaymentMethod,
  ServiceDefinition,
} from './schema';

/** A kiosk message in every language, as catalogue text (the payment step is the kiosk's). */
function allLanguages(key: MessageKey): LocalizedText {
  const text = (language: LanguageCode): string => translations[language][key];
  return { en: text('en'), es: text('es'), bzj: text('bzj'), tn: text('tn') };
}

/** The payment step's first question: how the citizen pays (its screen shows the amount due). */
export const PAYMENT_METHOD_FIELD = 'paymentMethod';

/**
 * The payment step as ordinary fields, so it is asked, checked, reviewed and submitted like any
 * other answer: the method, then its reference when the method has one. The kiosk records
 * these; it never charges a card itself.
 */
export function paymentFields(service: ServiceDefinition): FieldDefinition[] {
  const methods = service.paymentMethods;
  if (!methods) return [];
  const withReference = methods.filter((method) => method !== 'counter');
  const fields: FieldDefinition[] = [
    {
      id: PAYMENT_METHOD_FIELD,
      type: 'choice',
      required: true,
      personal: false,
      label: allLanguages('payment.question'),
      options: methods.map((method: PaymentMethod) => ({
        value: method,
        label: allLanguages(`payment.choice.${method}`),
      })),
    },
  ];
  if (withReference.length > 0) {
    fields.push({
      id: 'paymentReference',
      type: 'text',
      required: true,
      personal: false,
      minLength: 4,
      maxLength: 32,
      pattern: '^[A-Za-z0-9-]+$',
      showIf: { field: PAYMENT_METHOD_FIELD, in: withReference },
      label: allLanguages('payment.reference'),
    });
  }
  return fields;
}

/**
 * The questions asked one per screen, in order: the catalogue's shown fields (consent excluded,
 * it has its own step after review), then the payment step.
 */
export function askedFields(
  service: ServiceDefinition,
  answers: Record<string, string>,
): FieldDefinition[] {
  return [
    ...service.fields.filter((field) => field.type !== 'consent'),
    ...paymentFields(service),
  ].filter((field) => isFieldShown(field, answers));
}

/** The agreements shown on the consent step, after review. */
export function consentFields(
  service: ServiceDefinition,
  answers: Record<string, string>,
): FieldDefinition[] {
  return service.fields.filter((field) => field.type === 'consent' && isFieldShown(field, answers));
}

/**
 * The answers that are submitted: those of shown fields only, trimmed, empty ones left out. A
 * field hidden by a later change of answer is dropped, never sent with a stale value.
 */
export function submittedAnswers(
  service: ServiceDefinition,
  answers: Record<string, string>,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of [...askedFields(service, answers), ...consentFields(service, answers)]) {
    const value = answers[field.id]?.trim();
    // Dates go out as YYYY-MM-DD and amounts with two decimals, however they were typed.
    if (value) fields[field.id] = canonicalAnswer(field, value);
  }
  return fields;
}
