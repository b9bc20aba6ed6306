import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { artifactsDir, expect, screenshot, startOver, test } from './fixtures';
import { probeFocusRings } from './layout-probes';
import type { FocusRing } from './layout-probes';
import { demoSites, walkEveryCitizenScreen } from './citizen-walk';
import { kioskAxe } from './axe-check';

/**
 * axe-core on every citizen screen (citizen-walk.ts: every kind of question and keypad, review,
 * consent, receipt, SMS, status), in every language of each country's site. One axe pass per
 * screen and language runs every rule axe runs by default (WCAG 2 A and AA, best practices) and
 * `color-contrast-enhanced`: every text at least 7:1 (WCAG 1.4.6, AAA; 4.5:1 for large text). In
 * high contrast (at the Belize site, in English), which changes only colours, the contrast rules
 * alone. Every focus ring is measured by tabbing through each screen: at least 3:1 against what it
 * is drawn on (WCAG 1.4.11) and 2 px wide.
 */

interface AxeFinding {
  screen: string;
  language: string;
  mode: 'normal' | 'high-contrast';
  violations: string[];
  passes: number;
  /** The lowest contrast ratio axe measured on the screen's text. */
  lowestContrast: number;
}

/**
 * One axe pass: the default rules and AAA text contrast, or (`contrastOnly`, for high contrast,
 * which changes colours and nothing else) text contrast alone.
 *
 * Text contrast takes two rules: axe's AAA rule (`color-contrast-enhanced`: 7:1, 4.5:1 for large
 * text) passes a text below the AA line (4.5:1, 3:1 for large text) and leaves it to the AA rule
 * (`color-contrast`), so that a text is not reported twice. Alone, it passed a 2.8:1 text.
 */
async function runAxe(
  page: Page,
  contrastOnly = false,
): Promise<Omit<AxeFinding, 'screen' | 'language' | 'mode'>> {
  // Every screen after the first is its own chunk: until it has rendered, the page shows the
  // loading placeholder (no h1). Axe looks at the screen, not at the placeholder.
  await expect(page.locator('h1').first()).toBeVisible();
  const axe = kioskAxe(page);
  const result = await (
    contrastOnly
      ? axe.withRules(['color-contrast', 'color-contrast-enhanced'])
      : axe.options({ rules: { 'color-contrast-enhanced': { enabled: true } } })
  ).analyze();
  const ratios: number[] = [];
  for (const group of [...result.passes, ...result.violations]) {
    if (group.id !== 'color-contrast-enhanced') continue;
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
      v.nodes.map(
        (n) =>
          `${v.id} ${n.target.join(' ')}: ${n.failureSummary?.split('\n').at(-1)?.trim() ?? ''}`,
      ),
    ),
    passes: result.passes.length,
    lowestContrast: ratios.length ? Math.min(...ratios) : Infinity,
  };
}

/** The drawn edge of one radio button or tick box beside a choice. */
interface ChoiceBoxEdge {
  control: string;
  /** Its border colour, computed. */
  edge: string;
  widthPx: number;
  /** The page's text colour. */
  ink: string;
  /** On a chosen tile. */
  chosen: boolean;
}

/** Every radio button and tick box of the choices on the screen, with its edge. */
const choiceBoxEdges = (page: Page): Promise<ChoiceBoxEdge[]> =>
  page.evaluate(() => {
    const ink = getComputedStyle(document.body).color;
    return Array.from(document.querySelectorAll<HTMLInputElement>('.choice input')).map((input) => {
      const style = getComputedStyle(input);
      return {
        control: `${input.type} ${input.name || input.value}`,
        edge: style.borderTopColor,
        widthPx: parseFloat(style.borderTopWidth),
        ink,
        chosen: input.closest('.choice')?.classList.contains('selected') ?? false,
      };
    });
  });

const setHighContrast = (page: Page, on: boolean) =>
  page.evaluate((value) => document.documentElement.classList.toggle('high-contrast', value), on);

// Its tests share nothing (each has its own kiosk): both workers take them one at a time, so the
// file's tests do not queue behind each other on one worker at the end of the run.
test.describe.configure({ mode: 'parallel' });

