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

test('Change on the review edits that one answer and returns straight to the review, keeping the rest', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await startBirthCertificate(page, 'English');
  await page.getByRole('textbox').fill('Maria Chen');
  await next(page, 'Next');
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await next(page, 'Next');
  await page.getByText('Cayo').click();
  await next(page, 'Next');
  await page.getByLabel('Your Social Security card').check();
  await next(page, 'Next');
  await page.getByText('Pay at the counter').click();
  await next(page, 'Next');
  await expect(page.locator('[data-screen=review]')).toBeVisible();

  // The date of birth is the second of five questions: changing it must not walk the other three.
  await page.getByRole('button', { name: /^Change: Date of birth$/ }).click();
  await expect(page.getByText('Question 2 of 5')).toBeVisible();
  await page.locator('input[data-type=date]').fill('1991-05-02');
  await next(page, 'Next');
  await expect(page.locator('[data-screen=review]')).toBeVisible();
  await expect(page.locator('[data-answer=dateOfBirth]')).toHaveText('2 May 1991');
  await expect(page.locator('[data-answer=fullName]')).toHaveText('Maria Chen');
  await expect(page.locator('[data-answer=district]')).toHaveText('Cayo');
  await expect(page.locator('[data-answer=paymentMethod]')).toHaveText('Pay at the counter');

  // Back from a changed question also returns to the review, not to the question before it.
  await page.getByRole('button', { name: /^Change: District of birth/ }).click();
  await page.getByText('Belize', { exact: true }).click();
  await next(page, 'Back');
  await expect(page.locator('[data-screen=review]')).toBeVisible();

  // A change that asks a new question (mobile money needs its reference) asks it, then returns.
  await page.getByRole('button', { name: /^Change: How will you pay/ }).click();
  await page.getByText('Mobile money (I already paid)').click();
  await next(page, 'Next');
  await expect(page.getByRole('textbox')).toBeVisible();
  await page.getByRole('textbox').fill('MM-55012');
  await next(page, 'Next');
  await expect(page.locator('[data-screen=review]')).toBeVisible();
  await expect(page.locator('[data-answer=paymentReference]')).toHaveText('MM-55012');
  await expect(page.locator('[data-answer=fullName]')).toHaveText('Maria Chen');
});
