import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { isTransactionRecord } from '../../sync/protocol/records';

/** Reads the outbox row for a reference number straight from the page's IndexedDB. */
async function outboxRow(page: Page, ref: string) {
  return page.evaluate(async (reference) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('service-point:demo-kiosk-01');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const row = await new Promise<unknown>((resolve, reject) => {
      const request = db.transaction('outbox').objectStore('outbox').index('ref').get(reference);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return row as { state: string; seq: number } | undefined;
  }, ref);
}

async function fillBirthCertificate(page: Page, name: string) {
  await page.getByRole('button', { name: /Replacement birth certificate/ }).click();
  await page.getByRole('textbox').fill(name);
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText('Cayo').click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByLabel('Your Social Security card').check();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText('Pay at the counter').click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('checkbox').check();
}

test('a citizen applies in Spanish and the receipt shows delivery to the gateway', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await expect(page.getByRole('heading', { name: 'Government services' })).toBeVisible();
  await screenshot(page, '01-attract-en');
  await page.getByRole('button', { name: 'Touch to start' }).click();

  await expect(page.locator('[data-screen=language]')).toBeVisible();
  await screenshot(page, '02-language');
  await page.getByRole('button', { name: 'Español' }).click();

  await expect(page.getByRole('heading', { name: '¿Qué necesita hoy?' })).toBeVisible();
  await expect(page.locator('[data-service]')).toHaveCount(13);
  await screenshot(page, '03-services-es');

  await page.getByRole('button', { name: /Reposición de acta/ }).click();
  await expect(page.getByText('Pregunta 1 de 5')).toBeVisible();
  // Validation: an empty required answer is refused with a message in the session's language.
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Por favor responda esta pregunta.');
  await screenshot(page, '04-form-error-es');
  await page.getByRole('textbox').fill('A');
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Use al menos 2 caracteres.');
  await page.getByRole('textbox').fill('Ana Pérez Ñuñez');
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await expect(page.getByText('Pregunta 2 de 5')).toBeVisible();
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await page.getByText('Cayo').click();
  await screenshot(page, '05-form-choice-es');
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  // A required document checklist needs every paper ticked.
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Falta marcar 1 documento. Necesita todos.');
  await page.getByLabel('Su tarjeta del Seguro Social').check();
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  // The payment step: a mobile money reference is asked for only when that method is chosen.
  await page.getByText('Dinero móvil (ya pagué)').click();
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();
  await expect(page.getByText('Pregunta 6 de 6')).toBeVisible();
  await page.getByRole('textbox').fill('MM-778812');
  await page.getByRole('button', { name: 'Siguiente', exact: true }).click();

  await expect(page.getByRole('heading', { name: 'Revise sus respuestas' })).toBeVisible();
  await expect(page.locator('[data-answer=fullName]')).toHaveText('Ana Pérez Ñuñez');
  await expect(page.locator('[data-answer=district]')).toHaveText('Cayo');
  await expect(page.locator('[data-answer=paymentReference]')).toHaveText('MM-778812');
  await screenshot(page, '06-review-es');
  await page.getByRole('button', { name: 'Continuar' }).click();
  // Consent: nothing is saved until the citizen agrees.
  await page.getByRole('button', { name: 'Enviar mi solicitud' }).click();
  await expect(page.getByRole('alert')).toHaveText('Por favor acepte antes de enviar.');
  await page.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Enviar mi solicitud' }).click();

  const reference = page.getByTestId('reference');
  await expect(reference).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  const ref = (await reference.textContent()) ?? '';
  // Local first: the row is already in the outbox when the reference is on screen.
  expect(await outboxRow(page, ref)).toBeTruthy();
  await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
    timeout: 15_000,
  });
  await expect(page.getByRole('status')).toHaveText('Entregada a la oficina del gobierno.');
  await screenshot(page, '07-receipt-delivered-es');

  const records = (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).filter(
    isTransactionRecord,
  );
  expect(records.map((r) => r.body.ref)).toEqual([ref]);
  // Personal answers travel sealed; the rest are in the record as confirmed.
  expect(records[0]?.body.fields).toMatchObject({
    district: 'cayo',
    documents: 'idCard',
    paymentMethod: 'mobile-money',
    paymentReference: 'MM-778812',
  });
  expect(JSON.stringify(records[0]?.body.fields)).not.toContain('Ana Pérez');

  // Finishing wipes the session and returns to the attract screen in the default language.
  await page.getByRole('button', { name: 'Terminar' }).click();
  await expect(page.getByRole('heading', { name: 'Government services' })).toBeVisible();
  await expect(page.getByText('Ana Pérez')).toHaveCount(0);
});

test('a submit while the gateway is down is queued and delivered when it returns', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await kiosk.gateway.stop();

  await page.getByRole('button', { name: 'Touch to start' }).click();
  await page.getByRole('button', { name: 'English' }).click();
  await fillBirthCertificate(page, 'John Offline');
  await page.getByRole('button', { name: 'Send my request' }).click();

  const reference = page.getByTestId('reference');
  await expect(reference).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  const ref = (await reference.textContent()) ?? '';
  await expect(page.getByRole('status')).toHaveText(
    'Saved on this kiosk. It will be sent automatically.',
  );
  expect((await outboxRow(page, ref))?.state).toBe('queued');
  await screenshot(page, '08-receipt-queued-en');

  // The link returns: the engine's own timers find it, with no help from the test.
  await kiosk.gateway.start();
  await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
    timeout: 45_000,
  });
  await expect(page.getByRole('status')).toHaveText('Delivered to the government office.');
  await screenshot(page, '09-receipt-delivered-en');
  expect((await outboxRow(page, ref))?.state).toBe('delivered');
  const records = (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).filter(
    isTransactionRecord,
  );
  expect(records.map((r) => r.body.ref)).toEqual([ref]);
});
