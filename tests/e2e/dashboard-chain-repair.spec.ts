import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { GatewayClient } from '../../sync/client/gateway-client';
import { buildGateway, hashToken } from '../../sync/server/app';
import { setAdminPassword } from '../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../sync/server/dashboard/routes';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';
import { startNodeKiosk } from '../proof/node-kiosk';
import type { NodeKiosk } from '../proof/node-kiosk';
import { signRecord } from '../support/chain-fixture';
import { artifactsDir } from './fixtures';
import { expectAxeClean } from './axe-check';

/**
 * A wedged chain, repaired as an administrator does it in the browser: the fleet page says a
 * kiosk's chain is stopped, the repair page shows the held stray and the kiosk's refused record
 * side by side, the administrator chooses with a reason, and the kiosk's queue drains.
 */
const PASSWORD = 'a long repair passphrase';
const kioskId = 'bz-belmopan-wedge-01';
let dir: string;
let store: GatewayStore;
let app: FastifyInstance;
let url: string;
let kiosk: NodeKiosk;
let strayId = '';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifactsDir, 'screens', `${name}.png`), fullPage: true });

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-dash-repair-'));
  store = await openGatewayStore({ sqliteFile: path.join(dir, 'gateway.sqlite') });
  await setAdminPassword(store, PASSWORD);
  await store.addEnrolmentToken(kioskId, hashToken('repair-token'));
  app = await buildGateway({ store, jobs: { run: false } });
  await registerDashboard(app, { store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  kiosk = await startNodeKiosk({
    kioskId,
    token: 'repair-token',
    gatewayUrl: url,
    refusedCheckMs: 0,
  });
  await kiosk.commit();
  await kiosk.drain();
  // A stray record for seq 3, signed with the kiosk's key, from a fork of its database.
  const stray = await signRecord(kiosk.keys, {
    v: 1,
    kioskId,
    seq: 3,
    prevHash: 'f'.repeat(64),
    createdAt: new Date().toISOString(),
    kind: 'officer-sign-in',
    body: { txId: crypto.randomUUID(), officerId: '00012345', method: 'pin' },
  });
  strayId = stray.body.txId;
  const client = new GatewayClient({ baseUrl: url, kioskId, signingKey: kiosk.keys.privateKey });
  await client.postBatch({ batchId: crypto.randomUUID(), items: [{ record: stray }] });
  for (let i = 0; i < 3; i += 1) await kiosk.commit();
  await kiosk.drain();
});

test.afterAll(async () => {
  await kiosk?.close();
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an administrator sees a stopped chain, compares the records, repairs it with a reason, and the kiosk drains', async ({
  page,
}) => {
  const states = async () =>
    (await kiosk.db.outbox.orderBy('seq').toArray()).map((row) => row.rejectReason ?? row.state);
  expect(await states()).toEqual(['delivered', 'delivered', 'seq-conflict', 'delivered']);
  const refused = (await kiosk.db.outbox.orderBy('seq').toArray())[2];

  await page.goto(`${url}/admin`);
  await page.locator('input[type=password]').fill(PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.locator('.alert, [role=alert]').first()).toContainText(
    'A kiosk chain is stopped',
  );
  await expect(page.locator('main')).toContainText(`${kioskId}: the head is stuck at seq 2`);
  await shot(page, 'repair-1-fleet-alert');

  await page.getByRole('link', { name: 'Repair', exact: true }).click();
  const form = page.locator('form.repair');
  await expect(page.locator('main')).toContainText(strayId);
  await expect(page.locator('main')).toContainText(refused?.txId ?? 'missing');
  await expect(page.locator('main')).toContainText(refused?.ref ?? 'missing');
  await expectAxeClean(page);
  await shot(page, 'repair-2-side-by-side');

  // The form will not go without a choice, a name and a reason of ten characters or more.
  await form.locator('input[name=choice][value="1"]').check();
  await form.locator('input[name=decidedBy]').fill('Maya Cal');
  await form.locator('textarea[name=reason]').fill('bug');
  await form.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/admin\/chains\?kiosk=/);
  expect((await store.getKiosk(kioskId))?.head.seq).toBe(2);

  const reason = 'Stray officer sign-in from a restored disk image; the kiosk record is seq 3.';
  await form.locator('textarea[name=reason]').fill(reason);
  await form.locator('button[type=submit]').click();
  await expect(page.locator('main')).toContainText(
    `Repaired ${kioskId} at seq 3: the chain head went from seq 2 to seq 4.`,
  );
  await expect(page.locator('main')).toContainText('No chain needs a decision.');
  await expect(page.locator('main table').last()).toContainText(reason);
  await expect(page.locator('main table').last()).toContainText('Maya Cal (administrator, from');
  await shot(page, 'repair-3-done');

  // The kiosk learns its record is in the chain; what follows drains.
  await kiosk.commit();
  await kiosk.drain();
  expect(await states()).toEqual(Array<string>(5).fill('delivered'));
  expect((await store.getKiosk(kioskId))?.head.seq).toBe(5);
  await page.getByRole('link', { name: 'Fleet' }).click();
  await expect(page.locator('main')).not.toContainText('A kiosk chain is stopped');
  // The refusals' tamper alerts stay on record, settled by the repair: none is open.
  await expect(page.locator('.tiles')).toContainText('0 tamper alerts');
  await expect(page.locator(`tr[data-kiosk="${kioskId}"] [data-repaired-alerts]`)).toContainText(
    'settled by a chain repair',
  );
  await shot(page, 'repair-4-fleet-after');
});
