import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { createMessages } from '../../kiosk-config/messages';
import { artifactsDir, expect, startOver, test } from './fixtures';
import type { KioskStack } from './fixtures';
import { describeProblem, probeControls, settle } from './layout-probes';
import { officer, payBill, pinHash, roster, signInByCard, waitForRoster } from './staff-fixtures';

/**
 * A 1280×800 kiosk screen (and the same panel turned to portrait, 800×1280) beside the
 * 1920×1080 and 1080×1920 ones the other layout specs use: the receipt's QR code is whole,
 * uncovered and scannable (read back by zbarimg from a screenshot), and the on-screen keyboard
 * and the operator console's Sync now are in view without scrolling.
 */

const shotsDir = path.join(artifactsDir, 'screens', 'small-screen');
const operatorPin = '24681357';

const sizes = {
  '1280x800': { width: 1280, height: 800 },
  '800x1280': { width: 800, height: 1280 },
  '1920x1080': { width: 1920, height: 1080 },
  '1080x1920': { width: 1080, height: 1920 },
} as const;

const next = (page: Page) => page.locator('[data-screen=form] form button[type=submit]').click();

/**
 * A birth certificate paid at the counter, from the start screen to its review (with Large text
 * turned on first when `largeText`).
 */
async function answerBirthCertificate(
  page: Page,
  language: 'en' | 'es' | 'tn',
  largeText = false,
): Promise<void> {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${language}]`).click();
  if (largeText) await page.locator('[data-toggle=largeText]').click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
  await page.getByRole('textbox').fill('Maria Chen');
  await next(page);
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await next(page);
  await page.locator('input[type=radio]').first().check();
  await next(page);
  for (const box of await page.getByRole('checkbox').all()) await box.check();
  await next(page);
  await page.locator('input[type=radio][value=counter]').check();
  await next(page);
}

/** The same, sent: from the start screen to its receipt; returns the reference. */
async function applyForBirthCertificate(
  page: Page,
  language: 'en' | 'es' | 'tn',
  largeText = false,
): Promise<string> {
  await answerBirthCertificate(page, language, largeText);
  await page.locator('[data-screen=review] button.primary').click();
  await page.getByRole('checkbox').check();
  await page.locator('[data-screen=consent] button.primary').click();
  const reference = page.getByTestId('reference');
  await expect(reference).toBeVisible();
  return (await reference.textContent()) ?? '';
}

/**
 * What is wrong with how `selector` is shown, measured in the page: missing or empty, the page
 * scrolled (with `unscrolled`), not inside the viewport, under a screen's action row pinned to
 * the bottom edge (compared box to box), and whether its corners and middle (clipped to the
 * viewport) are what a touch there hits. Empty when it is all right.
 */
async function boxProblems(
  page: Page,
  selector: string,
  options: { unscrolled: boolean },
): Promise<string[]> {
  return page.evaluate(
    ({ sel, unscrolled }) => {
      const el = document.querySelector(sel);
      if (!el) return [`${sel} is missing`];
      const box = el.getBoundingClientRect();
      const at = (b: DOMRect) =>
        `${Math.round(b.left)},${Math.round(b.top)}–${Math.round(b.right)},${Math.round(b.bottom)}`;
      if (box.height === 0) return [`${sel} is empty`];
      const problems: string[] = [];
      if (unscrolled && window.scrollY !== 0) {
        problems.push(`the page is scrolled by ${window.scrollY} px`);
      }
      if (
        box.top < -0.5 ||
        box.left < -0.5 ||
        box.bottom > innerHeight + 0.5 ||
        box.right > innerWidth + 0.5
      ) {
        problems.push(`${sel} ${at(box)} is not inside the ${innerWidth}×${innerHeight} viewport`);
      }
      for (const row of Array.from(
        document.querySelectorAll('main > .actions, main > form > .actions'),
      )) {
        if (row.contains(el) || getComputedStyle(row).position !== 'sticky') continue;
        const r = row.getBoundingClientRect();
        const overlap =
          Math.min(box.bottom, r.bottom) - Math.max(box.top, r.top) > 0.5 &&
          Math.min(box.right, r.right) - Math.max(box.left, r.left) > 0.5;
        if (overlap) problems.push(`${sel} ${at(box)} is under the pinned action row ${at(r)}`);
      }
      // What a touch (or an eye) meets near its corners (inside a button's rounded corner) and
      // at its middle, clipped to the viewport.
      const top = Math.max(box.top, 0);
      const bottom = Math.min(box.bottom, innerHeight);
      const dx = Math.max(2, box.width * 0.12);
      const dy = Math.max(2, (bottom - top) * 0.12);
      if (bottom > top) {
        for (const [x, y] of [
          [box.left + dx, top + dy],
          [box.right - dx, top + dy],
          [box.left + dx, bottom - dy],
          [box.right - dx, bottom - dy],
          [box.left + box.width / 2, (top + bottom) / 2],
        ] as Array<[number, number]>) {
          const hit = document.elementFromPoint(x, y);
          if (hit !== el && !el.contains(hit)) {
            problems.push(
              `at ${Math.round(x)},${Math.round(y)} ${sel} is covered by ${hit ? `${hit.tagName.toLowerCase()}.${String(hit.className)} "${(hit.textContent ?? '').trim().slice(0, 30)}"` : 'nothing'}`,
            );
          }
        }
      }
      return problems;
    },
    { sel: selector, unscrolled: options.unscrolled },
  );
}

/** Whether `selector` is whole on screen and uncovered, with the page unscrolled. */
function uncovered(page: Page, selector: string): Promise<string[]> {
  return boxProblems(page, selector, { unscrolled: true });
}

/**
 * Applies in the first of `languages`, then checks in each (switched on the receipt from the top
 * bar) that the receipt's QR code is uncovered and reads back as its reference.
 */
async function expectScannableReceipt(
  page: Page,
  kiosk: KioskStack,
  languages: ReadonlyArray<'en' | 'es' | 'tn'>,
  size: string,
  largeText = false,
): Promise<void> {
  await toStartScreen(page, kiosk);
  const reference = await applyForBirthCertificate(page, languages[0]!, largeText);
  if (largeText) size = `${size}-large-text`;
  for (const [index, language] of languages.entries()) {
    if (index > 0) {
      await page.locator(`.language-switch button[lang=${language}]`).click();
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    await expectReceiptQr(page, reference, language, size, largeText);
  }
}

/** The receipt on screen: Print, Finish and the QR code whole and uncovered; the code scans. */
async function expectReceiptQr(
  page: Page,
  reference: string,
  language: string,
  size: string,
  largeText: boolean,
): Promise<void> {
  const qr = page.locator('.receipt-qr img.qr');
  await expect(qr).toBeVisible();
  await settle(page);
  // Print and Finish in view and uncovered as the screen opens.
  for (const button of ['[data-print]', '[data-screen=receipt] .actions .primary']) {
    expect(await uncovered(page, button), button).toEqual([]);
  }
  const atOpen = (await qr.boundingBox())!;
  if (largeText && atOpen.y + atOpen.height > page.viewportSize()!.height) {
    // With Large text the code may be below the fold: scrolled to, it is whole and uncovered.
    await qr.scrollIntoViewIfNeeded();
    expect(await readable(page, '.receipt-qr img.qr')).toEqual([]);
  } else {
    // On screen as it opens, nothing lies over it (QA: at 1920 x 1080 with Large text the
    // pinned buttons lay over its lower half, and a phone could not read it).
    expect(await uncovered(page, '.receipt-qr img.qr')).toEqual([]);
  }
  // The reference is copied by hand: one line, never broken at a dash.
  const referenceLines = await page.getByTestId('reference').evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
  expect(referenceLines, 'lines the reference takes').toBe(1);
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `receipt-${language}-${size}.png`) });
  // What a phone's camera sees: only the code's box on screen, read by a decoder we did not write.
  const box = (await qr.boundingBox())!;
  const file = path.join(shotsDir, `receipt-qr-${language}-${size}.png`);
  await page.screenshot({ path: file, clip: box });
  const decoded = execFileSync('zbarimg', ['--quiet', '--raw', file]).toString().trim();
  expect(decoded).toBe(`SP:${reference}`);
}

/**
 * The start screen, as the next citizen finds it: the kiosk page opened on the first call, then
 * Start over (the kiosk's own way back). A test that checks several screen sizes sets the next
 * size and comes back here, instead of opening a new kiosk for each (about 4 s each on a loaded
 * 2-core machine); the screens after it open at that size, as on a kiosk of that size.
 */
async function toStartScreen(page: Page, kiosk: KioskStack): Promise<void> {
  if (!page.url().startsWith('http')) {
    await kiosk.open(page);
    return;
  }
  await startOver(page);
  await page.evaluate(() => window.scrollTo(0, 0));
}

/**
 * Opens a typed question (the first of `service`: a form's, or the status check's reference);
 * the keyboard and the screen's buttons must be in view unscrolled.
 */
async function expectKeyboardInView(
  page: Page,
  kiosk: KioskStack,
  keyboardLanguage: 'en' | 'es' | 'tn',
  size: string,
  service = 'birth-certificate-replacement',
): Promise<void> {
  await toStartScreen(page, kiosk);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${keyboardLanguage}]`).click();
  await page.locator(`[data-service=${service}]`).click();
  await expect(page.locator('.keyboard-host .hg-button').first()).toBeVisible();
  await settle(page);
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const inView = (el: Element, what: string) => {
      const box = el.getBoundingClientRect();
      if (box.top < 0 || box.bottom > innerHeight + 0.5)
        out.push(
          `${what} at ${Math.round(box.top)}–${Math.round(box.bottom)} (viewport ${innerHeight})`,
        );
    };
    if (window.scrollY !== 0) out.push(`scrolled by ${window.scrollY}`);
    const host = document.querySelector('.keyboard-host');
    if (host) inView(host, 'the keyboard');
    else out.push('no keyboard');
    for (const b of Array.from(document.querySelectorAll('main .actions button')))
      inView(b, (b.textContent ?? '').trim());
    return out;
  });
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({
    path: path.join(shotsDir, `keyboard-${service}-${keyboardLanguage}-${size}.png`),
  });
  expect(problems).toEqual([]);
}

