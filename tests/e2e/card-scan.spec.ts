import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';

// A valid receipt reference (its check character matches), as on a receipt's QR code.
const reference = '7K3M-Q9XD-N';

/** US-layout physical keys for what a scanner types: [code, shifted]. */
function usKey(ch: string): { code: string; shift: boolean; keyCode: number } {
  if (/[A-Z]/.test(ch)) return { code: `Key${ch}`, shift: true, keyCode: ch.charCodeAt(0) };
  if (/[a-z]/.test(ch))
    return {
      code: `Key${ch.toUpperCase()}`,
      shift: false,
      keyCode: ch.toUpperCase().charCodeAt(0),
    };
  if (/[0-9]/.test(ch)) return { code: `Digit${ch}`, shift: false, keyCode: ch.charCodeAt(0) };
  const table: Record<string, { code: string; shift: boolean; keyCode: number }> = {
    ':': { code: 'Semicolon', shift: true, keyCode: 186 },
    ';': { code: 'Semicolon', shift: false, keyCode: 186 },
    '-': { code: 'Minus', shift: false, keyCode: 189 },
    '=': { code: 'Equal', shift: false, keyCode: 187 },
    '?': { code: 'Slash', shift: true, keyCode: 191 },
    '\r': { code: 'Enter', shift: false, keyCode: 13 },
  };
  const key = table[ch];
  if (!key) throw new Error(`no US key for ${JSON.stringify(ch)}`);
  return key;
}

/**
 * A keyboard-wedge scanner: the whole code 4 ms a character, then Enter, as real key events
 * stamped as the operating system stamps a scanner's. They are sent at once, without waiting for
 * each to be handled (Playwright's keyboard waits, which on a loaded machine spaces the keys
 * wider than any scanner and makes the burst read as typing).
 */
async function scan(page: Page, text: string) {
  const cdp = await page.context().newCDPSession(page);
  const start = Date.now() / 1000;
  const sent: Array<Promise<unknown>> = [];
  [...text, '\r'].forEach((ch, i) => {
    const { code, shift, keyCode } = usKey(ch);
    const key = ch === '\r' ? 'Enter' : ch;
    const common = {
      key,
      code,
      windowsVirtualKeyCode: keyCode,
      modifiers: shift ? 8 : 0,
      timestamp: start + (i * 4) / 1000,
    };
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: ch, ...common }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common }));
  });
  await Promise.all(sent);
  await cdp.detach();
}

async function openBirthCertificateName(page: Page) {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-category=civil-registry]').click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
  await expect(page.locator('[data-screen=form] input.answer')).toBeFocused();
}

test('a receipt code scanned on the start screen opens its status without touching the screen', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').focus();
  await scan(page, `SP:${reference}`);
  await expect(page.locator('[data-screen=status]')).toBeVisible();
  await expect(page.locator('#status-ref')).toHaveValue(reference);
  await expect(page.getByText('The office has no request with this number yet.')).toBeVisible();
  await screenshot(page, 'scan-status-en');
});

test('a scan never lands in a form field, while a person typing fast still does', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await openBirthCertificateName(page);
  const field = page.locator('[data-screen=form] input.answer');

  // An unknown card swiped by a wedge reader: nothing reaches the field, one calm sentence shows.
  await scan(page, ';1234567890123=2912?');
  await expect(page.getByRole('status').filter({ hasText: 'not recognised' })).toBeVisible();
  await expect(field).toHaveValue('');

  // A receipt code scanned in the middle of a form does not take the citizen away from it.
  await scan(page, `SP:${reference}`);
  await expect(page.locator('[data-screen=form]')).toBeVisible();
  await expect(field).toHaveValue('');

  // A quick typist (about 80 ms between keys) is typing, not a scanner.
  await page.keyboard.type('Ana Pérez', { delay: 80 });
  await expect(field).toHaveValue('Ana Pérez');
  await page.keyboard.press('Backspace');
  await expect(field).toHaveValue('Ana Pére');
});

interface RecordedKey {
  code: string;
  key: string;
  shift: boolean;
  repeat?: boolean;
  t: number;
}

/** Replays a recorded keystroke fixture as keydown events, keeping its timing. */
async function replay(page: Page, fixture: string) {
  const file = fileURLToPath(
    new URL(`../fixtures/devices/keystrokes/${fixture}.json`, import.meta.url),
  );
  const { events } = JSON.parse(readFileSync(file, 'utf8')) as { events: RecordedKey[] };
  await page.evaluate(async (keys: RecordedKey[]) => {
    const start = keys[0]?.t ?? 0;
    const began = performance.now();
    for (const stroke of keys) {
      const wait = stroke.t - start - (performance.now() - began);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const target = document.activeElement ?? document.body;
      target.dispatchEvent(
        new KeyboardEvent('keydown', {
          code: stroke.code,
          key: stroke.key,
          shiftKey: stroke.shift,
          repeat: stroke.repeat ?? false,
          bubbles: true,
          cancelable: true,
        }),
      );
    }
  }, events);
}

