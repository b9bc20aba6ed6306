import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { runNpm } from '../support/npm-start';
import type { NpmProcess } from '../support/npm-start';
import { payBill } from './staff-fixtures';

/**
 * A site as it is provisioned: the gateway runs as its own process (`npm run gateway`), its
 * administrator issues the kiosk an enrolment file (`npm run gateway -- enrol`), and the kiosk
 * (`npm start`, with a site profile that names that gateway and that file) starts no gateway of
 * its own. The page runs in this test's Chromium at the address `npm start` prints when it has
 * no display, so the test can drive it.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

test.describe.configure({ mode: 'serial' });

test('a kiosk started with npm start delivers to a gateway started with npm run gateway, and gets a new officer with Sync now', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-two-processes-'));
  const processes: NpmProcess[] = [];
  try {
    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const gatewayData = path.join(dir, 'gateway');
    const roster = path.join(dir, 'roster.json');
    const adminPasswordFile = path.join(dir, 'admin-password');
    writeFileSync(adminPasswordFile, 'a long field test passphrase\n', { mode: 0o600 });
    // The store is SQLite here even where CI sets DATABASE_URL for the store tests.
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;

    const gateway = runNpm('gateway', {
      env,
      args: [
        '--port',
        String(gatewayPort),
        '--data',
        gatewayData,
        '--roster',
        roster,
        '--admin-password-file',
        adminPasswordFile,
      ],
    });
    processes.push(gateway);
    await gateway.waitForLine(/gateway listening on http:\/\/127\.0\.0\.1:\d+ \(sqlite/, 60_000);

    // The administrator issues the kiosk its enrolment file.
    const enrolmentFile = path.join(dir, 'enrolment.json');
    const enrol = runNpm('gateway', {
      env,
      args: [
        'enrol',
        '--kiosk',
        'bz-field-kiosk-02',
        '--url',
        gatewayUrl,
        '--out',
        enrolmentFile,
        '--data',
        gatewayData,
      ],
    });
    processes.push(enrol);
    await enrol.waitForLine(/enrolment file for bz-field-kiosk-02 at .* written to/, 60_000);
    expect(statSync(enrolmentFile).mode & 0o777).toBe(0o600);
    const token = (JSON.parse(readFileSync(enrolmentFile, 'utf8')) as { token: string }).token;

    const demo = JSON.parse(
      readFileSync(path.join(root, 'kiosk-config', 'sites', 'demo.json'), 'utf8'),
    ) as Record<string, unknown>;
    delete demo.embeddedGateway;
    const siteFile = path.join(dir, 'site.json');
    writeFileSync(
      siteFile,
      JSON.stringify({
        ...demo,
        kioskId: 'bz-field-kiosk-02',
        gatewayUrl,
        enrolmentFile: 'enrolment.json',
      }),
    );
    const kioskPort = await freePort();
    const kiosk = runNpm('start', {
      env: {
        ...env,
        SERVICE_POINT_SITE: siteFile,
        SERVICE_POINT_DATA_DIR: path.join(dir, 'kiosk'),
        SERVICE_POINT_PORT: String(kioskPort),
        SERVICE_POINT_SHELL: 'browser',
        SERVICE_POINT_SKIP_BUILD: '1',
      },
    });
    processes.push(kiosk);
    await kiosk.waitForLine(
      new RegExp(
        `gateway: ${gatewayUrl} \\(not started here; enrolment token from .*enrolment\\.json\\)`,
      ),
    );
    const address = (
      await kiosk.waitForLine(/open this address in a browser on this machine: (\S+)/)
    )[1];
    expect(kiosk.lines.join('\n')).not.toMatch(/embedded reference gateway/);
    expect(kiosk.lines.join('\n')).not.toContain(token);

    // The page's CSP lets it talk to that gateway (and only to it and itself).
    const served = await request.get(`http://127.0.0.1:${kioskPort}/`);
    expect(served.headers()['content-security-policy']).toMatch(
      new RegExp(`connect-src 'self' ${gatewayUrl} `),
    );

    await page.goto(address ?? '');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    // Connected, enrolled with the one-time token, and the office's (empty) officer list in.
    await expect(page.locator('[data-link=online]:not([data-getting-roster])')).toBeVisible({
      timeout: 30_000,
    });
    const reference = await payBill(page, '4455667788');
    await expect(page.locator('[data-delivery=delivered]')).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: /Finish/ }).click();

    // The gateway has it: the administrator's CSV export counts one completed transaction.
    const login = await request.post(`${gatewayUrl}/admin/login`, {
      form: { password: 'a long field test passphrase' },
      maxRedirects: 0,
    });
    expect(login.status()).toBe(303);
    const csv = await (await request.get(`${gatewayUrl}/admin/export.csv`)).text();
    expect(csv).toMatch(/bz-field-kiosk-02,bill-payment,self-service,1,0/);
    expect(reference).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);

    // An officer is added to the gateway's roster while both run…
    const add = runNpm('gateway', {
      env,
      args: [
        'officer',
        'add',
        '--roster',
        roster,
        '--id',
        '00012345',
        '--name',
        'Maya Cal',
        '--pin',
        '482913',
      ],
    });
    processes.push(add);
    await add.waitForLine(/officer 00012345 \(Maya Cal\) saved in/, 60_000);
    // …and the kiosk has it as soon as the operator taps Sync now.
    await page.keyboard.press('Control+Alt+o');
    await page.locator('#operator-pin').fill('135792');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.locator('[data-screen=operator-console]')).toBeVisible({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Sync now' }).first().click();
    await expect(page.getByText('Everything that could be sent was sent')).toBeVisible({
      timeout: 20_000,
    });
    await page.locator('[data-sim=officer-card]').click();
    await expect(page.locator('[data-card-officer="00012345"]')).toBeVisible();
    await page.locator('#officer-pin').fill('482913');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('[data-screen=officer-tools]')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText('Signed in: Maya Cal (00012345)')).toBeVisible();
  } finally {
    for (const process of processes.reverse()) await process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
