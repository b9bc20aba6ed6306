import { createMessages } from '../../../kiosk-config/messages';
import type { LanguageCode } from '../../../kiosk-config/schema';
import type { PaymentMethod } from '../../../sync/bridge/receipt-content';

/**
 * The fixed words on a receipt, in the citizen's language. They come from the kiosk's
 * translations (kiosk-config/translations, `paper.*` and the screen's own keys), so paper, PDF
 * and screen say the same thing; service text (title, next steps) comes from the catalogue.
 */
export interface ReceiptLabels {
  title: string;
  service: string;
  reference: string;
  dateTime: string;
  fee: string;
  /** In place of `fee` when it is a bill's amount (ReceiptContent `billAmount`). */
  amountToPay: string;
  noFee: string;
  payment: string;
  paymentReference: string;
  paymentMethods: Record<PaymentMethod, string>;
  status: string;
  delivery: { queued: string; delivered: string };
  nextSteps: string;
  scanToCheck: string;
  /** "Kiosk demo-kiosk-01" */
  kiosk: (kioskId: string) => string;
  assisted: string;
  officer: string;
  reprint: (copy: number) => string;
  /** A reprint when no earlier copy was printed (receipt-layout.ts `noEarlierCopyPrinted`). */
  firstPrintedCopy: (copy: number) => string;
  /** On a second print of a receipt the printer did not confirm. */
  duplicate: string;
}

export function receiptLabels(language: LanguageCode): ReceiptLabels {
  const { t } = createMessages(language);
  return {
    title: t('paper.title'),
    service: t('paper.service'),
    // The same words as on the receipt screen.
    reference: t('receipt.reference'),
    dateTime: t('paper.dateTime'),
    fee: t('review.fee'),
    amountToPay: t('review.amountToPay'),
    noFee: t('services.free'),
    payment: t('paper.payment'),
    paymentReference: t('paper.paymentReference'),
    paymentMethods: {
      none: t('payment.method.none'),
      counter: t('payment.method.counter'),
      'mobile-money': t('payment.method.mobile-money'),
      'card-terminal': t('payment.method.card-terminal'),
    },
    status: t('paper.status'),
    delivery: { queued: t('receipt.state.queued'), delivered: t('receipt.state.delivered') },
    nextSteps: t('paper.nextSteps'),
    scanToCheck: t('paper.keep'),
    kiosk: (kioskId) => t('paper.kiosk', { id: kioskId }),
    assisted: t('paper.assisted'),
    officer: t('paper.officer'),
    // A copy number is a count, never "1,000"-grouped: it is at most 99.
    reprint: (copy) => t('paper.reprint', { copy: String(copy) }),
    firstPrintedCopy: (copy) => t('paper.firstPrintedCopy', { copy: String(copy) }),
    duplicate: t('paper.duplicate'),
  };
}
