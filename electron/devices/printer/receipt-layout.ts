import { formatDateTime, formatMoney } from '../../../kiosk-config/formatting';
import { receiptQrText } from '../../../sync/bridge/receipt-content';
import type { ReceiptContent } from '../../../sync/bridge/receipt-content';
import { receiptLabels } from './receipt-labels';

/**
 * The receipt as an ordered list of blocks with every word already chosen and formatted. ESC/POS
 * and PDF both draw exactly these blocks, so a printed and a PDF receipt never say different
 * things. Pure: no I/O.
 */
export type ReceiptBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'title'; text: string }
  | { kind: 'notice'; text: string }
  | { kind: 'field'; label: string; value: string }
  | { kind: 'reference'; label: string; value: string }
  | { kind: 'paragraph'; label: string; text: string }
  | { kind: 'qr'; value: string; caption: string }
  | { kind: 'footer'; text: string }
  | { kind: 'rule' };

export interface ReceiptLayout {
  language: ReceiptContent['language'];
  /** PDF metadata and print job title. */
  documentTitle: string;
  blocks: ReceiptBlock[];
}

/** Intl output uses no-break and narrow spaces; thermal code pages and text search want plain. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f\u2007\u2009]/g, ' ');
}

/** Date and time of issue on the site's wall clock, in the receipt's language (formatting.ts). */
export function formatReceiptDate(content: ReceiptContent): string {
  return plainSpaces(formatDateTime(content.issuedAt, content.language, content.timeZone));
}

/** The fee as the screen shows it (`P 50.00`, `BZ$50.00`), or the words for no fee. */
export function formatReceiptFee(content: ReceiptContent): string {
  if (content.fee.amountMinor === 0) return receiptLabels(content.language).noFee;
  return plainSpaces(formatMoney(content.fee));
}

export interface LayoutOptions {
  /**
   * A second print of a job whose first print may or may not have come out (the printer did not
   * confirm it): the paper says it is a copy, so two receipts in a citizen's hand are not taken
   * for two transactions.
   */
  duplicate?: boolean | undefined;
  /**
   * A reprint (copy 2, 3, …) when no earlier copy of the receipt reached paper: every earlier
   * copy's job ended `not-printed` (the printer was not ready, nothing came out). The paper says
   * so instead of "REPRINT", so the first paper a citizen holds does not read as a second one.
   */
  noEarlierCopyPrinted?: boolean | undefined;
}

export function layoutReceipt(content: ReceiptContent, options: LayoutOptions = {}): ReceiptLayout {
  const labels = receiptLabels(content.language);
  const blocks: ReceiptBlock[] = [
    { kind: 'heading', text: content.agency },
    { kind: 'subheading', text: content.site },
    { kind: 'rule' },
    { kind: 'title', text: labels.title },
  ];
  if (content.copy > 1) {
    blocks.push({
      kind: 'notice',
      text: options.noEarlierCopyPrinted
        ? labels.firstPrintedCopy(content.copy)
        : labels.reprint(content.copy),
    });
  }
  if (options.duplicate) blocks.push({ kind: 'notice', text: labels.duplicate });
  blocks.push(
    { kind: 'field', label: labels.service, value: content.service.title },
    { kind: 'reference', label: labels.reference, value: content.ref },
    { kind: 'field', label: labels.dateTime, value: formatReceiptDate(content) },
    {
      kind: 'field',
      label: content.billAmount ? labels.amountToPay : labels.fee,
      value: formatReceiptFee(content),
    },
    { kind: 'field', label: labels.payment, value: labels.paymentMethods[content.payment.method] },
  );
  if (content.payment.reference) {
    blocks.push({
      kind: 'field',
      label: labels.paymentReference,
      value: content.payment.reference,
    });
  }
  if (content.officer) {
    blocks.push({
      kind: 'field',
      label: labels.officer,
      value: `${content.officer.name} (${content.officer.id})`,
    });
  }
  blocks.push(
    { kind: 'field', label: labels.status, value: labels.delivery[content.delivery] },
    { kind: 'rule' },
    { kind: 'paragraph', label: labels.nextSteps, text: content.nextSteps },
    { kind: 'qr', value: receiptQrText(content.ref), caption: labels.scanToCheck },
    { kind: 'rule' },
  );
  const footer = labels.kiosk(content.kioskId);
  blocks.push({
    kind: 'footer',
    text: content.channel === 'assisted' ? `${footer} - ${labels.assisted}` : footer,
  });
  return { language: content.language, documentTitle: `${labels.title} ${content.ref}`, blocks };
}