for (const site of demoSites) {
  // Colours do not change with the country: high contrast and the focus rings are measured at
  // the Belize site (in English, as colours do not change with the language either).
  const colours = site.name === 'belize';
  test.describe(`at the ${site.name} demo site`, () => {
    test.use({ siteFile: site.siteFile });

    test(`axe finds no violation and every text is at least 7:1 on every citizen screen in ${site.languages.join(', ')}${colours ? ', also in high contrast; every focus ring at least 3:1' : ''}`, async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(300_000);
      const findings: AxeFinding[] = [];
      const rings: Array<FocusRing & { screen: string; mode: string }> = [];
      const edges: Array<ChoiceBoxEdge & { screen: string; mode: string }> = [];
      await kiosk.open(page);
      await walkEveryCitizenScreen(
        page,
        async (screen) => {
          const header = (await page.locator('.language-switch').count()) > 0;
          const modes = colours ? (['normal', 'high-contrast'] as const) : (['normal'] as const);
          for (const mode of modes) {
            await setHighContrast(page, mode === 'high-contrast');
            // The words (and so what is drawn) change with the language: every language
            // normally, English in high contrast. A screen without the top bar has one.
            const languages = !header
              ? (['all'] as const)
              : mode === 'normal'
                ? site.languages
                : (['en'] as const);
            for (const language of languages) {
              if (language !== 'all')
                await page.locator(`.language-switch button[lang=${language}]`).click();
              findings.push({
                screen,
                language,
                mode,
                ...(await runAxe(page, mode === 'high-contrast')),
              });
            }
            if (header) await page.locator('.language-switch button[lang=en]').click();
            if (colours) {
              for (const ring of await probeFocusRings(page)) rings.push({ ...ring, screen, mode });
              for (const edge of await choiceBoxEdges(page)) edges.push({ ...edge, screen, mode });
            }
          }
          await setHighContrast(page, false);
        },
        site.ids,
      );

      await startOver(page);
      if (colours) {
        // The display settings the citizen turns on together: high contrast and Large text.
        await page.locator('[data-screen=attract] button.primary').click();
        await page.locator('[data-screen=language] button[lang=es]').click();
        await page.locator('[data-toggle=highContrast]').click();
        await page.locator('[data-toggle=largeText]').click();
        await expect(page.locator('html')).toHaveClass(/high-contrast/);
        findings.push({
          screen: 'services-large-text',
          language: 'es',
          mode: 'high-contrast',
          ...(await runAxe(page)),
        });
        await screenshot(page, '20-services-high-contrast-es');
      } else {
        // The language screen offers the site's languages only.
        await page.locator('[data-screen=attract] button.primary').click();
        await expect(page.locator('[data-screen=language] button[lang]')).toHaveCount(
          site.languages.length,
        );
      }

      // The contrast pass itself: a 2.8:1 text on the screen is refused (runAxe's two rules).
      await page.evaluate(() => {
        const faint = document.createElement('p');
        faint.id = 'axe-self-check';
        faint.textContent = 'faint';
        faint.style.cssText = 'color: #999; background: #fff';
        document.querySelector('h1')?.after(faint);
      });
      expect((await runAxe(page, true)).violations.join('\n')).toMatch(
        /^color-contrast #axe-self-check/,
      );
      await page.locator('#axe-self-check').evaluate((faint) => faint.remove());

      mkdirSync(artifactsDir, { recursive: true });
      writeFileSync(
        path.join(artifactsDir, `axe-${site.name}.json`),
        JSON.stringify({ findings, rings }, null, 2),
      );
      const lowestText = Math.min(...findings.map((f) => f.lowestContrast));
      const lowestRing = Math.min(...rings.map((r) => r.ratio));
      console.log(
        `${site.name}: ${findings.length} axe passes; lowest text contrast ${lowestText}:1${colours ? `; lowest focus ring ${lowestRing}:1` : ''}`,
      );

      // Every screen the walk names, in every language (the walk has 18 stops; 2 have no top bar).
      expect(findings.length).toBeGreaterThanOrEqual(16 * site.languages.length);
      expect(
        findings.flatMap((f) =>
          f.violations.map((v) => `${f.screen} ${f.language} ${f.mode}: ${v}`),
        ),
      ).toEqual([]);
      if (colours) {
        expect(rings.length).toBeGreaterThan(100);
        expect(
          rings
            .filter((r) => r.ratio < 3 || r.widthPx < 2)
            .map(
              (r) =>
                `${r.screen} ${r.mode}: ${r.control} ring ${r.ring} on ${r.behind} = ${r.ratio}:1, ${r.widthPx} px`,
            ),
        ).toEqual([]);
        // Radio buttons and tick boxes (the service's choices, the consent box) are edged in the
        // text's own colour, 3 px, in both modes (Chromium's own edge is a thin grey, QA); white on
        // a chosen navy tile, where a dark edge was 1.5:1.
        expect(edges.filter((e) => e.mode === 'high-contrast').length).toBeGreaterThan(5);
        expect(
          edges
            .filter(
              (e) =>
                e.widthPx < 3 ||
                e.edge !== (e.chosen && e.mode === 'normal' ? 'rgb(255, 255, 255)' : e.ink),
            )
            .map((e) => `${e.screen} ${e.mode}: ${e.control} edge ${e.edge} ${e.widthPx} px`),
        ).toEqual([]);
      }
    });
  });
}
