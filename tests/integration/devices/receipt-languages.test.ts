import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countries } from '../../../kiosk-config/countries';
import { parseCatalogue, parseSiteConfig } from '../../../kiosk-config/load';
import type { LanguageCode } from '../../../kiosk-config/schema';
import { buildReceiptContent } from '../../../sync/bridge/receipt-content';
import type { ReceiptContent } from '../../../sync/bridge/receipt-content';
import { encodeReceiptEscPos } from '../../../electron/devices/printer/escpos-receipt';
import { renderReceiptPdf } from '../../../electron/devices/printer/pdf-receipt';
import { findReceiptFonts } from '../../../electron/devices/printer/receipt-fonts';
import { layoutReceipt } from '../../../electron/devices/printer/receipt-layout';
import type { ReceiptBlock } from '../../../electron/devices/printer/receipt-layout';
import { createTranslator, loadLanguages } from '../../../renderer/i18n/translator';
import { decodeEscPos, printedText } from '../../support/escpos-decoder';

const read = (file: string): string =>
  readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8');

interface Glossary {
  terms: Record<string, Partial<Record<LanguageCode, { use: string[] }>>>;
}
const glossary = JSON.parse(read('translations/glossary.json')) as Glossary;

/** A reprinted, assisted, paid receipt: every label a receipt can carry is on it. */
function fullReceipt(language: LanguageCode): ReceiptContent {
  const country = language === 'tn' ? 'BW' : 'BZ';
  const site = parseSiteConfig(
    read(language === 'tn' ? 'sites/demo-botswana.json' : 'sites/demo.json'),
  );
  const catalogue = parseCatalogue(read(`catalogue/${countries[country].catalogueFile}`));
  if (!site.ok || !catalogue.ok) throw new Error('demo config invalid');
  const service = catalogue.value.services.find((s) => s.id === 'drivers-licence-renewal')!;
  return {
    ...buildReceiptContent({
      site: site.value,
      service,
      transaction: {
        txId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f',
        ref: '7K3M-Q9XD-N',
        channel: 'assisted',
        fee: service.fee,
        language,
      },
      issuedAt: '2026-11-14T16:30:00.000Z',
      timeZone: countries[country].timeZone,
      payment: { method: 'card-terminal', reference: 'CT-55012' },
      delivery: 'queued',
      copy: 2,
    }),
    officer: { id: '00012345', name: 'Maya Cal' },
  };
}

/** The words the receipt chose (labels, captions, states), not the data it carries. */
function labelTexts(blocks: readonly ReceiptBlock[], content: ReceiptContent): string[] {
  const data = new Set([
    content.agency,
    content.site,
    content.service.title,
    content.ref,
    content.nextSteps,
    content.payment.reference,
    `${content.officer?.name} (${content.officer?.id})`,
  ]);
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.kind === 'rule' || block.kind === 'heading' || block.kind === 'subheading') continue;
    if (block.kind === 'qr') texts.push(block.caption);
    else if (block.kind === 'field' || block.kind === 'reference') {
      texts.push(block.label);
      if (!data.has(block.value)) texts.push(block.value);
    } else if (block.kind === 'paragraph') texts.push(block.label);
    else if (block.kind === 'footer') {
      // "Kiosk demo-kiosk-01 - Completed with an officer": the words around the kiosk id.
      texts.push(
        ...block.text
          .split(content.kioskId)
          .map((part) => part.replace(/^\s*-\s*/, '').trim())
          .filter(Boolean),
      );
    } else texts.push(block.text);
  }
  return texts;
}

const wordsOf = (text: string): string[] =>
  (text.toLocaleLowerCase().match(/\p{L}{3,}/gu) ?? []) as string[];

