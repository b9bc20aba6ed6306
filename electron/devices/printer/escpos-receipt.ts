import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { ReceiptPrinterEncoderOptions } from '@point-of-sale/receipt-printer-encoder';
import type { ReceiptLayout } from './receipt-layout';

export interface EscPosOptions {
  /** Characters per line in font A (48 on 80 mm paper, 32 on 58 mm). */
  columns: number;
  /** The encoder's model id; it decides how code pages are numbered on this printer. */
  model: string;
}

export const defaultEscPosOptions: EscPosOptions = { columns: 48, model: 'epson-tm-t88vi' };

/**
 * Encodes a laid-out receipt as ESC/POS bytes. Text goes through the encoder's automatic code
 * page selection, which switches code page mid-line (`ESC t n`) for characters such as ñ, ¿ (CP437)
 * and š (Windows-1252), so Spanish and Setswana print as written. The QR code is the printer's
 * native symbol (`GS ( k`), so it stays sharp at any printer resolution.
 */
export function encodeReceiptEscPos(
  layout: ReceiptLayout,
  options: EscPosOptions = defaultEscPosOptions,
): Uint8Array {
  const isKnownModel = ReceiptPrinterEncoder.printerModels.some((m) => m.id === options.model);
  const encoderOptions: ReceiptPrinterEncoderOptions = isKnownModel
    ? {
        printerModel: options.model as ReceiptPrinterEncoderOptions['printerModel'],
        columns: options.columns,
      }
    : { language: 'esc-pos', codepageMapping: 'epson', columns: options.columns };
  const encoder = new ReceiptPrinterEncoder({
    ...encoderOptions,
    // An unprintable character becomes "?" rather than aborting a citizen's receipt.
    errors: 'relaxed',
  });
  encoder.initialize().codepage('auto');

  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'heading':
        encoder.align('center').bold(true).line(block.text).bold(false);
        break;
      case 'subheading':
        encoder.align('center').line(block.text);
        break;
      case 'title':
        encoder.align('center').size(2, 2).line(block.text).size(1, 1).newline();
        break;
      case 'notice':
        encoder.align('center').invert(true).line(` ${block.text} `).invert(false).newline();
        break;
      case 'field':
        encoder
          .align('left')
          .line(`${block.label}:`)
          .bold(true)
          .line(`  ${block.value}`)
          .bold(false);
        break;
      case 'reference':
        encoder
          .align('center')
          .line(`${block.label}:`)
          .size(2, 2)
          .bold(true)
          .line(block.value)
          .bold(false)
          .size(1, 1);
        break;
      case 'paragraph':
        encoder.align('left').bold(true).line(block.label).bold(false).line(block.text);
        break;
      case 'qr':
        encoder
          .newline()
          .align('center')
          .qrcode(block.value, { model: 2, size: 6, errorlevel: 'm' })
          .newline()
          .line(block.caption);
        break;
      case 'footer':
        encoder.align('center').line(block.text);
        break;
      case 'rule':
        encoder.align('left').rule({ style: 'single' });
        break;
    }
  }
  return encoder.cut('partial').encode();
}