// Its tests share nothing (each has its own kiosk): both workers take them one at a time, so the
// file's tests do not queue behind each other on one worker at the end of the run.
test.describe.configure({ mode: 'parallel' });

test(`the receipt's QR code is whole, uncovered and scans as its reference (es, then en, at ${Object.keys(sizes).join(', ')})`, async ({
  page,
  kiosk,
}) => {
  for (const [size, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    await expectScannableReceipt(page, kiosk, ['es', 'en'], size);
  }
});

for (const [size, viewport] of Object.entries(sizes)) {
  test.describe(`at ${size}`, () => {
    test.use({ viewport });

    {
      test(`with Large text the receipt's QR code is whole, uncovered and scans as its reference (es, ${size})`, async ({
        page,
        kiosk,
      }) => {
        await expectScannableReceipt(page, kiosk, ['es'], size, true);
      });
    }
  });
}

test(`the on-screen keyboard and its question's buttons are in view without scrolling (es, at ${Object.keys(sizes).join(', ')})`, async ({
  page,
  kiosk,
}) => {
  for (const [size, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    await expectKeyboardInView(page, kiosk, 'es', size);
  }
});

for (const [siteFile, language] of [
  ['demo.json', 'es'],
  ['demo-botswana.json', 'tn'],
] as const) {
  test.describe(`at ${siteFile}`, () => {
    test.use({ siteFile });
    test(`the status check's keyboard and buttons are in view, and its error and answer never move Check nor the keyboard's top row (${language}, at ${Object.keys(sizes).join(', ')})`, async ({
      page,
      kiosk,
    }) => {
      for (const [size, viewport] of Object.entries(sizes)) {
        await page.setViewportSize(viewport);
        await expectKeyboardInView(page, kiosk, language, size, 'application-status');
        await expectStatusButtonsStill(page, `${language}-${size}`);
      }
    });
  });
}

for (const [siteFile, language, size] of [
  ['demo.json', 'es', '1280x800'],
  ['demo-botswana.json', 'tn', '1920x1080'],
  ['demo.json', 'es', '800x1280'],
  ['demo-botswana.json', 'tn', '800x1280'],
] as const) {
  test.describe(`the status check with Large text at ${size}`, () => {
    test.use({ siteFile, viewport: sizes[size] });
    test(`its field and its whole keyboard open in view and stay whole when the error comes (${language})`, async ({
      page,
      kiosk,
    }) => {
      await openService(page, kiosk, language, 'application-status', true);
      await expect(page.locator('.keyboard-host .hg-button').first()).toBeVisible();
      await settle(page);
      // The field is not under the pinned Back and Check (a citizen typed into it unseen, QA).
      expect(await readable(page, '#status-ref'), 'the field').toEqual([]);
      // Nor the keys below the bottom edge: at 800 x 1280 they ran off it, one row left (QA).
      expect(await readable(page, '.keyboard-host'), 'the keyboard as it opens').toEqual([]);
      const cut = (await probeControls(page)).problems.filter((p) => p.kind === 'cut');
      expect(cut.map(describeProblem), 'the empty field shows its shape whole').toEqual([]);
      await page.getByRole('textbox').fill('ABCD-EFGH-2');
      await page.locator('[data-screen=status] button[type=submit]').click();
      await expect(page.getByRole('alert')).toBeVisible();
      await shot(page, `status-error-large-text-${language}-${size}`);
      expect(await readable(page, '#status-error'), 'the error').toEqual([]);
      // With the reference it judges: at 1280 x 800 bringing the error into view scrolled the
      // field off the top, and the error stood alone (QA).
      expect(await readable(page, '#status-ref'), 'the field with its error').toEqual([]);
      // The page scrolled to the error; the keys stay beside it, every one of them.
      expect(await readable(page, '.keyboard-host'), 'the keyboard').toEqual([]);
    });
  });
}

/**
 * A mistyped reference's error, its clearing and an answer never move Back and Check (they come
 * under the buttons, in one place sized for the answer), and never scroll the keyboard's top row
 * out of view. Where Check is on the page: bringing a message into view may scroll a little,
 * which is allowed (on a 1280 x 800 screen the Setswana error's last line is below the edge).
 */
async function expectStatusButtonsStill(page: Page, name: string): Promise<void> {
  const check = page.locator('[data-screen=status] button[type=submit]');
  const where = () =>
    page.evaluate(() => {
      const button = document.querySelector('[data-screen=status] button[type=submit]');
      const keys = document.querySelector('.keyboard-host');
      return {
        check: Math.round((button?.getBoundingClientRect().top ?? NaN) + window.scrollY),
        keyboardTop: Math.round(keys?.getBoundingClientRect().top ?? NaN),
        scrolled: Math.round(window.scrollY),
      };
    });
  const before = await where();
  await page.getByRole('textbox').fill('ABCD-EFGH-2');
  await check.click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shot(page, `status-error-${name}`);
  const withError = await where();
  expect(withError.check, 'Check with the error').toBe(before.check);
  // At normal text size it all fits: nothing scrolls, so nothing moves on the screen either
  // (at 1280 x 800 each message scrolled the page 13 to 62 px, QA).
  expect(withError.scrolled, 'scrolled by the error').toBe(0);
  expect(withError.keyboardTop, "the keyboard's top with the error").toBeGreaterThanOrEqual(0);
  await page.getByRole('textbox').fill('ABCD-EFGH-1');
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect((await where()).check, 'Check after the error').toBe(before.check);
  await check.click();
  await expect(page.locator('[data-status-result]')).toBeVisible();
  const withAnswer = await where();
  expect(withAnswer.check, 'Check with the answer').toBe(before.check);
  expect(withAnswer.scrolled, 'scrolled by the answer').toBe(0);
  expect(withAnswer.keyboardTop, "the keyboard's top with the answer").toBeGreaterThanOrEqual(0);
}

test.describe('the top bar on an 800 x 1280 screen', () => {
  test.use({ viewport: sizes['800x1280'] });
  test('keeps Start over, the link and the toggles in three rows, in the same places in every language and from screen to screen', async ({
    page,
    kiosk,
  }) => {
    await kiosk.open(page);
    const places = () =>
      page.evaluate(() => {
        const box = (selector: string) => {
          const element = document.querySelector(selector);
          if (!element) return 'missing';
          const b = element.getBoundingClientRect();
          return `${Math.round(b.left)},${Math.round(b.top)} ${Math.round(b.width)}x${Math.round(b.height)}`;
        };
        // The toggles' row is as wide as its words; where it starts is what a finger finds.
        return {
          startOver: box('[data-start-over]'),
          toggles: box('.access-toggles').split(' ')[0],
          header: box('header.header'),
        };
      });
    const onStartScreen = await places();
    await page.locator('[data-screen=attract] button.primary').click();
    const onLanguageScreen = await places();
    // The start screen has no Start over; its toggles are where the next screen's are (the bar
    // was 4 px shorter there, QA).
    expect(onStartScreen.toggles, 'the toggles on the start screen').toBe(onLanguageScreen.toggles);
    expect(onStartScreen.header, 'the bar on the start screen').toBe(onLanguageScreen.header);
    await page.locator('[data-screen=language] button[lang=en]').click();
    await expect(page.locator('[data-screen=services]')).toBeVisible();
    const english = await places();
    // From the language screen (no language buttons there) to the services.
    expect(english).toEqual(onLanguageScreen);
    // Spanish put Start over on a row of its own (the bar took 282 px) while English kept it
    // beside the languages, so a switch moved it under a finger.
    for (const language of ['es', 'bzj'] as const) {
      await page.locator(`.language-switch button[lang=${language}]`).click();
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      expect(await places(), language).toEqual(english);
    }
    const header = (await page.locator('header.header').boundingBox())!;
    expect(header.height, "the bar's height").toBeLessThan(240);
    // Start over and the link's line share the second row.
    const [startOver, link] = await Promise.all([
      page.locator('[data-start-over]').boundingBox(),
      page.locator('header .link').boundingBox(),
    ]);
    expect(link!.x).toBeGreaterThan(startOver!.x + startOver!.width);
    expect(link!.y).toBeLessThan(startOver!.y + startOver!.height);
  });
});

for (const [siteFile, language] of [
  ['demo.json', 'es'],
  ['demo-botswana.json', 'tn'],
] as const) {
  test.describe(`with Large text at 800 x 1280 (${siteFile})`, () => {
    test.use({ siteFile, viewport: sizes['800x1280'] });
    test(`every service card keeps its words inside it (${language})`, async ({ page, kiosk }) => {
      await kiosk.open(page);
      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator(`[data-screen=language] button[lang=${language}]`).click();
      await page.locator('[data-toggle=largeText]').click();
      await expect(page.locator('html')).toHaveClass(/large-text/);
      const categories = page.locator('[data-category]');
      let cards = 0;
      for (let i = 0; i < (await categories.count()); i += 1) {
        const category = categories.nth(i);
        // A tap on the open category closes it.
        if ((await category.getAttribute('aria-pressed')) !== 'true') await category.click();
        await expect(category).toHaveAttribute('aria-pressed', 'true');
        cards += await page.locator('[data-service]').count();
        const probe = await probeControls(page);
        // Two columns left a card 352 px inside: "Setlankana" ran 27 px out of it (by hand).
        expect(probe.problems.map(describeProblem), `category ${i + 1}`).toEqual([]);
      }
      expect(cards).toBeGreaterThan(5);
    });
    test(`a typed question opens with its field and its whole keyboard in view: a name, a date (${language})`, async ({
      page,
      kiosk,
    }) => {
      await openService(page, kiosk, language, 'birth-certificate-replacement', true);
      for (const step of ['name', 'date'] as const) {
        await expect(page.locator('.keyboard-host .hg-button').first()).toBeVisible();
        await shot(page, `large-text-${step}-${language}-800x1280`);
        // The date pad began 89 px below the bottom edge: a field, and nothing to type with (QA).
        expect(await readable(page, '[data-screen=form] .answer'), `the ${step}'s field`).toEqual(
          [],
        );
        expect(await readable(page, '.keyboard-host'), `the ${step}'s keyboard`).toEqual([]);
        if (step === 'name') {
          await page.getByRole('textbox').fill('Maria Chen');
          await next(page);
        }
      }
      // A date typed key by key on the pad, each key tapped where it was when the step opened:
      // nothing moves the pad under the finger. "1990-04-0" had read back "There is no day 0",
      // four lines in Setswana, and the next tap meant for 1 pressed 4 (by hand, xdotool).
      const centres = new Map<string, { x: number; y: number }>();
      for (const digit of '0123456789') {
        const box = (await page
          .locator(`.keyboard-host .hg-button[data-skbtn="${digit}"]`)
          .boundingBox())!;
        centres.set(digit, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
      }
      const readBack = page.locator('[data-date-read-back]');
      for (const digit of '19900401') {
        const { x, y } = centres.get(digit)!;
        await page.mouse.click(x, y);
        await settle(page);
        const typed = await page.locator('input[data-type=date]').inputValue();
        if (typed === '1990-04-0')
          await expect(readBack).toHaveAttribute('data-date-read-back', 'empty');
      }
      await expect(page.locator('input[data-type=date]')).toHaveValue('1990-04-01');
      await expect(readBack).toHaveAttribute('data-date-read-back', 'valid');
      // An impossible day, said in full, leaves the pad where it was too.
      const erase = (await page
        .locator('.keyboard-host .hg-button[data-skbtn="{bksp}"]')
        .boundingBox())!;
      for (let i = 0; i < 2; i += 1) {
        await page.mouse.click(erase.x + erase.width / 2, erase.y + erase.height / 2);
      }
      await expect(page.locator('input[data-type=date]')).toHaveValue('1990-04');
      for (const digit of '31') {
        const { x, y } = centres.get(digit)!;
        await page.mouse.click(x, y);
      }
      await expect(readBack).toHaveAttribute('data-date-read-back', 'invalid');
      await settle(page);
      await shot(page, `large-text-date-error-${language}-800x1280`);
      const seven = (await page
        .locator('.keyboard-host .hg-button[data-skbtn="7"]')
        .boundingBox())!;
      expect(seven.y + seven.height / 2, 'the pad did not move').toBeCloseTo(
        centres.get('7')!.y,
        0,
      );
    });
    test(`the review breaks no word, the consent box opens in view, and Print and Finish stand side by side (${language})`, async ({
      page,
      kiosk,
    }) => {
      await kiosk.open(page);
      await answerBirthCertificate(page, language, true);
      await expect(page.locator('[data-screen=review]')).toBeVisible();
      // Each answer wraps between words: no word has its letters on two lines (beside its
      // Change button the answer had 180 px and the name broke, "Kagi / so / Mole / fe", QA).
      const broken = await page.evaluate(() => {
        const out: string[] = [];
        for (const span of Array.from(document.querySelectorAll('.review-row dd > span'))) {
          const walker = document.createTreeWalker(span, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent ?? '';
            let lastTop: number | undefined;
            for (let i = 0; i < text.length; i += 1) {
              if (/\s/.test(text[i]!)) {
                lastTop = undefined;
                continue;
              }
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              if (lastTop !== undefined && top > lastTop + 2) out.push(text);
              lastTop = top;
            }
          }
        }
        return [...new Set(out)];
      });
      expect(broken, 'answers broken inside a word').toEqual([]);
      await shot(page, `review-large-text-${language}-800x1280`);
      await page.locator('[data-screen=review] button.primary').click();
      await expect(page.locator('[data-screen=consent]')).toBeVisible();
      // The box to tick is not under the pinned Back and Send as the screen opens (QA).
      expect(await readable(page, '[data-screen=consent] label.choice'), 'the consent box').toEqual(
        [],
      );
      await shot(page, `consent-large-text-${language}-800x1280`);
      await page.getByRole('checkbox').check();
      await page.locator('[data-screen=consent] button.primary').click();
      await expect(page.getByTestId('reference')).toBeVisible();
      await settle(page);
      // Print on the left, Finish on the right, on one row, in every language (Spanish and
      // Setswana stood them one above the other, Finish where Print was in English, QA).
      const [print, finish] = await Promise.all([
        page.locator('[data-print]').boundingBox(),
        page.locator('[data-screen=receipt] .actions .primary').boundingBox(),
      ]);
      expect(Math.round(print!.y), 'Print and Finish on one row').toBe(Math.round(finish!.y));
      expect(finish!.x).toBeGreaterThan(print!.x + print!.width);
      await shot(page, `receipt-large-text-${language}-800x1280`);
    });
  });
}

test.describe('the operator console on a small screen', () => {
  test.use({ siteOverrides: { operatorPinHash: pinHash(operatorPin) } });
  for (const size of ['1280x800', '800x1280'] as const) {
    test(`Sync now is in view without scrolling when the console opens (${size})`, async ({
      page,
      kiosk,
    }) => {
      await page.setViewportSize(sizes[size]);
      await kiosk.open(page);
      await page.keyboard.press('Control+Alt+o');
      await page.locator('#operator-pin').fill(operatorPin);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect(page.locator('[data-screen=operator-console]')).toBeVisible({
        timeout: 15_000,
      });
      await settle(page);
      mkdirSync(shotsDir, { recursive: true });
      await page.screenshot({ path: path.join(shotsDir, `console-${size}.png`) });
      const sync = page.getByRole('button', { name: 'Sync now', exact: true });
      const box = (await sync.boundingBox())!;
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      expect(box.y + box.height).toBeLessThanOrEqual(sizes[size].height);
      expect(box.y).toBeGreaterThanOrEqual(0);
    });
  }
});

test.describe('a Botswana kiosk in Setswana', () => {
  test.use({ siteFile: 'demo-botswana.json' });
  test(`the receipt's QR code is whole, uncovered and scans as its reference (tn, at 1280x800, 800x1280)`, async ({
    page,
    kiosk,
  }) => {
    for (const size of ['1280x800', '800x1280'] as const) {
      await page.setViewportSize(sizes[size]);
      await expectScannableReceipt(page, kiosk, ['tn'], size);
    }
  });
  test(`with Large text the receipt's QR code is whole, uncovered and scans as its reference (tn, 1280x800)`, async ({
    page,
    kiosk,
  }) => {
    await page.setViewportSize(sizes['1280x800']);
    await expectScannableReceipt(page, kiosk, ['tn'], '1280x800', true);
  });
  test(`the on-screen keyboard and its question's buttons are in view without scrolling (tn, at 1280x800, 800x1280)`, async ({
    page,
    kiosk,
  }) => {
    for (const size of ['1280x800', '800x1280'] as const) {
      await page.setViewportSize(sizes[size]);
      await expectKeyboardInView(page, kiosk, 'tn', size);
    }
  });
});

/**
 * What comes in answer to a touch on a 1280×800 screen (an error, a status answer, a keypad that
 * opens, the console's result, the next question with Large text) must be readable where it
 * appears, the page scrolled or not (see boxProblems). Returns what is wrong, with the boxes.
 */
async function readable(page: Page, selector: string): Promise<string[]> {
  await settle(page);
  return boxProblems(page, selector, { unscrolled: false });
}

const shot = async (page: Page, name: string) => {
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
};

/** From the start screen to the first question of `service`, in `language`. */
async function openService(
  page: Page,
  kiosk: KioskStack,
  language: 'en' | 'es' | 'bzj' | 'tn',
  service: string,
  largeText = false,
): Promise<void> {
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${language}]`).click();
  if (largeText) {
    await page.locator('[data-toggle=largeText]').click();
    await expect(page.locator('html')).toHaveClass(/large-text/);
  }
  await page.locator(`[data-service=${service}]`).click();
}

test.describe('what answers a touch is in view on a 1280×800 screen', () => {
  test.use({ viewport: sizes['1280x800'] });

  for (const [siteFile, language] of [
    ['demo.json', 'en'],
    ['demo.json', 'es'],
    ['demo-botswana.json', 'tn'],
  ] as const) {
    test.describe(siteFile, () => {
      test.use({ siteFile });
      test(`with Large text the receipt's reference stays readable beside Print and Finish (${language})`, async ({
        page,
        kiosk,
      }) => {
        await kiosk.open(page);
        const reference = await applyForBirthCertificate(page, language);
        await page.locator('[data-toggle=largeText]').click();
        await expect(page.locator('html')).toHaveClass(/large-text/);
        await settle(page);
        await shot(page, `receipt-large-text-${language}-1280x800`);
        const shown = page.getByTestId('reference');
        await expect(shown).toHaveText(reference);
        // Read as it is drawn: at least body size, on one line, whole inside the viewport.
        const drawn = await shown.evaluate((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          const box = range.getBoundingClientRect();
          return {
            fontPx: parseFloat(getComputedStyle(el).fontSize),
            lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
            inside: box.left >= 0 && box.right <= innerWidth,
          };
        });
        expect(drawn.fontPx, 'reference font size, px').toBeGreaterThanOrEqual(44);
        // The reference's box is whole in view as the screen opens, under the header.
        expect(
          await boxProblems(page, '[data-screen=receipt] .reference', { unscrolled: true }),
        ).toEqual([]);
        expect(drawn.lines).toBe(1);
        expect(drawn.inside).toBe(true);
        for (const button of ['[data-print]', '[data-screen=receipt] .actions .primary']) {
          expect(await uncovered(page, button), button).toEqual([]);
        }
        // Nothing covers the title: the buttons stand beside it.
        const [title, actions] = await Promise.all([
          page.locator('[data-screen=receipt] > h1').boundingBox(),
          page.locator('[data-screen=receipt] > .actions').boundingBox(),
        ]);
        expect(actions!.x).toBeGreaterThanOrEqual(title!.x + title!.width - 1);
      });

      test(`with Large text the header leaves most of the screen to the page (${language})`, async ({
        page,
        kiosk,
      }) => {
        await openService(page, kiosk, language, 'birth-certificate-replacement', true);
        await settle(page);
        const header = await page.locator('header.header').boundingBox();
        // At 200% the header's three rows of chips took 379–464 px of 800; at 150% on a short
        // landscape screen they take under two fifths of it.
        expect(header!.height).toBeLessThanOrEqual(0.4 * 800);
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe(
          '44px',
        );
        expect(await readable(page, '[data-screen=form] [data-prompt]')).toEqual([]);
      });

      test(`with Large text the review opens at its title, Continue focused and in view (${language})`, async ({
        page,
        kiosk,
      }) => {
        await kiosk.open(page);
        await answerBirthCertificate(page, language, true);
        // Back to the last question, scrolled to its end, and Next again: the review still opens
        // at its top, not at the scroll the question left.
        await page.locator('[data-screen=review] .actions button.secondary').click();
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
        await next(page);
        const proceed = page.locator('[data-screen=review] .actions button.primary');
        await expect(proceed).toBeFocused();
        await settle(page);
        await shot(page, `review-opens-${language}-1280x800`);
        expect(await boxProblems(page, '[data-screen=review] > h1', { unscrolled: true })).toEqual(
          [],
        );
        expect(await readable(page, '[data-screen=review] .actions button.primary')).toEqual([]);
      });
    });
  }

  const belize = [{ siteFile: 'demo.json', languages: ['es', 'bzj'] as const }];
  const botswana = [{ siteFile: 'demo-botswana.json', languages: ['tn'] as const }];

  for (const { siteFile, languages } of [...belize, ...botswana]) {
    test.describe(`at ${siteFile}`, () => {
      test.use({ siteFile });
      for (const language of languages) {
        test(`with Large text, an impossible date's error is not under Back and Next (${language})`, async ({
          page,
          kiosk,
        }) => {
          await openService(page, kiosk, language, 'birth-certificate-replacement', true);
          await page.getByRole('textbox').fill('Maria Chen');
          await next(page);
          // Empty, the field shows the date's shape whole ("AAAA-MM-DD" read "AAAA-MM-DI").
          await expect(page.locator('input[data-type=date]')).toBeVisible();
          const cut = (await probeControls(page)).problems.filter((p) => p.kind === 'cut');
          expect(cut.map(describeProblem)).toEqual([]);
          await page.locator('input[data-type=date]').fill('1992-02-30');
          await next(page);
          await expect(page.locator('[data-screen=form] .error[role=alert]')).toBeVisible();
          await shot(page, `date-error-large-${language}-1280x800`);
          expect(await readable(page, '[data-screen=form] .error[role=alert]')).toEqual([]);
        });

        // In Kriol the first question's field opens under Back and Next (the field taking focus
        // does not scroll it out from under them); in Spanish and Setswana it happens to clear them.
        if (language === 'bzj')
          test(`with Large text, Back does not cover the question or its field as a step opens (${language})`, async ({
            page,
            kiosk,
          }) => {
            await openService(page, kiosk, language, 'birth-certificate-replacement', true);
            await expect(page.locator('[data-screen=form] .answer')).toBeVisible();
            for (const what of ['[data-screen=form] [data-prompt]', '[data-screen=form] .answer'])
              expect(await readable(page, what), `question 1: ${what}`).toEqual([]);
            await page.getByRole('textbox').fill('Maria Chen');
            await next(page);
            await expect(page.locator('input[data-type=date]')).toBeVisible();
            await shot(page, `question-2-large-${language}-1280x800`);
            for (const what of ['[data-screen=form] [data-prompt]', '[data-screen=form] .answer'])
              expect(await readable(page, what), `question 2: ${what}`).toEqual([]);
          });

        test(`Large text turned on at a question keeps the question in view (${language})`, async ({
          page,
          kiosk,
        }) => {
          await openService(page, kiosk, language, 'birth-certificate-replacement');
          await page.getByRole('textbox').fill('Maria Chen');
          await next(page);
          await page.locator('[data-toggle=largeText]').click();
          await expect(page.locator('html')).toHaveClass(/large-text/);
          await shot(page, `large-text-toggled-${language}-1280x800`);
          for (const what of ['[data-screen=form] [data-prompt]', '[data-screen=form] .answer'])
            expect(await readable(page, what), what).toEqual([]);
        });

        test(`Large text turned on after a refused answer keeps its error in view (${language})`, async ({
          page,
          kiosk,
        }) => {
          await openService(page, kiosk, language, 'birth-certificate-replacement');
          // A required name left empty is refused.
          await page.getByRole('textbox').fill('');
          await next(page);
          await expect(page.locator('[data-screen=form] .error')).toBeVisible();
          await page.locator('[data-toggle=largeText]').click();
          await expect(page.locator('html')).toHaveClass(/large-text/);
          await shot(page, `large-text-after-error-${language}-1280x800`);
          for (const what of ['[data-screen=form] .error', '[data-screen=form] .answer'])
            expect(await readable(page, what), what).toEqual([]);
        });

        test(`a status check's answer is in view under Back and Check (${language})`, async ({
          page,
          kiosk,
        }) => {
          await openService(page, kiosk, language, 'application-status');
          await page.getByRole('textbox').fill('ABCD-EFGH-1');
          await page.locator('[data-screen=status] button[type=submit]').click();
          await expect(page.locator('[data-status-result]')).toBeVisible();
          await shot(page, `status-answer-${language}-1280x800`);
          expect(await readable(page, '[data-status-result]')).toEqual([]);
        });
      }
    });
  }

  test.describe('a Botswana kiosk', () => {
    test.use({ siteFile: 'demo-botswana.json' });
    test("a refused Omang number's error is read whole, not cut off by the pinned buttons (tn)", async ({
      page,
      kiosk,
    }) => {
      await openService(page, kiosk, 'tn', 'omang-replacement');
      await page.locator('input[data-type=national-id]').fill('123436789');
      await next(page);
      await expect(page.locator('[data-screen=form] .error[role=alert]')).toBeVisible();
      await shot(page, 'omang-error-tn-1280x800');
      expect(await readable(page, '[data-screen=form] .error[role=alert]')).toEqual([]);
    });
  });

  for (const [siteFile, language] of [
    ['demo.json', 'es'],
    ['demo-botswana.json', 'tn'],
  ] as const) {
    test.describe(`the receipt at ${siteFile}`, () => {
      test.use({ siteFile });
      test(`"Yes, SMS" brings the phone field and its keypad into view (${language})`, async ({
        page,
        kiosk,
      }) => {
        await kiosk.open(page);
        await applyForBirthCertificate(page, language === 'es' ? 'es' : 'tn');
        await page.locator('.sms button').click();
        await expect(page.locator('form.sms .keyboard-host .hg-button').first()).toBeVisible();
        await shot(page, `sms-keypad-${language}-1280x800`);
        expect(await readable(page, 'form.sms .keyboard-host'), 'the keypad').toEqual([]);
        expect(await readable(page, '#sms-phone'), 'the phone field').toEqual([]);
        // A refused number's error, under the field, is read too.
        await page.locator('#sms-phone').fill('12ab!');
        await page.locator('form.sms button[type=submit]').click();
        await expect(page.locator('#sms-error')).toBeVisible();
        expect(await readable(page, '#sms-error'), 'the error').toEqual([]);
      });

      for (const size of ['1080x1920', '1280x800'] as const) {
        test(`with Large text a refused phone number's error never moves the keypad (${language}, ${size})`, async ({
          page,
          kiosk,
        }) => {
          await page.setViewportSize(sizes[size]);
          await kiosk.open(page);
          await applyForBirthCertificate(page, language === 'es' ? 'es' : 'tn', true);
          await page.locator('.sms button').click();
          const keypad = page.locator('form.sms .keyboard-host');
          await expect(keypad.locator('.hg-button').first()).toBeVisible();
          await settle(page);
          // Where the keypad is on the page (not on the screen: bringing the error into view
          // may scroll, which is allowed; the keys moving on the page is not).
          const onPage = () =>
            keypad.evaluate((el) => Math.round(el.getBoundingClientRect().top + window.scrollY));
          const before = await onPage();
          await page.locator('#sms-phone').fill('123');
          await page.locator('form.sms button[type=submit]').click();
          await expect(page.locator('#sms-error')).toBeVisible();
          await settle(page);
          await shot(page, `sms-error-${language}-large-text-${size}`);
          // QA (Kriol, 1080 x 1920): the error took a third line and pushed the keys down; the
          // next key cleared it and they moved back up under the finger.
          expect(await onPage(), 'with the error').toBe(before);
          expect(await readable(page, '#sms-error'), 'the error').toEqual([]);
          await page.locator('#sms-phone').fill('1234');
          await expect(page.locator('#sms-error')).toHaveCount(0);
          await settle(page);
          expect(await onPage(), 'after the error').toBe(before);
        });
      }
    });
  }
});

