import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { ReceiptPrinterEncoderOptions } from '@point-of-sale/receipt-printer-encoder';
import CodepageEncoder from '@point-of-sale/codepage-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';

/**
 * Receipt printer models and what each can do, read from the printer capability table that ships
 * with the ESC/POS encoder (`@point-of-sale/receipt-printer-encoder`, the maintained successor of
 * esc-pos-encoder; its table is generated from the vendors' programming manuals). Nothing here is
 * a number a site copies: columns, fonts, command language and code pages all come from the model.
 */
export type PrinterModelId = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

/** The command language a model speaks; it also decides how its status is asked. */
export type PrinterLanguage = 'esc-pos' | 'star-prnt' | 'star-line';

/** Which status protocol a model answers: Epson's DLE EOT or Star's automatic status (ASB). */
export type PrinterFamily = 'esc-pos' | 'star';

export interface PrinterFont {
  /** Glyph cell in dots, e.g. `12x24`. */
  size: string;
  /** Characters per line on this model's paper. */
  columns: number;
}

export interface PrinterCapabilities {
  id: PrinterModelId;
  /** Vendor and model as printed on the case, e.g. `Epson TM-T88VI`. */
  name: string;
  language: PrinterLanguage;
  family: PrinterFamily;
  /** Fonts by the printer's own letter (A, B, C…). Receipts use font A. */
  fonts: Record<string, PrinterFont>;
  /** Characters per line in font A: the receipt's layout width. */
  columns: number;
  /** Printable width in dots (columns × glyph width). */
  printableDots: number;
  /** Every code page the model can be switched to (`ESC t n` / `ESC GS t n`), by encoder name. */
  codepages: Codepage[];
}

export const encoderModelIds: readonly PrinterModelId[] = ReceiptPrinterEncoder.printerModels.map(
  (model) => model.id as PrinterModelId,
);

/** The model every site gets unless it names another: 80 mm, 42 columns in font A. */
export const defaultPrinterModel: PrinterModelId = 'epson-tm-t88vi';

/** Column counts the encoder can lay out (its line composer refuses others). */
export const supportedColumnCounts = [32, 35, 42, 44, 48] as const;

export function isPrinterModelId(id: string): id is PrinterModelId {
  return (encoderModelIds as readonly string[]).includes(id);
}

interface EncoderModelView {
  language: string;
  columns: number;
  printableWidth: number;
  printerCapabilities: object;
  codepage(codepage: Codepage): unknown;
}

const cache = new Map<PrinterModelId, PrinterCapabilities>();

/** The capabilities of a model id; throws on an id the table does not know. */
export function printerCapabilities(id: PrinterModelId): PrinterCapabilities {
  const cached = cache.get(id);
  if (cached) return cached;
  if (!isPrinterModelId(id)) throw new Error(`unknown printer model ${JSON.stringify(id)}`);
  const encoder = new ReceiptPrinterEncoder({ printerModel: id }) as unknown as EncoderModelView;
  const table = encoder.printerCapabilities as { fonts?: Record<string, PrinterFont> };
  const language = encoder.language as PrinterLanguage;
  // The encoder keeps the model's code page numbering private, so ask it page by page.
  const codepages = CodepageEncoder.getEncodings().filter((page) => {
    try {
      encoder.codepage(page);
      return true;
    } catch {
      return false;
    }
  });
  const name = (
    ReceiptPrinterEncoder.printerModels.find((model) => model.id === id)?.name ?? id
  ).trim();
  const capabilities: PrinterCapabilities = {
    id,
    name,
    language,
    family: language === 'esc-pos' ? 'esc-pos' : 'star',
    fonts: { ...(table.fonts ?? {}) },
    columns: encoder.columns,
    printableDots: encoder.printableWidth,
    codepages,
  };
  cache.set(id, capabilities);
  return capabilities;
}

export interface ResolvedPrinterLayout {
  model: PrinterCapabilities;
  /** The columns the receipt is laid out in. */
  columns: number;
  /** Set when a site overrode the model's columns; the caller logs it as a warning. */
  override?: { configured: number; model: number };
}

/**
 * The receipt width for a configured model: the model's font A columns, unless a site set
 * `columns` itself (for a printer set to a non-default font or paper), which wins but is reported
 * so it can be logged: a copied number is the usual cause of wrapped receipts.
 */
export function resolvePrinterLayout(
  id: PrinterModelId,
  configuredColumns?: number,
): ResolvedPrinterLayout {
  const model = printerCapabilities(id);
  if (configuredColumns === undefined || configuredColumns === model.columns) {
    return { model, columns: model.columns };
  }
  return {
    model,
    columns: configuredColumns,
    override: { configured: configuredColumns, model: model.columns },
  };
}
