/**
 * `npm run demo:receipt`: renders a demo receipt from the embedded site config and catalogue as
 * an 80 mm PDF, an A4 PDF, and the ESC/POS bytes the default Epson TM-T88VI (80 mm, 42 columns)
 * and a 58 mm POS-5890 (32 columns) would get (decoded back and drawn at the printer's real
 * width), with PNGs of each, into tests/artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReceiptContent } from '../../sync/bridge/receipt-content';
import type { ReceiptContent } from '../../sync/bridge/receipt-content';
import { encodeReceiptEscPos } from '../../electron/devices/printer/escpos-receipt';
import { renderReceiptPdf } from '../../electron/devices/printer/pdf-receipt';
import { findReceiptFonts } from '../../electron/devices/printer/receipt-fonts';
import { layoutReceipt } from '../../electron/devices/printer/receipt-layout';
import { loadKioskConfig } from '../../electron/services/load-config';
import { decodeEscPos } from '../../tests/support/escpos-decoder';
import { renderDecodedEscPos } from '../../tests/support/escpos-render';
import { parseEscPosThirdParty } from '../../tests/support/third-party-escpos';
import { printerCapabilities } from '../../electron/devices/printer/printer-models';
import type { PrinterModelId } from '../../electron/devices/printer/printer-models';

const outDir = fileURLToPath(new URL('../../tests/artifacts/', import.meta.url));

function png(pdf: string, dpi: number): string {
  const base = pdf.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-singlefile', pdf, base]);
  return `${base}.png`;
}

function demoReceipt(language: 'en' | 'es'): ReceiptContent {
  const { site, catalogue } = loadKioskConfig();
  const service = catalogue.services[0];
  if (!service) throw new Error('the demo catalogue has no services');
  return buildReceiptContent({
    site,
    service,
    transaction: {
      txId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f',
      ref: '7K3M-Q9XD-N',
      channel: 'self-service',
      fee: service.fee,
      language,
    },
    issuedAt: '2026-11-14T16:30:00.000Z',
    timeZone: 'America/Belize',
    payment: { method: 'mobile-money', reference: 'MM-88231' },
    delivery: 'queued',
  });
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const fonts = findReceiptFonts();
  const spanish = demoReceipt('es');
  const english = demoReceipt('en');
  const written: string[] = [];

  const roll = path.join(outDir, 'receipt-80mm.pdf');
  writeFileSync(
    roll,
    await renderReceiptPdf(layoutReceipt(spanish), {
      paper: 'roll-80mm',
      fonts,
      createdAt: new Date(spanish.issuedAt),
    }),
  );
  written.push(roll, png(roll, 150));

  const a4 = path.join(outDir, 'receipt-a4.pdf');
  writeFileSync(
    a4,
    await renderReceiptPdf(layoutReceipt(english), {
      paper: 'a4',
      fonts,
      createdAt: new Date(english.issuedAt),
    }),
  );
  written.push(a4, png(a4, 80));

  // The thermal receipt for the default 80 mm model and for a 58 mm one, each in its model's
  // own width (42 and 32 columns of font A). Print head resolutions are the models' (TM-T88VI
  // 180 dpi, POS-5890 203 dpi, as in the encoder's printer table).
  const models: Array<{ id: PrinterModelId; dpi: number }> = [
    { id: 'epson-tm-t88vi', dpi: 180 },
    { id: 'pos-5890', dpi: 203 },
  ];
  for (const { id, dpi } of models) {
    const model = printerCapabilities(id);
    const bytes = encodeReceiptEscPos(layoutReceipt(spanish), { model: id });
    const bin = path.join(outDir, `receipt-escpos-${id}.bin`);
    writeFileSync(bin, bytes);
    // Read back by a parser nobody here wrote: every command it finds is one the receipt means.
    const commands = parseEscPosThirdParty(bytes)
      .filter((node) => node.ascii !== 'STX')
      .map((node) => `${node.ascii} ${node.fn}`.trim());
    const counts = new Map<string, number>();
    for (const command of commands) counts.set(command, (counts.get(command) ?? 0) + 1);
    console.log(
      `${model.name}: ${model.columns} columns, ${bytes.length} bytes; npos reads ${[...counts]
        .map(([command, n]) => `${command} ×${n}`)
        .join(', ')}`,
    );
    const escposPdf = path.join(outDir, `receipt-escpos-${id}.pdf`);
    writeFileSync(
      escposPdf,
      await renderDecodedEscPos(
        decodeEscPos(bytes),
        {
          mono: fonts.mono,
          monoBold: fonts.mono.replace(/DejaVuSansMono\.ttf$/, 'DejaVuSansMono-Bold.ttf'),
        },
        { columns: model.columns, printableDots: model.printableDots, dpi },
      ),
    );
    written.push(bin, png(escposPdf, dpi));
  }

  for (const file of written) console.log(path.relative(process.cwd(), file));
}

main().catch((error: unknown) => {
  console.error(`demo:receipt failed: ${(error as Error).message}`);
  process.exit(1);
});
