import { z } from 'zod';
import {
  cardReadSchema,
  printJobReplySchema,
  printerStatusSchema,
  resolvePrintJobSchema,
  uncertainPrintJobsSchema,
} from './device-payloads';
import {
  bundleWriteReplySchema,
  bundleWriteRequestSchema,
  logTailReplySchema,
  logTailRequestSchema,
  reportDocumentSchema,
  reportPdfReplySchema,
  simulatePrinterSchema,
  simulateSwipeSchema,
} from './operator-payloads';
import { receiptContentSchema } from './receipt-content';

/**
 * The one map from bridge channel (`domain:verb`) to its request and response schemas. Both
 * shells route with it and the renderer's clients are typed by it; nothing else defines a channel.
 */
export const kioskInfoSchema = z
  .object({
    kioskId: z.string(),
    shell: z.enum(['electron', 'browser', 'simulated']),
    appVersion: z.string(),
    gatewayUrl: z.string().url(),
    /** One-time token for the first contact with the gateway; absent once enrolled elsewhere. */
    enrolmentToken: z.string().optional(),
    simulatedDevices: z.array(z.enum(['printer', 'card-reader'])),
  })
  .strict();
export type KioskInfo = z.infer<typeof kioskInfoSchema>;

export const logEntrySchema = z
  .object({
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string().max(2000),
  })
  .strict();

const noArgs = z.undefined();

/** `operator:exit`: the only way out of kiosk mode; the shell checks the PIN (scrypt, lock-out). */
export const operatorExitRequestSchema = z
  .object({ pin: z.string().regex(/^\d{6,12}$/, 'must be 6 to 12 digits') })
  .strict();
export const operatorExitResponseSchema = z.discriminatedUnion('result', [
  z.object({ result: z.literal('exiting') }).strict(),
  z.object({ result: z.literal('wrong-pin'), attemptsLeft: z.number().int().min(0) }).strict(),
  z.object({ result: z.literal('locked'), retryAfterSeconds: z.number().int().min(0) }).strict(),
  /** No PIN is configured on this kiosk, or this shell cannot leave kiosk mode. */
  z.object({ result: z.literal('disabled') }).strict(),
]);
export type OperatorExitResult = z.infer<typeof operatorExitResponseSchema>;

/** `session:state`: the page tells the shell whether a citizen session is open (no restarts then). */
export const sessionStateSchema = z.object({ active: z.boolean() }).strict();

export const channels = {
  'kiosk:info': { request: noArgs, response: kioskInfoSchema },
  'config:get': {
    request: noArgs,
    // The renderer validates these with the kiosk-config schemas; the shell already did too.
    response: z.object({ site: z.unknown(), catalogue: z.unknown() }).strict(),
  },
  'log:write': { request: logEntrySchema, response: z.undefined() },
  /** The at-rest data key (32 bytes, base64url) from the shell's key custody; see the README, Sync. */
  'keys:data-key': {
    request: noArgs,
    response: z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict(),
  },
  'operator:exit': { request: operatorExitRequestSchema, response: operatorExitResponseSchema },
  'session:state': { request: sessionStateSchema, response: z.undefined() },
  /** Prints a receipt (idempotent by transaction and copy); held, not lost, if the printer is not ready. */
  'printer:print': { request: receiptContentSchema, response: printJobReplySchema },
  'printer:status': { request: noArgs, response: printerStatusSchema },
  /** Receipts the printer did not confirm printing, for an officer or operator to decide. */
  'printer:uncertain-jobs': { request: noArgs, response: uncertainPrintJobsSchema },
  /** That decision: it printed, or print it again (the paper then says it is a copy). */
  'printer:resolve': { request: resolvePrintJobSchema, response: printJobReplySchema },
  /**
   * What a keyboard-wedge reader or scanner typed, caught by the page before it reached a field;
   * the shell parses it with the same parsers as a HID read. Never logged.
   */
  'card-reader:wedge-read': {
    request: z.object({ text: z.string().min(1).max(400) }).strict(),
    response: cardReadSchema,
  },
  /** Renders a report the page has put in words (end of day) to an A4 PDF in the data dir. */
  'report:pdf': { request: reportDocumentSchema, response: reportPdfReplySchema },
  /** A swipe on the simulated card reader (refused when the reader is real hardware). */
  'card-reader:simulate-swipe': { request: simulateSwipeSchema, response: cardReadSchema },
  /** Paper out / paper back on the simulated printer (refused when the printer is real). */
  'printer:simulate': { request: simulatePrinterSchema, response: printerStatusSchema },
  /** Writes a USB bundle, in parts, to a removable drive folder or the kiosk's export folder. */
  'bundle:write': { request: bundleWriteRequestSchema, response: bundleWriteReplySchema },
  /** The shell's recent log lines for the operator console; never personal data. */
  'log:tail': { request: logTailRequestSchema, response: logTailReplySchema },
} as const;

/** Events the shell pushes to the page. */
export const events = {
  'kiosk:notice': z.object({ message: z.string() }).strict(),
  /** A card swipe or code scan, parsed; never the raw track. */
  'card-reader:read': cardReadSchema,
  'printer:status': printerStatusSchema,
} as const;

export type ChannelName = keyof typeof channels;
export type RequestOf<C extends ChannelName> = z.input<(typeof channels)[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.output<(typeof channels)[C]['response']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(channels, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}
