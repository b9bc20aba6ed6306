import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { countries } from '../../kiosk-config/countries';
import { formatTimeOf } from '../../kiosk-config/formatting';
import { expect, screenshot, test } from './fixtures';
import { gatewayCommand, runGatewayCli } from '../support/gateway-process';
import { expectAxeClean } from './axe-check';
import { payBill, pinHash, waitForRoster } from './staff-fixtures';

const operatorPin = '24681357';

test.use({ simulatedDevices: true, siteOverrides: { operatorPinHash: pinHash(operatorPin) } });

test('the operator console opens with the operator PIN and shows health, queue and simulated devices', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  await expect(page.locator('[data-link=online]')).toBeVisible({ timeout: 15_000 });
  // The hidden keyboard shortcut on the start screen opens the PIN pad.
  await page.keyboard.press('Control+Alt+o');
  await expect(page.locator('[data-screen=operator-pin]')).toBeVisible();
  await page.locator('#operator-pin').fill('11112222');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong PIN. 4 tries left before the lock.', {
    timeout: 15_000,
  });
  await expectAxeClean(page);
  await page.locator('#operator-pin').fill(operatorPin);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const console_ = page.locator('[data-screen=operator-console]');
  await expect(console_).toBeVisible({ timeout: 15_000 });

  await expect(page.locator('[data-printer-state]')).toHaveAttribute(
    'data-printer-state',
    'online',
  );
  // The start-up records (config in force) are delivered; the console refreshes every 5 s.
  await expect(page.locator('[data-queue-depth]')).toHaveAttribute('data-queue-depth', '0', {
    timeout: 15_000,
  });
  await expect(page.locator('[data-link]').last()).toHaveAttribute('data-link', 'online');
  await expect(page.locator('[data-config-version]')).not.toBeEmpty();
  await expect(page.locator('[data-exit-disabled]')).toContainText(
    'turned off in the browser shell',
  );

  // Simulated devices: paper out and back, and a scan that reaches the page: the console shows
  // it as the last read (how an operator checks a reader works) and stays open.
  await page.locator('[data-sim=paper-out]').click();
  await expect(page.locator('[data-printer-state]')).toHaveAttribute(
    'data-printer-state',
    'paper-out',
  );
  // In words, in the console's language (not the bridge's code).
  await expect(page.locator('[data-printer-state]')).toContainText('Out of paper');
  await page.locator('[data-sim=receipt-code]').click();
  await expect(page.locator('[data-last-read]')).toHaveText('receipt code 7K3M-Q9XD-N');
  await expect(console_).toBeVisible();
  await expect(page.locator('[data-log-lines]')).toContainText(
    'simulated printer set to paper-out',
  );
  // Each event's time on Belize's wall clock (UTC−6), as the receipts say it, not UTC.
  const newest = page.locator('[data-log-lines] time').first();
  const at = (await newest.getAttribute('datetime')) ?? '';
  await expect(newest).toHaveText(formatTimeOf(at, countries.BZ.timeZone));
  expect(formatTimeOf(at, countries.BZ.timeZone)).not.toBe(at.slice(11, 16));
  await expectAxeClean(page);
  await screenshot(page, 'operator-01-console');
  await page.locator('[data-sim=paper-back]').click();
  await expect(page.locator('[data-printer-state]')).toHaveAttribute(
    'data-printer-state',
    'online',
  );
  await page.getByRole('button', { name: 'Close the console' }).click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();

  // "Swipe officer card" reads officer 00012345's card and, between sessions, opens the officer
  // sign-in as a real swipe on the start screen does: how an officer signs in on the demo.
  await page.keyboard.press('Control+Alt+o');
  await page.locator('#operator-pin').fill(operatorPin);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(console_).toBeVisible({ timeout: 15_000 });
  await page.locator('[data-sim=officer-card]').click();
  await expect(page.locator('[data-screen=officer-sign-in]')).toBeVisible();
  await expect(page.locator('[data-card-officer]')).toHaveText(
    'Card read: officer 00012345. Enter your PIN.',
  );
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();
});

