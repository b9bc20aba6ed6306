import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { countries } from '../../kiosk-config/countries';
import type { CountryCode } from '../../kiosk-config/countries';
import { formatDayOf, formatMoney } from '../../kiosk-config/formatting';
import { createMessages } from '../../kiosk-config/messages';
import type { LanguageCode } from '../../kiosk-config/schema';
import { receiptContentSchema } from '../../sync/bridge/receipt-content';
import { isTransactionRecord } from '../../sync/protocol/records';
import type { ReceiptContent, ReceiptContentInput } from '../../sync/bridge/receipt-content';
import { encodeReceiptEscPos } from '../../electron/devices/printer/escpos-receipt';
import { findReceiptFonts } from '../../electron/devices/printer/receipt-fonts';
import { layoutReceipt } from '../../electron/devices/printer/receipt-layout';
import { decodeEscPos, printedText } from '../support/escpos-decoder';
import { renderDecodedEscPos } from '../support/escpos-render';
import { artifactsDir, expect, test } from './fixtures';
import type { KioskStack } from './fixtures';
import { officer, roster, waitForRoster } from './staff-fixtures';

/**
 * The "done when": a Setswana citizen in Gaborone and a Spanish-speaking citizen in
 * Belize each complete a fee-paying service, and the screen, the paper receipt (the ESC/POS bytes
 * a thermal printer gets, decoded and drawn), the PDF receipt and the end-of-day report (on
 * screen and as PDF) agree on language, money and date. Pictures go to tests/artifacts/countries/.
 */
const outDir = path.join(artifactsDir, 'countries');

interface Walk {
  country: CountryCode;
  siteFile: string;
  kioskId: string;
  language: LanguageCode;
  /** District option of the birth certificate form. */
  district: string;
  /** How the date of birth is typed: the on-screen date pad, or a hardware keyboard. */
  dateInput: 'date-pad' | 'keyboard';
  /** What the citizen reads back for 1990-04-01, and for the impossible 1992-02-30. */
  birthDate: string;
  impossible: string;
  fee: string;
}

const walks: Walk[] = [
  {
    country: 'BW',
    siteFile: 'demo-botswana.json',
    kioskId: 'demo-kiosk-bw-01',
    language: 'tn',
    district: 'south-east',
    dateInput: 'keyboard',
    birthDate: '1 Moranang 1990',
    impossible: 'Ga go na letsatsi la 30 mo go Tlhakole 1992: e na le malatsi a le 29.',
    fee: 'P 10.00',
  },
  {
    country: 'BZ',
    siteFile: 'demo.json',
    kioskId: 'demo-kiosk-01',
    language: 'es',
    district: 'cayo',
    dateInput: 'date-pad',
    birthDate: '1 de abril de 1990',
    impossible: 'No existe el día 30 en febrero de 1992: tiene 29 días.',
    fee: 'BZ$10.00',
  },
];

const pdfText = (file: string): string =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', '-nopgbrk', file, '-'], { encoding: 'utf8' })
    .replace(/\s+/g, ' ')
    .trim();

const png = (pdf: string, dpi: number): string => {
  const base = pdf.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-singlefile', pdf, base]);
  return `${base}.png`;
};

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
}

/** Types a date of birth the way the walk says: digits only, no separators either way. */
async function typeDate(page: Page, walk: Walk, digits: string): Promise<void> {
  const field = page.locator('input[data-type=date]');
  await field.fill('');
  if (walk.dateInput === 'keyboard') {
    await field.focus();
    // At a person's pace: a gapless burst would be taken for a scanner.
    await page.keyboard.type(digits, { delay: 80 });
  } else {
    for (const key of digits) await page.locator(`.keyboard-host [data-skbtn="${key}"]`).click();
  }
}

/** The catalogue's sentence for a name that is not letters, in the walk's language. */
function nameRule(walk: Walk): string {
  const file = walk.country === 'BW' ? 'botswana.json' : 'belize.json';
  const catalogue = JSON.parse(
    readFileSync(path.join(artifactsDir, '..', '..', 'kiosk-config', 'catalogue', file), 'utf8'),
  ) as {
    services: Array<{
      id: string;
      fields: Array<{ id: string; patternMessage?: Record<string, string> }>;
    }>;
  };
  const service = catalogue.services.find((s) => s.id === 'birth-certificate-replacement');
  const message = service?.fields.find((f) => f.id === 'fullName')?.patternMessage?.[walk.language];
  if (!message) throw new Error(`no name rule in ${file} for ${walk.language}`);
  return message;
}

