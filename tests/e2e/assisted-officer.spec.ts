import { execFileSync } from 'node:child_process';
import { isTransactionRecord } from '../../sync/protocol/records';
import { expectAxeClean } from './axe-check';
import { expect, screenshot, test } from './fixtures';
import { enterPin, officer, payBill, roster, signInByCard, waitForRoster } from './staff-fixtures';

test.use({ roster, simulatedDevices: true });

test('an officer signs in with a card and PIN, serves a citizen, reprints, voids offline, reports and signs out', async ({
  page,
  kiosk,
}) => {
  test.setTimeout(120_000);
  await kiosk.open(page);
  await waitForRoster(page);

  // The officer swipes their card on the start screen: sign-in opens with the number filled.
  kiosk.devices!.simulatedCardReader!.swipe({
    kind: 'officer',
    officerId: officer.officerId,
    expires: '2099-12',
  });
  await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
  await expect(page.locator(`[data-card-officer="${officer.officerId}"]`)).toBeVisible();
  await expectAxeClean(page);
  await screenshot(page, 'assisted-01-sign-in-pin');
  await enterPin(page, officer.pin);
  await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(`[data-officer="${officer.officerId}"]`)).toContainText('Maya Cal');

  // Serving a citizen: the transaction is assisted and carries the officer's number.
  await page.getByRole('button', { name: 'Serve citizens' }).click();
  await expect(page.locator(`[data-officer-bar="${officer.officerId}"]`)).toBeVisible();
  const ref = await payBill(page, '10010010');
  await expect(page.locator(`[data-receipt-officer="${officer.officerId}"]`)).toHaveText(
    'Completed with officer Maya Cal (00012345)',
  );
  await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
    timeout: 15_000,
  });
  await screenshot(page, 'assisted-02-receipt');
  await page.locator('[data-print]').click();
  await expect(page.locator('[data-print-state=printed]')).toBeVisible({ timeout: 15_000 });
  const records = (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).filter(
    isTransactionRecord,
  );
  expect(records.map((r) => [r.body.ref, r.body.channel, r.body.officerId])).toEqual([
    [ref, 'assisted', officer.officerId],
  ]);
  const printed = kiosk.devices!.simulatedPrinter!.printouts();
  const receiptText = execFileSync('pdftotext', ['-layout', printed[0]!.pdf, '-'], {
    encoding: 'utf8',
  });
  expect(receiptText).toMatch(/Officer\s+Maya Cal \(00012345\)/);
  await page.getByRole('button', { name: 'Finish' }).click();

  // Reprint from the tools: copy 2, recorded in the chain. Two quick taps make one reprint.
  await page.locator('[data-officer-tools]').click();
  await page.locator(`[data-reprint="${ref}"]`).dblclick();
  await expect(page.locator('[data-officer-notice]')).toHaveText(
    `Receipt ${ref} printed again (copy 2).`,
  );
  // Said in English, it is not left under a Spanish screen; back in English it is there again.
  await page.locator('.language-switch button[lang=es]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.locator('[data-officer-notice]')).toHaveCount(0);
  await page.locator('.language-switch button[lang=en]').click();
  await expect(page.locator('[data-officer-notice]')).toHaveText(
    `Receipt ${ref} printed again (copy 2).`,
  );
  await expect.poll(() => kiosk.devices!.simulatedPrinter!.printouts().length).toBe(2);
  const reprintText = execFileSync(
    'pdftotext',
    ['-layout', kiosk.devices!.simulatedPrinter!.printouts()[1]!.pdf, '-'],
    { encoding: 'utf8' },
  );
  expect(reprintText).toContain('REPRINT - copy 2');
  // No copy 3 follows from the second tap, and the chain records one reprint.
  await page.waitForTimeout(1_500);
  expect(kiosk.devices!.simulatedPrinter!.printouts()).toHaveLength(2);
  await page.locator('[data-sync-now]').click();
  await expect
    .poll(async () =>
      (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).filter((r) => r.kind === 'reprint'),
    )
    .toHaveLength(1);

  // Out of paper: the reprint is held. Tapped again while it waits, it makes no other copy and
  // no other record; paper back, copy 3 comes out once.
  const printer = kiosk.devices!.simulatedPrinter!;
  printer.setState('paper-out');
  await kiosk.devices!.refreshPrinterStatus();
  const notice = page.locator('[data-officer-notice]');
  await page.locator(`[data-reprint="${ref}"]`).click();
  await expect(notice).toHaveText(
    `The printer is not ready: the reprint of ${ref} is held and will print when it is.`,
  );
  for (let tap = 0; tap < 2; tap += 1) {
    await expect(page.locator(`[data-reprint="${ref}"]`)).toBeEnabled();
    await page.locator(`[data-reprint="${ref}"]`).click();
    await expect(notice).toHaveText(
      `Copy 3 of ${ref} is already waiting for the printer. No other copy was made.`,
    );
  }
  await screenshot(page, 'assisted-03-reprint-waiting');
  printer.setState('online');
  await kiosk.devices!.refreshPrinterStatus();
  await kiosk.devices!.queue.retryHeld();
  await expect.poll(() => printer.printouts().length).toBe(3);
  // The line that said it waits now says it printed.
  await expect(notice).toHaveText(`Receipt ${ref} printed again (copy 3).`);
  await page.waitForTimeout(1_500);
  await kiosk.devices!.queue.retryHeld();
  expect(printer.printouts()).toHaveLength(3);
  expect(
    execFileSync('pdftotext', ['-layout', printer.printouts()[2]!.pdf, '-'], { encoding: 'utf8' }),
  ).toContain('REPRINT - copy 3');
  await page.locator('[data-sync-now]').click();
  await expect
    .poll(async () =>
      (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).filter((r) => r.kind === 'reprint'),
    )
    .toHaveLength(2);

  // The link goes down; a second assisted transaction waits in the queue and is voided.
  await kiosk.gateway.stop();
  await page.getByRole('button', { name: 'Serve citizens' }).click();
  const queuedRef = await payBill(page, '20020020');
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.locator('[data-officer-tools]').click();
  const row = page.locator(`tr[data-ref="${queuedRef}"]`);
  await expect(row).toHaveAttribute('data-state', 'queued');
  // On a 1280 × 800 counter screen too, each reference stays on one line (one box of text).
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const token of await page.locator('.officer-table .reference-token').all()) {
    expect(await token.evaluate((el) => el.getClientRects().length)).toBe(1);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.locator(`[data-void="${ref}"]`)).toHaveCount(0); // delivered: no void
  await page.locator(`[data-void="${queuedRef}"]`).click();
  await page.locator('[data-confirm-void]').click();
  await expect(page.getByRole('alert')).toHaveText('Give a reason (at least 3 letters).');
  await page.locator('#void-reason').fill('Citizen paid twice');
  await expectAxeClean(page);
  await page.locator('[data-confirm-void]').click();
  await expect(row).toHaveAttribute('data-state', 'voided');
  await screenshot(page, 'assisted-04-today-voided');
  await expectAxeClean(page);

  // Back online: the original and its void both reach the gateway.
  await kiosk.gateway.start();
  await page.locator('[data-sync-now]').click();
  await expect
    .poll(
      async () =>
        (await kiosk.gateway.store!.listRecords('demo-kiosk-01'))
          .filter((r) => r.kind === 'void')
          .map((r) => (r.kind === 'void' ? r.body.reason : '')),
      { timeout: 20_000 },
    )
    .toEqual(['Citizen paid twice']);
  const kinds = (await kiosk.gateway.store!.listRecords('demo-kiosk-01')).map((r) => r.kind);
  expect(kinds).toEqual(
    expect.arrayContaining(['officer-sign-in', 'transaction', 'reprint', 'void', 'config-change']),
  );

  // End-of-day report on screen, reconciled against the gateway, and as a PDF.
  await page.getByRole('tab', { name: 'End of day' }).click();
  const report = page.locator('[data-report]');
  await expect(report).toContainText('Reconciled with the office');
  await expect(report.locator('table').first()).toContainText('Transactions1');
  await expect(report.locator('table').first()).toContainText('Voided (not counted)1');
  await expectAxeClean(page);
  await screenshot(page, 'assisted-04-end-of-day');
  await page.locator('[data-report-pdf]').click();
  const saved = page.locator('[data-pdf-path]');
  await expect(saved).toBeVisible();
  const pdfPath = (await saved.getAttribute('data-pdf-path')) ?? '';
  expect(pdfPath.startsWith(kiosk.dataDir)).toBe(true);
  const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  expect(pdfText).toContain('End-of-day report');
  expect(pdfText).toMatch(/Transactions\s+1/);
  expect(pdfText).toMatch(/Voided \(not counted\)\s+1/);
  expect(pdfText).toMatch(/Pay a tax or bill\s+1/);

  // The officer turns Large text on and the kiosk to Spanish; they go with the officer.
  await page.locator('[data-toggle=largeText]').click();
  await page.locator('.language-switch button[lang=es]').click();
  await expect(page.locator('html')).toHaveClass(/large-text/);
  await expect(page.locator('.kiosk')).toHaveAttribute('lang', 'es');

  // Sign out: back to the start screen, and the sign-out is in the chain.
  await page.locator('[data-sign-out]').click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
  await expect(page.locator('[data-officer-bar]')).toHaveCount(0);
  // The next person finds the site's defaults: English, normal text.
  await expect(page.locator('html')).not.toHaveClass(/large-text/);
  await expect(page.locator('.kiosk')).toHaveAttribute('lang', 'en');
  await page.waitForTimeout(100);
});

