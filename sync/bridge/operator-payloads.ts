import { z } from 'zod';

/**
 * Payloads of the officer and operator channels. The page translates; the shell only lays out
 * and writes, so a report reads in the officer's language and the shell needs no translations.
 */

/** A table cell or line of text: printable characters only (no control or bidi overrides). */
const reportText = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .refine((text) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), {
      message: 'must be printable text',
    });

/** `report:pdf`: a document already in words (the end-of-day report), rendered to A4 PDF. */
export const reportDocumentSchema = z
  .object({
    /** Becomes the file name (`<stem>.pdf`); letters, digits, dots and dashes only. */
    fileStem: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/),
    language: z.string().regex(/^[a-z]{2,3}$/),
    title: reportText(200).pipe(z.string().min(1)),
    /** Lines under the title: site, kiosk, day, officer, generated at. */
    subtitle: z.array(reportText(300)).max(10),
    sections: z
      .array(
        z
          .object({
            heading: reportText(200),
            columns: z.array(reportText(80)).min(1).max(6),
            rows: z.array(z.array(reportText(200)).min(1).max(6)).max(2000),
            /** Shown when `rows` is empty. */
            empty: reportText(200).optional(),
          })
          .strict(),
      )
      .max(20),
  })
  .strict();
export type ReportDocument = z.infer<typeof reportDocumentSchema>;

export const reportPdfReplySchema = z
  .object({ path: z.string().min(1).max(4096), bytes: z.number().int().min(1) })
  .strict();

/** `card-reader:simulate-swipe`: what an operator swipes on a simulated reader. */
export const simulateSwipeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('officer'),
      officerId: z.string().regex(/^[0-9]{8}$/),
      expires: z
        .string()
        .regex(/^[0-9]{4}-[0-9]{2}$/)
        .optional(),
    })
    .strict(),
  z
    .object({ kind: z.literal('reference'), ref: z.string().regex(/^(SP:)?[A-Z0-9-]{6,32}$/) })
    .strict(),
]);

/** `printer:simulate`: paper out / paper back on a simulated printer, for demos and drills. */
export const simulatePrinterSchema = z
  .object({ state: z.enum(['online', 'paper-low', 'paper-out', 'cover-open', 'offline']) })
  .strict();

/**
 * `bundle:write`: a USB bundle written in parts (the browser shell's socket takes 1 MiB a
 * message). Parts go to a hidden temporary file next to the target, renamed when the last one
 * arrives, so a half-written bundle never looks like a bundle on the drive.
 */
export const BUNDLE_PART_CHARS = 512 * 1024;
export const bundleWriteRequestSchema = z
  .object({
    writeId: z.string().uuid(),
    fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.spbundle$/),
    /** A folder on a removable drive; absent means the kiosk's export folder. */
    target: z.string().min(1).max(1024).optional(),
    index: z.number().int().min(0).max(10_000),
    text: z.string().max(BUNDLE_PART_CHARS),
    last: z.boolean(),
  })
  .strict();
export const bundleWriteReplySchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('partial'), bytes: z.number().int().min(0) }).strict(),
  z
    .object({
      state: z.literal('written'),
      path: z.string().min(1).max(4096),
      bytes: z.number().int().min(1),
    })
    .strict(),
]);

/** `log:tail`: the shell's recent events, already free of personal data. */
export const logTailRequestSchema = z
  .object({ limit: z.number().int().min(1).max(200).default(50) })
  .strict();
export const logLineSchema = z
  .object({
    at: z.string().max(40),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    text: z.string().max(300),
  })
  .strict();
export const logTailReplySchema = z.object({ lines: z.array(logLineSchema).max(200) }).strict();
export type LogLine = z.infer<typeof logLineSchema>;