test("with the paper out, a citizen's receipt is not printed later for the next person at the kiosk", async ({
  page,
  kiosk,
}) => {
  const printer = kiosk.devices?.simulatedPrinter;
  if (!printer) throw new Error('this test needs the simulated printer');
  // Where the simulated printer puts each printout (made on the first one).
  const printerDir = path.join(kiosk.dataDir, 'devices', 'simulated-printer');
  const printed = () => (existsSync(printerDir) ? readdirSync(printerDir) : []);
  const openConsole = async () => {
    await page.keyboard.press('Control+Alt+o');
    await page.locator('#operator-pin').fill(operatorPin);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.locator('[data-screen=operator-console]')).toBeVisible({ timeout: 15_000 });
  };
  await kiosk.open(page);
  await expect(page.locator('[data-link=online]')).toBeVisible({ timeout: 15_000 });
  // QA's steps: the operator sets the simulated printer to "Paper out"...
  await openConsole();
  await page.locator('[data-sim=paper-out]').click();
  await expect(page.locator('[data-printer-state]')).toHaveAttribute(
    'data-printer-state',
    'paper-out',
  );
  await page.getByRole('button', { name: 'Close the console' }).click();

  // ...a citizen completes a request on their own and taps "Print receipt", twice.
  const ref = await payBill(page, '40040040');
  const printState = page.locator('[data-print-state]');
  for (let tap = 0; tap < 2; tap += 1) {
    await page.locator('[data-print]').click();
    await expect(printState).toHaveAttribute('data-print-state', 'failed', { timeout: 15_000 });
    // Said as what it is: out of paper, not a printer that does not work.
    await expect(printState).toHaveText(
      'The printer is out of paper. Please write down your reference number.',
    );
    await expect(page.getByTestId('reference')).toHaveText(ref);
  }
  await screenshot(page, 'receipt-paper-out-not-printed');
  expect(printer.printouts()).toHaveLength(0);
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.locator('[data-screen=attract]')).toBeVisible();

  // The citizen has gone. Paper back: the console holds nothing, and nothing comes out.
  await openConsole();
  await page.locator('[data-sim=paper-back]').click();
  await expect(page.locator('[data-printer-state]')).toHaveAttribute(
    'data-printer-state',
    'online',
  );
  await expect(page.locator('[data-printer-state]')).not.toContainText('held');
  // A held receipt came out within a second of "Paper back"; give it several.
  await page.waitForTimeout(5_000);
  await kiosk.devices?.queue.retryHeld();
  expect(printer.printouts()).toHaveLength(0);
  expect(printed().filter((name) => name.startsWith('receipt-'))).toEqual([]);
  expect(kiosk.devices?.queue.jobs()).toMatchObject([{ state: 'not-printed' }]);
});

test('a USB bundle exported from the console is imported by the gateway CLI once, and the kiosk then marks it delivered', async ({
  page,
  kiosk,
}) => {
  test.setTimeout(120_000);
  await kiosk.open(page);
  // The kiosk must have reached the gateway once, to know its key (the config reply has it).
  await waitForRoster(page);
  await kiosk.gateway.stop();
  const ref = await payBill(page, '30030030');
  await page.getByRole('button', { name: 'Finish' }).click();

  await page.keyboard.press('Control+Alt+o');
  await page.locator('#operator-pin').fill(operatorPin);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.locator('[data-queue-depth]')).not.toHaveAttribute('data-queue-depth', '0', {
    timeout: 15_000,
  });
  const queued = Number(await page.locator('[data-queue-depth]').getAttribute('data-queue-depth'));
  await page.locator('[data-export-bundle]').click();
  await expect(page.locator('[data-operator-notice]')).toContainText(
    queued === 1 ? '1 record,' : `${queued} records,`,
  );
  await screenshot(page, 'operator-02-bundle-written');
  const exportDir = path.join(kiosk.dataDir, 'exports');
  const [bundle] = readdirSync(exportDir).filter((name) => name.endsWith('.spbundle'));
  expect(bundle).toBeTruthy();

  // The administrator's import, with the real CLI against the gateway's database, twice.
  const cli = await gatewayCommand();
  const importOnce = () => {
    const run = runGatewayCli(cli, [
      'import',
      path.join(exportDir, bundle!),
      '--data',
      kiosk.gateway.dataDir,
    ]);
    expect(run.code, run.out).toBe(0);
    return run.out;
  };
  const first = importOnce();
  expect(first).toContain(`${queued} accepted, 0 duplicate, 0 rejected`);
  const second = importOnce();
  expect(second).toContain(`0 accepted, ${queued} duplicate, 0 rejected`);

  // The gateway returns; the kiosk learns what the bundle delivered and sends nothing twice.
  await kiosk.gateway.start();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.locator('[data-queue-depth]')).toHaveAttribute('data-queue-depth', '0', {
    timeout: 30_000,
  });
  const records = await kiosk.gateway.store!.listRecords('demo-kiosk-01');
  const refs = records.flatMap((r) => (r.kind === 'transaction' ? [r.body.ref] : []));
  expect(refs.filter((r) => r === ref)).toHaveLength(1);
  expect(new Set(records.map((r) => r.seq)).size).toBe(records.length);
  console.log(`import-twice: first "${first.trim()}"; second "${second.trim()}"`);
});