/**
 * An officer signed in by card serves a citizen's bill at the counter, with the printer out of
 * paper (and Large text turned on first when asked): the assisted receipt is on screen.
 */
async function billOnReceiptWithPaperOut(
  page: Page,
  kiosk: KioskStack,
  siteFile: 'demo.json' | 'demo-botswana.json',
  options: { largeText?: boolean } = {},
): Promise<void> {
  await kiosk.open(page);
  await waitForRoster(page, siteFile === 'demo.json' ? 'demo-kiosk-01' : 'demo-kiosk-bw-01');
  await signInByCard(page, kiosk);
  kiosk.devices!.simulatedPrinter!.setState('paper-out');
  await kiosk.devices!.refreshPrinterStatus();
  await page.getByRole('button', { name: 'Serve citizens' }).click();
  if (options.largeText) await page.locator('[data-toggle=largeText]').click();
  await payBill(page, '50050050');
}

/** From the start screen: Setswana and Large text on, then the operator's PIN typed with Enter. */
async function openConsoleInSetswanaAtLargeText(page: Page): Promise<void> {
  await page.locator('.language-switch button[lang=tn]').click();
  await page.locator('[data-toggle=largeText]').click();
  await expect(page.locator('html')).toHaveClass(/large-text/);
  await page.keyboard.press('Control+Alt+o');
  await page.locator('#operator-pin').fill(operatorPin);
  await page.locator('#operator-pin').press('Enter');
}

