import CodepageEncoder from '@point-of-sale/codepage-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildReceiptEncoder,
  encodeReceiptEscPos,
} from '../../../../electron/devices/printer/escpos-receipt';
import { codepageOrder, printableRuns } from '../../../../electron/devices/printer/printable-text';
import {
  encoderModelIds as printerModelIds,
  printerCapabilities,
} from '../../../../electron/devices/printer/printer-models';
import type { ReceiptLayout } from '../../../../electron/devices/printer/receipt-layout';
import { layoutReceipt } from '../../../../electron/devices/printer/receipt-layout';
import { parseEscPosThirdParty } from '../../../support/third-party-escpos';
import { sampleReceipt } from './support/device-test-kit';

/**
 * Item 1 of issue 13: no byte that came from text may be a printer command byte, on any model
 * and code page the product supports, whatever the input. Covered: every model in the encoder's
 * capability table (39: Bixolon, Citizen, Epson TM-m30/P20/T20/T70/T88 II-VII, Fujitsu, HP,
 * Metapace, MPT, POS-5890/8360, Star mC-Print2/mPOP/SM-L200/TSP100III/IV (StarPRNT) and
 * TSP650/650II (Star Line), SUNMI, Xprinter, Youku) and every code page each can switch to
 * (7 to 45 per model; 76 distinct pages), with the bytes produced by the encoder library itself.
 */

/** A control byte: what ESC/POS and Star printers may take as a command (or DEL). */
const isCommandByte = (byte: number): boolean => byte < 0x20 || byte === 0x7f;

const allPages = [...new Set(printerModelIds.flatMap((id) => printerCapabilities(id).codepages))];

/** Every code point some supported page places on a control byte: the exact danger. */
const dangerous = [
  ...new Set(
    allPages.flatMap((page) =>
      CodepageEncoder.getEncoding(page)
        .codepoints.slice(0, 0x20)
        .concat(CodepageEncoder.getEncoding(page).codepoints[0x7f] ?? 0xfffd)
        .filter((codepoint) => codepoint !== 0xfffd && codepoint > 0x7f),
    ),
  ),
];

/** Any Unicode scalar or lone surrogate, weighted toward the symbols and control characters. */
const anyChar = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x10ffff }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x2fff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x9f }) },
    { weight: 3, arbitrary: fc.constantFrom(...dangerous) },
  )
  .map((codepoint) => String.fromCodePoint(codepoint));
const anyText = fc.array(anyChar, { maxLength: 40 }).map((chars) => chars.join(''));

function layoutWith(text: string): ReceiptLayout {
  return {
    language: 'en',
    documentTitle: 'x',
    blocks: [
      { kind: 'heading', text },
      { kind: 'title', text },
      { kind: 'notice', text },
      { kind: 'field', label: text, value: text },
      { kind: 'reference', label: text, value: '7K3M-Q9XD-N' },
      { kind: 'paragraph', label: text, text: `${text}\n${text}` },
      { kind: 'qr', value: '7K3M-Q9XD-N', caption: text },
      { kind: 'rule' },
      { kind: 'footer', text },
    ],
  };
}

interface EncodedItem {
  type: string;
  payload?: number[];
}

/** The encoder's own view of its output: which bytes are text and which are commands. */
function encodedItems(layout: ReceiptLayout, model: string, codepages?: Codepage[]) {
  const lines = buildReceiptEncoder(layout, {
    model: model as never,
    ...(codepages ? { codepages } : {}),
  }).encode('lines') as unknown as EncodedItem[][];
  return lines.flat();
}

