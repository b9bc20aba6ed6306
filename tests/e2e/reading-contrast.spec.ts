import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { artifactsDir, expect, test } from './fixtures';
import { probeFocusRing } from './layout-probes';
import type { FocusRing } from './layout-probes';
import { walkEveryCitizenScreen } from './citizen-walk';

/**
 * Contrast a citizen can see: every text at least 7:1 (WCAG 1.4.6, AAA; 4.5:1 for large text),
 * checked by axe-core's `color-contrast-enhanced` rule in every language, normally and in high
 * contrast; and every focus ring at least 3:1 against what it is drawn on (WCAG 1.4.11), measured
 * by tabbing through each screen.
 */

const languages = ['en', 'es', 'bzj', 'tn'] as const;

interface TextFinding {
  screen: string;
  language: string;
  mode: string;
  violations: string[];
  /** The lowest contrast ratio axe measured on the screen's text. */
  lowest: number;
}

async function textContrast(page: Page): Promise<{ violations: string[]; lowest: number }> {
  const result = await new AxeBuilder({ page }).withRules(['color-contrast-enhanced']).analyze();
  const ratios: number[] = [];
  for (const group of [...result.passes, ...result.violations]) {
    for (const node of group.nodes) {
      for (const check of [...node.any, ...node.all]) {
        const data = check.data as { contrastRatio?: number } | null;
        if (typeof data?.contrastRatio === 'number' && data.contrastRatio > 0)
          ratios.push(data.contrastRatio);
      }
    }
  }
  return {
    violations: result.violations.flatMap((v) =>
      v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').at(-1)?.trim()}`),
    ),
    lowest: ratios.length ? Math.min(...ratios) : Infinity,
  };
}

/** Tabs through every control of the screen (at most `limit`), measuring each focus ring. */
async function focusRings(page: Page, limit = 40): Promise<FocusRing[]> {
  const rings: FocusRing[] = [];
  const seen = new Set<string>();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const ring = await probeFocusRing(page);
    if (!ring) continue;
    const key = `${ring.control}`;
    if (seen.has(key)) break;
    seen.add(key);
    rings.push(ring);
  }
  return rings;
}

test('every text is at least 7:1 and every focus ring at least 3:1, on every citizen screen', async ({
  page,
  kiosk,
}) => {
  test.setTimeout(300_000);
  const text: TextFinding[] = [];
  const rings: Array<FocusRing & { screen: string; mode: string }> = [];
  await kiosk.open(page);
  await walkEveryCitizenScreen(page, async (screen) => {
    const header = (await page.locator('.language-switch').count()) > 0;
    for (const mode of ['normal', 'high-contrast'] as const) {
      if (mode === 'high-contrast') {
        await page.evaluate(() => document.documentElement.classList.add('high-contrast'));
      }
      // Colours do not change with the language, but the words (and so what is drawn) do: every
      // language normally, English in high contrast.
      const measured = !header
        ? (['all'] as const)
        : mode === 'normal'
          ? languages
          : (['en'] as const);
      for (const language of measured) {
        if (language !== 'all')
          await page.locator(`.language-switch button[lang=${language}]`).click();
        text.push({ screen, language, mode, ...(await textContrast(page)) });
      }
      if (header) await page.locator('.language-switch button[lang=en]').click();
      for (const ring of await focusRings(page)) rings.push({ ...ring, screen, mode });
      if (mode === 'high-contrast') {
        await page.evaluate(() => document.documentElement.classList.remove('high-contrast'));
      }
    }
  });
  mkdirSync(artifactsDir, { recursive: true });
  writeFileSync(
    path.join(artifactsDir, 'reading-contrast.json'),
    JSON.stringify({ text, rings }, null, 2),
  );
  const lowestText = Math.min(...text.map((t) => t.lowest));
  const lowestRing = Math.min(...rings.map((r) => r.ratio));
  console.log(`lowest text contrast ${lowestText}:1; lowest focus ring ${lowestRing}:1`);

  expect(text.length).toBeGreaterThan(60);
  expect(rings.length).toBeGreaterThan(100);
  expect(
    text.flatMap((t) => t.violations.map((v) => `${t.screen} ${t.language} ${t.mode}: ${v}`)),
  ).toEqual([]);
  expect(
    rings
      .filter((r) => r.ratio < 3 || r.widthPx < 2)
      .map(
        (r) =>
          `${r.screen} ${r.mode}: ${r.control} ring ${r.ring} on ${r.behind} = ${r.ratio}:1, ${r.widthPx} px`,
      ),
  ).toEqual([]);
});
