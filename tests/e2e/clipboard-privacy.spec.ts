import type { Page } from '@playwright/test';
import { expect, startOver, test } from './fixtures';

/** From the start screen to the first field of a birth certificate request (the name). */
async function openNameField(page: Page) {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-category=civil-registry]').click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
  const field = page.locator('[data-screen=form] input.answer');
  await expect(field).toBeFocused();
  return field;
}

test('a name one citizen copies never reaches the next citizen’s session', async ({
  page,
  context,
  kiosk,
}) => {
  await kiosk.open(page);
  const first = await openNameField(page);
  await page.keyboard.type('Ana Pérez', { delay: 80 });
  await expect(first).toHaveValue('Ana Pérez');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  // Cut takes nothing out of the field either.
  await page.keyboard.press('Control+X');
  await expect(first).toHaveValue('Ana Pérez');
  await startOver(page);
  await expect(page.locator('[data-screen=attract]')).toBeVisible();

  // Whatever was selected or copied is gone from the clipboard (the kiosk page forbids reading
  // it, so a plain page of the same browser pastes it)…
  const other = await context.newPage();
  await other.setContent('<textarea autofocus></textarea>');
  await other.locator('textarea').focus();
  await other.keyboard.press('Control+V');
  await expect(other.locator('textarea')).toHaveValue('');
  await other.close();
  expect(await page.evaluate(() => getSelection()?.toString() ?? '')).toBe('');

  // …and the next citizen's paste, drop or selection paste brings nothing in.
  const next = await openNameField(page);
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Shift+Insert');
  const refused = await next.evaluate((input) => {
    const paste = new DataTransfer();
    paste.setData('text/plain', 'Ana Pérez');
    const pasted = input.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }),
    );
    const dropped = input.dispatchEvent(
      new InputEvent('beforeinput', {
        inputType: 'insertFromDrop',
        data: 'Ana Pérez',
        bubbles: true,
        cancelable: true,
      }),
    );
    return { pasted, dropped };
  });
  expect(refused).toEqual({ pasted: false, dropped: false });
  await page.waitForTimeout(300);
  await expect(next).toHaveValue('');
  // Typing still works as usual.
  await page.keyboard.type('Kagiso', { delay: 80 });
  await expect(next).toHaveValue('Kagiso');
});
