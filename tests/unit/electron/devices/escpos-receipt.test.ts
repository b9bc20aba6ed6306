import { describe, expect, it } from 'vitest';
import { encodeReceiptEscPos } from '../../../../electron/devices/printer/escpos-receipt';
import {
  formatReceiptDate,
  formatReceiptFee,
  layoutReceipt,
} from '../../../../electron/devices/printer/receipt-layout';
import { receiptLabels } from '../../../../electron/devices/printer/receipt-labels';
import {
  encoderModelIds,
  printerCapabilities,
  resolvePrinterLayout,
} from '../../../../electron/devices/printer/printer-models';
import { printerConfigSchema, printerModelIds } from '../../../../kiosk-config/devices-schema';
import { decodeEscPos, printedText } from '../../../support/escpos-decoder';
import { sampleReceipt } from './support/device-test-kit';

function printAndReadBack(
  content: ReturnType<typeof sampleReceipt>,
  marks?: Parameters<typeof layoutReceipt>[1],
) {
  return decodeEscPos(encodeReceiptEscPos(layoutReceipt(content, marks)));
}

describe('ESC/POS receipt', () => {
  it('prints every field of the content model, read back from the bytes', () => {
    const content = sampleReceipt({ language: 'es' });
    const receipt = printAndReadBack(content);
    const text = printedText(receipt);
    const labels = receiptLabels('es');
    for (const expected of [
      content.agency,
      content.site,
      content.service.title,
      content.ref,
      formatReceiptDate(content),
      formatReceiptFee(content),
      labels.paymentMethods['mobile-money'],
      'MM-88231',
      labels.delivery.queued,
      labels.nextSteps,
      content.nextSteps,
      content.kioskId,
    ]) {
      expect(text).toContain(expected);
    }
    // The screen's words and money: "BZ$10.00" in every language, never "10,00 BZD".
    expect(formatReceiptDate(content)).toBe('14 de noviembre de 2026, 10:30');
    expect(formatReceiptFee(content)).toBe('BZ$10.00');
  });

  it('prints Spanish ñ, á, ¿ through code page 437 without any substitution', () => {
    const receipt = printAndReadBack(
      sampleReceipt({
        language: 'es',
        service: {
          id: 'x',
          title: { en: 'x', es: 'Año de la niñez' },
          receiptText: { en: 'x', es: '¿Cuándo? Mañana, señor.' },
        },
      }),
    );
    const text = printedText(receipt);
    expect(text).toContain('Año de la niñez');
    expect(text).toContain('¿Cuándo? Mañana, señor.');
    expect(text).toContain('Número de referencia');
    expect(receipt.codePages).toContain(0);
    expect(text).not.toMatch(/\?\?/);
  });

  it('prints Setswana š, ê, ô by switching to Windows-1252 where CP437 has no š', () => {
    const content = sampleReceipt({ language: 'tn' });
    const receipt = printAndReadBack(content);
    const text = printedText(receipt);
    expect(text).toContain('Setlankana se sešwa sa matsalo');
    expect(text).toContain('Tlisa lekwalo le: ê, ô, š.');
    expect(receipt.codePages).toEqual(expect.arrayContaining([0, 16]));
  });

  it('puts the reference number in a native QR symbol and ends with a cut', () => {
    const receipt = printAndReadBack(sampleReceipt());
    expect(receipt.initialized).toBe(true);
    expect(receipt.qrCodes).toEqual([
      expect.objectContaining({ data: 'SP:7K3M-Q9XD-N', model: 2, errorLevel: 'M' }),
    ]);
    expect(receipt.cuts).toEqual(['partial']);
  });

  it('prints the reference number large and bold so it can be read aloud', () => {
    const receipt = printAndReadBack(sampleReceipt());
    const refSpan = receipt.lines
      .flatMap((line) => line.spans)
      .find((span) => span.text.includes('7K3M-Q9XD-N'));
    expect(refSpan).toMatchObject({ bold: true, width: 2, height: 2 });
  });

  it('says "delivered" once the gateway has the transaction, and marks reprints', () => {
    const text = printedText(
      printAndReadBack(sampleReceipt({ language: 'en', delivery: 'delivered', copy: 3 })),
    );
    expect(text).toContain('Status: Delivered');
    expect(text).not.toContain('Queued');
    expect(text).toContain('REPRINT - copy 3');
  });

  it('says a reprint is the first paper when no earlier copy was printed, in each language', () => {
    const said: Record<'en' | 'es' | 'bzj' | 'tn', string> = {
      en: 'COPY 2 - no earlier copy was printed',
      es: 'COPIA 2 - no se imprimió ninguna copia anterior',
      bzj: 'KAPI 2 - no ada kapi neva print bifoa',
      tn: 'KHOPI 2 - ga go na khopi e e gatisitsweng pele',
    };
    for (const [language, words] of Object.entries(said) as Array<[keyof typeof said, string]>) {
      const text = printedText(
        printAndReadBack(sampleReceipt({ language, copy: 2 }), { noEarlierCopyPrinted: true }),
      );
      expect(text).toContain(words);
      expect(text).not.toContain(receiptLabels(language).reprint(2));
    }
  });

  it('lays the default TM-T88VI receipt out in its 42 columns of font A, every line within them', () => {
    const content = sampleReceipt({ language: 'es' });
    const receipt = decodeEscPos(encodeReceiptEscPos(layoutReceipt(content)));
    const widths = receipt.lines.map((line) =>
      line.spans.reduce((sum, span) => sum + [...span.text].length * span.width, 0),
    );
    expect(Math.max(...widths)).toBe(42);
    // The rule under the heading is one full line: the model's width, not a copied 48.
    expect(receipt.lines.some((line) => line.text === '─'.repeat(42))).toBe(true);
  });

  it('keeps every line within the paper width of a 58 mm model', () => {
    const content = sampleReceipt({ language: 'en' });
    const narrow = decodeEscPos(encodeReceiptEscPos(layoutReceipt(content), { model: 'pos-5890' }));
    for (const line of narrow.lines) {
      const width = line.spans.reduce((sum, span) => sum + [...span.text].length * span.width, 0);
      expect(width).toBeLessThanOrEqual(32);
    }
    expect(printedText(narrow)).toContain(content.nextSteps);
  });

  it('keeps a long value under its label on a 58 mm model: every wrapped line indented', () => {
    const content = sampleReceipt({ language: 'es' });
    const narrow = decodeEscPos(encodeReceiptEscPos(layoutReceipt(content), { model: 'pos-5890' }));
    const texts = narrow.lines.map((line) => line.text);
    const status = texts.findIndex((text) => text.startsWith('Estado'));
    const value = texts.slice(
      status + 1,
      texts.findIndex((t, i) => i > status && t.startsWith('─')),
    );
    expect(value.length).toBeGreaterThan(1);
    for (const text of value.filter((t) => t.trim() !== '')) expect(text).toMatch(/^ {2}\S/);
    expect(value.join(' ').replace(/\s+/g, ' ').trim()).toBe(
      'Guardada en este quiosco. Se enviará automáticamente.',
    );
  });
});

