import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { ReceiptFonts } from '../../electron/devices/printer/receipt-fonts';
import type { DecodedReceipt } from './escpos-decoder';

/**
 * Draws a decoded ESC/POS job as an 80 mm thermal printer would put it on paper: font A on a
 * 48-column grid, bold, inverse and magnified spans, and the QR symbol at its module size. It is
 * a picture of what the bytes say (for people to look at), not of what the encoder was asked.
 */
export function renderDecodedEscPos(
  receipt: DecodedReceipt,
  fonts: Pick<ReceiptFonts, 'mono'> & { monoBold: string },
  columns = 48,
): Promise<Buffer> {
  const mm = (value: number): number => (value * 72) / 25.4;
  const margin = mm(4);
  const width = mm(72);
  // DejaVu Sans Mono advances 0.602 em per character.
  const cell = width / columns;
  const fontSize = cell / 0.602;
  const lineHeight = fontSize * 1.25;
  // 203 dpi printer: one dot is 0.125 mm.
  const dot = mm(0.125);
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
