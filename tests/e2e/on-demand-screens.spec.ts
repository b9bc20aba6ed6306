import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, screenshot, test } from './fixtures';
import { payBill, pinHash } from './staff-fixtures';

/**
 * Up in seconds: the first screen loads only its own code; every other screen (the citizen's
 * steps, the receipt with its QR code, the on-screen keyboard and its layouts, the officer and
 * operator screens) is a chunk of its own, fetched on demand and precached by the service worker,
 * so after one visit they all open with no server to fetch them from.
 */

const operatorPin = '24681357';
test.use({ rendererCopy: true, siteOverrides: { operatorPinHash: pinHash(operatorPin) } });

/**
 * Chunks the first screen must not wait for, by the screen, component or module that names
 * them: the later and staff screens, the runtime (IndexedDB store, sync engine) and the messages
 * of every language but English.
 */
const onDemand =
  /(ServiceScreens|ServicesScreen|FormScreen|ReviewScreen|ConsentScreen|ReceiptScreen|StatusScreen|Officer\w*Screen|Operator\w*Screen|QrCode|OnScreenKeyboard|kiosk-runtime|\/(es|bzj|tn))-/;

test('the first screen loads one script without the staff screens, and every screen opens after the server has gone', async ({
  page,
  kiosk,
}) => {
  test.setTimeout(120_000);
  await page.addInitScript(() => {
    new MutationObserver((_records, observer) => {
      if (document.body?.dataset.ready !== 'true') return;
      (window as unknown as { scriptsAtReady: string[] }).scriptsAtReady = performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((name) => name.endsWith('.js'));
      observer.disconnect();
    }).observe(document, { attributes: true, subtree: true });
  });
  await kiosk.open(page);

  // What the page fetched before its first screen: the entry chunk, nothing on demand.
  const scriptsAtReady = await page.evaluate(
    () => (window as unknown as { scriptsAtReady: string[] }).scriptsAtReady,
  );
  expect(scriptsAtReady.length).toBeGreaterThan(0);
  expect(scriptsAtReady.filter((name) => onDemand.test(name))).toEqual([]);
  // The entry chunk holds none of the staff or later screens' markup; their chunks do.
  const assets = path.join(kiosk.rendererDir, 'assets');
  const entry = /<script[^>]*src="\.\/(assets\/[^"]+\.js)"/.exec(
    readFileSync(path.join(kiosk.rendererDir, 'index.html'), 'utf8'),
  )?.[1];
  if (!entry) throw new Error('index.html names no entry script');
  const entryText = readFileSync(path.join(kiosk.rendererDir, entry), 'utf8');
  for (const screen of ['officer-tools', 'operator-console', 'receipt', 'form']) {
    expect(entryText, screen).not.toContain(`"data-screen":"${screen}"`);
  }
  const chunks = readdirSync(assets).filter((file) => file.endsWith('.js'));
  for (const name of ['OfficerToolsScreen', 'OperatorConsoleScreen', 'ReceiptScreen', 'QrCode']) {
    expect(
      chunks.some((file) => file.startsWith(`${name}-`)),
      name,
    ).toBe(true);
  }
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
  await screenshot(page, 'on-demand-01-attract');

  // The service worker precaches the whole build, on-demand chunks included.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const precached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls;
  });
  for (const name of ['OfficerToolsScreen', 'OperatorConsoleScreen', 'ReceiptScreen', 'QrCode']) {
    expect(
      precached.some((url) => url.includes(`/assets/${name}-`)),
      name,
    ).toBe(true);
  }

  // The server loses the whole build (only the bridge is left): a reload and every screen
  // come from the service worker's cache.
  for (const file of readdirSync(kiosk.rendererDir)) {
    if (file !== 'sw.js') rmSync(path.join(kiosk.rendererDir, file), { recursive: true });
  }
  await page.goto('about:blank');
  await kiosk.open(page);
  expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

  // Each of the site's languages (a chunk of its own, loaded when first needed) comes from the
  // cache too: the header's switch, then the language screen that asks in all of them.
  const title = page.locator('[data-screen=attract] h1');
  await page.locator('header button[lang=es]').click();
  await expect(title).toHaveText('Servicios del gobierno');
  await page.locator('header button[lang=bzj]').click();
  await expect(title).toHaveText('Govament sarvis');
  await screenshot(page, 'on-demand-03-kriol-offline');
  await page.locator('header button[lang=en]').click();
  await expect(title).toHaveText('Government services');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.runtime === 'ready');
  await page.getByRole('button', { name: 'Touch to start' }).click();
  await expect(page.locator('[data-screen=language] h1')).toContainText('Elija su idioma');
  await expect(page.locator('[data-screen=language] h1')).toContainText('Pik yu langwij');
  await expect(page.locator('[data-screen=language] h1')).toContainText('Choose your language');
  await page.locator('[data-screen=language] button[lang=es]').click();
  await expect(page.locator('[data-screen=services]')).toBeVisible();
  await expect(page.locator('[data-start-over]')).toHaveText('Empezar de nuevo');
  await page.goto('about:blank');
  await kiosk.open(page);

  // The citizen's steps, the keyboard and the receipt with its QR code.
  await payBill(page, '30030030');
  await expect(
    page.locator('[data-screen=receipt] canvas, [data-screen=receipt] svg').first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();

  // The operator's PIN pad and console.
  await page.keyboard.press('Control+Alt+o');
  await page.locator('#operator-pin').fill(operatorPin);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.locator('[data-screen=operator-console]')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('[data-config-version]')).not.toBeEmpty();
  await screenshot(page, 'on-demand-02-operator-console-offline');
  await page.getByRole('button', { name: 'Close the console' }).click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
});

test('the start and language screens work before the runtime has arrived, and IndexedDB is not opened until it has', async ({
  page,
  kiosk,
}) => {
  // The runtime's chunk (store, device key, sync engine) is held back until the test lets it go.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/kiosk-runtime-[^/]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(kiosk.pageUrl);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
  expect(await page.evaluate(() => document.body.dataset.runtime)).toBeUndefined();
  // Nothing has touched IndexedDB: the first screen waited for none of it.
  expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
  // The link is not known yet, and said calmly.
  await expect(page.locator('header [data-link=unknown]')).toBeVisible();

  // A citizen can start and sees every language of the site, each in its own words.
  await page.getByRole('button', { name: 'Touch to start' }).click();
  await expect(page.locator('[data-screen=language] h1')).toContainText('Elija su idioma');
  await expect(page.locator('[data-screen=language] h1')).toContainText('Pik yu langwij');
  await page.locator('[data-screen=language] button[lang=es]').click();
  // The services need the runtime: an empty, busy screen until it is there.
  await expect(page.locator('[data-screen=loading][aria-busy=true]')).toBeVisible();
  await screenshot(page, 'on-demand-04-waiting-for-runtime');

  release();
  await expect(page.locator('[data-screen=services]')).toBeVisible();
  await expect(page.locator('[data-start-over]')).toHaveText('Empezar de nuevo');
  await page.waitForFunction(() => document.body.dataset.runtime === 'ready');
  expect(
    await page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name)),
  ).toContain('service-point:demo-kiosk-01');
});
