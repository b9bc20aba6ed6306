import { isFieldShown } from './field-validation';
import type { FieldDefinition, LocalizedText, PaymentMethod, ServiceDefinition } from './schema';

/** Labels of the payment step: part of the kiosk, not of any one catalogue. */
const paymentMethodLabels: Record<PaymentMethod, LocalizedText> = {
  counter: {
    en: 'Pay at the counter',
    es: 'Pagar en la ventanilla',
    bzj: 'Pay da di kounta',
    tn: 'Duela kwa khaontareng',
  },
  'mobile-money': {
    en: 'Mobile money (I already paid)',
    es: 'Dinero móvil (ya pagué)',
    bzj: 'Foan moni (ai done pay)',
    tn: 'Madi a mogala (ke setse ke duetse)',
  },
  'card-terminal': {
    en: 'Bank card at the card machine',
    es: 'Tarjeta en la máquina de tarjetas',
    bzj: 'Bank kyaad da di kyaad masheen',
    tn: 'Karata ya banka mo motšhining',
  },
};

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
      id: 'paymentMethod',
      type: 'choice',
      required: true,
      personal: false,
      label: {
        en: 'How will you pay?',
        es: '¿Cómo va a pagar?',
        bzj: 'Hou yu wahn pay?',
        tn: 'O tla duela jang?',
      },
      options: methods.map((method) => ({ value: method, label: paymentMethodLabels[method] })),
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
      showIf: { field: 'paymentMethod', in: withReference },
      label: {
        en: 'Payment reference from your phone or the card slip',
        es: 'Referencia del pago de su teléfono o del comprobante',
        bzj: 'Payment referens fram yu foan ar di kyaad slip',
        tn: 'Nomoro ya tuelo go tswa mo mogaleng kgotsa mo resiting ya karata',
      },
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
    if (value) fields[field.id] = value;
  }
  return fields;
}