describe('text never becomes a printer command', () => {
  it.each(allPages)(
    'in code page %s, every character of any Unicode text is sent as a text byte or left out',
    (page) => {
      fc.assert(
        fc.property(anyText, (text) => {
          for (const run of printableRuns(text, [page])) {
            expect(run.codepage).toBe(page);
            // Encoded by the encoder library's own code page tables, not ours.
            const bytes = CodepageEncoder.encode(run.text, page);
            expect([...bytes].filter(isCommandByte)).toEqual([]);
          }
        }),
        { numRuns: 150 },
      );
    },
  );

  it.each(printerModelIds)(
    'on a %s, a receipt whose every field is any Unicode text has no control byte in any text it sends',
    (model) => {
      const { codepages, language } = printerCapabilities(model);
      const switchPrefix = language === 'esc-pos' ? [0x1b, 0x74] : [0x1b, 0x1d, 0x74];
      fc.assert(
        fc.property(anyText, fc.constantFrom(...codepages), (text, page) => {
          // Once with the model's whole list and once confined to one page.
          for (const allowed of [undefined, [page]]) {
            for (const item of encodedItems(layoutWith(text), model, allowed)) {
              if (item.type === 'text') {
                expect((item.payload ?? []).filter(isCommandByte)).toEqual([]);
              } else if (item.type === 'codepage') {
                expect(item.payload?.slice(0, switchPrefix.length)).toEqual(switchPrefix);
              }
            }
          }
        }),
        { numRuns: 25 },
      );
    },
  );

  it('prints the issue’s catalogue line as text on the default TM-T88VI, read by a third-party parser', () => {
    const line = '• Bring your ID → Counter 3. ← Back';
    const content = sampleReceipt({ language: 'en' });
    const bytes = encodeReceiptEscPos({
      ...layoutReceipt(content),
      blocks: [{ kind: 'paragraph', label: line, text: line }],
    });
    const nodes = parseEscPosThirdParty(bytes);
    const commands = nodes.filter((node) => node.ascii !== 'STX').map((n) => `${n.ascii} ${n.fn}`);
    // Only the commands the receipt means: reset, Kanji off, font, bold, code page, cut.
    expect(new Set(commands)).toEqual(
      new Set(['ESC @', 'FS .', 'ESC M', 'ESC E', 'ESC t', 'GS V']),
    );
    expect(commands.filter((c) => c === 'ESC @')).toHaveLength(1);
    const text = nodes
      .filter((node) => node.ascii === 'STX')
      .flatMap((node) => [...node.bytes])
      .filter((byte) => byte !== 0x0a && byte !== 0x0d);
    expect(text.filter(isCommandByte)).toEqual([]);
    // Windows-1252 has • at 0x95; the arrows become look-alikes.
    expect(Buffer.from(text).toString('latin1')).toContain(
      '\x95 Bring your ID -> Counter 3. <- Back',
    );
  });

  it('turns an officer name made of command look-alikes into harmless text on every ESC/POS model', () => {
    // CP437 glyphs at ESC @ (reset), GS V (cut), DLE EOT (status) and ESC p (drawer pulse).
    const name = '←@↔V►♦◄!←p';
    for (const model of printerModelIds.filter(
      (id) => printerCapabilities(id).family === 'esc-pos',
    )) {
      const bytes = encodeReceiptEscPos(
        {
          language: 'en',
          documentTitle: 'x',
          blocks: [{ kind: 'field', label: 'Officer', value: name }],
        },
        { model },
      );
      const commands = parseEscPosThirdParty(bytes)
        .filter((node) => node.ascii !== 'STX')
        .map((node) => `${node.ascii} ${node.fn}`);
      expect(
        commands.filter((c) => c === 'ESC @'),
        model,
      ).toHaveLength(1);
      expect(
        commands.filter((c) => c.startsWith('GS V')),
        model,
      ).toHaveLength(1);
      expect(
        commands.filter((c) => c.startsWith('ESC p') || c.startsWith('DLE')),
        model,
      ).toEqual([]);
    }
  });

  it('keeps Spanish and Setswana letters in the common code pages', () => {
    const pages = codepageOrder(printerCapabilities('epson-tm-t88vi').codepages);
    expect(printableRuns('¿Año? ñ', pages)).toEqual([{ codepage: 'cp437', text: '¿Año? ñ' }]);
    expect(printableRuns('sešwa ê ô', pages)).toEqual([
      { codepage: 'cp437', text: 'se' },
      { codepage: 'windows1252', text: 'šwa ê ô' },
    ]);
  });
});