test('an assisted receipt printed while the paper is out is said to be held, and prints once paper is back', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await waitForRoster(page);
  await signInByCard(page, kiosk);
  const printer = kiosk.devices!.simulatedPrinter!;
  printer.setState('paper-out');
  await kiosk.devices!.refreshPrinterStatus();
  await page.getByRole('button', { name: 'Serve citizens' }).click();
  const ref = await payBill(page, '50050050');
  await page.locator('[data-print]').click();
  // Held, not lost: not "the printer is not working, write it down".
  await expect(page.locator('[data-print-state]')).toHaveAttribute('data-print-state', 'held', {
    timeout: 15_000,
  });
  await expect(page.locator('[data-print-state]')).toHaveText(
    'The printer is out of paper: the receipt prints when paper is put in. Wait, or write down the reference number.',
  );
  await screenshot(page, 'assisted-06-receipt-held');
  expect(printer.printouts()).toHaveLength(0);
  // The paper says the transaction's own time, as its reprints and the day list do (it said the
  // moment Print was touched).
  const held = kiosk.devices!.queue.jobs().find((job) => job.state === 'held');
  expect(held?.content?.ref).toBe(ref);
  await expect
    .poll(
      async () =>
        (await kiosk.gateway.store!.listRecords('demo-kiosk-01'))
          .filter(isTransactionRecord)
          .find((r) => r.body.ref === ref)?.createdAt,
      { timeout: 15_000 },
    )
    .toBe(held?.content?.issuedAt);
  printer.setState('online');
  await kiosk.devices!.refreshPrinterStatus();
  await kiosk.devices!.queue.retryHeld();
  await expect.poll(() => printer.printouts().length).toBe(1);
  expect(
    execFileSync('pdftotext', ['-layout', printer.printouts()[0]!.pdf, '-'], { encoding: 'utf8' }),
  ).toContain(ref);
});

