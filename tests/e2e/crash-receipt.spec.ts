import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { chromiumPath, testChromiumArgs } from '../support/chromium-args';

/**
 * A browser killed between the commit and the receipt: the kiosk, once back, shows that
 * session's receipt before anything else, so the citizen does not apply twice. Chromium runs
 * on a profile folder of its own (as the browser shell's does) and is killed with SIGKILL, as a
 * power cut or a crash would end it; the page's IndexedDB is all that survives.
 */

interface RunningBrowser {
  process: ChildProcess;
  browser: Browser;
}

async function startChromium(profile: string): Promise<RunningBrowser> {
  const child = spawn(
    chromiumPath,
    [
      '--headless=new',
      ...testChromiumArgs,
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so a kill takes its renderer, GPU and utility processes with it, as a
    // power cut would (they otherwise linger, still writing to the profile).
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no DevTools endpoint:\n${text}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`chromium exited:\n${text}`)));
  });
  return { process: child, browser: await chromium.connectOverCDP(endpoint) };
}

/** SIGKILL to the browser's whole process group; resolves once the browser has exited. */
async function killGroup(running: RunningBrowser): Promise<void> {
  const { process: child } = running;
  const exited =
    child.exitCode === null && child.signalCode === null
      ? new Promise((resolve) => child.once('exit', resolve))
      : Promise.resolve();
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await exited;
}

async function kioskPage(running: RunningBrowser, url: string): Promise<Page> {
  const context = running.browser.contexts()[0] ?? (await running.browser.newContext());
  const page = await context.newPage();
  await page.setViewportSize({ width: 1920, height: 1080 });
  // Every screen the page shows, in order, from its very first render.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { screensSeen: string[] }).screensSeen = seen;
    new MutationObserver(() => {
      const current = document.querySelector<HTMLElement>('[data-screen]')?.dataset.screen;
      if (current && seen[seen.length - 1] !== current) seen.push(current);
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}

test('a citizen whose browser died right after the commit gets that receipt back first, then it is cleared', async ({
  kiosk,
}) => {
  test.setTimeout(180_000);
  const profile = mkdtempSync(path.join(tmpdir(), 'sp-crash-profile-'));
  let running = await startChromium(profile);
  try {
    let page = await kioskPage(running, kiosk.pageUrl);
    await expect(page.locator('[data-link=online]')).toBeVisible({ timeout: 15_000 });
    // A birth certificate: personal answers that must never come back on screen.
    await page.getByRole('button', { name: 'Touch to start' }).click();
    await page.locator('[data-screen=language] button[lang=en]').click();
    await page.getByRole('button', { name: /Replacement birth certificate/ }).click();
    const personal = ['Ana Lucía Quetzal', '1990-04-01'];
    await page.getByRole('textbox').fill(personal[0] ?? '');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.locator('input[data-type=date]').fill(personal[1] ?? '');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByText('Cayo').click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByLabel('Your Social Security card').check();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByText('Pay at the counter').click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('checkbox').check();
    // The commit: as soon as its row is in IndexedDB, the browser is killed.
    const committed = page.evaluate(async () => {
      const open = () =>
        new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('service-point:demo-kiosk-01');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      for (;;) {
        const db = await open();
        const rows = await new Promise<Array<{ ref?: string; serviceId?: string }>>((resolve) => {
          const request = db.transaction('outbox').objectStore('outbox').getAll();
          request.onsuccess = () => resolve(request.result as Array<{ ref?: string }>);
        });
        db.close();
        const row = rows.find((r) => r.serviceId === 'birth-certificate-replacement');
        if (row?.ref) return row.ref;
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    await page.getByRole('button', { name: /Send my request|Submit/ }).click();
    const reference = await committed;
    await killGroup(running);

    // The kiosk comes back (the shell restarts the browser) on the same profile.
    running = await startChromium(profile);
    page = await kioskPage(running, kiosk.pageUrl);
    await expect(page.locator('[data-screen=receipt]')).toBeVisible();
    // The start screen does not wait for IndexedDB; the receipt replaces it as soon as the store
    // has been read, before any other screen.
    expect(
      (
        await page.evaluate(() => (window as unknown as { screensSeen: string[] }).screensSeen)
      ).join(','),
    ).toMatch(/^(attract,)?receipt$/);
    await expect(page.getByTestId('reference')).toHaveText(reference);
    await expect(page.locator('[data-screen=receipt]')).toContainText(
      'Replacement birth certificate',
    );
    await expect(page.locator('[data-print]')).toBeVisible();
    for (const value of personal) await expect(page.locator('body')).not.toContainText(value);
    await screenshot(page, 'crash-receipt-after-restart');
    // The citizen can print it, then finishes; it is cleared like any session.
    await page.locator('[data-print]').click();
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect(page.locator('[data-screen=attract]')).toBeVisible();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await expect(page.locator('[data-screen=attract]')).toBeVisible();
    // It was committed once: the queue holds one birth certificate.
    const count = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const request = indexedDB.open('service-point:demo-kiosk-01');
        request.onsuccess = () => resolve(request.result);
      });
      const rows = await new Promise<Array<{ serviceId?: string }>>((resolve) => {
        const request = db.transaction('outbox').objectStore('outbox').getAll();
        request.onsuccess = () => resolve(request.result as Array<{ serviceId?: string }>);
      });
      db.close();
      return rows.filter((r) => r.serviceId === 'birth-certificate-replacement').length;
    });
    expect(count).toBe(1);
  } finally {
    await running.browser.close().catch(() => undefined);
    await killGroup(running);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
});