/** Records what the page sends to the printer, then prints it as the shell does. */
function capturePrints(kiosk: KioskStack): ReceiptContent[] {
  const devices = kiosk.devices!;
  const printed: ReceiptContent[] = [];
  const print = devices.print.bind(devices);
  devices.print = (content: ReceiptContentInput) => {
    printed.push(receiptContentSchema.parse(content));
    return print(content);
  };
  return printed;
}

for (const walk of walks) {
  test.describe(`${countries[walk.country].name}: a citizen in ${walk.language}`, () => {
    test.use({ siteFile: walk.siteFile, roster, simulatedDevices: true });

    test(`screen, paper receipt, PDF and end-of-day report agree on language, money and date`, async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(180_000);
      const { t } = createMessages(walk.language);
      const timeZone = countries[walk.country].timeZone;
      const prints = capturePrints(kiosk);
      await kiosk.open(page);
      await waitForRoster(page, walk.kioskId);

      // The citizen: language, the service and its fee in the country's money.
      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator(`[data-screen=language] button[lang=${walk.language}]`).click();
      const card = page.locator('[data-service=birth-certificate-replacement]');
      await expect(card.locator('.service-fee')).toHaveText(t('services.fee', { fee: walk.fee }));
      await shot(page, `${walk.language}-01-services`);
      await card.click();
      // A name has letters only: digits (an id typed in the wrong box) get the catalogue's words.
      await page.getByRole('textbox').fill('123436789');
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await expect(page.getByRole('alert')).toHaveText(nameRule(walk));
      await page.getByRole('textbox').fill('Kagiso Molefe');
      await page.locator('[data-screen=form] form button[type=submit]').click();

      // The date: an impossible one is read back as what is wrong with it, never as another day.
      await expect(page.locator('input[data-type=date]')).toHaveAttribute(
        'placeholder',
        t('form.datePlaceholder'),
      );
      await typeDate(page, walk, '19920230');
      const readBack = page.locator('[data-date-read-back]');
      await expect(readBack).toHaveText(walk.impossible);
      await expect(readBack).toHaveAttribute('data-date-read-back', 'invalid');
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await expect(page.getByRole('alert')).toHaveText(walk.impossible);
      await shot(page, `${walk.language}-02-impossible-date`);
      await typeDate(page, walk, '19900401');
      await expect(readBack).toHaveText(walk.birthDate);
      await expect(readBack).toHaveAttribute('data-date-read-back', 'valid');
      await shot(page, `${walk.language}-03-date-read-back`);
      await page.locator('[data-screen=form] form button[type=submit]').click();

      await page.locator(`input[type=radio][value=${walk.district}]`).check();
      await page.locator('[data-screen=form] form button[type=submit]').click();
      for (const box of await page.getByRole('checkbox').all()) await box.check();
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await page.locator('input[type=radio][value=card-terminal]').check();
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await page.getByRole('textbox').fill('CT-55012');
      await page.locator('[data-screen=form] form button[type=submit]').click();

      // Review: the date in words and the fee, as typed and as charged.
      await expect(page.locator('[data-answer=dateOfBirth]')).toHaveText(walk.birthDate);
      await expect(page.locator('.review-row.total dd')).toHaveText(walk.fee);
      await shot(page, `${walk.language}-04-review`);
      await page.locator('[data-screen=review] button.primary').click();
      await page.getByRole('checkbox').check();
      await page.locator('[data-screen=consent] button.primary').click();

      // The receipt screen.
      const ref = (await page.getByTestId('reference').textContent()) ?? '';
      expect(ref).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
      const method = t('payment.method.card-terminal');
      await expect(page.locator('.receipt-payment')).toHaveText(
        `${t('receipt.paid', { fee: walk.fee, method })} · CT-55012`,
      );
      await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
        timeout: 20_000,
      });
      // The print button's label sits in its middle, however many lines the longer label it
      // keeps room for ("printing…") takes in this language.
      // Measured on this screen and on a 1280 × 800 one, where Setswana's takes two lines.
      const screen = page.viewportSize();
      for (const size of [screen, { width: 1280, height: 800 }]) {
        if (size) await page.setViewportSize(size);
        const offCentre = await page.locator('[data-print]').evaluate((button) => {
          // The text's own lines, not the label's box (a grid item may stretch to the area).
          const shown = button.querySelector('.steady-label > span');
          const range = document.createRange();
          if (shown) range.selectNodeContents(shown);
          const label = shown ? range.getBoundingClientRect() : undefined;
          const box = button.getBoundingClientRect();
          return label ? Math.abs(label.top + label.bottom - box.top - box.bottom) / 2 : Infinity;
        });
        expect(
          offCentre,
          `print label off its button's centre at ${size?.width} px, px`,
        ).toBeLessThanOrEqual(2);
      }
      if (screen) await page.setViewportSize(screen);
      await page.locator('[data-print]').click();
      await expect(page.locator('[data-print-state=printed]')).toBeVisible({ timeout: 20_000 });
      await shot(page, `${walk.language}-05-receipt-screen`);
      // The day the receipt was issued, in the citizen's words on the site's wall clock.
      const today = formatDayOf(new Date(), walk.language, timeZone);

      // Paper: the ESC/POS bytes an 80 mm printer gets for this job, decoded and drawn.
      expect(prints).toHaveLength(1);
      const content = prints[0]!;
      expect(content).toMatchObject({ language: walk.language, timeZone, ref });
      const bytes = encodeReceiptEscPos(layoutReceipt(content));
      const paper = printedText(decodeEscPos(bytes)).replace(/\s+/g, ' ');
      const fonts = findReceiptFonts();
      mkdirSync(outDir, { recursive: true });
      const escposPdf = path.join(outDir, `${walk.language}-06-receipt-escpos.pdf`);
      writeFileSync(
        escposPdf,
        await renderDecodedEscPos(decodeEscPos(bytes), {
          mono: fonts.mono,
          monoBold: fonts.mono.replace(/DejaVuSansMono\.ttf$/, 'DejaVuSansMono-Bold.ttf'),
        }),
      );
      png(escposPdf, 180);
      // The PDF receipt the (simulated) printer made of the same job.
      const printout = kiosk.devices!.simulatedPrinter!.printouts()[0]!;
      const receiptPdf = pdfText(printout.pdf);
      writeFileSync(
        path.join(outDir, `${walk.language}-07-receipt-pdf.txt`),
        `${printout.pdf}\n${receiptPdf}\n`,
      );
      if (printout.png)
        copyFileSync(printout.png, path.join(outDir, `${walk.language}-07-receipt-pdf.png`));
      // The paper's QR code, read by zbarimg off the PDF drawn at 150 dpi, holds what the
      // screen's does: the prefixed reference a kiosk's scanner is told apart by.
      const paperQr = execFileSync('zbarimg', ['--quiet', '--raw', png(printout.pdf, 150)], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
      expect(paperQr).toBe(`SP:${ref}`);
      const escposText = pdfText(escposPdf);
      for (const [where, text] of [
        ['paper', paper],
        ['paper drawn', escposText],
        ['PDF', receiptPdf],
      ] as const) {
        for (const expected of [
          t('paper.title'),
          t('receipt.reference'),
          ref,
          walk.fee,
          method,
          'CT-55012',
          t('receipt.state.delivered'),
          today,
        ]) {
          expect(text, `${where} in ${walk.language}`).toContain(expected);
        }
      }
      await page.locator('[data-screen=receipt] button.primary').click();

      // The officer's end-of-day report, in the same language.
      await page.locator(`.language-switch button[lang=${walk.language}]`).click();
      kiosk.devices!.simulatedCardReader!.swipe({
        kind: 'officer',
        officerId: officer.officerId,
        expires: '2099-12',
      });
      await page.locator('#officer-pin').fill(officer.pin);
      await page.getByRole('button', { name: t('officer.signIn.submit'), exact: true }).click();
      await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
      await page.getByRole('tab', { name: t('officer.tab.report') }).click();
      const report = page.locator('[data-report]');
      await expect(report).toContainText(t('report.reconciliation'));
      const summary = report.locator('table').first();
      await expect(summary).toContainText(`${t('report.total')}${walk.fee}`);
      const byPayment = report.locator('table').nth(2);
      await expect(byPayment).toContainText(`${method}1${walk.fee}`);
      await expect(report).toContainText(t('report.day', { day: today }));
      await shot(page, `${walk.language}-08-report-screen`);
      await page.locator('[data-report-pdf]').click();
      const saved = await page.locator('[data-pdf-path]').getAttribute('data-pdf-path');
      const reportText = pdfText(saved!);
      for (const expected of [
        t('report.title'),
        t('report.total'),
        walk.fee,
        method,
        t('report.day', { day: today }),
      ]) {
        expect(reportText, 'report PDF').toContain(expected);
      }
      const reportPdf = path.join(outDir, `${walk.language}-09-report.pdf`);
      copyFileSync(saved!, reportPdf);
      png(reportPdf, 60);

      // One money format everywhere: nothing in another currency, no bare "$", no ISO code.
      const other = walk.country === 'BW' ? 'BZD' : 'BWP';
      for (const text of [paper, receiptPdf, reportText, await page.locator('body').innerText()]) {
        expect(text).not.toContain(other);
        expect(text).not.toMatch(/(^|[^Z])\$/);
        expect(text).not.toContain(countries[walk.country].currency);
      }
      expect(formatMoney({ amountMinor: 1000, currency: countries[walk.country].currency })).toBe(
        walk.fee,
      );
    });
  });
}

