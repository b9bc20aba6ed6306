import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Answers as a first-time citizen gives and corrects them: a date limit refuses an impossible
 * date of birth in the citizen's language, and Change on the review edits one answer and comes
 * straight back to the review with every other answer kept.
 */

const next = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();

async function startBirthCertificate(page: Page, language: 'English' | 'Español') {
  await page.getByRole('button', { name: 'Touch to start' }).click();
  await page.getByRole('button', { name: language }).click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
}

test('a date of birth in the future is refused in Spanish and the question stays on screen', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await startBirthCertificate(page, 'Español');
  await page.getByRole('textbox').fill('Ana Pérez');
  await next(page, 'Siguiente');
  await expect(page.getByText('Pregunta 2 de 5')).toBeVisible();
  await page.locator('input[data-type=date]').fill('2099-01-01');
  await next(page, 'Siguiente');
  await expect(page.getByRole('alert')).toHaveText(
    'Esta fecha no puede ser futura. Revise el año.',
  );
  await expect(page.getByText('Pregunta 2 de 5')).toBeVisible();
  // Older than any living person (more than 130 years before the site's today): refused too.
  await page.locator('input[data-type=date]').fill('1850-06-01');
  await next(page, 'Siguiente');
  await expect(page.getByRole('alert')).toContainText('La fecha no puede ser anterior al');
  await expect(page.getByRole('alert')).toContainText('Revise el año.');
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await next(page, 'Siguiente');
  await expect(page.getByText('Pregunta 3 de 5')).toBeVisible();
});