describe('a receipt in the citizen’s language', () => {
  // The page loads each language's messages on demand.
  beforeAll(() => loadLanguages(['es', 'bzj', 'tn']));
  const english = layoutReceipt({ ...fullReceipt('en') });
  const englishWords = new Set(
    labelTexts(english.blocks, fullReceipt('en')).flatMap((text) => wordsOf(text)),
  );

  const onPaper = (screenText: string) => screenText.replace(/\u00a0/g, ' ');
  for (const language of ['es', 'bzj', 'tn'] as const) {
    it(`carries no English label in ${language}, on paper as on screen`, () => {
      const content = fullReceipt(language);
      const layout = layoutReceipt(content);
      // Words the glossary chose to share with English (Kriol "kiosk", "fee") are not leftovers.
      const shared = new Set(
        Object.values(glossary.terms).flatMap((usages) => usages[language]?.use ?? []),
      );
      const leftovers = labelTexts(layout.blocks, content).flatMap((text) =>
        wordsOf(text)
          .filter((word) => englishWords.has(word) && !shared.has(word))
          .map((word) => `"${word}" in "${text}"`),
      );
      expect(leftovers).toEqual([]);
    });

    it(`says what the screen says in ${language}: words, money and date`, () => {
      const content = fullReceipt(language);
      const tr = createTranslator(language, content.timeZone);
      const fields = new Map(
        layoutReceipt(content)
          .blocks.filter((b) => b.kind === 'field' || b.kind === 'reference')
          .map((b) => [(b as { label: string }).label, (b as { value: string }).value]),
      );
      expect(fields.get(tr.t('receipt.reference'))).toBe(content.ref);
      // The same amount; the screen joins symbol and amount with a no-break space, paper with a
      // plain one (a printer's code page need not have U+00A0).
      expect(fields.get(tr.t('review.fee'))).toBe(onPaper(tr.money(content.fee)));
      expect(fields.get(tr.t('paper.payment'))).toBe(tr.t('payment.method.card-terminal'));
      expect(fields.get(tr.t('paper.status'))).toBe(tr.t('receipt.state.queued'));
      expect(fields.get(tr.t('paper.dateTime'))).toBe(tr.dateTime(content.issuedAt));
    });

    it(`names a bill's amount "Amount to pay" in ${language}, as the review does, not a fee`, () => {
      const content = { ...fullReceipt(language), billAmount: true };
      const tr = createTranslator(language, content.timeZone);
      const fields = new Map(
        layoutReceipt(content)
          .blocks.filter((b) => b.kind === 'field')
          .map((b) => [(b as { label: string }).label, (b as { value: string }).value]),
      );
      expect(fields.get(tr.t('review.amountToPay'))).toBe(onPaper(tr.money(content.fee)));
      expect(fields.has(tr.t('review.fee'))).toBe(false);
    });
  }

  it('prints Pula as "P 50.00" and Setswana months for Gaborone, BZ$ and Spanish months for Belize', () => {
    const setswana = layoutReceipt(fullReceipt('tn'));
    const spanish = layoutReceipt(fullReceipt('es'));
    const values = (blocks: readonly ReceiptBlock[]) =>
      blocks.flatMap((b) => (b.kind === 'field' ? [b.value] : []));
    // 16:30 UTC is 18:30 in Gaborone and 10:30 in Belize.
    expect(values(setswana.blocks)).toEqual(
      expect.arrayContaining(['P 50.00', '14 Ngwanatsele 2026, 18:30', 'Motšhini wa karata']),
    );
    expect(values(spanish.blocks)).toEqual(
      expect.arrayContaining(['BZ$50.00', '14 de noviembre de 2026, 10:30']),
    );
  });

  describe('read back from the printer’s bytes and from the PDF', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'sp-receipt-lang-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    for (const language of ['en', 'es', 'bzj', 'tn'] as const) {
      it(`keeps every ${language} word through ESC/POS code pages and the PDF's fonts`, async () => {
        const content = fullReceipt(language);
        const layout = layoutReceipt(content);
        const labels = labelTexts(layout.blocks, content).map((text) => text.trim());
        const printed = printedText(decodeEscPos(encodeReceiptEscPos(layout)));
        const file = path.join(dir, `receipt-${language}.pdf`);
        writeFileSync(
          file,
          await renderReceiptPdf(layout, {
            paper: 'roll-80mm',
            fonts: findReceiptFonts(),
            createdAt: new Date(content.issuedAt),
          }),
        );
        // pdftotext (poppler) is not ours: what it reads is what a person or a search finds.
        const pdfText = execFileSync('pdftotext', ['-enc', 'UTF-8', '-nopgbrk', file, '-'], {
          encoding: 'utf8',
        }).replace(/\s+/g, ' ');
        const flat = printed.replace(/\s+/g, ' ');
        for (const label of labels) {
          expect(flat, `ESC/POS ${language}`).toContain(label.replace(/\s+/g, ' '));
          expect(pdfText, `PDF ${language}`).toContain(label.replace(/\s+/g, ' '));
        }
      });
    }
  });
});