test.describe('the operator console on a 1280×800 screen', () => {
  test.use({
    viewport: sizes['1280x800'],
    siteOverrides: { operatorPinHash: pinHash(operatorPin) },
  });
  for (const siteFile of ['demo.json', 'demo-botswana.json']) {
    test.describe(siteFile, () => {
      test.use({ siteFile });
      test(`Export bundle, at the console's end, says its result beside the button, in view (${siteFile})`, async ({
        page,
        kiosk,
      }) => {
        await kiosk.open(page);
        await page.keyboard.press('Control+Alt+o');
        await page.locator('#operator-pin').fill(operatorPin);
        await page.getByRole('button', { name: 'Open', exact: true }).click();
        const exportButton = page.locator('[data-export-bundle]');
        await expect(exportButton).toBeVisible({ timeout: 15_000 });
        // The operator scrolls down to the panel and touches the button there.
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await settle(page);
        await exportButton.click();
        const notice = page.locator('[data-operator-notice]');
        await expect(notice).toBeVisible({ timeout: 15_000 });
        // Everything was delivered: nothing to carry is said plainly, not as a failure.
        await expect(notice).not.toHaveClass(/error/);
        await expect(notice).toHaveText(createMessages('en').t('operator.bundle.nothing'));
        await shot(page, `console-export-${siteFile.replace('.json', '')}-1280x800`);
        expect(await readable(page, '[data-operator-notice]')).toEqual([]);
        // Beside the button touched: in its panel, and the button is still in view too.
        const [button, said] = [(await exportButton.boundingBox())!, (await notice.boundingBox())!];
        expect(button.y).toBeGreaterThanOrEqual(0);
        expect(Math.abs(said.y - (button.y + button.height))).toBeLessThan(120);
      });
    });
  }

  test('with Large text, the PIN pad keeps its title, field and buttons clear of the keypad, and the PIN typed on it opens the console', async ({
    page,
    kiosk,
  }) => {
    await kiosk.open(page);
    // Large text turned on at the start screen (as an officer who signed out leaves it).
    await page.locator('[data-toggle=largeText]').click();
    await expect(page.locator('html')).toHaveClass(/large-text/);
    await page.keyboard.press('Control+Alt+o');
    const screen = page.locator('[data-screen=operator-pin]');
    await expect(screen).toBeVisible();
    await settle(page);
    await shot(page, 'operator-pin-large-text-1280x800');
    const probe = await probeControls(page);
    expect(probe.problems.map((p) => `${p.kind} ${p.control}: ${p.detail}`)).toEqual([]);
    expect(probe.sideScroll).toBe(false);
    // The title's and the field label's words fit their column (no word runs on under the
    // keys), and the field is what a touch at its centre reaches (not under Cancel / Open).
    const layout = await screen.evaluate((root) => {
      const wider = Array.from(root.querySelectorAll('h1, label'))
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.tagName} "${el.textContent}" ${el.scrollWidth} > ${el.clientWidth}`);
      const field = root.querySelector('#operator-pin')!;
      const box = field.getBoundingClientRect();
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return { wider, fieldReached: hit === field };
    });
    expect(layout.wider).toEqual([]);
    expect(layout.fieldReached).toBe(true);
    // Nothing of the title, the field or its buttons lies under the keypad.
    const keys = (await screen.locator('.keyboard-host').boundingBox())!;
    for (const part of ['h1', '#operator-pin', 'form > .actions']) {
      const box = (await screen.locator(part).first().boundingBox())!;
      const overlaps =
        box.x < keys.x + keys.width &&
        keys.x < box.x + box.width &&
        box.y < keys.y + keys.height &&
        keys.y < box.y + box.height;
      expect(overlaps, `${part} at ${JSON.stringify(box)}, keys at ${JSON.stringify(keys)}`).toBe(
        false,
      );
    }
    // The PIN typed on the keypad's own keys opens the console.
    for (const digit of operatorPin) {
      await screen.locator(`.keyboard-host .hg-button[data-skbtn="${digit}"]`).click();
    }
    await expect(page.locator('#operator-pin')).toHaveValue(operatorPin);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.locator('[data-screen=operator-console]')).toBeVisible({ timeout: 15_000 });
  });

  test.describe('in Setswana at Large text', () => {
    test.use({ siteFile: 'demo-botswana.json', simulatedDevices: true });
    test("the console's figures keep their values inside their panel", async ({ page, kiosk }) => {
      await kiosk.open(page);
      await openConsoleInSetswanaAtLargeText(page);
      const figures = page.locator('[data-screen=operator-console] dl.figures');
      await expect(figures).toBeVisible({ timeout: 15_000 });
      await figures.scrollIntoViewIfNeeded();
      await settle(page);
      await shot(page, 'console-figures-tn-large-text-1280x800');
      // Each name and value is inside the panel, and each value has room to be read (the
      // names' column took the whole panel: values cut to "simulat" or gone).
      const problems = await figures.evaluate((list) => {
        const panel = list.closest('section')!.getBoundingClientRect();
        return Array.from(list.children).flatMap((item) => {
          const box = item.getBoundingClientRect();
          const out = box.right > panel.right + 0.5 || box.left < panel.left - 0.5;
          const clipped = item.scrollWidth > item.clientWidth + 1;
          return out || clipped || box.width < 40
            ? [
                `${item.tagName} "${item.textContent}" ${box.left}–${box.right} in ${panel.left}–${panel.right}`,
              ]
            : [];
        });
      });
      expect(problems).toEqual([]);
    });
  });

  test.describe('officer tools', () => {
    test.use({ roster, simulatedDevices: true });

    test.describe('in Setswana at Large text', () => {
      test.use({ siteFile: 'demo-botswana.json' });
      test("the officer's PIN pad and tools open at their top when signed in from the console", async ({
        page,
        kiosk,
      }) => {
        await kiosk.open(page);
        await waitForRoster(page, 'demo-kiosk-bw-01');
        // Setswana and Large text on, as the last citizen or officer left them: the console
        // and the officer's PIN pad are then taller than the screen.
        await openConsoleInSetswanaAtLargeText(page);
        await expect(page.locator('[data-screen=operator-console]')).toBeVisible({
          timeout: 15_000,
        });
        // The simulated card reader's panel is far down the console: the operator scrolls down
        // to it and touches the card button there.
        const swipe = page.locator('[data-sim=officer-card]');
        await swipe.scrollIntoViewIfNeeded();
        await settle(page);
        expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
        await swipe.click();
        const pin = page.locator('#officer-pin');
        await expect(pin).toBeFocused();
        await settle(page);
        await shot(page, 'officer-pin-tn-large-text-1280x800');
        // The PIN pad's title, its field and every key of its keypad are on the screen (the
        // browser's own focus scroll centred the field: title and top keys above the screen).
        const onScreen = await page.evaluate(() =>
          Array.from(
            document.querySelectorAll(
              '[data-screen=officer-sign-in] h1, #officer-pin, [data-screen=officer-sign-in] .hg-button',
            ),
          )
            .map((el) => ({ el, box: el.getBoundingClientRect() }))
            .filter(({ box }) => box.top < -0.5 || box.bottom > window.innerHeight + 0.5)
            .map(({ el, box }) => `${el.tagName} "${el.textContent}" ${box.top}–${box.bottom}`),
        );
        expect(onScreen).toEqual([]);
        // And the field's whole focus ring (4px outline, 3px outside the field): QA found it cut
        // by the screen's bottom edge.
        const ring = await pin.evaluate((el) => {
          const box = el.getBoundingClientRect();
          return { top: box.top - 7, bottom: box.bottom + 7, screen: window.innerHeight };
        });
        expect(ring.top, JSON.stringify(ring)).toBeGreaterThanOrEqual(0);
        expect(ring.bottom, JSON.stringify(ring)).toBeLessThanOrEqual(ring.screen);
        await pin.fill(officer.pin);
        await pin.press('Enter');
        await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
        await settle(page);
        // The officer's tools open at their top: the header and the title in view.
        expect(await page.evaluate(() => window.scrollY)).toBe(0);
        await shot(page, 'officer-tools-tn-large-text-1280x800');
      });
    });

    for (const [siteFile, languages] of [
      ['demo.json', ['en', 'es', 'bzj']],
      ['demo-botswana.json', ['tn']],
    ] as const) {
      test.describe(siteFile, () => {
        test.use({ siteFile });
        test(`an assisted receipt held for paper says so beside Print without moving it (${languages.join(', ')})`, async ({
          page,
          kiosk,
        }) => {
          await billOnReceiptWithPaperOut(page, kiosk, siteFile);
          const printer = kiosk.devices!.simulatedPrinter!;
          const print = page.locator('[data-print]');
          const said = page.locator('[data-print-state=held]');
          for (const language of languages) {
            // The citizen's language, as the receipt screen's header offers it.
            await page.locator(`.language-switch button[lang=${language}]`).click();
            await expect(page.locator('.kiosk')).toHaveAttribute('lang', language);
            await settle(page);
            const before = (await print.boundingBox())!;
            await print.click();
            await expect(said).toHaveText(createMessages(language).t('receipt.paperOutHeld'), {
              timeout: 15_000,
            });
            await settle(page);
            await shot(page, `receipt-held-paper-${language}-1280x800`);
            // Six lines in the buttons' column fit above the screen's edge; a seventh scrolled
            // the page and moved Print and Finish up under the finger (QA, es and en).
            expect((await print.boundingBox())!.y, language).toBe(before.y);
            expect(await readable(page, '[data-print-state]'), language).toEqual([]);
            await shot(page, `receipt-held-paper-${language}-1280x800`);
          }
          expect(printer.printouts()).toHaveLength(0);
        });

        test(`with Large text, a held line keeps the buttons' column and Print under the finger (${languages.join(', ')})`, async ({
          page,
          kiosk,
        }) => {
          await billOnReceiptWithPaperOut(page, kiosk, siteFile, { largeText: true });
          const print = page.locator('[data-print]');
          const reference = page.locator('.reference');
          for (const language of languages) {
            await page.locator(`.language-switch button[lang=${language}]`).click();
            await expect(page.locator('.kiosk')).toHaveAttribute('lang', language);
            await settle(page);
            const before = {
              print: (await print.boundingBox())!,
              ref: (await reference.boundingBox())!,
            };
            await print.click();
            await expect(page.locator('[data-print-state=held]')).toBeVisible({ timeout: 15_000 });
            await settle(page);
            await shot(page, `receipt-held-paper-${language}-large-text-1280x800`);
            const after = {
              print: (await print.boundingBox())!,
              ref: (await reference.boundingBox())!,
            };
            // The held line wraps in the buttons' column: it widened it from 483 to 616 px and
            // narrowed the reference beside it (QA: "the receipt reflows after Print").
            expect(after.print.width, language).toBe(before.print.width);
            expect(after.ref.width, language).toBe(before.ref.width);
            // Bringing the line into view may scroll a little, but a second touch where Print
            // was still lands on Print, never on Finish (it landed on Finish at 105 px).
            const centre = before.print.y + before.print.height / 2;
            expect(centre, language).toBeGreaterThan(after.print.y);
            expect(centre, language).toBeLessThan(after.print.y + after.print.height);
            expect(await readable(page, '[data-print-state]'), language).toEqual([]);
          }
        });
      });
    }

    test("a reprint's result, far down the day's table, is said in view", async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(120_000);
      await kiosk.open(page);
      await waitForRoster(page);
      await signInByCard(page, kiosk);
      await page.getByRole('button', { name: 'Serve citizens' }).click();
      const refs: string[] = [];
      // More rows than a 1280 × 800 screen shows below the notice's place.
      for (const account of Array.from({ length: 9 }, (_, i) => `${i + 1}0010010`)) {
        refs.push(await payBill(page, account));
        await page.getByRole('button', { name: 'Finish' }).click();
      }
      await page.locator('[data-officer-tools]').click();
      // The oldest is the table's last row: the officer scrolls down to it and reprints.
      const reprint = page.locator(`[data-reprint="${refs[0]}"]`);
      await reprint.scrollIntoViewIfNeeded();
      await settle(page);
      await reprint.click();
      await expect(page.locator('[data-officer-notice]')).toBeVisible({ timeout: 15_000 });
      await shot(page, 'officer-reprint-1280x800');
      expect(await readable(page, '[data-officer-notice]')).toEqual([]);
    });
  });
});
