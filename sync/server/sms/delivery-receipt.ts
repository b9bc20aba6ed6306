import type { SmsMessageState } from './sms-store';

/** A delivery receipt from the SMS centre, read from a deliver_sm. */
export interface DeliveryReceipt {
  /** The SMS centre's message id (from submit_sm_resp) the receipt is about. */
  smscMessageId: string;
  /** The final state word: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD, ENROUTE. */
  stat: string;
  /** The network error code, when given. */
  error: string | null;
  /** What the message state becomes. */
  state: SmsMessageState;
}

/** esm_class bit 2 (0x04): "SMSC Delivery Receipt" (SMPP v3.4 §5.2.12). */
export const ESM_DELIVERY_RECEIPT = 0x04;

/** The message_state TLV's values (SMPP v3.4 §5.2.28) by their receipt words. */
const STATE_WORDS: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/**
 * What a receipt word means, in GOV.UK Notify's terms: DELIVRD is delivered; EXPIRED (the
 * phone stayed off or out of reach until the validity period ran out) and UNKNOWN are temporary
 * failures; UNDELIV, REJECTD and DELETED are permanent failures (the number cannot receive it,
 * or the network refused it); ENROUTE, ACCEPTD and anything else leave it sending.
 */
export function stateOfStat(stat: string): SmsMessageState {
  switch (stat.toUpperCase()) {
    case 'DELIVRD':
      return 'delivered';
    case 'EXPIRED':
    case 'UNKNOWN':
      return 'temporary-failure';
    case 'UNDELIV':
    case 'REJECTD':
    case 'DELETED':
      return 'permanent-failure';
    default:
      return 'sending';
  }
}

/**
 * The receipt text format of SMPP v3.4 Appendix B, which most SMS centres send:
 * `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD
 * err:E text:…`. Fields are matched by name, in any case; `text` and anything after it is not
 * read (it repeats the start of the citizen's message).
 */
const RECEIPT_TEXT = /\bid:(?<id>[^\s]+).*?\bstat:(?<stat>[A-Za-z]+)(?:.*?\berr:(?<err>[^\s]+))?/is;

/**
 * Reads a delivery receipt from a deliver_sm's fields, or undefined when it is not one (a
 * citizen's own message). The message id and state come from the receipted_message_id and
 * message_state TLVs (SMPP v3.4 §5.3.2.12, §5.3.2.35) when present, else from the receipt text.
 * A deliver_sm marked as a receipt (esm_class 0x04) that names no message is `{malformed}`:
 * it must not be read as a citizen's reply.
 */
export function parseDeliveryReceipt(pdu: {
  esm_class?: unknown;
  short_message?: unknown;
  receipted_message_id?: unknown;
  message_state?: unknown;
  network_error_code?: unknown;
  text: string;
}): DeliveryReceipt | { malformed: string } | undefined {
  const esm = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
  const match = RECEIPT_TEXT.exec(pdu.text);
  const isReceipt =
    (esm & 0x3c) === ESM_DELIVERY_RECEIPT || typeof pdu.receipted_message_id === 'string';
  if (!isReceipt) return undefined;
  const tlvId = typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id.trim() : '';
  const id = tlvId || match?.groups?.id;
  if (!id) return { malformed: 'no message id in the receipt' };
  const tlvState =
    typeof pdu.message_state === 'number' ? STATE_WORDS[pdu.message_state] : undefined;
  const stat = (tlvState ?? match?.groups?.stat ?? 'UNKNOWN').toUpperCase();
  const err = match?.groups?.err ?? null;
  return { smscMessageId: id, stat, error: err, state: stateOfStat(stat) };
}

/**
 * The ids a receipt's id may stand for: SMS centres differ on whether the id in the receipt
 * text is written as in submit_sm_resp or converted (decimal in the text, hex in the response,
 * as Kannel and several SMSCs do).
 */
export function receiptIdCandidates(id: string): string[] {
  const ids = new Set([id]);
  if (/^\d{1,20}$/.test(id)) ids.add(BigInt(id).toString(16));
  if (/^[0-9a-f]{1,16}$/i.test(id)) ids.add(BigInt(`0x${id}`).toString(10));
  return [...ids];
}
