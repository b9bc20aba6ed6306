import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { artifactsDir, expect, startOver, test } from './fixtures';
import {
  describeProblem,
  probeControls,
  probePrimaryActions,
  rootFontPx,
  settle,
} from './layout-probes';
import { officer, payBill, pinHash, roster, waitForRoster } from './staff-fixtures';
import { demoSites, walkEveryCitizenScreen } from './citizen-walk';
import type { DemoSite } from './citizen-walk';

/**
 * Reading, touch and zoom: on every screen, in every language, at normal size, with Large text
 * and at 200% browser zoom, in portrait and landscape, no label leaves its control, no word is
 * split, nothing is cut off at the side, every target can be touched, and (at normal size and
 * with Large text) the screen opens unscrolled with its primary actions in view; a form showing a
 * refused answer's error may scroll, only so that the error stays in view above Back and Next.
 *
 * 200% zoom is emulated the way the browser does it: the layout viewport in CSS pixels is halved
 * (a 1080×1920 screen at 200% lays out 540×960 CSS px), so media queries and wrapping see
 * exactly what a zoomed page sees.
 */

/** Every language is measured, each at the site of its country (Belize: en, es, bzj; Botswana: en, tn). */
type Language = DemoSite['languages'][number];
const sizes = ['normal', 'large-text', 'zoom-200'] as const;
type Size = (typeof sizes)[number];
const orientations = {
  landscape: { width: 1920, height: 1080 },
  portrait: { width: 1080, height: 1920 },
} as const;
type Orientation = keyof typeof orientations;

const shotsDir = path.join(artifactsDir, 'screens', 'zoom');

interface Finding {
  orientation: Orientation;
  stop: string;
  language: Language | 'all';
  size: Size;
  problem: string;
}

/** Collects every problem of a run, so one failure lists them all. */
class Audit {
  readonly findings: Finding[] = [];
  readonly measured: Array<{ stop: string; language: string; size: Size; controls: number }> = [];
  constructor(
    readonly orientation: Orientation,
    readonly site: DemoSite,
  ) {}

  add(stop: string, language: Language | 'all', size: Size, problems: string[]): void {
    for (const problem of problems) {
      this.findings.push({ orientation: this.orientation, stop, language, size, problem });
    }
  }

  lines(): string[] {
    return this.findings.map(
      (f) => `${this.site.name} ${f.orientation} ${f.stop} ${f.language} ${f.size}: ${f.problem}`,
    );
  }

  write(name: string): void {
    mkdirSync(artifactsDir, { recursive: true });
    writeFileSync(
      path.join(artifactsDir, `${name}.json`),
      JSON.stringify({ findings: this.findings, measured: this.measured }, null, 2),
    );
  }
}

async function setLargeText(page: Page, on: boolean): Promise<void> {
  const toggle = page.locator('[data-toggle=largeText]');
  // Under a modal dialog the page is inert; the language screen has no top bar. There, the
  // class is set directly: it is exactly what the toggle sets.
  const usable =
    (await toggle.count()) > 0 && (await toggle.evaluate((el) => !el.closest('[inert]')));
  if (usable) {
    const pressed = (await toggle.getAttribute('aria-pressed')) === 'true';
    if (pressed !== on) await toggle.click();
    await expect(page.locator('html')).toHaveClass(on ? /large-text/ : /^(?!.*large-text).*$/);
  } else {
    await page.evaluate((value) => {
      document.documentElement.classList.toggle('large-text', value);
    }, on);
  }
  await settle(page);
}

/**
 * On a form showing a refused answer's error: '' when the error is wholly in view, above the
 * pinned action row; else what is wrong. Undefined on any other screen.
 */
async function errorInView(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const error = document.querySelector('[data-screen=form] form .error');
    if (!error) return undefined;
    const box = error.getBoundingClientRect();
    if (box.height === 0) return undefined;
    let limit = innerHeight;
    for (const row of document.querySelectorAll('main > .actions, main > form > .actions')) {
      if (getComputedStyle(row).position !== 'sticky') continue;
      const rowBox = row.getBoundingClientRect();
      if (rowBox.height > 0 && rowBox.bottom >= innerHeight - 1)
        limit = Math.min(limit, rowBox.top);
    }
    if (box.top >= -0.5 && box.bottom <= limit + 0.5) return '';
    return `the error is out of view at ${Math.round(box.top)}–${Math.round(box.bottom)} (in view above ${Math.round(limit)})`;
  });
}