test('a reference typed without dashes, in small letters, finds the request', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=es]').click();
  await page.locator('[data-service=social-grant]').click();
  await page.getByRole('textbox').fill('123456789');
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.locator('input[type=radio][value=old-age]').check();
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.getByRole('textbox').fill('6102233');
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.locator('[data-screen=review] button.primary').click();
  await page.getByRole('checkbox').check();
  await page.locator('[data-screen=consent] button.primary').click();
  const ref = (await page.getByTestId('reference').textContent()) ?? '';
  await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
    timeout: 20_000,
  });
  await page.locator('[data-screen=receipt] button.primary').click();
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=es]').click();
  await page.locator('[data-category=help]').click();
  await page.locator('[data-service=application-status]').click();
  await page.getByRole('textbox').focus();
  await page.keyboard.type(ref.replace(/-/g, '').toLowerCase(), { delay: 80 });
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-status-result]')).toHaveAttribute(
    'data-status-result',
    'received',
  );
  await expect(page.getByRole('textbox')).toHaveValue(ref);
  // Something that cannot be a reference gets the sentence saying what one looks like.
  await page.getByRole('textbox').fill('ABC');
  await page.locator('[data-screen=status] button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText(
    createMessages('es').t('status.error.reference'),
  );
  // The earlier request's answer is gone: it is not this reference's.
  await expect(page.locator('[data-status-result]')).toHaveCount(0);
  // One character mistyped: the last one checks the others, so the kiosk says so at once instead
  // of "the office has no request with this number yet" (QA).
  const wrong = ref.slice(0, -1) + (ref.endsWith('0') ? '1' : '0');
  await page.getByRole('textbox').fill(wrong);
  await page.locator('[data-screen=status] button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText(
    createMessages('es').t('status.error.checkCharacter'),
  );
  await expect(page.locator('[data-status-result]')).toHaveCount(0);
});

