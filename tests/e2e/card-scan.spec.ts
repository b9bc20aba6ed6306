import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';

// A valid receipt reference (its check character matches), as on a receipt's QR code.
const reference = '7K3M-Q9XD-N';

/** A keyboard-wedge scanner: the whole code in a few milliseconds, then Enter. */
async function scan(page: Page, text: string) {
  await page.keyboard.type(text, { delay: 4 });
  await page.keyboard.press('Enter');
}

async function openBirthCertificateName(page: Page) {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-category=civil-registry]').click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
  await expect(page.locator('[data-screen=form] input.answer')).toBeFocused();
}

test('a receipt code scanned on the start screen opens its status without touching the screen', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').focus();
  await scan(page, `SP:${reference}`);
  await expect(page.locator('[data-screen=status]')).toBeVisible();
  await expect(page.locator('#status-ref')).toHaveValue(reference);
  await expect(page.getByText('The office has no request with this number yet.')).toBeVisible();
  await screenshot(page, 'scan-status-en');
});

test('a scan never lands in a form field, while a person typing fast still does', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await openBirthCertificateName(page);
  const field = page.locator('[data-screen=form] input.answer');

  // An unknown card swiped by a wedge reader: nothing reaches the field, one calm sentence shows.
  await scan(page, ';1234567890123=2912?');
  await expect(page.getByRole('status').filter({ hasText: 'not recognised' })).toBeVisible();
  await expect(field).toHaveValue('');

  // A receipt code scanned in the middle of a form does not take the citizen away from it.
  await scan(page, `SP:${reference}`);
  await expect(page.locator('[data-screen=form]')).toBeVisible();
  await expect(field).toHaveValue('');

  // A quick typist (about 80 ms between keys) is typing, not a scanner.
  await page.keyboard.type('Ana Pérez', { delay: 80 });
  await expect(field).toHaveValue('Ana Pérez');
  await page.keyboard.press('Backspace');
  await expect(field).toHaveValue('Ana Pére');
});
