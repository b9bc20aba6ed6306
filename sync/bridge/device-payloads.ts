import { z } from '../../kiosk-config/zod-mini';

/**
 * What the device services report across the bridge: printer status, print job outcomes and card
 * reads. Card reads carry only what the page needs (never a full card number or raw track).
 */
export const printerStates = [
  'online',
  'paper-low',
  'paper-out',
  'cover-open',
  'offline',
  /** The transport has no back channel (a CUPS queue), so the printer cannot be asked. */
  'unknown',
] as const;
export const printerStateSchema = z.enum(printerStates);
export type PrinterState = z.infer<typeof printerStateSchema>;

export const printerStatusSchema = z.strictObject({
  state: printerStateSchema,
  /** A short coded reason for the operator screen, e.g. `no-reply`, `recoverable-error`. */
  detail: z.optional(z.string().check(z.maxLength(200))),
  checkedAt: z.nullable(z.iso.datetime()),
  simulated: z.boolean(),
  /** Jobs waiting for the printer to be ready again (out of paper, cover open, offline). */
  heldJobs: z.number().check(z.int()).check(z.gte(0)),
  /** Jobs whose outcome is unknown after a crash mid-print; an operator decides on a reprint. */
  uncertainJobs: z.number().check(z.int()).check(z.gte(0)),
});
export type PrinterStatus = z.infer<typeof printerStatusSchema>;

export const printJobStates = [
  'queued',
  'printing',
  'printed',
  'held',
  'uncertain',
  /** A self-service original the printer could not print while the citizen was there. */
  'not-printed',
] as const;
export const printJobReplySchema = z.strictObject({
  jobId: z.string().check(z.minLength(1)).check(z.maxLength(200)),
  state: z.enum(printJobStates),
  /**
   * For a job `held` or `not-printed` because the printer was not ready: the state it was in
   * (`paper-out`, `cover-open`, `offline`, …), so the page can say what is wrong. Absent when a
   * print failed otherwise.
   */
  printer: z.optional(printerStateSchema),
});
export type PrintJobReply = z.infer<typeof printJobReplySchema>;

/**
 * A receipt whose print the printer did not confirm (the connection broke mid-job, no
 * confirmation came, or the kiosk stopped while printing): it may or may not be on paper, so an
 * officer or operator looks and decides. Carries the reference and copy only, never content.
 */
export const uncertainPrintJobSchema = z.strictObject({
  jobId: z.string().check(z.minLength(1)).check(z.maxLength(200)),
  ref: z.optional(z.string().check(z.regex(/^[A-Z0-9-]{6,32}$/))),
  copy: z.optional(z.number().check(z.int()).check(z.gte(1)).check(z.lte(99))),
  /** `job-interrupted`, `job-unconfirmed` or `interrupted-while-printing`. */
  reason: z.optional(z.string().check(z.maxLength(200))),
  since: z.iso.datetime(),
});
export type UncertainPrintJob = z.infer<typeof uncertainPrintJobSchema>;

export const uncertainPrintJobsSchema = z.strictObject({
  jobs: z.array(uncertainPrintJobSchema).check(z.maxLength(100)),
});

/**
 * A receipt waiting for the printer (held while it is out of paper, its cover open or offline,
 * queued behind another, or being printed now): it prints by itself once the printer is ready.
 * Reference and copy only, never content; `since` is when it was queued.
 */
export const waitingPrintJobSchema = z.strictObject({
  jobId: z.string().check(z.minLength(1)).check(z.maxLength(200)),
  ref: z.optional(z.string().check(z.regex(/^[A-Z0-9-]{6,32}$/))),
  copy: z.optional(z.number().check(z.int()).check(z.gte(1)).check(z.lte(99))),
  since: z.iso.datetime(),
});
export type WaitingPrintJob = z.infer<typeof waitingPrintJobSchema>;

export const waitingPrintJobsSchema = z.strictObject({
  jobs: z.array(waitingPrintJobSchema).check(z.maxLength(1000)),
});

/**
 * Why a job is `uncertain` when it was waiting for the printer (held or queued) as the kiosk
 * stopped: nothing of it is on paper, but whoever asked for it may have gone, so a person decides
 * (print-queue.ts). The page lists these apart from receipts the printer did not confirm.
 */
export const WAITING_AT_RESTART = 'waiting-at-restart';

/**
 * The decision on an uncertain print: it is on paper, print it again (marked as a copy unless it
 * was only waiting when the kiosk restarted), or do not print it (print-queue.ts).
 */
export const resolvePrintJobSchema = z.strictObject({
  jobId: z.string().check(z.minLength(1)).check(z.maxLength(200)),
  decision: z.enum(['was-printed', 'print-again', 'do-not-print']),
});
export type UncertainDecision = z.infer<typeof resolvePrintJobSchema>['decision'];

export const cardReadSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('officer'),
    officerId: z.string().check(z.regex(/^[0-9]{8}$/)),
    /** Last month the card is valid, `YYYY-MM`. */
    expires: z.string().check(z.regex(/^[0-9]{4}-[0-9]{2}$/)),
    source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
  }),
  z.strictObject({
    kind: z.literal('reference'),
    ref: z.string().check(z.regex(/^[A-Z0-9-]{6,32}$/)),
    source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
  }),
  z.strictObject({
    kind: z.literal('bank-card'),
    /** Only the last four digits: the kiosk never takes card payments itself. */
    last4: z.string().check(z.regex(/^[0-9]{4}$/)),
    expires: z.string().check(z.regex(/^[0-9]{4}-[0-9]{2}$/)),
    source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
  }),
  z.strictObject({
    kind: z.literal('rejected'),
    code: z.string().check(z.minLength(1)).check(z.maxLength(64)),
    message: z.string().check(z.minLength(1)).check(z.maxLength(300)),
    source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
  }),
]);
export type CardRead = z.infer<typeof cardReadSchema>;
