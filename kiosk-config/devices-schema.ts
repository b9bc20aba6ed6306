import { z } from 'zod';

/**
 * The `devices` section of a site config: which receipt printer transport and card reader the
 * terminal has. Kept apart from `siteConfigSchema` so the site schema can adopt it as one field.
 */

/** USB vendor/product ids as JSON numbers or the hex strings `lsusb` prints (`"0x04b8"`, `"04b8"`). */
export const usbIdSchema = z.union([
  z.number().int().min(0).max(0xffff),
  z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{4}$/, 'must be a 4-digit hex id such as 0x04b8')
    .transform((text) => Number.parseInt(text.replace(/^0x/, ''), 16)),
]);

const devicePath = z.string().regex(/^\/dev\/[A-Za-z0-9._/-]+$/, 'must be a path under /dev/');

export const printerTransportSchema = z.discriminatedUnion('kind', [
  /** A USB printer class device, written as a file (`usblp` driver). */
  z.object({ kind: z.literal('usb'), device: devicePath.default('/dev/usb/lp0') }).strict(),
  z
    .object({
      kind: z.literal('serial'),
      device: devicePath,
      baudRate: z
        .union([
          z.literal(9600),
          z.literal(19200),
          z.literal(38400),
          z.literal(57600),
          z.literal(115200),
        ])
        .default(9600),
    })
    .strict(),
  /** Raw TCP ("JetDirect", port 9100) on a network printer or print server. */
  z
    .object({
      kind: z.literal('tcp'),
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).default(9100),
    })
    .strict(),
  /** A CUPS queue set up as raw; CUPS gives no paper status back. */
  z
    .object({
      kind: z.literal('cups'),
      queue: z.string().regex(/^[A-Za-z0-9_.-]{1,127}$/, 'must be a CUPS queue name'),
    })
    .strict(),
  z.object({ kind: z.literal('simulated') }).strict(),
]);
export type PrinterTransportConfig = z.infer<typeof printerTransportSchema>;

export const printerConfigSchema = z
  .object({
    transport: printerTransportSchema,
    /** Characters per line: 48 for an 80 mm roll in font A, 32 for 58 mm. */
    columns: z.number().int().min(24).max(64).default(48),
    /** A model id known to the ESC/POS encoder; it picks the printer's code page numbering. */
    model: z.string().min(1).max(64).default('epson-tm-t88vi'),
    statusPollSeconds: z.number().int().min(1).max(300).default(5),
  })
  .strict();
export type PrinterConfig = z.infer<typeof printerConfigSchema>;

export const cardReaderConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hid'), vendorId: usbIdSchema, productId: usbIdSchema }).strict(),
  /** Reader or scanner typing into the page; detected in the renderer by timing and sentinels. */
  z.object({ kind: z.literal('keyboard-wedge') }).strict(),
  z.object({ kind: z.literal('simulated') }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
export type CardReaderConfig = z.infer<typeof cardReaderConfigSchema>;

export const devicesConfigSchema = z
  .object({
    printer: printerConfigSchema.prefault({ transport: { kind: 'simulated' } }),
    cardReader: cardReaderConfigSchema.default({ kind: 'simulated' }),
    /**
     * Issuer number printed into officer cards (digits 3-6 of the card number, after the `99`
     * national-use prefix); cards of another issuer are refused.
     */
    officerCardIssuer: z
      .string()
      .regex(/^[0-9]{4}$/, 'must be 4 digits')
      .default('0001'),
    /** Use simulated devices when the configured hardware is not found at start. */
    simulateWhenMissing: z.boolean().default(true),
  })
  .strict();
export type DevicesConfig = z.infer<typeof devicesConfigSchema>;
