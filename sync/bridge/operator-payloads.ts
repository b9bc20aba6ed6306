import { z } from '../../kiosk-config/zod-mini';

/**
 * Payloads of the officer and operator channels. The page translates; the shell only lays out
 * and writes, so a report reads in the officer's language and the shell needs no translations.
 */

/** A table cell or line of text: printable characters only (no control or bidi overrides). */
const reportText = (max: number) =>
  z
    .string()
    .check(z.maxLength(max))
    .check(
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
      z.refine((text) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), {
        message: 'must be printable text',
      }),
    );

/** `report:pdf`: a document already in words (the end-of-day report), rendered to A4 PDF. */
export const reportDocumentSchema = z.strictObject({
  /** Becomes the file name (`<stem>.pdf`); letters, digits, dots and dashes only. */
  fileStem: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/)),
  language: z.string().check(z.regex(/^[a-z]{2,3}$/)),
  title: z.pipe(reportText(200), z.string().check(z.minLength(1))),
  /** Lines under the title: site, kiosk, day, officer, generated at. */
  subtitle: z.array(reportText(300)).check(z.maxLength(10)),
  sections: z
    .array(
      z.strictObject({
        heading: reportText(200),
        columns: z.array(reportText(80)).check(z.minLength(1)).check(z.maxLength(6)),
        rows: z
          .array(z.array(reportText(200)).check(z.minLength(1)).check(z.maxLength(6)))
          .check(z.maxLength(2000)),
        /** Shown when `rows` is empty. */
        empty: z.optional(reportText(200)),
      }),
    )
    .check(z.maxLength(20)),
});
export type ReportDocument = z.infer<typeof reportDocumentSchema>;

export const reportPdfReplySchema = z.strictObject({
  path: z.string().check(z.minLength(1)).check(z.maxLength(4096)),
  bytes: z.number().check(z.int()).check(z.gte(1)),
});

/** `card-reader:simulate-swipe`: what an operator swipes on a simulated reader. */
export const simulateSwipeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('officer'),
    officerId: z.string().check(z.regex(/^[0-9]{8}$/)),
    expires: z.optional(z.string().check(z.regex(/^[0-9]{4}-[0-9]{2}$/))),
  }),
  z.strictObject({
    kind: z.literal('reference'),
    ref: z.string().check(z.regex(/^(SP:)?[A-Z0-9-]{6,32}$/)),
  }),
]);

/** `printer:simulate`: paper out / paper back on a simulated printer, for demos and drills. */
export const simulatePrinterSchema = z.strictObject({
  state: z.enum(['online', 'paper-low', 'paper-out', 'cover-open', 'offline']),
});

/**
 * `bundle:write`: a USB bundle written in parts (the browser shell's socket takes 1 MiB a
 * message). Parts go to a hidden temporary file next to the target, renamed when the last one
 * arrives, so a half-written bundle never looks like a bundle on the drive.
 */
export const BUNDLE_PART_CHARS = 512 * 1024;
export const bundleWriteRequestSchema = z.strictObject({
  writeId: z.uuid(),
  fileName: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.spbundle$/)),
  /** A folder on a removable drive; absent means the kiosk's export folder. */
  target: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(1024))),
  index: z.number().check(z.int()).check(z.gte(0)).check(z.lte(10_000)),
  text: z.string().check(z.maxLength(BUNDLE_PART_CHARS)),
  last: z.boolean(),
});
export const bundleWriteReplySchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('partial'), bytes: z.number().check(z.int()).check(z.gte(0)) }),
  z.strictObject({
    state: z.literal('written'),
    path: z.string().check(z.minLength(1)).check(z.maxLength(4096)),
    bytes: z.number().check(z.int()).check(z.gte(1)),
  }),
]);

/** `log:tail`: the shell's recent events, already free of personal data. */
export const logTailRequestSchema = z.strictObject({
  limit: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(200)), 50),
});
export const logLineSchema = z.strictObject({
  at: z.string().check(z.maxLength(40)),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  text: z.string().check(z.maxLength(300)),
});
export const logTailReplySchema = z.strictObject({
  lines: z.array(logLineSchema).check(z.maxLength(200)),
});
export type LogLine = z.infer<typeof logLineSchema>;
