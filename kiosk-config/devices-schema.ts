import { z } from './zod-mini';

/**
 * The `devices` section of a site config: which receipt printer transport and card reader the
 * terminal has. Kept apart from `siteConfigSchema` so the site schema can adopt it as one field.
 */

/** USB vendor/product ids as JSON numbers or the hex strings `lsusb` prints (`"0x04b8"`, `"04b8"`). */
export const usbIdSchema = z.union([
  z.number().check(z.int()).check(z.gte(0)).check(z.lte(0xffff)),
  z.pipe(
    z.string().check(z.regex(/^(0x)?[0-9a-fA-F]{4}$/, 'must be a 4-digit hex id such as 0x04b8')),
    z.transform((text) => Number.parseInt(text.replace(/^0x/, ''), 16)),
  ),
]);

const devicePath = z
  .string()
  .check(z.regex(/^\/dev\/[A-Za-z0-9._/-]+$/, 'must be a path under /dev/'));

export const printerTransportSchema = z.discriminatedUnion('kind', [
  /** A USB printer class device, written as a file (`usblp` driver). */
  z.strictObject({ kind: z.literal('usb'), device: z._default(devicePath, '/dev/usb/lp0') }),
  z.strictObject({
    kind: z.literal('serial'),
    device: devicePath,
    baudRate: z._default(
      z.union([
        z.literal(9600),
        z.literal(19200),
        z.literal(38400),
        z.literal(57600),
        z.literal(115200),
      ]),
      9600,
    ),
  }),
  /** Raw TCP ("JetDirect", port 9100) on a network printer or print server. */
  z.strictObject({
    kind: z.literal('tcp'),
    host: z.string().check(z.minLength(1)).check(z.maxLength(253)),
    port: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(65535)), 9100),
  }),
  /** A CUPS queue set up as raw; CUPS gives no paper status back. */
  z.strictObject({
    kind: z.literal('cups'),
    queue: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,127}$/, 'must be a CUPS queue name')),
  }),
  z.strictObject({ kind: z.literal('simulated') }),
]);
export type PrinterTransportConfig = z.infer<typeof printerTransportSchema>;

/**
 * Receipt printer models the kiosk can drive: the ids of the printer capability table shipped
 * with the ESC/POS encoder (`@point-of-sale/receipt-printer-encoder`). Only the ids live here, so
 * browser code can validate a config without loading the encoder; a unit test keeps this list
 * equal to the encoder's own. Columns, fonts and code pages come from that table.
 */
export const printerModelIds = [
  'bixolon-srp350',
  'bixolon-srp350iii',
  'citizen-ct-s310ii',
  'epson-tm-m30ii',
  'epson-tm-m30iii',
  'epson-tm-p20ii',
  'epson-tm-t20ii',
  'epson-tm-t20iii',
  'epson-tm-t20iv',
  'epson-tm-t70',
  'epson-tm-t70ii',
  'epson-tm-t88ii',
  'epson-tm-t88iii',
  'epson-tm-t88iv',
  'epson-tm-t88v',
  'epson-tm-t88vi',
  'epson-tm-t88vii',
  'fujitsu-fp1000',
  'hp-a779',
  'meow',
  'metapace-t1',
  'mpt-ii',
  'pos-5890',
  'pos-8360',
  'star-mc-print2',
  'star-mpop',
  'star-sm-l200',
  'star-tsp100iii',
  'star-tsp100iv',
  'star-tsp650',
  'star-tsp650ii',
  'sunmi-p2se',
  'sunmi-p3h',
  'sunmi-p3kh',
  'sunmi-p3mix',
  'sunmi',
  'xprinter-xp-n160ii',
  'xprinter-xp-t80q',
  'youku-58t',
] as const;
export const printerModelIdSchema = z.enum(printerModelIds, {
  error: (issue) =>
    `unknown printer model ${JSON.stringify(issue.input)}; use one of: ${printerModelIds.join(', ')}`,
});

