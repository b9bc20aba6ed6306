import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import type { KioskStack } from './fixtures';
import { demoSites } from './citizen-walk';

/**
 * Read aloud in every language, offline. The page is given a browser with the voices a test
 * names (none by default: Debian's Chromium has no speech voices, and no browser has Setswana
 * or Kriol), and what it says and plays is recorded: each utterance handed to speechSynthesis,
 * and each clip the page decodes and starts (its peak level, from the decoded samples). The
 * shell side is the real one: the bridge router and espeak-ng.
 */

interface Heard {
  browser: Array<{ text: string; lang: string }>;
  clips: Array<{ peak: number; seconds: number }>;
  started: number;
}

async function givePageVoices(page: Page, voices: Array<{ lang: string; name: string }>) {
  await page.addInitScript((given) => {
    const heard = { browser: [], clips: [], started: 0 } as {
      browser: Array<{ text: string; lang: string }>;
      clips: Array<{ peak: number; seconds: number }>;
      started: number;
    };
    Object.assign(window, { __heard: heard });
    const list = given.map((v) => ({ ...v, voiceURI: v.name, localService: true, default: false }));
    Object.defineProperty(window, 'speechSynthesis', {
      value: {
        speak(utterance: SpeechSynthesisUtterance) {
          heard.browser.push({ text: utterance.text, lang: utterance.lang });
          setTimeout(() => utterance.onend?.(new Event('end') as SpeechSynthesisEvent), 20);
        },
        cancel: () => undefined,
        getVoices: () => list,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      },
    });
    const decode = BaseAudioContext.prototype.decodeAudioData;
    BaseAudioContext.prototype.decodeAudioData = async function (this: BaseAudioContext, data) {
      const buffer = await decode.call(this, data);
      const samples = buffer.getChannelData(0);
      let peak = 0;
      for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
      heard.clips.push({ peak, seconds: buffer.duration });
      return buffer;
    } as typeof decode;
    const start = AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args) {
      heard.started += 1;
      return start.apply(this, args);
    } as typeof start;
  }, voices);
}

const heard = (page: Page): Promise<Heard> =>
  page.evaluate(() => (window as unknown as { __heard: Heard }).__heard);

/** What the page asked the shell to say, in order. */
const spokenByShell = (kiosk: KioskStack) =>
  kiosk.bridgeCalls
    .filter((call) => call.channel === 'speech:speak')
    .map((call) => call.request as { language: string; text: string });

const prompt = async (page: Page) =>
  (await page.locator('[data-prompt]').first().innerText()).replace(/\s+/g, ' ').trim();

for (const site of demoSites) {
  test.describe(`at the ${site.name} demo site`, () => {
    test.use({ siteFile: site.siteFile });

    test(`each language the browser cannot speak (${site.languages.join(', ')}) is asked of the shell, which answers with real sound`, async ({
      page,
      kiosk,
    }) => {
      await givePageVoices(page, []);
      await kiosk.open(page);
      const [first, ...others] = [...site.languages].reverse();
      await page.locator('[data-screen=attract] button.primary').click();
      await page.locator(`[data-screen=language] button[lang=${first}]`).click();
      await page.locator('[data-toggle=audio]').click();
      for (const language of [first!, ...others]) {
        if (language !== first)
          await page.locator(`.language-switch button[lang=${language}]`).click();
        // The switch loads the language's messages first: the prompt is read once it is shown
        // in that language (read at once, it could be the last language's, which the shell was
        // never asked to say in this one: the test's flake of 1 December).
        await expect(page.locator('.kiosk')).toHaveAttribute('lang', language);
        const text = await prompt(page);
        await expect
          .poll(() => spokenByShell(kiosk).some((r) => r.language === language && r.text === text))
          .toBe(true);
        // The clip reached the page, was decoded to real sound and started.
        try {
          await expect.poll(async () => (await heard(page)).clips.length).toBeGreaterThan(0);
        } catch (error) {
          // Seen once in a full CI run and never alone, even beside three busy processes (40
          // runs): what the page asked and heard goes with the report, to say why next time.
          await test.info().attach('speech-calls.json', {
            contentType: 'application/json',
            body: JSON.stringify(
              {
                language,
                text,
                bridgeCalls: kiosk.bridgeCalls.map((call) => call.channel),
                spokenByShell: spokenByShell(kiosk),
                heard: await heard(page),
              },
              null,
              2,
            ),
          });
          throw error;
        }
        const { clips, started } = await heard(page);
        expect(clips.at(-1)!.peak, `${language} clip peak`).toBeGreaterThan(0.1);
        expect(clips.at(-1)!.seconds).toBeGreaterThan(0.5);
        expect(started).toBeGreaterThan(0);
      }
      // Nothing went to a browser voice: there was none.
      expect((await heard(page)).browser).toEqual([]);
      expect(await page.locator('[data-speech-unavailable]').count()).toBe(0);

      // An error message is said as it appears (in English, the language the loop ended in).
      await page.locator('[data-service=birth-certificate-replacement]').click();
      await page.locator('[data-screen=form] form button[type=submit]').click();
      const error = (await page.getByRole('alert').innerText()).trim();
      await expect
        .poll(() => spokenByShell(kiosk).some((r) => r.language === 'en' && r.text === error))
        .toBe(true);
      // A date read back in words (live text) is said too.
      await page.locator('[data-screen=form] input.answer').fill('Ana Pérez');
      await page.locator('[data-screen=form] form button[type=submit]').click();
      await page.locator('input[data-type=date]').fill('1990-04-01');
      const words = (await page.locator('.date-words').innerText()).trim();
      expect(words).toMatch(/April 1990/);
      await expect
        .poll(() => spokenByShell(kiosk).map((r) => r.text), { timeout: 5_000 })
        .toContain(words);
    });
  });
}

