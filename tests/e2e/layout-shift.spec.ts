import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { artifactsDir, expect, screenshot, startOver, test } from './fixtures';
import { settle } from './layout-probes';
import { enterPin, officer, roster, waitForRoster } from './staff-fixtures';

/**
 * Nothing moves under a finger once a screen has painted. Measured with Chromium's Layout
 * Instability API (PerformanceObserver, entry type `layout-shift`): every shift is counted,
 * including those the API marks `hadRecentInput` (CLS leaves those out, but a message that
 * appears after a tap still moves the next button under the same finger). Each case starts
 * after the screen's first paint has settled, then does one thing a citizen does.
 */

interface Shift {
  value: number;
  hadRecentInput: boolean;
  moved: string[];
}

/** Starts recording layout shifts in every page of the context (before the app loads). */
async function recordShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shifts: Shift[] = [];
    Object.assign(window, { __shifts: shifts });
    const describe = (node: Node | null): string => {
      if (!(node instanceof Element)) return node?.nodeName ?? '?';
      const data = Array.from(node.attributes)
        .filter((a) => a.name.startsWith('data-'))
        .map((a) => `[${a.name}=${a.value}]`)
        .join('');
      const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 30);
      return `${node.tagName.toLowerCase()}.${String(node.className).split(' ').join('.')}${data} "${text}"`;
    };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<
        PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
          sources?: Array<{
            node: Node | null;
            previousRect: DOMRectReadOnly;
            currentRect: DOMRectReadOnly;
          }>;
        }
      >) {
        shifts.push({
          value: entry.value,
          hadRecentInput: entry.hadRecentInput,
          moved: (entry.sources ?? []).map(
            (s) =>
              `${describe(s.node)} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`,
          ),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

type Shifts = Shift[];
const shiftsSoFar = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __shifts: Shifts }).__shifts.length);
const shiftsSince = (page: Page, from: number): Promise<Shifts> =>
  page.evaluate((start) => (window as unknown as { __shifts: Shifts }).__shifts.slice(start), from);

const results: Array<{ orientation: string; case: string; score: number; moved: string[] }> = [];

/**
 * Lets the current screen finish its first paint, runs `act`, waits for what it causes to
 * paint, and records the layout-shift score it caused (all shifts, input or not).
 */
async function measure(
  page: Page,
  orientation: string,
  name: string,
  act: () => Promise<void>,
): Promise<void> {
  await settle(page);
  await page.waitForTimeout(300);
  const from = await shiftsSoFar(page);
  await act();
  await settle(page);
  await page.waitForTimeout(300);
  const shifts = await shiftsSince(page, from);
  results.push({
    orientation,
    case: name,
    score: Math.round(shifts.reduce((sum, s) => sum + s.value, 0) * 10000) / 10000,
    moved: shifts.flatMap((s) => s.moved),
  });
}

/** Taps keys of the on-screen keyboard, one after another, as a finger does. */
async function tapKeys(page: Page, keys: string): Promise<void> {
  for (const key of keys) await page.locator(`.hg-button[data-skbtn="${key}"]`).click();
}

const orientations = {
  landscape: { width: 1920, height: 1080 },
  portrait: { width: 1080, height: 1920 },
} as const;