export const printerConfigSchema = z.strictObject({
  transport: printerTransportSchema,
  /**
   * The printer model; it decides the command language (ESC/POS, StarPRNT, Star Line), the
   * characters per line (font A), the code pages and how status is asked.
   */
  model: z._default(printerModelIdSchema, 'epson-tm-t88vi'),
  /**
   * Only for a printer set up differently from its model's default (another font or paper):
   * characters per line. It wins over the model's value and is logged as a warning.
   */
  columns: z.optional(
    z.union([z.literal(32), z.literal(35), z.literal(42), z.literal(44), z.literal(48)]),
  ),
  statusPollSeconds: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(300)), 5),
});
export type PrinterConfig = z.infer<typeof printerConfigSchema>;

export const cardReaderConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('hid'),
    vendorId: usbIdSchema,
    productId: usbIdSchema,
    /**
     * How the reader reports a swipe: `keyboard` (keyboard mode: key reports), `magtek`
     * (MagTek HID mode, and ID TECH readers set to MagTek format: one 337-byte report per
     * swipe), `idtech` (ID TECH HID mode: one formatted report per swipe). `auto` (default)
     * tells them apart by the report's length.
     */
    format: z._default(z.enum(['auto', 'keyboard', 'magtek', 'idtech']), 'auto'),
  }),
  /** Reader or scanner typing into the page; detected in the renderer by timing and sentinels. */
  z.strictObject({ kind: z.literal('keyboard-wedge') }),
  z.strictObject({ kind: z.literal('simulated') }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type CardReaderConfig = z.infer<typeof cardReaderConfigSchema>;

/**
 * How the page tells a keyboard-wedge reader or scanner from a person typing (all times in ms).
 * The defaults suit readers and scanners at up to 30 ms per character with one short pause.
 */
export const wedgeConfigSchema = z
  .strictObject({
    /** A device's characters come at most this far apart; longer gaps count as pauses. */
    maxCharGapMs: z._default(z.number().check(z.int()).check(z.gte(5)).check(z.lte(200)), 45),
    /** How many pauses one read may contain (a scanner that hiccups once mid-code). */
    maxPauses: z._default(z.number().check(z.int()).check(z.gte(0)).check(z.lte(5)), 1),
    /** A longer pause ends a read: no reader pauses this long in the middle of one. */
    maxPauseMs: z._default(z.number().check(z.int()).check(z.gte(20)).check(z.lte(1000)), 150),
    /** Fewer characters are never a read (a quick short word is typing). */
    minLength: z._default(z.number().check(z.int()).check(z.gte(2)).check(z.lte(40)), 6),
    /** Longer bursts are typing: nothing the kiosk reads is this long (three tracks: ~230). */
    maxLength: z._default(z.number().check(z.int()).check(z.gte(40)).check(z.lte(400)), 400),
    /** Enter or Tab keys this soon after a read are its suffix (CR LF) and are swallowed. */
    suffixMs: z._default(z.number().check(z.int()).check(z.gte(0)).check(z.lte(1000)), 150),
  })
  .check(
    z.refine((wedge) => wedge.maxPauseMs > wedge.maxCharGapMs, {
      message: 'maxPauseMs must be longer than maxCharGapMs',
      path: ['maxPauseMs'],
    }),
  );
export type WedgeConfig = z.output<typeof wedgeConfigSchema>;

export const devicesConfigSchema = z.strictObject({
  printer: z.prefault(printerConfigSchema, { transport: { kind: 'simulated' } }),
  cardReader: z._default(cardReaderConfigSchema, { kind: 'simulated' }),
  /**
   * Issuer number printed into officer cards (digits 3-6 of the card number, after the `99`
   * national-use prefix); cards of another issuer are refused.
   */
  officerCardIssuer: z._default(
    z.string().check(z.regex(/^[0-9]{4}$/, 'must be 4 digits')),
    '0001',
  ),
  /** Thresholds for keyboard-wedge readers and scanners (see the README for scanner settings). */
  wedge: z.prefault(wedgeConfigSchema, {}),
  /** Use simulated devices when the configured hardware is not found at start. */
  simulateWhenMissing: z._default(z.boolean(), true),
});
export type DevicesConfig = z.infer<typeof devicesConfigSchema>;
