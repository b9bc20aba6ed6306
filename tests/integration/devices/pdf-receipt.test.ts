import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReceiptPdf } from '../../../electron/devices/printer/pdf-receipt';
import { findReceiptFonts } from '../../../electron/devices/printer/receipt-fonts';
import {
  formatReceiptDate,
  formatReceiptFee,
  layoutReceipt,
} from '../../../electron/devices/printer/receipt-layout';
import { receiptLabels } from '../../../electron/devices/printer/receipt-labels';
import { DeviceError } from '../../../electron/devices/device-runtime';
import { sampleReceipt } from '../../unit/electron/devices/support/device-test-kit';

const collapse = (text: string): string => text.replace(/\s+/g, ' ');

describe('PDF receipt (pdfkit, DejaVu)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-pdf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function render(paper: 'roll-80mm' | 'a4', language: string) {
    const content = sampleReceipt({
      language,
      payment: { method: 'mobile-money', reference: 'MM-88231' },
    });
    const pdf = await renderReceiptPdf(layoutReceipt(content), {
      paper,
      fonts: findReceiptFonts(),
      createdAt: new Date(content.issuedAt),
    });
    const file = path.join(dir, `${paper}-${language}.pdf`);
    writeFileSync(file, pdf);
    return {
      content,
      file,
      text: collapse(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })),
    };
  }

  it.each([
    ['roll-80mm', 'es'],
    ['a4', 'es'],
    ['roll-80mm', 'en'],
  ] as const)('%s in %s carries every field (pdftotext)', async (paper, language) => {
    const { content, text } = await render(paper, language);
    const labels = receiptLabels(content.language);
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
      collapse(content.nextSteps),
      content.kioskId,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('embeds the fonts, so Setswana š ê ô survive on any machine', async () => {
    const { file, text } = await render('roll-80mm', 'tn');
    expect(text).toContain('Setlankana se sešwa sa matsalo');
    expect(text).toContain('ê, ô, š');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    const rows = fonts
      .split('\n')
      .slice(2)
      .filter((row) => row.trim().length > 0);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/DejaVu.*\byes\s+yes\b/);
  });

  it('makes the roll exactly one receipt long and A4 one page', async () => {
    const roll = execFileSync('pdfinfo', [(await render('roll-80mm', 'es')).file], {
      encoding: 'utf8',
    });
    expect(roll).toMatch(/Pages:\s+1/);
    expect(roll).toMatch(/Page size:\s+226\.77\d* x \d+/);
    const a4 = execFileSync('pdfinfo', [(await render('a4', 'es')).file], { encoding: 'utf8' });
    expect(a4).toMatch(/Pages:\s+1/);
    expect(a4).toMatch(/A4/);
  });

  it('renders to a PNG with pdftoppm', async () => {
    const { file } = await render('roll-80mm', 'es');
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '100',
      '-singlefile',
      file,
      file.replace(/\.pdf$/, ''),
    ]);
    const png = readFileSync(file.replace(/\.pdf$/, '.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // 80 mm at 100 dpi.
    expect(png.readUInt32BE(16)).toBe(315);
  });

  it('gives the same bytes for the same receipt', async () => {
    const a = readFileSync((await render('a4', 'en')).file);
    const b = readFileSync((await render('a4', 'en')).file);
    expect(a.equals(b)).toBe(true);
  });

  it('names the missing package when the fonts are not installed', () => {
    let error: unknown;
    try {
      findReceiptFonts(undefined, [path.join(dir, 'nowhere')]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({ code: 'fonts-missing' });
    expect((error as Error).message).toContain('apt-get install fonts-dejavu-core');
  });
});
