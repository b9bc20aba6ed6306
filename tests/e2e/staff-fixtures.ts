import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import type { KioskStack } from './fixtures';
import type { OfficerRosterEntry } from '../../sync/protocol/officer-roster';

/**
 * A PIN hash in the kiosk's format (sync/client/officer-pin.ts), made with Node's PBKDF2 so a
 * spec can build its roster synchronously at load; the page verifies it with WebCrypto.
 */
export function pinHash(pin: string, iterations = 600_000): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(pin, salt, iterations, 32, 'sha256');
  return `pbkdf2-sha256$${iterations}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export const officer = { officerId: '00012345', name: 'Maya Cal', pin: '482913' };
export const roster: OfficerRosterEntry[] = [
  { officerId: officer.officerId, name: officer.name, pinHash: pinHash(officer.pin), active: true },
];

/** Waits until the page has cached the roster from the gateway (offline sign-in works then). */
export async function waitForRoster(page: Page, kioskId = 'demo-kiosk-01'): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async (id) => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const request = indexedDB.open(`service-point:${id}`);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          const row = await new Promise<unknown>((resolve, reject) => {
            const request = db.transaction('meta').objectStore('meta').get('officer-roster');
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          db.close();
          return Array.isArray((row as { value?: unknown } | undefined)?.value);
        }, kioskId),
      { timeout: 15_000 },
    )
    .toBe(true);
}

/** Types digits on the on-screen keypad's field and presses the form's main button. */
export async function enterPin(page: Page, pin: string): Promise<void> {
  await page.locator('#officer-pin').fill(pin);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * The demo officer signs in as at a counter (the kiosk has the roster: `waitForRoster`): the card
 * is swiped on the start screen and the PIN typed; resolves when the officer's tools are open.
 */
export async function signInByCard(page: Page, kiosk: KioskStack): Promise<void> {
  kiosk.devices!.simulatedCardReader!.swipe({
    kind: 'officer',
    officerId: officer.officerId,
    expires: '2099-12',
  });
  await enterPin(page, officer.pin);
  await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
}

/** A quick assisted or self-service application: bill payment (no personal fields required). */
export async function payBill(page: Page, account: string): Promise<string> {
  await page.getByRole('button', { name: /Touch to start|Start a citizen/ }).click();
  await page.locator('[data-screen=language] button[lang=en]').click();
  await page.locator('[data-category=payments]').click();
  await page.locator('[data-service=bill-payment]').click();
  await page.locator('[data-screen=form] .choices .choice').first().click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('textbox').fill(account);
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('textbox').fill('25');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText('Pay at the counter').click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: /Send my request|Submit/ }).click();
  const reference = page.getByTestId('reference');
  await expect(reference).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  return (await reference.textContent()) ?? '';
}