test.describe('the idle warning', () => {
  test.use({ siteOverrides: { testTiming: { idleTimeoutSeconds: 1.5, idleWarningSeconds: 20 } } });

  test('is read aloud when it appears, with its question, its countdown and its buttons', async ({
    page,
    kiosk,
  }) => {
    await givePageVoices(page, []);
    await kiosk.open(page);
    await page.locator('[data-screen=attract] button.primary').click();
    await page.locator('[data-screen=language] button[lang=es]').click();
    await page.locator('[data-toggle=audio]').click();
    const warning = page.getByRole('alertdialog');
    await expect(warning).toBeVisible({ timeout: 10_000 });
    await expect
      .poll(() =>
        spokenByShell(kiosk).find((r) => r.language === 'es' && r.text.startsWith('¿Sigue ahí?')),
      )
      .toBeTruthy();
    const said = spokenByShell(kiosk).find((r) => r.text.startsWith('¿Sigue ahí?'))!;
    expect(said.text).toMatch(/\d+ segundos?/);
    expect(said.text).toContain(await warning.locator('button.primary').innerText());
    // Said once, not again at every tick of the countdown.
    await page.waitForTimeout(2_500);
    expect(spokenByShell(kiosk).filter((r) => r.text.startsWith('¿Sigue ahí?'))).toHaveLength(1);
  });
});

test('a browser voice is used where it has one; Kriol never goes to an English voice', async ({
  page,
  kiosk,
}) => {
  await givePageVoices(page, [
    { lang: 'es-MX', name: 'Spanish (test voice)' },
    { lang: 'en-US', name: 'English (test voice)' },
  ]);
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=es]').click();
  await page.locator('[data-toggle=audio]').click();
  await expect
    .poll(async () => (await heard(page)).browser.at(-1))
    .toEqual({
      text: '¿Qué necesita hoy?',
      lang: 'es-MX',
    });
  await page.locator('[data-service=vehicle-licence]').click();
  // The form is a chunk of its own: its first prompt replaces the services question when it loads.
  await expect.poll(() => prompt(page)).toBe('Número de placa');
  await expect
    .poll(async () => (await heard(page)).browser.at(-1))
    .toEqual({ text: 'Número de placa', lang: 'es-MX' });
  await page.locator('.language-switch button[lang=bzj]').click();
  // Read once shown in Kriol (the switch loads its messages first).
  await expect(page.locator('.kiosk')).toHaveAttribute('lang', 'bzj');
  const kriol = await prompt(page);
  await expect
    .poll(() => spokenByShell(kiosk).some((r) => r.language === 'bzj' && r.text === kriol))
    .toBe(true);
  expect((await heard(page)).browser.map((u) => u.text)).not.toContain(kriol);
  expect(spokenByShell(kiosk).filter((r) => r.language === 'es')).toEqual([]);

  // Read aloud off: nothing more is said.
  await page.locator('[data-toggle=audio]').click();
  const before = (await heard(page)).browser.length + spokenByShell(kiosk).length;
  await page.locator('.language-switch button[lang=es]').click();
  await page.getByRole('textbox').fill('CAY 1234');
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await expect(page.locator('[data-field=vehicleType]')).toBeVisible();
  expect((await heard(page)).browser.length + spokenByShell(kiosk).length).toBe(before);
});

test('with a keypad, each control is named as focus reaches it', async ({ page, kiosk }) => {
  await givePageVoices(page, []);
  await kiosk.open(page);
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-toggle=audio]').click();
  // Read aloud is on before focus moves (a Tab in the same instant as the tap could come first).
  await expect(page.locator('[data-toggle=audio]')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  expect(focused).not.toBe('');
  // A generous wait: this once failed in CI (1 of 131 tests, passed on retry) and once in 6 runs
  // here, and passed in 28 runs since, under load too; the cause is not known.
  await expect
    .poll(() => spokenByShell(kiosk).some((r) => r.language === 'en' && r.text === focused), {
      timeout: 20_000,
    })
    .toBe(true);
});

test.describe('a kiosk with no offline speech engine', () => {
  test.use({ offlineSpeech: false, siteFile: 'demo-botswana.json' });

  test('tells the citizen when their language cannot be spoken, and speaks the ones it can', async ({
    page,
    kiosk,
  }) => {
    await givePageVoices(page, [{ lang: 'en-GB', name: 'English (test voice)' }]);
    await kiosk.open(page);
    await page.locator('[data-screen=attract] button.primary').click();
    await page.locator('[data-screen=language] button[lang=tn]').click();
    await page.locator('[data-toggle=audio]').click();
    const notice = page.locator('[data-speech-unavailable=tn]');
    await expect(notice).toHaveText(
      'Khiosiko e ga e kgone go buisa ka lentswe ka Setswana. Mafoko a sala mo sekirining.',
    );
    await expect(notice).toHaveAttribute('role', 'status');
    await screenshot(page, 'speech-unavailable-tn');
    await page.locator('.language-switch button[lang=en]').click();
    await expect(page.locator('[data-speech-unavailable]')).toHaveCount(0);
    await expect
      .poll(async () => (await heard(page)).browser.at(-1)?.text)
      .toBe('What do you need today?');
    expect(spokenByShell(kiosk)).toEqual([]);
  });
});
