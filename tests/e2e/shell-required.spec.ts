import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Page } from '@playwright/test';
import { createBridgeRouter } from '../../sync/bridge/router';
import { startBrowserShellHost } from '../../electron/browser-shell/host';
import { createKioskServices } from '../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../electron/services/load-config';
import { translations } from '../../kiosk-config';
import { languageCodes } from '../../kiosk-config/schema';
import type { LanguageCode } from '../../kiosk-config/schema';
import { expect, rendererDir, screenshot, test } from './fixtures';

/** The out-of-service line in each language the app ships (kiosk-config/translations). */
const outOfService = Object.fromEntries(
  languageCodes.map((lang) => [lang, translations[lang]['error.config']]),
) as Record<LanguageCode, string>;

/** The names IndexedDB holds on this origin: the outbox would be one of them. */
const databases = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name));

test('a production page opened without its shell is out of service in every language, and stores nothing', async ({
  page,
  kiosk,
}) => {
  // The address without its #bridge-token, on an origin that never ran the kiosk.
  await page.goto(kiosk.host.url);
  await page.waitForFunction(() => document.body.dataset.ready === 'error');
  const screen = page.locator('[data-screen=out-of-service]');
  await expect(screen).toHaveAttribute('data-reason', 'no-shell');
  // The kiosk's languages are not known here, so the screen says it in all of them.
  for (const [lang, text] of Object.entries(outOfService)) {
    await expect(screen.locator(`[lang=${lang}]`).first()).toHaveText(text);
  }
  await expect(screen).toContainText('No kiosk shell');
  // No simulated shell took over: no start button, no outbox, no data key.
  await expect(page.locator('[data-screen=attract]')).toHaveCount(0);
  expect(await databases(page)).toEqual([]);
  await screenshot(page, 'out-of-service-no-shell');
});

test.describe('a kiosk that has run before', () => {
  test.use({ siteOverrides: { languages: ['en', 'es'], defaultLanguage: 'en' } });

  test('says out of service in its own languages when it loses its shell', async ({
    page,
    kiosk,
  }) => {
    await kiosk.open(page);
    // The token goes with the browser session (as when the host restarts or the page is opened
    // again by hand): the page has no way to reach its shell.
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(kiosk.host.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'error');
    const screen = page.locator('[data-screen=out-of-service][data-reason=no-shell]');
    await expect(screen.locator('h1')).toHaveText(outOfService.en);
    await expect(screen.locator('[lang=es]')).toHaveText(outOfService.es);
    await expect(screen.locator('[lang=bzj], [lang=tn]')).toHaveCount(0);
    await screenshot(page, 'out-of-service-no-shell-en-es');
  });
});

test('only the demo build runs without a shell, on the simulated bridge; the production build does not contain it', async ({
  page,
}) => {
  // The production build (global set-up) has no trace of the in-page simulated shell.
  const assets = path.join(rendererDir, 'assets');
  const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  for (const name of scripts) {
    expect(readFileSync(path.join(assets, name), 'utf8')).not.toContain('in-page simulated shell');
  }

  const demoDir = mkdtempSync(path.join(tmpdir(), 'sp-demo-build-'));
  const configFile = fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url));
  await build({ configFile, mode: 'demo', logLevel: 'warn', build: { outDir: demoDir } });
  const demoScripts = readdirSync(path.join(demoDir, 'assets')).filter((n) => n.endsWith('.js'));
  expect(
    demoScripts.some((name) =>
      readFileSync(path.join(demoDir, 'assets', name), 'utf8').includes('in-page simulated shell'),
    ),
  ).toBe(true);
  // Served by a host whose bridge nobody connects to: the demo page stands in its own shell.
  const host = await startBrowserShellHost({
    rendererDir: demoDir,
    router: createBridgeRouter(
      createKioskServices({
        config: loadKioskConfig(),
        shell: 'browser',
        appVersion: 'demo-test',
        gatewayUrl: 'http://127.0.0.1:9',
        simulatedDevices: [],
      }),
    ),
  });
  try {
    await page.goto(host.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await expect(page.locator('[data-screen=attract]')).toBeVisible();
  } finally {
    await host.close();
    rmSync(demoDir, { recursive: true, force: true });
  }
});
