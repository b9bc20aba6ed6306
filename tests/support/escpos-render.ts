import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { ReceiptFonts } from '../../electron/devices/printer/receipt-fonts';
import type { DecodedReceipt } from './escpos-decoder';

/** The printer the picture is drawn for: its characters per line and dot pitch. */
export interface RenderPaper {
  /** Characters per line in font A (the layout width). */
  columns: number;
  /** Printable width in dots (columns × 12 dots for font A). */
  printableDots: number;
  /** Dots per inch of the print head (180 for the TM-T88 family, 203 for most others). */
  dpi: number;
}

/**
 * Draws a decoded ESC/POS job as the printer would put it on paper, at its real size: font A on
 * the model's column grid across its printable width, bold, inverse and magnified spans, and
 * the QR symbol at its module size in the printer's dots. It is a picture of what the bytes say
 * (for people to look at), not of what the encoder was asked.
 */
export function renderDecodedEscPos(
  receipt: DecodedReceipt,
  fonts: Pick<ReceiptFonts, 'mono'> & { monoBold: string },
  paper: RenderPaper = { columns: 42, printableDots: 504, dpi: 180 },
): Promise<Buffer> {
  const { columns } = paper;
  const mm = (value: number): number => (value * 72) / 25.4;
  const margin = mm(3);
  const dot = 72 / paper.dpi;
  const width = paper.printableDots * dot;
  // DejaVu Sans Mono advances 0.602 em per character.
  const cell = width / columns;
  const fontSize = cell / 0.602;
  const lineHeight = fontSize * 1.25;
  const qrHeights = receipt.qrCodes.map((qr) => {
    const size = QRCode.create(qr.data, { errorCorrectionLevel: qr.errorLevel }).modules.size;
    return (size + 2) * qr.moduleSize * dot;
  });
  const lineHeights = receipt.lines.map(
    (line) => lineHeight * Math.max(1, ...line.spans.map((span) => span.height)),
  );
  const height =
    margin * 2 + lineHeights.reduce((a, b) => a + b, 0) + qrHeights.reduce((a, b) => a + b, 0);

  const doc = new PDFDocument({ size: [width + margin * 2, height], margin: 0 });
  doc.registerFont('mono', fonts.mono);
  doc.registerFont('mono-bold', fonts.monoBold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
  });

  let y = margin;
  const drawQr = (index: number): void => {
    const qr = receipt.qrCodes[index];
    if (!qr) return;
    const symbol = QRCode.create(qr.data, { errorCorrectionLevel: qr.errorLevel });
    const module = qr.moduleSize * dot;
    const size = symbol.modules.size * module;
    const x = margin + (width - size) / 2;
    for (let row = 0; row < symbol.modules.size; row += 1) {
      for (let col = 0; col < symbol.modules.size; col += 1) {
        if (symbol.modules.get(row, col))
          doc.rect(x + col * module, y + module + row * module, module, module);
      }
    }
    doc.fill('black');
    y += qrHeights[index] ?? 0;
  };

  receipt.lines.forEach((line, index) => {
    receipt.qrCodes.forEach((qr, qrIndex) => {
      if (qr.beforeLine === index) drawQr(qrIndex);
    });
    const rowHeight = lineHeights[index] ?? lineHeight;
    const lineWidth = line.spans.reduce((sum, span) => sum + [...span.text].length * span.width, 0);
    let x =
      margin +
      (line.align === 'center'
        ? (columns - lineWidth) / 2
        : line.align === 'right'
          ? columns - lineWidth
          : 0) *
        cell;
    for (const span of line.spans) {
      const chars = [...span.text].length;
      const spanWidth = chars * cell * span.width;
      if (span.invert) doc.rect(x, y, spanWidth, rowHeight).fill('black');
      doc
        .save()
        .translate(x, y + rowHeight - lineHeight * span.height)
        .scale(span.width, span.height)
        .font(span.bold ? 'mono-bold' : 'mono')
        .fontSize(fontSize)
        .fillColor(span.invert ? 'white' : 'black')
        .text(span.text, 0, fontSize * 0.1, { lineBreak: false, characterSpacing: 0 })
        .restore();
      x += spanWidth;
    }
    y += rowHeight;
  });
  receipt.qrCodes.forEach((qr, qrIndex) => {
    if (qr.beforeLine >= receipt.lines.length) drawQr(qrIndex);
  });
  doc.end();
  return done;
}
