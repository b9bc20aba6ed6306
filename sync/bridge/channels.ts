import { z } from '../../kiosk-config/zod-mini';
import {
  cardReadSchema,
  printJobReplySchema,
  printerStatusSchema,
  resolvePrintJobSchema,
  uncertainPrintJobsSchema,
  waitingPrintJobsSchema,
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
import { speakReplySchema, speakRequestSchema, speechVoicesReplySchema } from './speech-payloads';

/**
 * The one map from bridge channel (`domain:verb`) to its request and response schemas. Both
 * shells route with it and the renderer's clients are typed by it; nothing else defines a channel.
 */
export const kioskInfoSchema = z.strictObject({
  kioskId: z.string(),
  shell: z.enum(['electron', 'browser', 'simulated']),
  appVersion: z.string(),
  gatewayUrl: z.url(),
  /** One-time token for the first contact with the gateway; absent once enrolled elsewhere. */
  enrolmentToken: z.optional(z.string()),
  simulatedDevices: z.array(z.enum(['printer', 'card-reader'])),
});
export type KioskInfo = z.infer<typeof kioskInfoSchema>;

export const logEntrySchema = z.strictObject({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string().check(z.maxLength(2000)),
});

const noArgs = z.undefined();

/** `operator:exit`: the only way out of kiosk mode; the shell checks the PIN (scrypt, lock-out). */
export const operatorExitRequestSchema = z.strictObject({
  pin: z.string().check(z.regex(/^\d{6,12}$/, 'must be 6 to 12 digits')),
});
export const operatorExitResponseSchema = z.discriminatedUnion('result', [
  z.strictObject({ result: z.literal('exiting') }),
  z.strictObject({
    result: z.literal('wrong-pin'),
    attemptsLeft: z.number().check(z.int()).check(z.gte(0)),
  }),
  z.strictObject({
    result: z.literal('locked'),
    retryAfterSeconds: z.number().check(z.int()).check(z.gte(0)),
  }),
  /** No PIN is configured on this kiosk, or this shell cannot leave kiosk mode. */
  z.strictObject({ result: z.literal('disabled') }),
]);
export type OperatorExitResult = z.infer<typeof operatorExitResponseSchema>;

/** `session:state`: the page tells the shell whether a citizen session is open (no restarts then). */
export const sessionStateSchema = z.strictObject({ active: z.boolean() });

export const channels = {
  'kiosk:info': { request: noArgs, response: kioskInfoSchema },
  'config:get': {
    request: noArgs,
    // The renderer validates these with the kiosk-config schemas; the shell already did too.
    response: z.strictObject({ site: z.unknown(), catalogue: z.unknown() }),
  },
  'log:write': { request: logEntrySchema, response: z.undefined() },
  /** The at-rest data key (32 bytes, base64url) from the shell's key custody; see the README, Sync. */
  'keys:data-key': {
    request: noArgs,
    response: z.strictObject({ key: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)) }),
  },
  'operator:exit': { request: operatorExitRequestSchema, response: operatorExitResponseSchema },
  'session:state': { request: sessionStateSchema, response: z.undefined() },
  /** Prints a receipt (idempotent by transaction and copy); held, not lost, if the printer is not ready. */
  'printer:print': { request: receiptContentSchema, response: printJobReplySchema },
  'printer:status': { request: noArgs, response: printerStatusSchema },
  /** Receipts the printer did not confirm printing, for an officer or operator to decide. */
  'printer:uncertain-jobs': { request: noArgs, response: uncertainPrintJobsSchema },
  /** Receipts waiting for the printer to be ready (a reprint asked twice is not queued twice). */
  'printer:waiting-jobs': { request: noArgs, response: waitingPrintJobsSchema },
  /** That decision: it printed, or print it again (the paper then says it is a copy). */
  'printer:resolve': { request: resolvePrintJobSchema, response: printJobReplySchema },
  /**
   * What a keyboard-wedge reader or scanner typed, caught by the page before it reached a field;
   * the shell parses it with the same parsers as a HID read. Never logged.
   */
  'card-reader:wedge-read': {
    request: z.strictObject({ text: z.string().check(z.minLength(1)).check(z.maxLength(400)) }),
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
  /** The languages the shell can speak offline (espeak-ng), one voice each; may be none. */
  'speech:voices': { request: noArgs, response: speechVoicesReplySchema },
  /** Speaks one prompt offline into a WAV clip for the page to play; the text is never logged. */
  'speech:speak': { request: speakRequestSchema, response: speakReplySchema },
} as const;

/** Events the shell pushes to the page. */
export const events = {
  'kiosk:notice': z.strictObject({ message: z.string() }),
  /** A card swipe or code scan, parsed; never the raw track. */
  'card-reader:read': cardReadSchema,
  'printer:status': printerStatusSchema,
} as const;

export type ChannelName = keyof typeof channels;
/** What the page sends on a channel (the schema's input: defaults may be left out). */
export type RequestOf<C extends ChannelName> = z.input<(typeof channels)[C]['request']>;
/** What a shell's handler receives once the router has parsed the request (defaults applied). */
export type ParsedRequestOf<C extends ChannelName> = z.output<(typeof channels)[C]['request']>;
/** What the page gets back: the response schema's output. */
export type ResponseOf<C extends ChannelName> = z.output<(typeof channels)[C]['response']>;
/** `invoke`'s arguments after the channel: none for a channel that takes no request. */
export type RequestArgs<C extends ChannelName> =
  RequestOf<C> extends undefined ? [] : [request: RequestOf<C>];
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/**
 * The same map seen channel by channel: TypeScript checks here that every entry of `channels`
 * parses to its own request and response types, and a lookup with a generic channel then keeps
 * its type (a plain index into `channels` would widen to the union of every schema).
 */
export const channelSchemas: {
  readonly [C in ChannelName]: {
    readonly request: z.ZodMiniType<ParsedRequestOf<C>, RequestOf<C>>;
    readonly response: z.ZodMiniType<ResponseOf<C>>;
  };
} = channels;

/** Events seen event by event, for the same reason as `channelSchemas`. */
export const eventSchemas: { readonly [E in EventName]: z.ZodMiniType<EventPayload<E>> } = events;

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(channels, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}
