import type { CDPSession, Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';

/**
 * The operator's hidden gesture, as on a touchscreen: a finger held on the screen's top-left
 * corner for 3 seconds, in landscape and in portrait. Touches go in through the browser's input
 * pipeline (CDP `Input.dispatchTouchEvent`, real coordinates on the screen), so the page's CSS
 * decides what is under the finger, as it would on the kiosk. The field test
 * (kiosk-real-keys.spec.ts) holds the same corner with the X server's own pointer.
 */

test.use({ hasTouch: true });

/** Makes the kiosk re-render mid-hold, as a sync does every few seconds (link state, queue). */
const rerender = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event('online')));

async function hold(
  page: Page,
  cdp: CDPSession,
  x: number,
  y: number,
  ms: number,
  wobble = 0,
): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', {
    type: 'touchStart',
    touchPoints: [{ x, y, radiusX: 8, radiusY: 8, force: 1 }],
  });
  if (wobble) {
    // A finger is never still: a few pixels of drift must not cancel the hold.
    for (let i = 1; i <= 3; i += 1) {
      await new Promise((r) => setTimeout(r, ms / 4));
      if (i === 2) await rerender(page);
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ x: x + wobble * (i % 2), y: y + wobble, radiusX: 8, radiusY: 8, force: 1 }],
      });
    }
    await new Promise((r) => setTimeout(r, ms / 4));
  } else {
    await new Promise((r) => setTimeout(r, ms / 2));
    await rerender(page);
    await new Promise((r) => setTimeout(r, ms / 2));
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function startScreen(page: Page, kiosk: { open(page: Page): Promise<void> }) {
  await kiosk.open(page);
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
  return page.context().newCDPSession(page);
}

for (const [orientation, viewport] of [
  ['landscape', { width: 1920, height: 1080 }],
  ['portrait', { width: 1080, height: 1920 }],
] as const) {
  test(`holding the top-left corner of the screen for 3 s opens the operator PIN pad (${orientation}, touch)`, async ({
    page,
    kiosk,
  }) => {
    await page.setViewportSize(viewport);
    const cdp = await startScreen(page, kiosk);
    // The corner is the screen's own: at (0, 0), over the header, whatever the layout below.
    const box = await page.locator('[data-operator-corner]').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0 });
    // A short touch is a tap, not the gesture.
    await hold(page, cdp, 4, 4, 800);
    await expect(page.locator('[data-screen=attract]')).toBeVisible();
    // A long press elsewhere (the brand text next to the corner) does nothing either.
    await hold(page, cdp, 180, 40, 3_300);
    await expect(page.locator('[data-screen=attract]')).toBeVisible();
    // The very corner pixel, held with a wobbling finger.
    await hold(page, cdp, 0, 0, 3_300, 3);
    await expect(page.locator('[data-screen=operator-pin]')).toBeVisible();
    await screenshot(page, `operator-corner-${orientation}`);
  });
}

test('the corner also answers a mouse held down on it, and not during a citizen session', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await page.mouse.move(1, 1);
  await page.mouse.down();
  await page.waitForTimeout(1_500);
  await rerender(page);
  await page.waitForTimeout(1_800);
  await page.mouse.up();
  await expect(page.locator('[data-screen=operator-pin]')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Touch to start' }).click();
  await expect(page.locator('[data-screen=language]')).toBeVisible();
  await page.mouse.move(1, 1);
  await page.mouse.down();
  await page.waitForTimeout(3_300);
  await page.mouse.up();
  await expect(page.locator('[data-screen=operator-pin]')).toHaveCount(0);
});
