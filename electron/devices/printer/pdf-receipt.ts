import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { DeviceError } from '../device-runtime';
import type { ReceiptBlock, ReceiptLayout } from './receipt-layout';
import type { ReceiptFonts } from './receipt-fonts';

export type ReceiptPaper = 'roll-80mm' | 'a4';

export interface PdfReceiptOptions {
  paper: ReceiptPaper;
  fonts: ReceiptFonts;
  /** Stamped as the PDF's creation date, so the same receipt gives the same file. */
  createdAt: Date;
}

const mm = (value: number): number => (value * 72) / 25.4;

interface PaperMetrics {
  width: number;
  margin: number;
  base: number;
  heading: number;
  title: number;
  reference: number;
  qr: number;
}

const papers: Record<ReceiptPaper, PaperMetrics> = {
  // 72 mm is what an 80 mm thermal printer can reach; the rest is margin.
  'roll-80mm': {
    width: mm(80),
    margin: mm(4),
    base: 9,
    heading: 11,
    title: 16,
    reference: 18,
    qr: mm(32),
  },
  a4: { width: 595.28, margin: 72, base: 12, heading: 16, title: 24, reference: 28, qr: 150 },
};

const A4_HEIGHT = 841.89;

type Doc = InstanceType<typeof PDFDocument>;

/** Draws the QR symbol as vector squares: sharp at any zoom or printer resolution. */
function drawQr(doc: Doc, value: string, x: number, y: number, size: number): void {
  const symbol = QRCode.create(value, { errorCorrectionLevel: 'M' });
  const count = symbol.modules.size;
  const quiet = 4;
  const cell = size / (count + quiet * 2);
  doc.save().fillColor('black');
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (symbol.modules.get(row, col)) {
        doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell);
      }
    }
  }
  doc.fill().restore();
}

/** Lays the blocks out from the top; returns the y where the content ends. */
function drawBlocks(doc: Doc, blocks: readonly ReceiptBlock[], metrics: PaperMetrics): number {
  const left = metrics.margin;
  const width = metrics.width - metrics.margin * 2;
  let y = metrics.margin;
  const text = (
    value: string,
    font: 'regular' | 'bold' | 'mono',
    size: number,
    align: 'left' | 'center' = 'left',
  ): void => {
    doc.font(font).fontSize(size).text(value, left, y, { width, align });
    y = doc.y;
  };
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        text(block.text, 'bold', metrics.heading, 'center');
        break;
      case 'subheading':
        text(block.text, 'regular', metrics.base, 'center');
        break;
      case 'title':
        y += metrics.base * 0.4;
        text(block.text, 'bold', metrics.title, 'center');
        y += metrics.base * 0.4;
        break;
      case 'notice': {
        const height = metrics.base * 1.8;
        doc.save().rect(left, y, width, height).fill('black').restore();
        doc
          .fillColor('white')
          .font('bold')
          .fontSize(metrics.base)
          .text(block.text, left, y + metrics.base * 0.4, { width, align: 'center' });
        doc.fillColor('black');
        y += height + metrics.base * 0.5;
        break;
      }
      case 'field':
        text(block.label, 'regular', metrics.base * 0.85);
        text(block.value, 'bold', metrics.base);
        y += metrics.base * 0.35;
        break;
      case 'reference':
        y += metrics.base * 0.3;
        text(block.label, 'regular', metrics.base * 0.85, 'center');
        text(block.value, 'mono', metrics.reference, 'center');
        y += metrics.base * 0.5;
        break;
      case 'paragraph':
        text(block.label, 'bold', metrics.base);
        text(block.text, 'regular', metrics.base);
        break;
      case 'qr':
        y += metrics.base * 0.6;
        drawQr(doc, block.value, left + (width - metrics.qr) / 2, y, metrics.qr);
        y += metrics.qr + metrics.base * 0.2;
        text(block.caption, 'regular', metrics.base * 0.85, 'center');
        break;
      case 'footer':
        text(block.text, 'regular', metrics.base * 0.8, 'center');
        break;
      case 'rule':
        y += metrics.base * 0.5;
        doc
          .save()
          .moveTo(left, y)
          .lineTo(left + width, y)
          .lineWidth(0.6)
          .stroke('black')
          .restore();
        y += metrics.base * 0.5;
        break;
    }
  }
  return y;
}

function newDocument(
  layout: ReceiptLayout,
  options: PdfReceiptOptions,
  metrics: PaperMetrics,
  height: number,
): Doc {
  const doc = new PDFDocument({
    size: [metrics.width, height],
    margin: metrics.margin,
    autoFirstPage: true,
    lang: layout.language,
    info: {
      Title: layout.documentTitle,
      Creator: 'Service Point',
      Producer: 'Service Point',
      CreationDate: options.createdAt,
      ModDate: options.createdAt,
    },
  });
  doc.registerFont('regular', options.fonts.regular);
  doc.registerFont('bold', options.fonts.bold);
  doc.registerFont('mono', options.fonts.mono);
  return doc;
}

/**
 * Renders a receipt PDF with embedded DejaVu fonts. The 80 mm roll is exactly as tall as the
 * receipt (measured in a first pass), like a cut thermal receipt; A4 is one portrait page.
 */
export async function renderReceiptPdf(
  layout: ReceiptLayout,
  options: PdfReceiptOptions,
): Promise<Buffer> {
  const metrics = papers[options.paper];
  let height = A4_HEIGHT;
  if (options.paper === 'roll-80mm') {
    const probe = newDocument(layout, options, metrics, 10_000);
    height = Math.ceil(drawBlocks(probe, layout.blocks, metrics) + metrics.margin);
    probe.end();
  }
  const doc = newDocument(layout, options, metrics, height);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', (error: Error) =>
      reject(new DeviceError('render-failed', `receipt PDF: ${error.message}`, { cause: error })),
    );
  });
  const end = drawBlocks(doc, layout.blocks, metrics);
  if (options.paper === 'a4' && end > A4_HEIGHT - metrics.margin) {
    doc.end();
    throw new DeviceError('render-failed', 'receipt PDF: content does not fit one A4 page');
  }
  doc.end();
  return done;
}