for (const walk of walks) {
  test.describe(`${countries[walk.country].name}: a bill paid by its amount, in ${walk.language}`, () => {
    test.use({ siteFile: walk.siteFile, simulatedDevices: true });

    test('the amount the citizen states is the amount to pay: on review, on the receipt and on paper', async ({
      page,
      kiosk,
    }) => {
      const { t } = createMessages(walk.language);
      const currency = countries[walk.country].currency;
      const amount = formatMoney({ amountMinor: 1250, currency });
      const prints = capturePrints(kiosk);
      await kiosk.open(page);
      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator(`[data-screen=language] button[lang=${walk.language}]`).click();
      await page.locator('[data-category=payments]').click();
      const card = page.locator('[data-service=bill-payment]');
      await expect(card.locator('.service-fee')).toHaveText(t('services.feeAsEntered'));
      await card.click();
      await page.locator('input[type=radio][value=water]').check();
      await page.locator('[data-screen=form] form button[type=submit]').click();
      // The account number takes digits only: the number pad, not the letter keyboard.
      await expect(page.locator('[data-keyboard]')).toHaveAttribute('data-keyboard', 'numeric');
      await page.getByRole('textbox').fill('00123456');
      await page.locator('[data-screen=form] form button[type=submit]').click();

      // The amount: typed on the kiosk's own pad (it has a decimal point); three decimals refused.
      const field = page.locator('input[data-type=amount]');
      await expect(field).toHaveAttribute('inputmode', 'decimal');
      for (const key of '12.505')
        await page.locator(`.keyboard-host [data-skbtn="${key}"]`).click();
      await expect(field).toHaveValue('12.505');
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await expect(page.getByRole('alert')).toHaveText(t('form.error.amount'));
      // Past the catalogue's largest, even past nine digits: the limit, said as money (QA: it
      // used to be "enter an amount such as 12.50", and "100,000" without the currency).
      const largest = t('form.error.amountMax', {
        amount: formatMoney({ amountMinor: 10_000_000, currency }),
      });
      for (const tooLarge of ['100000.01', '2500000000']) {
        await field.fill(tooLarge);
        await page.locator('[data-screen=form] form button[type=submit]').click();
        await expect(page.getByRole('alert')).toHaveText(largest);
      }
      await field.fill('12.505');
      await page.locator('.keyboard-host [data-skbtn="{bksp}"]').click();
      await page.locator('.keyboard-host [data-skbtn="{bksp}"]').click();
      await expect(field).toHaveValue('12.5');
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await page.locator('[data-screen=form] form button[type=submit]').click(); // no SMS number
      // The payment question says what is to be paid.
      await expect(page.locator('legend .amount-due')).toHaveText(
        t('payment.amountDue', { amount }),
      );
      await page.locator('input[type=radio][value=counter]').check();
      await shot(page, `${walk.language}-bill-payment-question`);
      await page.locator('[data-screen=form] form button[type=submit]').click();

      // Review: the amount as money, and it is what is charged, named as such (not a "fee").
      await expect(page.locator('[data-answer=amount]')).toHaveText(amount);
      await expect(page.locator('.review-row.total dt')).toHaveText(t('review.amountToPay'));
      await expect(page.locator('.review-row.total dd')).toHaveText(amount);
      await shot(page, `${walk.language}-bill-review`);
      await page.locator('[data-screen=review] button.primary').click();
      await page.locator('[data-screen=consent] button.primary').click();

      await expect(page.locator('.receipt-payment')).toHaveText(
        t('receipt.paid', { fee: amount, method: t('payment.method.counter') }),
      );
      await page.locator('[data-print]').click();
      await expect(page.locator('[data-print-state=printed]')).toBeVisible({ timeout: 20_000 });
      await shot(page, `${walk.language}-bill-receipt`);
      expect(prints.map((content) => content.fee)).toEqual([{ amountMinor: 1250, currency }]);
      expect(prints[0]?.billAmount).toBe(true);
      const paper = printedText(decodeEscPos(encodeReceiptEscPos(layoutReceipt(prints[0]!))));
      // Named on paper as on the review: what is to be paid, not a fee.
      expect(paper.replace(/\s+/g, ' ')).toContain(`${t('review.amountToPay')}: ${amount}`);
      expect(paper).not.toContain(t('review.fee'));
      // The simulated printer's PDF of the same receipt, read by pdftotext (label and value in
      // two columns, no colon).
      const pdf = pdfText(kiosk.devices!.simulatedPrinter!.printouts()[0]!.pdf);
      expect(pdf).toContain(`${t('review.amountToPay')} ${amount}`);
      expect(pdf).not.toContain(t('review.fee'));
      // The signed record carries it: the gateway and every report count this amount.
      await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
        timeout: 20_000,
      });
      const ref = (await page.getByTestId('reference').textContent()) ?? '';
      const records = (await kiosk.gateway.store!.listRecords(walk.kioskId)).filter(
        isTransactionRecord,
      );
      const record = records.find((candidate) => candidate.body.ref === ref);
      expect(record?.body.fee).toEqual({ amountMinor: 1250, currency });
      // The answer itself as it was kept once accepted: "12.5" typed, "12.50" sent.
      expect(record?.body.fields.amount).toBe('12.50');
    });
  });
}