test('a US-programmed scanner on a Spanish keyboard layout still opens the receipt’s status', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').focus();
  // event.key says "SPÑ7K3M'Q9XD'N"; the physical keys say "SP:7K3M-Q9XD-N".
  await replay(page, 'spanish-layout-scanner-reference');
  await expect(page.locator('[data-screen=status]')).toBeVisible();
  await expect(page.locator('#status-ref')).toHaveValue(reference);
});

test('a scanner’s CR LF suffix does not submit the form the citizen is filling in', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await openBirthCertificateName(page);
  const field = page.locator('[data-screen=form] input.answer');
  await page.keyboard.type('Ana Pérez', { delay: 80 });
  await page.waitForTimeout(300);
  // Were the suffix's second Enter let through, it would submit this answer and move on.
  await replay(page, 'scanner-crlf-suffix');
  await page.waitForTimeout(400);
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('Ana Pérez');
});

test('an accented letter Chromium reports as key "\\u0000" is typed by the browser, never as a NUL', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await openBirthCertificateName(page);
  const field = page.locator('[data-screen=form] input.answer');
  // What X11 Chromium sends for `xdotool type María` / `xdotool key ntilde`: the letter's text,
  // but `key` "\u0000" and no `code`, because the keysym has no key on the current layout.
  const cdp = await page.context().newCDPSession(page);
  for (const char of 'María Núñez') {
    const named = /[a-zA-Z ]/.test(char);
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'keyDown',
      key: named ? char : '\u0000',
      code: named ? (char === ' ' ? 'Space' : `Key${char.toUpperCase()}`) : '',
      text: char,
      unmodifiedText: char,
    });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: named ? char : '\u0000' });
    await page.waitForTimeout(90);
  }
  await expect(field).toHaveValue('María Núñez');
});

/**
 * Keys at a steady `gapMs` apart, dispatched inside the page so a loaded test machine cannot
 * stretch the gaps (as a CDP round trip per key can): a device's rhythm, deterministically.
 */
async function burst(page: Page, text: string, gapMs: number) {
  await page.evaluate(
    async ({ text: keys, gapMs: gap }) => {
      const codeOf = (key: string): string =>
        key === 'Enter'
          ? 'Enter'
          : /[a-z]/i.test(key)
            ? `Key${key.toUpperCase()}`
            : /\d/.test(key)
              ? `Digit${key}`
              : key === ' '
                ? 'Space'
                : key === '-'
                  ? 'Minus'
                  : key === ';'
                    ? 'Semicolon'
                    : key === '='
                      ? 'Equal'
                      : key === '?'
                        ? 'Slash'
                        : '';
      for (const key of [...keys, 'Enter']) {
        const target = document.activeElement ?? document.body;
        target.dispatchEvent(
          new KeyboardEvent('keydown', {
            key,
            code: codeOf(key),
            shiftKey: key === '?' || /[A-Z]/.test(key),
            bubbles: true,
            cancelable: true,
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, gap));
      }
    },
    { text, gapMs },
  );
}

test('fast typing taken for a scan goes back into the field, and nothing moves for the notice', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await openBirthCertificateName(page);
  const field = page.locator('[data-screen=form] input.answer');
  const before = await field.boundingBox();

  // A 40-character payment reference typed fast, then Enter (5 ms a key here, so a loaded machine still sees a device's rhythm), but
  // no card and no code. It must not be lost, and no "not recognised" sentence is shown.
  const typed = 'PAY-2026-BZ-000123-CASH-COUNTER-7 ABCDEF';
  await burst(page, typed, 5);
  await expect(field).toHaveValue(typed);
  await expect(page.locator('[data-screen=form]')).toBeVisible();
  await expect(page.locator('.scan-notice')).toHaveCount(0);
  // Typing goes on after it, at the caret.
  await page.keyboard.type(' 9', { delay: 90 });
  await expect(field).toHaveValue(`${typed} 9`);

  // A card swipe that is not recognised still never reaches the field; its notice floats and
  // takes no room, so neither its coming nor its going moves the field.
  await field.fill('');
  await page.waitForTimeout(300);
  await burst(page, ';1234567890123=2912?', 5);
  await expect(page.locator('.scan-notice')).toBeVisible();
  await expect(field).toHaveValue('');
  expect(await field.boundingBox()).toEqual(before);
});
