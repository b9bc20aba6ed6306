import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashOfficerPin } from '../../../sync/client/officer-pin';
import { buildEndOfDayReport } from '../../../sync/client/officer-report';
import { checkOperatorPin } from '../../../renderer/app/operator-access';
import { reportDocument, reprintReceipt } from '../../../renderer/app/officer-tools';
import { WAITING_AT_RESTART } from '../../../sync/bridge/device-payloads';
import type { KioskBridge } from '../../../sync/bridge/kiosk-bridge';
import { createTranslator, loadLanguages } from '../../../renderer/i18n/translator';
import { embeddedCatalogue, embeddedSite } from '../../../kiosk-config';
import { parseSiteConfig } from '../../../kiosk-config/load';
import { catalogueSchema } from '../../../kiosk-config/schema';
import { reportDocumentSchema } from '../../../sync/bridge/operator-payloads';
import { openTestStore } from '../../support/chain-fixture';

const ITER = 1000;

// The page loads each language's messages on demand; these tests use Spanish too.
beforeAll(() => loadLanguages(['es']));

describe('operator console PIN', () => {
  it('opens with the right PIN, locks after five wrong ones across a reload, and reopens after the lock', async () => {
    const name = `operator-${crypto.randomUUID()}`;
    let { store } = openTestStore(name);
    const hash = await hashOfficerPin('24681357', { iterations: ITER });
    const opts = { now: 1_000_000, lockoutMs: 60_000, minIterations: ITER };
    expect(await checkOperatorPin(store, hash, '24681357', opts)).toEqual({ result: 'ok' });
    for (let i = 1; i <= 4; i += 1) {
      expect(await checkOperatorPin(store, hash, '11111111', opts)).toEqual({
        result: 'wrong-pin',
        attemptsLeft: 5 - i,
      });
    }
    store.close();
    ({ store } = openTestStore(name)); // a reload does not reset the count
    expect(await checkOperatorPin(store, hash, '11111111', opts)).toEqual({
      result: 'locked',
      retryAfterSeconds: 60,
    });
    expect(await checkOperatorPin(store, hash, '24681357', { ...opts, now: 1_030_000 })).toEqual({
      result: 'locked',
      retryAfterSeconds: 30,
    });
    expect(await checkOperatorPin(store, hash, '24681357', { ...opts, now: 1_061_000 })).toEqual({
      result: 'ok',
    });
  });

  it('stays closed when the site has no operator PIN', async () => {
    const { store } = openTestStore(`operator-${crypto.randomUUID()}`);
    expect(await checkOperatorPin(store, undefined, '24681357')).toEqual({ result: 'disabled' });
  });
});

describe('end-of-day report document', () => {
  it('puts the report in the officer language and passes the report:pdf schema', () => {
    const site = parseSiteConfig(embeddedSite);
    if (!site.ok) throw new Error(site.error);
    const catalogue = catalogueSchema.parse(embeddedCatalogue);
    const report = buildEndOfDayReport({
      kioskId: 'demo-kiosk-01',
      day: '2026-03-04',
      officerId: '00012345',
      gatewayHeld: new Set(['a']),
      items: [
        {
          seq: 1,
          txId: 'a',
          kind: 'transaction',
          serviceId: 'drivers-licence-renewal',
          channel: 'assisted',
          officerId: '00012345',
          fee: { amountMinor: 5000, currency: 'BZD' },
          paymentMethod: 'counter',
          state: 'delivered',
          attempts: 1,
          queuedAt: 0,
        },
      ],
    });
    const document = reportDocument(
      createTranslator('es'),
      { site: site.value, catalogue },
      {
        report,
        reconciled: true,
        officerName: 'Maya Cal',
      },
    );
    expect(reportDocumentSchema.safeParse(document).success).toBe(true);
    expect(document.fileStem).toBe('end-of-day-demo-kiosk-01-2026-03-04-00012345');
    expect(document.title).toBe('Informe de cierre del día');
    expect(document.subtitle).toContain('Ventanilla de Maya Cal (00012345)');
    const byService = document.sections.find((s) => s.heading === 'Por servicio');
    expect(byService?.rows[0]?.[0]).toMatch(/licencia/i);
    expect(byService?.rows[0]?.[1]).toBe('1');
    const reconciliation = document.sections.find(
      (s) => s.heading === 'Conciliación con la oficina',
    );
    expect(reconciliation?.rows).toContainEqual([
      'Marcadas como entregadas pero no listadas por la oficina (debe ser 0)',
      '0',
    ]);
  });
});

describe("an officer's reprint when a copy already waits", () => {
  const txId = '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f';
  /** A bridge that lists the given jobs; a reprint that goes ahead reaches the store (refused). */
  function runtimeListing(jobs: {
    waiting?: Array<{ jobId: string; copy?: number }>;
    uncertain?: Array<{ jobId: string; copy?: number; reason?: string }>;
  }) {
    const since = '2026-11-30T10:00:00.000Z';
    const bridge = {
      invoke: async (channel: string) => {
        if (channel === 'printer:waiting-jobs')
          return { jobs: (jobs.waiting ?? []).map((job) => ({ ...job, since })) };
        if (channel === 'printer:uncertain-jobs')
          return { jobs: (jobs.uncertain ?? []).map((job) => ({ ...job, since })) };
        throw new Error(`unexpected ${channel}`);
      },
      on: () => () => undefined,
    } as unknown as KioskBridge;
    const store = {
      rows: async () => {
        throw new Error('went ahead with a new copy');
      },
    };
    return { bridge, store } as unknown as Parameters<typeof reprintReceipt>[0];
  }

  it('answers with the copy held for the printer, making no other', async () => {
    const reply = await reprintReceipt(
      runtimeListing({ waiting: [{ jobId: `${txId}#3`, copy: 3 }] }),
      { txId },
    );
    expect(reply).toEqual({
      reply: { jobId: `${txId}#3`, state: 'held' },
      copy: 3,
      waiting: 'printer',
    });
  });

  it('answers with the copy kept since the kiosk restarted, making no other', async () => {
    const reply = await reprintReceipt(
      runtimeListing({ uncertain: [{ jobId: `${txId}#2`, reason: WAITING_AT_RESTART }] }),
      { txId },
    );
    expect(reply).toEqual({
      reply: { jobId: `${txId}#2`, state: 'uncertain' },
      copy: 2,
      waiting: 'restart',
    });
  });

  it('goes ahead when the only copy listed is one the printer did not confirm, or another receipt', async () => {
    const listing = runtimeListing({
      uncertain: [{ jobId: `${txId}#1`, reason: 'job-unconfirmed' }],
      waiting: [{ jobId: '9c9c9c9c-1a2b-4c3d-8e9f-0a1b2c3d4e5f#2', copy: 2 }],
    });
    await expect(reprintReceipt(listing, { txId })).rejects.toThrow('went ahead with a new copy');
  });
});
