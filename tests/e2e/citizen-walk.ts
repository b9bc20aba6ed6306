import type { Page } from '@playwright/test';
import { expect, startOver } from './fixtures';

const next = (page: Page) => page.locator('[data-screen=form] form button[type=submit]').click();

/** A demo site to walk: its profile file, the languages to measure, ID numbers its catalogue takes. */
export interface DemoSite {
  name: 'belize' | 'botswana';
  siteFile: string;
  kioskId: string;
  languages: ReadonlyArray<'en' | 'es' | 'bzj' | 'tn'>;
  /** An ID number its catalogue refuses and one it takes. */
  ids: { refused: string; accepted: string };
}

export const demoSites: readonly DemoSite[] = [
  {
    name: 'belize',
    siteFile: 'demo.json',
    kioskId: 'demo-kiosk-01',
    languages: ['en', 'es', 'bzj'],
    // The Social Security number: 6 to 9 digits.
    ids: { refused: '12345', accepted: '123456782' },
  },
  {
    name: 'botswana',
    siteFile: 'demo-botswana.json',
    kioskId: 'demo-kiosk-bw-01',
    languages: ['en', 'tn'],
    // Omang: 9 digits, the fifth 1 or 2.
    ids: { refused: '123456789', accepted: '123416789' },
  },
];

/**
 * Walks every citizen screen once, in English: attract, language, services, each kind of question
 * and keypad of a passport renewal (choice, code, letters and capitals, date, number with an
 * error, papers, payment), review, consent, receipt (printed, SMS phone pad) and a status check.
 * `stop` is called on each screen, named, so a spec can measure it.
 */
export async function walkEveryCitizenScreen(
  page: Page,
  stop: (name: string) => Promise<void>,
  ids: DemoSite['ids'],
): Promise<void> {
  await stop('attract');
  await page.locator('[data-screen=attract] button.primary').click();
  // A stop that used the top bar's language buttons chose a language: Start then skips the
  // language screen. Start over forgets the choice, and the next Start asks.
  await expect(page.locator('[data-screen=language], [data-screen=services]')).toBeVisible();
  if ((await page.locator('[data-screen=services]').count()) > 0) {
    await page.locator('[data-start-over]').click();
    await page.locator('[data-screen=attract] button.primary').click();
  }
  await expect(page.locator('[data-screen=language]')).toBeVisible();
  await stop('language');
  await page.locator('[data-screen=language] button[lang=en]').click();
  await stop('services');
  await page.locator('[data-category=civil-registry]').click();
  await stop('services-category');
  await page.locator('[data-service=passport]').click();
  await page.locator('input[type=radio][value=renewal]').check();
  await stop('form-choice');
  await next(page);
  await stop('form-code-keyboard');
  await page.getByRole('textbox').fill('P1234567');
  await next(page);
  await stop('form-letter-keyboard');
  // The capital letters layer of the same keyboard.
  await page.locator('.hg-button[data-skbtn="{shift}"]').click();
  await stop('form-letter-keyboard-shift');
  await page.getByRole('textbox').fill('Maria Chen');
  await next(page);
  await page.getByRole('textbox').fill('1984-02-29');
  await expect(page.locator('.date-words')).not.toBeEmpty();
  await stop('form-date-pad');
  await next(page);
  await page.getByRole('textbox').fill(ids.refused);
  await next(page);
  await expect(page.getByRole('alert')).toBeVisible();
  await stop('form-number-pad-error');
  await page.getByRole('textbox').fill(ids.accepted);
  await next(page);
  await stop('form-documents');
  for (const box of await page.getByRole('checkbox').all()) await box.check();
  await next(page);
  await page.locator('input[type=radio][value=card-terminal]').check();
  await stop('form-payment');
  await next(page);
  await page.getByRole('textbox').fill('CT-55012');
  await next(page);
  await stop('review');
  await page.locator('[data-screen=review] button.primary').click();
  await stop('consent');
  await page.getByRole('checkbox').check();
  await page.locator('[data-screen=consent] button.primary').click();
  await expect(page.getByTestId('reference')).toBeVisible();
  await stop('receipt');
  await page.locator('[data-print]').click();
  await expect(page.locator('[data-print-state]')).toBeVisible({ timeout: 15_000 });
  await stop('receipt-printed');
  await page.locator('.sms button').click();
  await stop('receipt-sms-phone-pad');
  await startOver(page);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-service=application-status]').click();
  await page.getByRole('textbox').fill('ABCD-EFGH-1');
  await page.locator('[data-screen=status] button[type=submit]').click();
  await expect(page.locator('[data-status-result]')).toBeVisible();
  await stop('status');
}
