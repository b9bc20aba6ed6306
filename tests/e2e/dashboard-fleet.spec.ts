import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { exportBundle } from '../../sync/client/bundle-export';
import { commitTransaction } from '../../sync/client/commit';
import { openTestStore } from '../support/chain-fixture';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { exportPublicKey } from '../../sync/protocol/device-signature';
import { buildGateway, hashToken } from '../../sync/server/app';
import { setAdminPassword } from '../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../sync/server/dashboard/routes';
import { loadOrCreateSealingKey } from '../../sync/server/sealing-key';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';
import { artifactsDir } from './fixtures';

const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;
let dir: string;
let store: GatewayStore;
let app: FastifyInstance;
let url: string;
let bundleFile: string;

/** Enrols a kiosk and commits `n` transactions on each of the last days, delivered as batches. */
async function seedKiosk(
  kioskId: string,
  plan: Array<{ daysAgo: number; channel: 'self-service' | 'assisted'; serviceId: string }>,
) {
  const { store: kioskStore } = openTestStore(`${kioskId}-${crypto.randomUUID()}`);
  const keys = await loadOrCreateDeviceKey(kioskStore);
  await store.addEnrolmentToken(kioskId, hashToken(`${kioskId}-token`));
  await store.enrol(kioskId, hashToken(`${kioskId}-token`), await exportPublicKey(keys.publicKey));
  const records = [];
  for (const item of plan) {
    const at = new Date(Date.now() - item.daysAgo * DAY);
    const tx = await commitTransaction(
      { store: kioskStore, kioskId, keys, now: () => at },
      {
        serviceId: item.serviceId,
        catalogueVersion: '2026.11.1',
        channel: item.channel,
        ...(item.channel === 'assisted' ? { officerId: '00012345' } : {}),
        language: 'en',
        fee: { amountMinor: 1500, currency: 'BZD' },
        fields: { paymentMethod: 'counter' },
      },
    );
    records.push({ record: tx.record });
  }
  return { kioskStore, keys, records };
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-dashboard-'));
  store = await openGatewayStore({ sqliteFile: path.join(dir, 'gateway.sqlite') });
  await setAdminPassword(store, PASSWORD);
  const services = [
    'driver-licence-renewal',
    'birth-certificate-replacement',
    'vehicle-licensing',
    'tax-payment',
  ];
  const plan = (count: number, assistedEvery: number) =>
    Array.from({ length: count }, (_, i) => ({
      daysAgo: (i * 7) % 28,
      channel: i % assistedEvery === 0 ? ('assisted' as const) : ('self-service' as const),
      serviceId: services[i % services.length] ?? 'tax-payment',
    }));
  const belmopan = await seedKiosk('belmopan-osc-01', plan(40, 2));
  await store.applyBatch('belmopan-osc-01', belmopan.records);
  const library = await seedKiosk('orange-walk-lib-02', plan(25, 6));
  await store.applyBatch('orange-walk-lib-02', library.records);
  const now = Date.now();
  await store.recordHeartbeat(
    'belmopan-osc-01',
    {
      sentAt: new Date(now).toISOString(),
      queueDepth: 0,
      oldestQueuedAt: null,
      rejected: 0,
      deadLetters: 0,
      lastDeliveryAt: now - 60_000,
      appVersion: '0.1.0',
      siteId: 'Belmopan One-Stop Centre',
      configVersion: '2026.11.1',
      devices: { printer: 'online', cardReader: 'ready' },
    },
    new Date(now).toISOString(),
  );
  await store.recordHeartbeat(
    'orange-walk-lib-02',
    {
      sentAt: new Date(now - 3 * 3600_000).toISOString(),
      queueDepth: 14,
      oldestQueuedAt: now - 5 * 3600_000,
      rejected: 0,
      deadLetters: 0,
      lastDeliveryAt: now - 6 * 3600_000,
      appVersion: '0.1.0',
      siteId: 'Orange Walk library',
      configVersion: '2026.10.2',
      devices: { printer: 'paper-low', cardReader: 'ready', simulated: ['card-reader'] },
    },
    new Date(now - 3 * 3600_000).toISOString(),
  );
  await store.addTamperAlert({
    kioskId: 'orange-walk-lib-02',
    seq: 12,
    kind: 'chain-mismatch',
    detail: 'prevHash does not match',
    at: new Date().toISOString(),
  });

  // A rural telecentre that has not reached the gateway since enrolment: its bundle comes by USB.
  const rural = await seedKiosk('san-ignacio-tc-03', plan(6, 3));
  const sealing = await loadOrCreateSealingKey(store);
  await rural.kioskStore.writeSetting('gateway-config', {
    gatewayKey: sealing.publicJwk,
    checkedAt: 0,
  });
  const bundle = await exportBundle({
    store: rural.kioskStore,
    kioskId: 'san-ignacio-tc-03',
    keys: rural.keys,
  });
  bundleFile = path.join(dir, bundle.fileName);
  writeFileSync(bundleFile, bundle.text);

  app = await buildGateway({ store });
  await registerDashboard(app, { store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

test.afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const shot = (name: string) => path.join(artifactsDir, 'screens', `${name}.png`);

test('an administrator signs in, sees every kiosk and the yearly count, and exports CSV', async ({
  page,
}) => {
  await page.goto(`${url}/admin/dashboard`);
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.getByLabel('Administrator password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('4 attempts left');
  await page.screenshot({ path: shot('dashboard-01-login-refused') });
  await page.getByLabel('Administrator password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/dashboard$/);

  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'sp_admin')).toMatchObject({
    httpOnly: true,
    sameSite: 'Strict',
  });

  const belmopan = page.locator('tr[data-kiosk="belmopan-osc-01"]');
  await expect(belmopan).toContainText('Belmopan One-Stop Centre');
  await expect(belmopan).toContainText('online');
  const orange = page.locator('tr[data-kiosk="orange-walk-lib-02"]');
  await expect(orange).toContainText('offline');
  await expect(orange).toContainText('paper-low');
  await expect(orange).toContainText('(simulated)');
  await expect(orange).toContainText('chain-mismatch');
  const year = new Date().toISOString().slice(0, 4);
  const counted = await page.locator('table.years tr', { hasText: year }).innerText();
  // 40 + 25 delivered; the telecentre's 6 are not in until its bundle is imported.
  expect(counted.split('\t').map((s) => s.trim())).toEqual([year, '40', '25', '65']);
  await expect(page.getByRole('img', { name: /Transactions per day/ })).toBeVisible();
  await page.screenshot({ path: shot('dashboard-02-fleet'), fullPage: true });

  const csv = await page.request.get(`${url}/admin/export.csv`);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('day,site,kiosk,service,channel,completed,voided');
  const total = lines.slice(1).reduce((n, line) => n + Number(line.split(',')[5]), 0);
  expect(total).toBe(65);
});

test('a USB bundle uploaded twice is imported once, and the count includes it', async ({
  page,
}) => {
  await page.goto(`${url}/admin/login`);
  await page.getByLabel('Administrator password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Import a USB bundle' }).click();
  await page.getByLabel('Bundle file').setInputFiles(bundleFile);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status')).toContainText('6 accepted, 0 duplicate');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status')).toContainText('0 accepted, 6 duplicate');
  await page.screenshot({ path: shot('dashboard-03-bundle-imported-twice') });
  expect(await store.countRecords('san-ignacio-tc-03')).toEqual({ chained: 6, awaiting: 0 });

  // A forged upload without the session's CSRF token changes nothing.
  const forged = await page.request.post(`${url}/admin/bundles`, {
    headers: { 'content-type': 'application/octet-stream' },
    data: 'x',
  });
  expect(forged.status()).toBe(403);
  await page.getByRole('link', { name: 'Fleet' }).click();
  await expect(
    page.locator('table.years tr', { hasText: new Date().toISOString().slice(0, 4) }),
  ).toContainText('71');
});

test('serves the dashboard with a strict CSP and locks logins out after five failures', async ({
  request,
}) => {
  const login = await request.get(`${url}/admin/login`);
  expect(login.headers()['content-security-policy']).toContain("default-src 'none'");
  expect(login.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  const statuses = [];
  for (let i = 0; i < 6; i += 1) {
    const reply = await request.post(`${url}/admin/login`, {
      form: { password: `wrong-${i}` },
      maxRedirects: 0,
    });
    statuses.push(reply.status());
  }
  // Five wrong passwords in a row from one address lock it out, the right one included.
  expect(statuses.slice(-2)).toEqual([429, 429]);
  const right = await request.post(`${url}/admin/login`, {
    form: { password: PASSWORD },
    maxRedirects: 0,
  });
  expect(right.status()).toBe(429);
});