/**
 * Why the page's scroll is not the least that shows a step's answer field and its whole
 * on-screen keyboard ('' when it is): the keyboard's last row at the bottom edge, its top and
 * the field on screen.
 */
async function keyboardRevealed(page: Page): Promise<string> {
  return page.evaluate(() => {
    const keys = document.querySelector('.keyboard-host')?.getBoundingClientRect();
    const field = document.querySelector('main .answer, main input')?.getBoundingClientRect();
    if (!keys || !field) return 'no keyboard or field';
    const at = (box: DOMRect) => `${Math.round(box.top)}–${Math.round(box.bottom)}`;
    if (keys.top < -0.5 || keys.bottom > innerHeight + 0.5) return `keyboard at ${at(keys)}`;
    if (field.top < -0.5 || field.bottom > innerHeight + 0.5) return `field at ${at(field)}`;
    if (keys.bottom < innerHeight - 2) return `more than needed: keyboard ends at ${at(keys)}`;
    return '';
  });
}

/** Measures the current screen at one size; returns its problems. */
async function measureSize(
  page: Page,
  audit: Audit,
  stop: string,
  language: Language | 'all',
  size: Size,
): Promise<void> {
  const { width, height } = orientations[audit.orientation];
  const problems: string[] = [];
  if (size === 'large-text') {
    const normal = await rootFontPx(page);
    await setLargeText(page, true);
    const large = await rootFontPx(page);
    if (large < 2 * normal)
      problems.push(`Large text is only ${Math.round((large / normal) * 100)}%`);
  }
  if (size === 'zoom-200') {
    await page.setViewportSize({ width: width / 2, height: height / 2 });
    await settle(page);
  }
  const keyboard = (await page.locator('.keyboard-host').count()) > 0;
  const probe = await probeControls(page, {
    // At 200% zoom every key of an on-screen keyboard must still be seen and pressed.
    ...(size === 'zoom-200' && keyboard ? { pressable: '.keyboard-host .hg-button' } : {}),
  });
  problems.push(...probe.problems.map(describeProblem));
  if (probe.sideScroll) problems.push('the page scrolls sideways');
  if (keyboard) {
    const fits = await page.evaluate(() => {
      const host = document.querySelector('.keyboard-host');
      return host ? host.getBoundingClientRect().height <= innerHeight : true;
    });
    if (!fits) problems.push('the on-screen keyboard is taller than the screen');
  }
  if (size !== 'zoom-200') {
    const actions = await probePrimaryActions(page);
    // A form showing a refused answer's error keeps that error in view when the text size
    // changes, even if that scrolls the page (FormScreen's useQuestionInView): there the rule is
    // that the error is in view above the pinned Back / Next row; elsewhere, no scroll at all.
    const error = await errorInView(page);
    if (error !== undefined) {
      if (error) problems.push(error);
    } else if (actions.scrollY > 0) {
      // A step with an on-screen keyboard scrolls as far as brings its field and every key into
      // view, no further (reveal.ts): unscrolled, its last keys were below the edge.
      const reveal = keyboard ? await keyboardRevealed(page) : 'no keyboard to bring into view';
      if (reveal) problems.push(`the screen opened scrolled by ${actions.scrollY} px: ${reveal}`);
    }
    for (const hidden of actions.hidden) problems.push(`primary action out of view: ${hidden}`);
  }
  audit.measured.push({ stop, language, size, controls: probe.controls });
  audit.add(stop, language, size, problems);
  // Screenshots to look at: the longest words (Setswana), where text is largest (normal-size
  // screens are in the docs and countries screenshots).
  if ((language === 'tn' || language === 'all') && size !== 'normal') {
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({
      path: path.join(shotsDir, `${audit.orientation}-${stop}-${language}-${size}.png`),
    });
  }
  if (size === 'large-text') await setLargeText(page, false);
  if (size === 'zoom-200') {
    await page.setViewportSize({ width, height });
    await settle(page);
  }
}

/**
 * Measures the current screen in every language (switched from the top bar, which keeps the
 * answers) and at every size, then returns to `back` (the language the walk continues in).
 */
async function measureEverywhere(
  page: Page,
  audit: Audit,
  stop: string,
  back: Language = 'en',
): Promise<void> {
  const languages = audit.site.languages;
  const header = page.locator('.language-switch');
  if ((await header.count()) === 0) {
    for (const size of sizes) await measureSize(page, audit, stop, 'all', size);
    return;
  }
  for (const language of languages) {
    await page.locator(`.language-switch button[lang=${language}]`).click();
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    for (const size of sizes) await measureSize(page, audit, stop, language, size);
  }
  await page.locator(`.language-switch button[lang=${back}]`).click();
}