test('five wrong PINs lock the officer number, and the right PIN is then refused too', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await waitForRoster(page);
  // With no card, sign-in is by officer number: a swipe-free path for a lost card.
  kiosk.devices!.simulatedCardReader!.swipe({
    kind: 'officer',
    officerId: officer.officerId,
    expires: '2099-12',
  });
  await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    await enterPin(page, '000000');
    await expect(page.getByRole('alert')).toContainText(`${5 - attempt} tries left`, {
      timeout: 15_000,
    });
  }
  await enterPin(page, '000000');
  await expect(page.getByRole('alert')).toHaveText(
    'Too many wrong PINs. Sign-in is locked for 15 minutes.',
    { timeout: 15_000 },
  );
  await enterPin(page, officer.pin);
  await expect(page.getByRole('alert')).toContainText('locked', { timeout: 15_000 });
  await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
  await screenshot(page, 'assisted-05-locked');
  await expectAxeClean(page);
});

test.describe('at a one-stop-centre counter', () => {
  test.use({ siteOverrides: { profile: 'one-stop-centre', officerInactivityMinutes: 0.05 } });

  test('the counter asks for an officer, who signs in by number and is signed out after inactivity', async ({
    page,
    kiosk,
  }) => {
    await kiosk.open(page);
    await waitForRoster(page);
    await expect(page.getByRole('heading', { name: 'Counter closed' })).toBeVisible();
    await expectAxeClean(page);
    await screenshot(page, 'assisted-06-counter-closed');
    await page.locator('[data-officer-sign-in]').click();
    await page.locator('#officer-id').fill('0001234');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText('An officer number is 8 digits.');
    await page.locator('#officer-id').fill(officer.officerId);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await enterPin(page, officer.pin);
    await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 15_000 });
    // 3 seconds without a touch (the test site's setting): signed out, and told so.
    await expect(page.locator('[data-signed-out-idle]')).toHaveText(
      'The officer was signed out after a period without activity.',
      { timeout: 15_000 },
    );
    await expect(page.getByRole('heading', { name: 'Counter closed' })).toBeVisible();
    await expect
      .poll(async () => {
        const rows = await page.evaluate(async () => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const request = indexedDB.open('service-point:demo-kiosk-01');
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          const all = await new Promise<Array<{ record: { kind: string; body: unknown } }>>(
            (resolve, reject) => {
              const request = db.transaction('outbox').objectStore('outbox').getAll();
              request.onsuccess = () => resolve(request.result as never);
              request.onerror = () => reject(request.error);
            },
          );
          db.close();
          return all.filter((row) => row.record.kind.startsWith('officer-'));
        });
        return rows.map((row) => [
          row.record.kind,
          (row.record.body as { method?: string; cause?: string }).method ??
            (row.record.body as { cause?: string }).cause,
        ]);
      })
      .toEqual([
        ['officer-sign-in', 'pin'],
        ['officer-sign-out', 'inactivity'],
      ]);
  });
});
