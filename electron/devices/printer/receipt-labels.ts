import type { LanguageCode } from '../../../kiosk-config/schema';
import type { PaymentMethod } from '../../../sync/bridge/receipt-content';

/** The fixed words on a receipt. Service text (title, next steps) comes from the catalogue. */
export interface ReceiptLabels {
  title: string;
  service: string;
  reference: string;
  dateTime: string;
  fee: string;
  noFee: string;
  payment: string;
  paymentReference: string;
  paymentMethods: Record<PaymentMethod, string>;
  status: string;
  delivery: { queued: string; delivered: string };
  nextSteps: string;
  scanToCheck: string;
  kiosk: string;
  assisted: string;
  officer: string;
  reprint: (copy: number) => string;
  /** On a second print of a receipt the printer did not confirm. */
  duplicate: string;
}

const en: ReceiptLabels = {
  title: 'Receipt',
  service: 'Service',
  reference: 'Reference number',
  dateTime: 'Date and time',
  fee: 'Fee',
  noFee: 'No fee',
  payment: 'Payment',
  paymentReference: 'Payment reference',
  paymentMethods: {
    none: 'Nothing to pay',
    counter: 'Pay at the counter',
    'mobile-money': 'Mobile money',
    'card-terminal': 'Card terminal',
  },
  status: 'Status',
  delivery: {
    queued: 'Queued: will be sent automatically',
    delivered: 'Delivered',
  },
  nextSteps: 'What to do next',
  scanToCheck: 'Keep this receipt. Scan the code to check your request.',
  kiosk: 'Kiosk',
  assisted: 'Completed with an officer',
  officer: 'Officer',
  reprint: (copy) => `REPRINT - copy ${copy}`,
  duplicate: 'COPY - the first print may have failed',
};

const es: ReceiptLabels = {
  title: 'Recibo',
  service: 'Servicio',
  reference: 'Número de referencia',
  dateTime: 'Fecha y hora',
  fee: 'Tarifa',
  noFee: 'Sin costo',
  payment: 'Pago',
  paymentReference: 'Referencia de pago',
  paymentMethods: {
    none: 'Nada que pagar',
    counter: 'Pagar en ventanilla',
    'mobile-money': 'Dinero móvil',
    'card-terminal': 'Terminal de tarjeta',
  },
  status: 'Estado',
  delivery: {
    queued: 'En cola: se enviará automáticamente',
    delivered: 'Entregado',
  },
  nextSteps: '¿Qué hacer ahora?',
  scanToCheck: 'Guarde este recibo. Escanee el código para consultar su solicitud.',
  kiosk: 'Quiosco',
  assisted: 'Realizado con un funcionario',
  officer: 'Funcionario',
  reprint: (copy) => `REIMPRESIÓN - copia ${copy}`,
  duplicate: 'COPIA - la primera impresión pudo fallar',
};

// Kriol and Setswana receipts use English labels until reviewed translations exist; the service
// title and next steps still print in the session language from the catalogue.
const labels: Partial<Record<LanguageCode, ReceiptLabels>> = { en, es };

export function receiptLabels(language: LanguageCode): ReceiptLabels {
  return labels[language] ?? en;
}