// Its tests share nothing (each has its own kiosk): both workers take them one at a time, so the
// file's tests do not queue behind each other on one worker at the end of the run.
test.describe.configure({ mode: 'parallel' });

for (const site of demoSites) {
  for (const orientation of Object.keys(orientations) as Orientation[]) {
    test.describe(`${orientation} citizen screens at the ${site.name} demo site`, () => {
      test.use({ viewport: orientations[orientation], siteFile: site.siteFile });

      test(`no label leaves its control on any citizen screen, in ${site.languages.join(', ')}, at normal size, Large text or 200% zoom (${site.name}, ${orientation})`, async ({
        page,
        kiosk,
      }) => {
        test.setTimeout(300_000);
        const audit = new Audit(orientation, site);
        await kiosk.open(page);
        await walkEveryCitizenScreen(
          page,
          (name) => measureEverywhere(page, audit, name),
          site.ids,
        );
        audit.write(`reading-zoom-citizen-${site.name}-${orientation}`);
        expect(audit.measured.length).toBeGreaterThan(site.languages.length * 50);
        expect(audit.lines()).toEqual([]);
      });
    });
  }
}

for (const site of demoSites) {
  test.describe(`staff screens and the idle warning at the ${site.name} demo site`, () => {
    const operatorPin = '24681357';
    test.use({
      siteFile: site.siteFile,
      roster,
      simulatedDevices: true,
      siteOverrides: {
        operatorPinHash: pinHash(operatorPin),
        // The warning stays until answered, so it can be measured in every language and size.
        testTiming: { idleTimeoutSeconds: 1.5, idleWarningSeconds: 600 },
      },
    });

    for (const orientation of Object.keys(orientations) as Orientation[]) {
      test(`the idle warning, PIN pads, officer tools and operator console keep every label inside its control (${site.name}, ${orientation})`, async ({
        page,
        kiosk,
      }) => {
        test.setTimeout(300_000);
        await page.setViewportSize(orientations[orientation]);
        const audit = new Audit(orientation, site);
        await kiosk.open(page);
        await waitForRoster(page, site.kioskId);

        // The idle warning, in each language: the dialog makes the page inert, so the language is
        // chosen before it comes.
        await page.locator('[data-screen=attract] button.primary').click();
        await page.locator('[data-screen=language] button[lang=en]').click();
        for (const language of site.languages) {
          await page.locator(`.language-switch button[lang=${language}]`).click();
          const warning = page.getByRole('alertdialog');
          await expect(warning).toBeVisible({ timeout: 10_000 });
          for (const size of sizes) await measureSize(page, audit, 'idle-warning', language, size);
          await warning.locator('button.primary').click();
        }
        await startOver(page);

        // Officer sign-in with the PIN pad (opened by a card swipe on the start screen).
        kiosk.devices!.simulatedCardReader!.swipe({
          kind: 'officer',
          officerId: officer.officerId,
          expires: '2099-12',
        });
        await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
        await measureEverywhere(page, audit, 'officer-pin-pad');
        await page.locator('#officer-pin').fill(officer.pin);
        await page.locator('[data-screen=officer-sign-in] button[type=submit]').click();
        await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 20_000 });
        // A citizen served, so the day's table has a row (its Reprint must be reached without
        // scrolling the page sideways, at every size).
        await page.locator('.officer-actions button.primary').click();
        await payBill(page, '10010010');
        await page.getByRole('button', { name: 'Finish' }).click();
        await page.locator('[data-officer-tools]').click();
        await expect(page.locator('[data-screen=officer-tools] [data-reprint]')).toHaveCount(1);
        await measureEverywhere(page, audit, 'officer-tools');
        await page.locator('[data-sign-out]').click();

        await expect(page.locator('[data-screen=attract]')).toBeVisible();
        await page.keyboard.press('Control+Alt+o');
        await expect(page.locator('[data-screen=operator-pin]')).toBeVisible();
        await measureEverywhere(page, audit, 'operator-pin-pad');
        await page.locator('#operator-pin').fill(operatorPin);
        await page.locator('[data-screen=operator-pin] button[type=submit]').click();
        await expect(page.locator('[data-screen=operator-console]')).toBeVisible({
          timeout: 20_000,
        });
        await measureEverywhere(page, audit, 'operator-console');
        audit.write(`reading-zoom-staff-${site.name}-${orientation}`);
        expect(audit.lines()).toEqual([]);
      });
    }
  });
}
