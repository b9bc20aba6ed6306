import { z } from '../../kiosk-config/zod-mini';
import { languageCodeSchema } from '../../kiosk-config/schema';
import type {
  LanguageCode,
  LocalizedText,
  ServiceDefinition,
  SiteConfig,
} from '../../kiosk-config/schema';
import type { TransactionBody } from '../protocol/records';

/**
 * The receipt content model: everything a printed or PDF receipt says, as data. The renderer
 * builds it from what the kiosk already holds and sends it over `printer:print`; the ESC/POS and
 * PDF outputs both lay it out with the same labels. It lives in the bridge because it is part of
 * the channel contract and browser code may only import the bridge.
 */
export const paymentMethods = ['none', 'counter', 'mobile-money', 'card-terminal'] as const;

/**
 * Text a printer must print, never obey: C0/C1 control characters (ESC, GS, DLE... would reach an
 * ESC/POS printer as commands: cut, cash-drawer pulse, reset) and bidirectional overrides (which
 * can make a printed amount or reference read backwards) are removed. Found by the proof suite.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const unprintable = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const unprintableKeepingNewlines =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
const printable = (min: number, max: number, keepNewlines = false) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max)),
      z.transform((text) =>
        text.replace(keepNewlines ? unprintableKeepingNewlines : unprintable, ''),
      ),
    ),
    z.string().check(z.minLength(min)),
  );

export const receiptContentSchema = z.strictObject({
  /** The transaction; together with `copy` it is the print job's idempotency key. */
  txId: z.uuid(),
  /** 1 for the original; an officer's reprint asks for copy 2, 3, … */
  copy: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(99)), 1),
  language: languageCodeSchema,
  agency: printable(1, 200),
  site: printable(1, 200),
  kioskId: z.string().check(z.minLength(3)).check(z.maxLength(64)),
  channel: z.enum(['self-service', 'assisted']),
  service: z.strictObject({
    id: z.string().check(z.minLength(1)).check(z.maxLength(100)),
    title: printable(1, 200),
  }),
  ref: z.string().check(z.regex(/^[A-Z0-9-]{6,32}$/)),
  issuedAt: z.iso.datetime({ offset: true }),
  /** IANA zone the kiosk shows local time in; the receipt prints the same wall-clock time. */
  timeZone: z._default(z.string().check(z.minLength(1)).check(z.maxLength(64)), 'UTC'),
  fee: z.strictObject({
    amountMinor: z.number().check(z.int()).check(z.gte(0)),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  }),
  /**
   * The fee is a bill's amount, as the citizen stated it (a service with a `feeField`): the paper
   * names it "Amount to pay", as the review screen does, not "Fee". A job queued before this
   * field existed is a fee.
   */
  billAmount: z._default(z.boolean(), false),
  payment: z.strictObject({
    method: z.enum(paymentMethods),
    reference: z.optional(printable(1, 64)),
  }),
  delivery: z.enum(['queued', 'delivered']),
  /** The officer who completed an assisted transaction (printed under the payment). */
  officer: z.optional(
    z.strictObject({
      id: z.string().check(z.regex(/^[0-9]{8}$/)),
      // A name is printed, so it may not carry printer commands or bidi overrides.
      name: z
        .string()
        .check(z.minLength(1))
        .check(z.maxLength(100))
        .check(
          z.refine(
            (name) =>
              ![...name].some((c) => {
                const code = c.codePointAt(0) ?? 0;
                return (
                  code < 0x20 ||
                  (code >= 0x7f && code <= 0x9f) ||
                  (code >= 0x202a && code <= 0x202e) ||
                  (code >= 0x2066 && code <= 0x2069)
                );
              }),
            'must be printable',
          ),
        ),
    }),
  ),
  /** The service's receipt text in the session language: what the citizen does next. */
  nextSteps: printable(1, 2000, true),
});
export type ReceiptContent = z.output<typeof receiptContentSchema>;
export type ReceiptContentInput = z.input<typeof receiptContentSchema>;
export type PaymentMethod = (typeof paymentMethods)[number];

function inLanguage(text: LocalizedText, language: LanguageCode): string {
  return text[language] ?? text.en;
}

/**
 * What a receipt's QR code holds, on the screen and on paper alike: the reference, prefixed so
 * that a scanner's typed input can be told apart from typing (`SP:ABCD-EFGH-1`).
 */
export const RECEIPT_QR_PREFIX = 'SP:';

export function receiptQrText(ref: string): string {
  return `${RECEIPT_QR_PREFIX}${ref}`;
}

export interface ReceiptSource {
  site: Pick<SiteConfig, 'agency' | 'siteName' | 'kioskId'>;
  service: Pick<ServiceDefinition, 'id' | 'title' | 'receiptText' | 'feeField'>;
  transaction: Pick<TransactionBody, 'txId' | 'ref' | 'channel' | 'fee' | 'language'>;
  /** The chain record's `createdAt`. */
  issuedAt: string;
  timeZone?: string;
  payment?: { method: PaymentMethod; reference?: string };
  delivery: 'queued' | 'delivered';
  copy?: number;
}

/** Builds the receipt for a committed transaction; throws a ZodError if the data cannot print. */
export function buildReceiptContent(source: ReceiptSource): ReceiptContent {
  const language = z.catch(languageCodeSchema, 'en').parse(source.transaction.language);
  const payment =
    source.payment ??
    (source.transaction.fee.amountMinor === 0
      ? { method: 'none' as const }
      : { method: 'counter' as const });
  return receiptContentSchema.parse({
    txId: source.transaction.txId,
    copy: source.copy ?? 1,
    language,
    agency: source.site.agency,
    site: source.site.siteName,
    kioskId: source.site.kioskId,
    channel: source.transaction.channel,
    service: { id: source.service.id, title: inLanguage(source.service.title, language) },
    ref: source.transaction.ref,
    issuedAt: source.issuedAt,
    timeZone: source.timeZone ?? 'UTC',
    fee: source.transaction.fee,
    billAmount: source.service.feeField !== undefined,
    payment,
    delivery: source.delivery,
    nextSteps: inLanguage(source.service.receiptText, language),
  });
}
