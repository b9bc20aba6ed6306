import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/**
 * axe-core for the kiosk's pages, run inside the page (`axe.run`, the builder's legacy mode).
 *
 * The builder's default mode is for pages with cross-origin frames: it runs `axe.runPartial` in
 * each frame, then opens a new blank page to merge the parts (`axe.finishRun`) and closes it
 * again, on every pass. The kiosk's and the dashboard's pages have no frames (and their
 * Content-Security-Policy allows none from another origin), so that buys nothing here, and the
 * extra page doubled each pass (the Belize walk of axe.spec.ts: 84 s, then 39 s in the page,
 * with the same 71 passes and findings).
 */
export const kioskAxe = (page: Page): AxeBuilder => new AxeBuilder({ page }).setLegacyMode();

/** Fails, naming each rule and element, on any axe violation on the current screen. */
export async function expectAxeClean(page: Page, what?: string): Promise<void> {
  const result = await kioskAxe(page).analyze();
  expect(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    what,
  ).toEqual([]);
}
