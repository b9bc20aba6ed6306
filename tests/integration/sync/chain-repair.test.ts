import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { GatewayClient } from '../../../sync/client/gateway-client';
import { buildGateway, hashToken } from '../../../sync/server/app';
import { setAdminPassword } from '../../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../../sync/server/dashboard/routes';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../../sync/server/store';
import { signRecord } from '../../support/chain-fixture';
import { startNodeKiosk } from '../../proof/node-kiosk';
import { storeBackends } from './store-backends';

const PASSWORD = 'a long repair passphrase';

/** A browser's view of the dashboard: a session cookie and the form's CSRF token. */
async function signIn(
  url: string,
): Promise<
  (path: string, form?: Record<string, string>) => Promise<{ status: number; text: string }>
> {
  const login = await fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password: PASSWORD }).toString(),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/=/);
  return async (path, form) => {
    const reply = await fetch(`${url}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: reply.status, text: await reply.text() };
  };
}

describe.each(storeBackends('chain-repair'))('a wedged chain on $name', (backend) => {
  let store: GatewayStore | undefined;
  let app: FastifyInstance | undefined;
  afterAll(async () => {
    await app?.close();
    await store?.close();
    backend.cleanup();
  });

  it('is shown as an alert, repaired on the dashboard with a recorded reason, and the kiosk drains', async () => {
    const kioskId = `wedge-${crypto.randomUUID().slice(0, 8)}`;
    // One token per run: PostgreSQL keeps the tokens of earlier runs (the hash is the key).
    const token = `wedge-token-${kioskId}`;
    store = await openGatewayStore(backend.location);
    await store.addEnrolmentToken(kioskId, hashToken(token));
    await setAdminPassword(store, PASSWORD);
    app = await buildGateway({ store, jobs: { run: false } });
    await registerDashboard(app, { store });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const kiosk = await startNodeKiosk({
      kioskId,
      token,
      gatewayUrl: url,
      refusedCheckMs: 0,
    });
    try {
      await kiosk.commit();
      await kiosk.drain();
      const head1 = (await store.getKiosk(kioskId))?.head;
      expect(head1?.seq).toBe(1);

      // A stray record for seq 3, signed with the kiosk's key but from a fork: its prevHash
      // names no record of this chain. It arrives first, by the real ingest path.
      const stray = await signRecord(kiosk.keys, {
        v: 1,
        kioskId,
        seq: 3,
        prevHash: 'f'.repeat(64),
        createdAt: new Date().toISOString(),
        kind: 'officer-sign-in',
        body: { txId: crypto.randomUUID(), officerId: '00012345', method: 'pin' },
      });
      const client = new GatewayClient({
        baseUrl: url,
        kioskId,
        signingKey: kiosk.keys.privateKey,
      });
      const strayReply = await client.postBatch({
        batchId: crypto.randomUUID(),
        items: [{ record: stray }],
      });
      expect(strayReply.results[0]?.status).toBe('accepted');

      // The kiosk's true records 2, 3 and 4: 3 is refused, the head stops at 2 for good.
      for (let i = 0; i < 3; i += 1) await kiosk.commit();
      await kiosk.drain();
      const rows = await kiosk.db.outbox.orderBy('seq').toArray();
      expect(rows.map((row) => [row.seq, row.state, row.rejectReason ?? null])).toEqual([
        [1, 'delivered', null],
        [2, 'delivered', null],
        [3, 'rejected', 'seq-conflict'],
        [4, 'delivered', null],
      ]);
      expect((await store.getKiosk(kioskId))?.head.seq).toBe(2);
      const trueThree = rows[2];

      // The fleet page says so until it is repaired.
      const browse = await signIn(url);
      const fleet = await browse('/admin/dashboard');
      expect(fleet.text).toContain('A kiosk chain is stopped');
      expect(fleet.text).toContain(`<b>${kioskId}</b>: the head is stuck at seq 2`);

      // Side by side: the held stray and the kiosk's refused record.
      const page = await browse(`/admin/chains?kiosk=${kioskId}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(stray.body.txId);
      expect(page.text).toContain(trueThree?.txId ?? 'missing');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      const conflictId = /name="choice" value="(\d+)"/.exec(page.text)?.[1] ?? '';
      expect(conflictId).toMatch(/^\d+$/);

      // No reason, no repair; nothing changes.
      const noReason = await browse('/admin/chains/repair', {
        csrf,
        kioskId,
        seq: '3',
        choice: conflictId,
        decidedBy: 'Maya Cal',
        reason: 'bug',
      });
      expect(noReason.status).toBe(400);
      expect((await store.getKiosk(kioskId))?.head.seq).toBe(2);
      // A forged form (no CSRF token) is refused.
      const forged = await browse('/admin/chains/repair', {
        csrf: 'forged',
        kioskId,
        seq: '3',
        choice: conflictId,
        decidedBy: 'Mallory',
        reason: 'a reason long enough',
      });
      expect(forged.status).toBe(403);

      const reason =
        'Stray officer sign-in from a restored disk image; the kiosk record is the true seq 3.';
      const repaired = await browse('/admin/chains/repair', {
        csrf,
        kioskId,
        seq: '3',
        choice: conflictId,
        decidedBy: 'Maya Cal',
        reason,
      });
      expect(repaired.status).toBe(200);
      expect(repaired.text).toContain('the chain head went from seq 2 to seq 4');
      expect((await store.getKiosk(kioskId))?.head.seq).toBe(4);

      // The decision is recorded, with the stray kept whole: nothing deleted silently.
      const [repair] = await store.chains.repairs(kioskId);
      expect(repair).toMatchObject({
        kioskId,
        seq: 3,
        kept: 'refused',
        keptTxId: trueThree?.txId,
        setAsideTxId: stray.body.txId,
        reason,
        headBefore: 2,
        headAfter: 4,
      });
      expect(repair?.decidedBy).toMatch(/^Maya Cal \(administrator, from /);
      expect(repair?.setAsideRecord).toEqual(stray);
      expect(await store.chains.wedges()).toEqual(
        expect.not.arrayContaining([expect.objectContaining({ kioskId })]),
      );
      const fleetAfter = (await browse('/admin/dashboard')).text;
      expect(fleetAfter).not.toContain(`<b>${kioskId}</b>: the head is stuck`);
      // The refusals' tamper alerts are kept, shown as settled by the repair, no longer open.
      // (Its own row: a PostgreSQL database keeps other runs' kiosks.)
      const row = new RegExp(`<tr data-kiosk="${kioskId}">[\\s\\S]*?</tr>`).exec(fleetAfter)?.[0];
      expect(row).toMatch(/<span class="pill ok">none<\/span><br><small data-repaired-alerts="2">/);
      // The same refusal raised again after the decision is open again, counted on its alert.
      const refusal = (await store.listTamperAlerts(kioskId)).find(
        (alert) => alert.seq === 3 && alert.kind === 'seq-conflict',
      );
      if (!refusal) throw new Error('no seq-conflict alert at seq 3');
      await store.addTamperAlert({
        kioskId,
        seq: 3,
        kind: refusal.kind,
        detail: refusal.detail,
        at: new Date(Date.now() + 60_000).toISOString(),
      });
      const reopened = new RegExp(`<tr data-kiosk="${kioskId}">[\\s\\S]*?</tr>`).exec(
        (await browse('/admin/dashboard')).text,
      )?.[0];
      expect(reopened).toMatch(
        /<span class="pill bad">1<\/span> <small>seq-conflict at seq 3, <span data-alert-repeats="2">raised 2 times, last /,
      );
      expect(reopened).toMatch(/<small data-repaired-alerts="1">/);
      expect((await browse('/admin/chains')).text).toContain(reason);

      // The kiosk learns its record is in the chain, and its queue drains with what follows.
      await kiosk.commit();
      await kiosk.drain();
      const after = await kiosk.db.outbox.orderBy('seq').toArray();
      expect(after.map((row) => row.state)).toEqual([
        'delivered',
        'delivered',
        'delivered',
        'delivered',
        'delivered',
      ]);
      expect((await store.getKiosk(kioskId))?.head.seq).toBe(5);
      const chained = await store.listRecords(kioskId);
      expect(chained.map((record) => record.body.txId)).toEqual(after.map((row) => row.txId));
    } finally {
      await kiosk.close();
    }
  });
});
