import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';
import { codepageOrder, printableRuns } from './printable-text';
import { defaultPrinterModel, printerCapabilities } from './printer-models';
import type { PrinterModelId } from './printer-models';
import type { ReceiptLayout } from './receipt-layout';

export interface EscPosOptions {
  /** The printer model (capability table id): command language, font A columns, code pages. */
  model: PrinterModelId;
  /** Characters per line; the model's font A columns unless a site overrides it. */
  columns?: number;
  /**
   * Code pages the text may use, in order of preference; the model's own list by default.
   * Tests narrow it to one page to check each page on its own.
   */
  codepages?: readonly Codepage[];
}

export const defaultEscPosOptions: EscPosOptions = { model: defaultPrinterModel };

/**
 * Builds the encoder for a laid-out receipt (in the model's command language: ESC/POS, StarPRNT
 * or Star Line mode). Every piece of text goes through `printableRuns`, so each character is sent
 * in a code page where its byte is a text byte (switching with `ESC t n` / `ESC GS t n` mid-line
 * for ñ, ¿ in CP437 or š in Windows-1252) and no text can reach the printer as a command. The QR
 * code is the printer's native symbol (`GS ( k`), sharp at any resolution.
 */
export function buildReceiptEncoder(
  layout: ReceiptLayout,
  options: EscPosOptions = defaultEscPosOptions,
): ReceiptPrinterEncoder {
  const model = printerCapabilities(options.model);
  const codepages = options.codepages ?? codepageOrder(model.codepages);
  const columns = options.columns ?? model.columns;
  const encoder = new ReceiptPrinterEncoder({
    printerModel: model.id,
    columns,
    // A character the printer cannot show becomes "?" rather than aborting a citizen's receipt.
    errors: 'relaxed',
  });
  const text = (value: string): ReceiptPrinterEncoder => {
    for (const run of printableRuns(value, codepages))
      encoder.codepage(run.codepage).text(run.text);
    return encoder;
  };
  const line = (value: string): ReceiptPrinterEncoder => {
    // A line break in the text is a new printed line, never a byte inside a text run.
    for (const part of value.split(/\r\n|[\n\r\u2028\u2029]/)) text(part).newline();
    return encoder;
  };

  encoder.initialize();
  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'heading':
        encoder.align('center').bold(true);
        line(block.text).bold(false);
        break;
      case 'subheading':
        encoder.align('center');
        line(block.text);
        break;
      case 'title':
        encoder.align('center').size(2, 2);
        line(block.text).size(1, 1).newline();
        break;
      case 'notice':
        encoder.align('center').invert(true);
        line(` ${block.text} `).invert(false).newline();
        break;
      case 'field':
        encoder.align('left');
        line(`${block.label}:`).bold(true);
        line(hangingIndent(block.value, columns, FIELD_INDENT)).bold(false);
        break;
      case 'reference':
        encoder.align('center');
        line(`${block.label}:`).size(2, 2).bold(true);
        line(block.value).bold(false).size(1, 1);
        break;
      case 'paragraph':
        encoder.align('left').bold(true);
        line(block.label).bold(false);
        line(block.text);
        break;
      case 'qr':
        encoder
          .newline()
          .align('center')
          .qrcode(block.value, { model: 2, size: 6, errorlevel: 'm' })
          .newline();
        line(block.caption);
        break;
      case 'footer':
        encoder.align('center');
        line(block.text);
        break;
      case 'rule':
        encoder.align('left').rule({ style: 'single' });
        break;
    }
  }
  return encoder.cut('partial');
}

/** Spaces before a field's value, so the value reads as belonging to the label above it. */
const FIELD_INDENT = 2;

/**
 * Word-wraps `value` to `columns` characters with every line indented by `indent` spaces, so a
 * value longer than the line stays under its label instead of wrapping back to the margin (the
 * encoder's own wrapping knows no indent). A word longer than the room is left whole for the
 * encoder to break. Line breaks in the value are kept.
 */
export function hangingIndent(value: string, columns: number, indent: number): string {
  const room = Math.max(8, columns - indent);
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const paragraph of value.split(/\r\n|[\n\r\u2028\u2029]/)) {
    let current = '';
    for (const word of paragraph.split(/ +/).filter(Boolean)) {
      if (current && [...current].length + 1 + [...word].length > room) {
        lines.push(current);
        current = word;
      } else {
        current = current ? `${current} ${word}` : word;
      }
    }
    lines.push(current);
  }
  return lines.map((line) => pad + line).join('\n');
}

/** The receipt as the bytes for the model's printer. */
export function encodeReceiptEscPos(
  layout: ReceiptLayout,
  options: EscPosOptions = defaultEscPosOptions,
): Uint8Array {
  return buildReceiptEncoder(layout, options).encode();
}