/** A name in the site's own letters, typed on the keyboard of a screen in another language. */
const ownLetters = [
  { siteFile: 'demo.json', country: 'BZ' as const, language: 'en' as const, name: 'José Peña' },
  { siteFile: 'demo.json', country: 'BZ' as const, language: 'bzj' as const, name: 'Ana Muñoz' },
  {
    siteFile: 'demo-botswana.json',
    country: 'BW' as const,
    language: 'en' as const,
    name: 'Mošwaane',
  },
];
for (const walk of ownLetters) {
  test.describe(`${countries[walk.country].name}: a name in its own letters, in ${walk.language}`, () => {
    test.use({ siteFile: walk.siteFile });

    test(`"${walk.name}" is typed on the on-screen keys and accepted`, async ({ page, kiosk }) => {
      await kiosk.open(page);
      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator(`[data-screen=language] button[lang=${walk.language}]`).click();
      await page.locator('[data-service=birth-certificate-replacement]').click();
      await expect(page.locator('[data-keyboard]')).toHaveAttribute('data-keyboard', 'text');
      const key = (button: string) => page.locator(`.keyboard-host [data-skbtn="${button}"]`);
      for (const letter of walk.name) {
        if (letter === ' ') await key('{space}').click();
        else if (letter !== letter.toLowerCase()) {
          // One capital, then back to small letters.
          await key('{shift}').click();
          await key(letter).click();
        } else await key(letter).click();
      }
      await expect(page.getByRole('textbox')).toHaveValue(walk.name);
      await shot(page, `${walk.country.toLowerCase()}-${walk.language}-name-own-letters`);
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await expect(page.locator('input[data-type=date]')).toBeVisible();
      await expect(page.getByRole('alert')).toHaveCount(0);
    });
  });
}
