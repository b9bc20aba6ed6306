import type { Page } from '@playwright/test';
import { citizenSession, startBrowserKiosk } from '../proof/browser-kiosk';
import { expect, test } from './fixtures';

/**
 * Runs in the kiosk page, as a hostile script would: opens its own bridge connection with the
 * page's token (it is in sessionStorage, readable by any script of the origin) and asks for the
 * data key. Resolves the shell's reply.
 */
function askForDataKeyFromPage(page: Page, options: { fakePagehide?: boolean } = {}) {
  return page.evaluate(async ({ fakePagehide }) => {
    if (fakePagehide) window.dispatchEvent(new PageTransitionEvent('pagehide'));
    const token = sessionStorage.getItem('service-point:bridge-token') ?? '';
    const ws = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const reply = await new Promise<unknown>((resolve) => {
      ws.onmessage = (message) =>
        resolve((JSON.parse(String(message.data)) as { reply: unknown }).reply);
      ws.send(JSON.stringify({ id: 1, channel: 'keys:data-key' }));
    });
    ws.close();
    return reply;
  }, options);
}

test('a script in the running kiosk page cannot get the data key through the bridge', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  // The kiosk took its key at start-up; a later ask, even with the page's own token, is refused.
  expect(await askForDataKeyFromPage(page)).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  // A faked "page is leaving" event does not end the kiosk's own connection to free the key.
  expect(await askForDataKeyFromPage(page, { fakePagehide: true })).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  // The kiosk itself still works: its key is the one it imported at start-up.
  const ref = await citizenSession(page, 'Ana Key Holder');
  expect(ref).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
});

test('a page load that follows another gets the data key, even if the old page is kept in the back/forward cache', async () => {
  test.setTimeout(120_000);
  // Chromium started as the kiosk starts it (not by Playwright, which turns the cache off): an
  // old page kept in the back/forward cache must close its connection, or it would hold the key.
  const kiosk = await startBrowserKiosk();
  try {
    await kiosk.launch();
    await kiosk.open();
    await kiosk.page.goto('about:blank');
    await kiosk.open();
    expect(await citizenSession(kiosk.page, 'Ben Second Load')).toMatch(/^[0-9A-Z]{4}-/);
    await kiosk.page.reload();
    await kiosk.page.waitForFunction(
      () => document.body.dataset.ready === 'true' && document.body.dataset.runtime === 'ready',
    );
    expect(await citizenSession(kiosk.page, 'Cy After Reload')).toMatch(/^[0-9A-Z]{4}-/);
  } finally {
    await kiosk.close();
  }
});