describe('printer models', () => {
  it('take columns, fonts and code pages from the encoder’s capability table', () => {
    expect(printerCapabilities('epson-tm-t88vi')).toMatchObject({
      name: 'Epson TM-T88VI',
      language: 'esc-pos',
      family: 'esc-pos',
      columns: 42,
      fonts: { A: { size: '12x24', columns: 42 }, B: { size: '9x17', columns: 56 } },
    });
    expect(printerCapabilities('epson-tm-t88vi').codepages).toEqual(
      expect.arrayContaining(['cp437', 'windows1252', 'cp858']),
    );
    expect(printerCapabilities('pos-5890').columns).toBe(32);
    expect(printerCapabilities('star-tsp650ii')).toMatchObject({
      language: 'star-line',
      family: 'star',
    });
    expect(printerCapabilities('star-tsp100iv')).toMatchObject({
      language: 'star-prnt',
      columns: 48,
    });
  });

  it('lets a site override the columns, reported so it is logged as a warning', () => {
    expect(resolvePrinterLayout('epson-tm-t88vi')).toMatchObject({ columns: 42 });
    expect(resolvePrinterLayout('epson-tm-t88vi', 42).override).toBeUndefined();
    expect(resolvePrinterLayout('epson-tm-t88vi', 48)).toMatchObject({
      columns: 48,
      override: { configured: 48, model: 42 },
    });
  });

  it('accepts in site configs exactly the models the encoder knows, and names them on a typo', () => {
    expect([...printerModelIds].sort()).toEqual([...encoderModelIds].sort());
    const result = printerConfigSchema.safeParse({
      transport: { kind: 'simulated' },
      model: 'epson-tm-t88',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('unknown printer model "epson-tm-t88"');
    expect(printerConfigSchema.parse({ transport: { kind: 'simulated' } })).toMatchObject({
      model: 'epson-tm-t88vi',
    });
    expect(printerConfigSchema.parse({ transport: { kind: 'simulated' } }).columns).toBeUndefined();
    expect(
      printerConfigSchema.safeParse({ transport: { kind: 'simulated' }, columns: 40 }).success,
    ).toBe(false);
  });
});