test.describe('no layout shift under the finger', () => {
  // A Botswana site, in Setswana: the longest words of the four languages.
  test.use({ roster, simulatedDevices: true, siteFile: 'demo-botswana.json' });

  for (const [orientation, viewport] of Object.entries(orientations)) {
    test(`a message, a read-back, a print result or a status never moves what is on screen (${orientation})`, async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(180_000);
      await page.setViewportSize(viewport);
      await recordShifts(page);
      await kiosk.open(page);
      const m = (name: string, act: () => Promise<void>) => measure(page, orientation, name, act);
      await expect(page.locator('[data-link=online]')).toBeVisible({ timeout: 15_000 });

      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator('[data-screen=language] button[lang=tn]').click();
      await m('services screen, left alone', () => page.waitForTimeout(1_000));
      await page.locator('[data-service=birth-certificate-replacement]').click();
      const next = page.locator('[data-screen=form] form button[type=submit]');
      await m('an error appears (Next with no answer)', () => next.click());
      await expect(page.getByRole('alert')).toBeVisible();
      await m('the error clears (a key is typed)', () => tapKeys(page, 'a'));
      await expect(page.getByRole('alert')).toHaveCount(0);
      await tapKeys(page, 'na');
      await next.click();
      await m('the date is read back (typed on the date pad)', () => tapKeys(page, '19900401'));
      await expect(page.locator('.date-words')).toContainText('1990');
      await m('an impossible date is refused (Next)', async () => {
        await page.locator('input[data-type=date]').fill('1990-02-30');
        await next.click();
      });
      await page.locator('input[data-type=date]').fill('1990-04-01');
      await next.click();
      await page.locator('.choices .choice').first().click();
      await next.click();
      for (const box of await page.getByRole('checkbox').all()) await box.check();
      await next.click();
      await page.locator('input[type=radio][value=counter]').check();
      await next.click();
      await page.locator('[data-screen=review] button.primary').click();
      await m('consent refused until ticked (Send)', async () => {
        await page.locator('[data-screen=consent] button.primary').click();
        await expect(page.getByRole('alert')).toBeVisible();
      });
      await page.getByRole('checkbox').check();
      await page.locator('[data-screen=consent] button.primary').click();
      await expect(page.getByTestId('reference')).toBeVisible();
      await m('the receipt is delivered while on screen', () =>
        expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
          timeout: 20_000,
        }),
      );
      await m('Print (the result is said)', async () => {
        await page.locator('[data-print]').click();
        await expect(page.locator('[data-print-state]')).toBeVisible({ timeout: 15_000 });
      });
      // One receipt per transaction: a second press says the receipt is already printed and where
      // it is (it had shown the same "Printed" line again, as if the press did nothing), in as
      // many lines as the first result, so nothing moves and no reveal scrolls.
      await expect(page.locator('[data-print-state]')).toHaveText(
        'E gatisitswe. Tsweetswee tsaya resiti ya gago.',
      );
      await m('Print again (already printed is said)', async () => {
        await page.locator('[data-print]').click();
        await expect(page.locator('[data-print-state]')).toHaveText(
          'E setse e gatisitswe. E tseye mo segatising.',
        );
      });
      expect(kiosk.devices?.simulatedPrinter?.printouts()).toHaveLength(1);
      await startOver(page);

      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator('[data-screen=language] button[lang=en]').click();
      await page.locator('[data-service=application-status]').click();
      await m('a status check answers', async () => {
        await page.getByRole('textbox').fill('ABCD-EFGH-1');
        await page.locator('[data-screen=status] button[type=submit]').click();
        await expect(page.locator('[data-status-result]')).toBeVisible();
      });
      await startOver(page);

      // An officer's wrong PIN: the keypad under the finger stays put.
      await waitForRoster(page, 'demo-kiosk-bw-01');
      kiosk.devices!.simulatedCardReader!.swipe({
        kind: 'officer',
        officerId: officer.officerId,
        expires: '2099-12',
      });
      await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
      await m('a wrong PIN is refused', async () => {
        await page.locator('#officer-pin').fill('000000');
        await page.locator('[data-screen=officer-sign-in] button[type=submit]').click();
        await expect(page.getByRole('alert')).toBeVisible({ timeout: 15_000 });
      });
      // The officer's tools: a reprint's result is said above the day's table without moving it
      // (a second tap must land on the row the first did).
      await enterPin(page, officer.pin);
      await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
      const reprint = page.locator('[data-reprint]').first();
      await expect(reprint).toBeVisible();
      await m("a reprint's result is said (officer's tools)", async () => {
        await reprint.click();
        await expect(page.locator('[data-officer-notice]')).toBeVisible({ timeout: 15_000 });
      });
      // With Large text, the longest results: the printer out of paper holds the reprint, and a
      // second tap says that copy is already waiting. The slot keeps three lines for them.
      // In Setswana, the longest of the four languages.
      await page.locator('.language-switch button[lang=tn]').click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'tn');
      await page.locator('[data-toggle=largeText]').click();
      await expect(page.locator('html')).toHaveClass(/large-text/);
      await page.evaluate(() => window.scrollTo(0, 0));
      const printer = kiosk.devices!.simulatedPrinter!;
      printer.setState('paper-out');
      await kiosk.devices!.refreshPrinterStatus();
      const notice = page.locator('[data-officer-notice]');
      for (const result of ['held', 'already waiting']) {
        // The English result before the switch is not shown under a Setswana screen.
        const before = (await notice.count()) > 0 ? await notice.textContent() : '';
        await m(`with Large text, a reprint ${result} is said (officer's tools)`, async () => {
          await reprint.click();
          await expect(notice).toBeVisible({ timeout: 15_000 });
          await expect(notice).not.toHaveText(before ?? '');
        });
        await screenshot(
          page,
          `layout-shift-officer-large-text-${result.replace(' ', '-')}-${orientation}`,
        );
      }

      const mine = results.filter((r) => r.orientation === orientation);
      mkdirSync(artifactsDir, { recursive: true });
      writeFileSync(
        path.join(artifactsDir, `layout-shift-${orientation}.json`),
        JSON.stringify(mine, null, 2),
      );
      for (const r of mine) console.log(`${orientation} ${r.case}: ${r.score}`);
      expect(mine.length).toBe(14);
      expect(
        mine.filter((r) => r.score > 0).map((r) => `${r.case}: ${r.score} (${r.moved.join('; ')})`),
      ).toEqual([]);
    });
  }
});
