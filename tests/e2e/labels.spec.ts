import type { Page } from '@playwright/test';
import type { LanguageCode } from '../../kiosk-config/schema';
import { expect, startOver, test } from './fixtures';
import { officer, roster, waitForRoster } from './staff-fixtures';

/**
 * No two different controls on one screen carry the same words, in any language (a citizen who
 * reads "Big leta" on the Large-text toggle and on the keyboard's Shift key cannot tell them
 * apart). Every visible button, tab, choice and on-screen key is read as a person sees it,
 * symbols (⇧ ⌫ →) aside; two controls may share words only when they do the same thing: a
 * form's submit button and the on-screen keyboard's Enter key.
 */
async function sameLabelControls(page: Page, screen: string): Promise<string[]> {
  const found = await page.evaluate(() => {
    const visible = (element: Element): boolean => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
    };
    const controls = [
      ...document.querySelectorAll(
        'button, [role=button], [role=tab], a[href], label.choice, .hg-button, input[type=submit]',
      ),
    ].filter(visible);
    const groups = new Map<string, Array<{ action: string; text: string }>>();
    controls.forEach((element, index) => {
      const text = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim();
      const words = text
        .toLocaleLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
      // Single characters are the keys of a keyboard (a, 7, -), not labels.
      if ([...words].length < 2) return;
      const submits =
        element.matches('.hg-button[data-skbtn="{enter}"]') ||
        element.matches('form button[type=submit]');
      const action = submits ? 'submit' : `control ${index}`;
      groups.set(words, [...(groups.get(words) ?? []), { action, text }]);
    });
    return [...groups.entries()]
      .filter(([, group]) => new Set(group.map((item) => item.action)).size > 1)
      .map(
        ([words, group]) =>
          `"${words}" on ${group.length} controls: ${group.map((g) => g.text).join(' | ')}`,
      );
  });
  return found.map((problem) => `${screen}: ${problem}`);
}

const next = (page: Page) => page.locator('[data-screen=form] form button[type=submit]').click();

/** Walks a citizen's screens and the staff screens in one language, checking each. */
async function walk(page: Page, language: LanguageCode, kioskId: string, omang: boolean) {
  const problems: string[] = [];
  const check = async (screen: string) =>
    problems.push(...(await sameLabelControls(page, `${language} ${screen}`)));

  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${language}]`).click();
  await check('services');
  await page.locator('[data-category=civil-registry]').click();
  await page.locator('[data-service=passport]').click();
  await page.locator('input[type=radio][value=renewal]').check();
  await check('form choice');
  await next(page);
  await page.getByRole('textbox').fill('P1234567');
  await check('form code keyboard');
  await next(page);
  await page.getByRole('textbox').fill('Maria Chen');
  await check('form letters keyboard');
  await next(page);
  await page.getByRole('textbox').fill('1984-02-29');
  await check('form date pad');
  await next(page);
  await page.getByRole('textbox').fill(omang ? '123416789' : '123456782');
  await check('form number pad');
  await next(page);
  for (const box of await page.getByRole('checkbox').all()) await box.check();
  await check('form documents');
  await next(page);
  await page.locator('input[type=radio][value=card-terminal]').check();
  await check('form payment');
  await next(page);
  await page.getByRole('textbox').fill('CT-55012');
  await next(page);
  await check('review');
  await page.locator('[data-screen=review] button.primary').click();
  await page.getByRole('checkbox').check();
  await check('consent');
  await page.locator('[data-screen=consent] button.primary').click();
  await expect(page.getByTestId('reference')).toBeVisible();
  await check('receipt');
  await page.locator('.sms button').click();
  await check('receipt phone pad');
  await startOver(page);

  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${language}]`).click();
  await page.locator('[data-service=application-status]').click();
  await check('status');
  await startOver(page);

  // Staff screens, in the same language (the switch on the start screen).
  await page.locator(`.language-switch button[lang=${language}]`).click();
  await page.keyboard.press('Control+Alt+O');
  await expect(page.locator('[data-screen=operator-pin]')).toBeVisible();
  await check('operator PIN');
  await page.locator('[data-screen=operator-pin] button.secondary').first().click();
  await waitForRoster(page, kioskId);
  return { problems, check };
}

for (const site of [
  {
    file: 'demo.json',
    kioskId: 'demo-kiosk-01',
    languages: ['en', 'es', 'bzj'] as const,
    omang: false,
  },
  {
    file: 'demo-botswana.json',
    kioskId: 'demo-kiosk-bw-01',
    languages: ['en', 'tn'] as const,
    omang: true,
  },
]) {
  test.describe(`labels at ${site.file}`, () => {
    test.use({ siteFile: site.file, roster, simulatedDevices: true });

    test('no two different controls share a label on any screen, in any language', async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(240_000);
      await kiosk.open(page);
      const problems: string[] = [];
      for (const language of site.languages) {
        const result = await walk(page, language, site.kioskId, site.omang);
        problems.push(...result.problems);
        // The officer's screens: sign-in with its keypad, the tools and their tabs.
        kiosk.devices!.simulatedCardReader!.swipe({
          kind: 'officer',
          officerId: officer.officerId,
          expires: '2099-12',
        });
        await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
        await result.check('officer sign-in');
        await page.locator('#officer-pin').fill(officer.pin);
        await page.locator('[data-screen=officer-sign-in] form button[type=submit]').click();
        await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
        for (const tab of await page.getByRole('tab').all()) {
          await tab.click();
          await result.check(`officer tools, ${(await tab.textContent()) ?? ''}`);
        }
        await page.locator('[data-sign-out]').click();
        await expect(page.locator('[data-screen=attract]')).toBeVisible();
      }
      expect(problems).toEqual([]);
    });
  });
}