test('a receipt the printer did not confirm waits for the operator, and printing it again says COPY', async ({
  page,
  kiosk,
}) => {
  await kiosk.open(page);
  const devices = kiosk.devices;
  if (!devices?.simulatedPrinter) throw new Error('this test needs the simulated printer');
  // The printer's connection breaks in the middle of a citizen's receipt.
  devices.simulatedPrinter.breakNextJob();
  const content = {
    txId: '5b0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f',
    language: 'en' as const,
    agency: 'Ministry of Public Service',
    site: 'Demo site',
    kioskId: 'demo-kiosk-01',
    channel: 'self-service' as const,
    service: { id: 'x', title: 'Replacement birth certificate' },
    ref: '7K3M-Q9XD-N',
    issuedAt: '2026-11-14T16:30:00.000Z',
    fee: { amountMinor: 0, currency: 'BZD' },
    payment: { method: 'none' as const },
    delivery: 'queued' as const,
    nextSteps: 'Bring this receipt.',
  };
  expect(await devices.print(content)).toMatchObject({ state: 'uncertain' });

  await page.keyboard.press('Control+Alt+o');
  await page.locator('#operator-pin').fill(operatorPin);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const uncertain = page.locator('[data-uncertain-prints]');
  await expect(uncertain).toBeVisible({ timeout: 15_000 });
  await expect(uncertain).toContainText('Receipt 7K3M-Q9XD-N');
  await expect(uncertain).toContainText('the printer connection broke while printing');
  await expectAxeClean(page);
  await screenshot(page, 'operator-03-uncertain-receipt');

  await uncertain.locator('[data-decision=print-again]').click();
  await expect(
    page.getByRole('status').filter({ hasText: 'printed again as a copy' }),
  ).toBeVisible();
  await expect(uncertain.locator('[data-uncertain-job]')).toHaveCount(0);
  const printout = devices.simulatedPrinter.printouts().at(-1);
  expect(printout).toBeDefined();
  const text = execFileSync('pdftotext', [printout?.pdf ?? '', '-'], { encoding: 'utf8' });
  expect(text).toContain('COPY - the first print may have failed');
  expect(text).toContain('7K3M-Q9XD-N');
});

