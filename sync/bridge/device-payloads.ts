import { z } from 'zod';

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

export const printerStatusSchema = z
  .object({
    state: printerStateSchema,
    /** A short coded reason for the operator screen, e.g. `no-reply`, `recoverable-error`. */
    detail: z.string().max(200).optional(),
    checkedAt: z.string().datetime().nullable(),
    simulated: z.boolean(),
    /** Jobs waiting for the printer to be ready again (out of paper, cover open, offline). */
    heldJobs: z.number().int().min(0),
    /** Jobs whose outcome is unknown after a crash mid-print; an operator decides on a reprint. */
    uncertainJobs: z.number().int().min(0),
  })
  .strict();
export type PrinterStatus = z.infer<typeof printerStatusSchema>;

export const printJobStates = ['queued', 'printing', 'printed', 'held', 'uncertain'] as const;
export const printJobReplySchema = z
  .object({ jobId: z.string().min(1).max(200), state: z.enum(printJobStates) })
  .strict();
export type PrintJobReply = z.infer<typeof printJobReplySchema>;

/**
 * A receipt whose print the printer did not confirm (the connection broke mid-job, no
 * confirmation came, or the kiosk stopped while printing): it may or may not be on paper, so an
 * officer or operator looks and decides. Carries the reference and copy only, never content.
 */
export const uncertainPrintJobSchema = z
  .object({
    jobId: z.string().min(1).max(200),
    ref: z
      .string()
      .regex(/^[A-Z0-9-]{6,32}$/)
      .optional(),
    copy: z.number().int().min(1).max(99).optional(),
    /** `job-interrupted`, `job-unconfirmed` or `interrupted-while-printing`. */
    reason: z.string().max(200).optional(),
    since: z.string().datetime(),
  })
  .strict();
export type UncertainPrintJob = z.infer<typeof uncertainPrintJobSchema>;

export const uncertainPrintJobsSchema = z
  .object({ jobs: z.array(uncertainPrintJobSchema).max(100) })
  .strict();

/** The decision on an uncertain print: it is on paper, or print it again marked as a copy. */
export const resolvePrintJobSchema = z
  .object({
    jobId: z.string().min(1).max(200),
    decision: z.enum(['was-printed', 'print-again']),
  })
  .strict();

export const cardReadSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('officer'),
      officerId: z.string().regex(/^[0-9]{8}$/),
      /** Last month the card is valid, `YYYY-MM`. */
      expires: z.string().regex(/^[0-9]{4}-[0-9]{2}$/),
      source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
    })
    .strict(),
  z
    .object({
      kind: z.literal('reference'),
      ref: z.string().regex(/^[A-Z0-9-]{6,32}$/),
      source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
    })
    .strict(),
  z
    .object({
      kind: z.literal('bank-card'),
      /** Only the last four digits: the kiosk never takes card payments itself. */
      last4: z.string().regex(/^[0-9]{4}$/),
      expires: z.string().regex(/^[0-9]{4}-[0-9]{2}$/),
      source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
    })
    .strict(),
  z
    .object({
      kind: z.literal('rejected'),
      code: z.string().min(1).max(64),
      message: z.string().min(1).max(300),
      source: z.enum(['hid', 'keyboard-wedge', 'simulated']),
    })
    .strict(),
]);
export type CardRead = z.infer<typeof cardReadSchema>;
