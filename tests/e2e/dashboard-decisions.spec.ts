import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { publicJwkOf } from '../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../sync/protocol/sealed-box';
import { buildGateway } from '../../sync/server/app';
import { makeApiKey } from '../../sync/server/agency/credentials';
import { setAdminPassword } from '../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../sync/server/dashboard/routes';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';
import { birthCertificate, openTestKiosk } from '../support/chain-fixture';
import { artifactsDir } from './fixtures';

/**
 * The figures the strategies report, on the fleet dashboard: days from submission to decision
 * by service and by site, the share decided within each service's target (birth certificates:
 * 5 working days in the Belize catalogue), SMS subscribers by service, and the agencies.
 */
const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;
let dir: string;
let store: GatewayStore;
let app: FastifyInstance;
let url: string;

/** A kiosk at `site` whose applications were submitted `daysAgo` each; returns their refs. */
async function kioskAt(kioskId: string, site: string, daysAgo: number[], serviceId: string) {
  const kiosk = await openTestKiosk(kioskId);
  await store.addEnrolmentToken(kioskId, `hash-${kioskId}`);
  await store.enrol(kioskId, `hash-${kioskId}`, await kiosk.publicKey());
  const refs: string[] = [];
  const records = [];
  for (const ago of daysAgo) {
    const at = new Date(Date.now() - ago * DAY);
    const done = await kiosk.commit(
      { ...birthCertificate, serviceId, personalFieldIds: [] },
      () => at,
    );
    refs.push(done.ref);
    records.push({ record: done.record });
  }
  // The citizens of the first two asked for an SMS when it is ready.
  for (const ref of refs.slice(0, 2)) {
    const done = await kiosk.commit({
      ...birthCertificate,
      serviceId: 'sms-alerts',
      fields: { alerts: 'ready', forReference: ref },
      personalFieldIds: [],
    });
    records.push({ record: done.record });
  }
  await store.applyBatch(kioskId, records);
  const now = Date.now();
  await store.recordHeartbeat(
    kioskId,
    {
      sentAt: new Date(now).toISOString(),
      queueDepth: 0,
      oldestQueuedAt: null,
      rejected: 0,
      deadLetters: 0,
      lastDeliveryAt: now,
      appVersion: '0.1.0',
      siteId: site,
    },
    new Date(now).toISOString(),
  );
  await kiosk.close();
  return refs;
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-dash-decisions-'));
  store = await openGatewayStore({ sqliteFile: path.join(dir, 'gateway.sqlite') });
  await setAdminPassword(store, PASSWORD);
  const apiKey = makeApiKey('civil-registry');
  await store.agencies.register({
    agencyId: 'civil-registry',
    name: 'Vital Statistics Unit',
    services: ['birth-certificate-replacement'],
    keyHash: apiKey.hash,
    publicKey: publicJwkOf(await generateSealingKey()),
  });
  // Belmopan: submitted 30 days ago, decided the next day (on time) and after 20 days (late).
  const belmopan = await kioskAt(
    'belmopan-osc-01',
    'Belmopan One-Stop Centre',
    [30, 30],
    'birth-certificate-replacement',
  );
  // Orange Walk: one undecided for 40 days (late), one submitted today (pending).
  const orange = await kioskAt(
    'orange-walk-lib-02',
    'Orange Walk library',
    [40, 0],
    'birth-certificate-replacement',
  );
  const decide = async (
    ref: string,
    afterDays: number,
    submittedDaysAgo: number,
    state: 'approved' | 'refused',
  ) => {
    const result = await store.agencies.postStatus({
      agencyId: 'civil-registry',
      ref,
      eventId: `decision-${ref}`,
      state,
      detail: state === 'refused' ? { reason: 'The record was not found' } : {},
      occurredAt: new Date(Date.now() - (submittedDaysAgo - afterDays) * DAY).toISOString(),
      digest: ref,
    });
    expect(result.result).toBe('recorded');
  };
  await decide(belmopan[0] ?? '', 1, 30, 'approved');
  await decide(belmopan[1] ?? '', 20, 30, 'refused');
  expect(orange).toHaveLength(2);

  app = await buildGateway({ store, jobs: { run: false } });
  await registerDashboard(app, { store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

test.afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the dashboard reports time to decision, the share within target, SMS subscribers and agencies', async ({
  page,
}) => {
  await page.goto(`${url}/admin/login`);
  await page.getByLabel('Administrator password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/dashboard$/);

  const cells = async (selector: string) =>
    (await page.locator(selector).locator('th, td').allInnerTexts()).map((text) => text.trim());
  // Service, target, submitted, decided, median, 90%, on time, late, pending, share.
  expect(await cells('tr[data-figure-service="birth-certificate-replacement"]')).toEqual([
    'Replacement birth certificate',
    '5',
    '4',
    '2',
    '1.0',
    '20.0',
    '1',
    '2',
    '1',
    '33.3%',
  ]);
  expect(await cells('tr[data-figure-site="Belmopan One-Stop Centre"]')).toEqual([
    'Belmopan One-Stop Centre',
    '—',
    '2',
    '2',
    '1.0',
    '20.0',
    '1',
    '1',
    '0',
    '50.0%',
  ]);
  expect(await cells('tr[data-figure-site="Orange Walk library"]')).toEqual([
    'Orange Walk library',
    '—',
    '2',
    '0',
    '—',
    '—',
    '0',
    '1',
    '1',
    '0.0%',
  ]);
  await expect(page.locator('.tiles')).toContainText('33.3% decided within target');
  // Four sign-ups; no number checked and no message sent yet (this gateway sends no SMS).
  expect(await cells('tr[data-sms-service="birth-certificate-replacement"]')).toEqual([
    'Replacement birth certificate',
    '4',
    ...Array<string>(8).fill('0'),
  ]);
  const agency = page.locator('tr[data-agency="civil-registry"]');
  await expect(agency).toContainText('Vital Statistics Unit');
  await expect(agency).toContainText('pull');
  await expect(agency.locator('td').nth(2)).toContainText('0 / 4');
  await page.locator('h2', { hasText: 'From submission to decision' }).scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(artifactsDir, 'screens', 'dashboard-04-decisions.png'),
    fullPage: true,
  });
});