test.describe('receipts waiting for the printer when the kiosk stopped', () => {
  /** An officer's reprint and an assisted receipt, held (paper out) as the kiosk stopped. */
  const held = (ref: string, txId: string, copy: number) => ({
    jobId: `${txId}#${copy}`,
    state: 'held',
    reason: 'paper-out',
    attempts: 0,
    createdAt: 1,
    updatedAt: 1,
    content: {
      txId,
      copy,
      language: 'en',
      agency: 'Ministry of Public Service',
      site: 'Demo site',
      kioskId: 'demo-kiosk-01',
      channel: 'assisted',
      officer: { id: '00012345', name: 'Maya Cal' },
      service: { id: 'x', title: 'Replacement birth certificate' },
      ref,
      issuedAt: '2026-11-14T16:30:00.000Z',
      fee: { amountMinor: 0, currency: 'BZD' },
      payment: { method: 'none' },
      delivery: 'queued',
      nextSteps: 'Bring this receipt.',
    },
  });
  test.use({
    printQueueFile: JSON.stringify({
      version: 1,
      jobs: [
        held('4D7Q-WX2M-J', '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f', 2),
        held('8HJK-3N5P-R', '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b', 1),
      ],
    }),
  });

  test('do not come out by themselves: the operator prints one now (not as a copy) and not the other', async ({
    page,
    kiosk,
  }) => {
    const devices = kiosk.devices;
    if (!devices?.simulatedPrinter) throw new Error('this test needs the simulated printer');
    await kiosk.open(page);
    // The printer is ready, and nothing comes out on its own.
    await expect(page.locator('[data-link=online]')).toBeVisible({ timeout: 15_000 });
    expect(devices.simulatedPrinter.printouts()).toHaveLength(0);

    await page.keyboard.press('Control+Alt+o');
    await page.locator('#operator-pin').fill(operatorPin);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const waiting = page.locator('[data-waiting-prints]');
    await expect(waiting).toBeVisible({ timeout: 15_000 });
    await expect(waiting.getByRole('heading')).toHaveText(
      'Receipts waiting since the kiosk restarted',
    );
    // Each with its copy (when not the first) and the time it waited from.
    await expect(waiting.locator('[data-uncertain-job]')).toHaveText([
      /^Receipt 4D7Q-WX2M-J · copy 2 · \d{2}:\d{2}/,
      /^Receipt 8HJK-3N5P-R · \d{2}:\d{2}/,
    ]);
    await expect(page.locator('[data-uncertain-prints]')).toHaveCount(0);
    await expect(page.locator('[data-printer-state]')).toContainText('2 held');
    await expect(page.locator('[data-printer-state]')).not.toContainText('may not have printed');
    await expectAxeClean(page);
    await screenshot(page, 'operator-04-waiting-at-restart');

    // Print now with the paper out: it waits for the printer, and once paper is back and it has
    // printed, the line says so (it does not stay "will print when it is").
    devices.simulatedPrinter.setState('paper-out');
    await devices.refreshPrinterStatus();
    await waiting.locator('[data-uncertain-job="4D7Q-WX2M-J"] [data-decision=print-again]').click();
    await expect(waiting.getByRole('status')).toHaveText(
      'The printer is not ready: receipt 4D7Q-WX2M-J will print when it is.',
    );
    expect(devices.simulatedPrinter.printouts()).toHaveLength(0);
    devices.simulatedPrinter.setState('online');
    await devices.refreshPrinterStatus();
    await expect(waiting.getByRole('status')).toHaveText('Receipt 4D7Q-WX2M-J was printed.');
    expect(devices.simulatedPrinter.printouts()).toHaveLength(1);
    const printout = devices.simulatedPrinter.printouts().at(-1);
    const text = execFileSync('pdftotext', [printout?.pdf ?? '', '-'], { encoding: 'utf8' });
    expect(text).toContain('4D7Q-WX2M-J');
    expect(text).not.toContain('COPY - the first print may have failed');

    await waiting
      .locator('[data-uncertain-job="8HJK-3N5P-R"] [data-decision=do-not-print]')
      .click();
    await expect(waiting.getByRole('status')).toHaveText(
      'Receipt 8HJK-3N5P-R will not be printed.',
    );
    await expect(waiting.locator('[data-uncertain-job]')).toHaveCount(0);
    expect(devices.simulatedPrinter.printouts()).toHaveLength(1);
    expect(devices.queue.jobs().map((job) => [job.jobId.slice(0, 8), job.state])).toEqual([
      ['7c1d2e3f', 'printed'],
      ['9e8d7c6b', 'not-printed'],
    ]);
  });
});
