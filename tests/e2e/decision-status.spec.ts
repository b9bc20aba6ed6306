import type { Page } from '@playwright/test';
import { countries } from '../../kiosk-config/countries';
import type { CountryCode } from '../../kiosk-config/countries';
import { formatDayOf } from '../../kiosk-config/formatting';
import { createMessages } from '../../kiosk-config/messages';
import type { LanguageCode } from '../../kiosk-config/schema';
import { feedClaimReplySchema } from '../../sync/protocol/agency-wire';
import { publicJwkOf } from '../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../sync/protocol/sealed-box';
import { makeApiKey } from '../../sync/server/agency/credentials';
import { expect, screenshot, startOver, test } from './fixtures';
import type { KioskStack } from './fixtures';
import { expectAxeClean } from './axe-check';
import { roster, signInByCard, waitForRoster } from './staff-fixtures';

/**
 * From submission to decision, as the citizen sees it: a citizen applies at the kiosk, the
 * agency that owns the service takes the application from its pull feed and posts what becomes
 * of it; at each step the citizen's status check, in their language, says the state, its date
 * and the agency's words (what is needed, where to collect). With the link down, the kiosk says
 * what it last heard, and when. In Spanish in Belize and in Setswana in Botswana; the officer's
 * tools show the same for the day's receipts. The citizen asks for SMS alerts on the receipt; at
 * each step that matters the local SMS centre (an SMPP server, the smpp package's server side)
 * receives the alert in the citizen's language, once, and its delivery receipt is recorded.
 */
interface Walk {
  country: CountryCode;
  siteFile: string;
  kioskId: string;
  language: LanguageCode;
  district: string;
  needed: string;
  collectAt: string;
  /** The mobile number typed on the receipt, and as E.164 digits the SMSC receives. */
  phone: string;
  msisdn: string;
  /** A landline of the country: no SMS can reach it, so the kiosk asks again. */
  landline: string;
  /** The example mobile number the kiosk's error names. */
  example: string;
}

const walks: Walk[] = [
  {
    country: 'BZ',
    siteFile: 'demo.json',
    kioskId: 'demo-kiosk-01',
    language: 'es',
    district: 'cayo',
    needed: 'Una copia de su acta de nacimiento anterior',
    collectAt: 'Registro Civil, Belmopan, ventanilla 3',
    phone: '610 1234',
    msisdn: '5016101234',
    landline: '822 1234',
    example: '610 1234',
  },
  {
    country: 'BW',
    siteFile: 'demo-botswana.json',
    kioskId: 'demo-kiosk-bw-01',
    language: 'tn',
    district: 'south-east',
    needed: 'Khopi ya setlankana sa gago sa tsalo sa kgale',
    collectAt: 'Ofisi ya Ditsalo le Dintsho, Gaborone',
    phone: '71 234 567',
    msisdn: '26771234567',
    landline: '391 2345',
    example: '71 234 567',
  },
];

/** A birth-certificate application in `walk.language`; returns its reference. */
async function apply(page: Page, walk: Walk): Promise<string> {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${walk.language}]`).click();
  await page.locator('[data-service=birth-certificate-replacement]').click();
  await page.getByRole('textbox').fill('Kagiso Molefe');
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.locator('input[data-type=date]').focus();
  await page.keyboard.type('19900401', { delay: 80 });
  // As a person does, Next is touched once the date shows in the field: the page holds a quick
  // burst of keys until it can tell typing from a scanner, so a touch within that moment (a loaded
  // machine's Playwright manages it) would come before the last digits.
  await expect(page.locator('input[data-type=date]')).toHaveValue(/^1990-?04-?01$/);
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.locator(`input[type=radio][value=${walk.district}]`).check();
  await page.locator('[data-screen=form] form button[type=submit]').click();
  for (const box of await page.getByRole('checkbox').all()) await box.check();
  await page.locator('[data-screen=form] form button[type=submit]').click();
  await page.locator('input[type=radio][value=counter]').check();
  await page.locator('[data-screen=form] form button[type=submit]').click();
  const reference = page.locator('[data-screen=form] input[type=text]');
  if (await reference.count()) {
    await reference.fill('C-1001');
    await page.locator('[data-screen=form] form button[type=submit]').click();
  }
  await page.locator('[data-screen=review] button.primary').click();
  await page.getByRole('checkbox').check();
  await page.locator('[data-screen=consent] button.primary').click();
  const ref = (await page.getByTestId('reference').textContent()) ?? '';
  expect(ref).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  await expect(page.locator('[data-delivery]')).toHaveAttribute('data-delivery', 'delivered', {
    timeout: 20_000,
  });
  // "Get an SMS": the citizen's mobile number, typed on the receipt's keypad.
  await page.locator('.sms button').click();
  // A landline first: the kiosk says, in the citizen's language, what number it needs.
  await page.locator('#sms-phone').fill(walk.landline);
  await page.locator('form.sms button[type=submit]').click();
  await expect(page.locator('#sms-error')).toHaveText(
    createMessages(walk.language).t('receipt.sms.error.mobile', { example: walk.example }),
  );
  await expect(page.locator('#sms-phone')).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, `decision-${walk.language}-0-sms-landline`);
  await page.locator('#sms-phone').fill(walk.phone);
  await page.locator('form.sms button[type=submit]').click();
  await expect(page.locator('.sms-saved')).toBeVisible();
  await screenshot(page, `decision-${walk.language}-0-sms-opt-in`);
  await startOver(page);
  return ref;
}

/** The status check, by typed reference, in the walk's language. */
async function checkStatus(page: Page, walk: Walk, ref: string): Promise<void> {
  await page.locator('[data-screen=attract] button.primary').click();
  await page.locator(`[data-screen=language] button[lang=${walk.language}]`).click();
  await page.locator('[data-category=help]').click();
  await page.locator('[data-service=application-status]').click();
  await page.getByRole('textbox').fill(ref.replace(/-/g, '').toLowerCase());
  await page.locator('[data-screen=status] button[type=submit]').click();
}

/** An agency's case system, speaking the agency interface over HTTP. */
async function registerAgency(kiosk: KioskStack) {
  const privateJwk = await generateSealingKey();
  const apiKey = makeApiKey('civil-registry');
  await kiosk.gateway.store!.agencies.register({
    agencyId: 'civil-registry',
    name: 'Civil Registry',
    services: ['birth-certificate-replacement'],
    keyHash: apiKey.hash,
    publicKey: publicJwkOf(privateJwk),
  });
  const call = async (path: string, body: unknown) => {
    const reply = await fetch(`${kiosk.gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(reply.status, await reply.clone().text()).toBeLessThan(300);
    return (await reply.json()) as unknown;
  };
  return { call };
}

for (const walk of walks) {
  test.describe(`${countries[walk.country].name}: a decision in ${walk.language}`, () => {
    test.use({ siteFile: walk.siteFile, roster, simulatedDevices: true, smsCentre: true });

    test('the citizen follows an application from submission to collection, online and offline', async ({
      page,
      kiosk,
    }) => {
      test.setTimeout(240_000);
      const { t } = createMessages(walk.language);
      const timeZone = countries[walk.country].timeZone;
      const day = (iso: string) => formatDayOf(iso, walk.language, timeZone);
      await kiosk.open(page);
      await waitForRoster(page, walk.kioskId);
      const agency = await registerAgency(kiosk);
      const ref = await apply(page, walk);
      const smsc = kiosk.gateway.smsc!;
      /** Waits for the citizen's n-th SMS and checks its words (in the citizen's language). */
      const sms = async (n: number, text: string) => {
        const got = await smsc.waitFor((m) => m.to === walk.msisdn, n, 20_000);
        expect(got).toHaveLength(n);
        expect(got[n - 1]?.text).toBe(text);
        expect(got[n - 1]?.from).toBe('ServicePt');
      };
      await sms(1, t('sms.subscribed', { ref }));

      // The agency takes the application from its feed and acknowledges it.
      const claim = feedClaimReplySchema.parse(
        await agency.call('/agency/v1/feed/claims', { consumer: 'registry-1' }),
      );
      expect(claim.items.map((item) => item.event.subject)).toEqual([ref]);
      expect(claim.items[0]?.event.data).toMatchObject({ language: walk.language });
      await agency.call('/agency/v1/feed/acks', { positions: [claim.items[0]?.position] });

      const post = (eventId: string, body: Record<string, unknown>) =>
        agency.call(`/agency/v1/applications/${ref}/status`, { eventId, ...body });
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

      // 1. More information needed: the state, its date and what is needed, in the language.
      await post('reg-1', { state: 'in-review', occurredAt: at(50) });
      const asked = at(40);
      await post('reg-2', {
        state: 'more-information-needed',
        occurredAt: asked,
        needed: { en: 'A copy of your old birth certificate', [walk.language]: walk.needed },
      });
      await sms(2, t('sms.status.more-information-needed', { ref, needed: walk.needed }));
      await checkStatus(page, walk, ref);
      const result = page.locator('[data-status-result]');
      await expect(result).toHaveAttribute('data-status-state', 'more-information-needed');
      await expect(result.locator('.status-headline')).toHaveText(
        t('status.state.more-information-needed', { date: day(asked) }),
      );
      await expect(result.locator('.status-detail')).toHaveText(
        t('status.detail.needed', { text: walk.needed }),
      );
      await screenshot(page, `decision-${walk.language}-1-more-information`);
      await startOver(page);

      // 2. Approved.
      await post('reg-3', { state: 'in-review', occurredAt: at(30) });
      const approved = at(20);
      await post('reg-4', { state: 'approved', occurredAt: approved });
      // In review is not news: the next SMS is the approval.
      await sms(3, t('sms.status.approved', { ref }));
      await checkStatus(page, walk, ref);
      await expect(result).toHaveAttribute('data-status-state', 'approved');
      await expect(result.locator('.status-headline')).toHaveText(
        t('status.state.approved', { date: day(approved) }),
      );
      await screenshot(page, `decision-${walk.language}-2-approved`);
      await startOver(page);

      // 3. Ready for collection, and where.
      const ready = at(10);
      await post('reg-5', {
        state: 'ready-for-collection',
        occurredAt: ready,
        collectAt: { en: 'Civil Registry counter 3', [walk.language]: walk.collectAt },
      });
      await sms(4, t('sms.status.ready-for-collection', { ref, collectAt: walk.collectAt }));
      await checkStatus(page, walk, ref);
      await expect(result).toHaveAttribute('data-status-state', 'ready-for-collection');
      await expect(result.locator('.status-headline')).toHaveText(
        t('status.state.ready-for-collection', { date: day(ready) }),
      );
      await expect(result.locator('.status-detail')).toHaveText(
        t('status.detail.collectAt', { text: walk.collectAt }),
      );
      await expect(result).not.toHaveAttribute('data-status-cached', 'true');
      await expectAxeClean(page);
      await screenshot(page, `decision-${walk.language}-3-ready`);
      await startOver(page);

      // Each alert went once, and its delivery receipt (deliver_sm) is recorded.
      await expect
        .poll(async () =>
          (await kiosk.gateway.store!.sms.listMessages()).map((m) => [m.kind, m.state]).sort(),
        )
        .toEqual([
          ['status', 'delivered'],
          ['status', 'delivered'],
          ['status', 'delivered'],
          ['subscribed', 'delivered'],
        ]);
      expect(smsc.received.filter((m) => m.to === walk.msisdn)).toHaveLength(4);

      // 4. The link is down: the kiosk says calmly what it last heard, and when.
      await kiosk.gateway.stop();
      await checkStatus(page, walk, ref);
      await expect(result).toHaveAttribute('data-status-cached', 'true', { timeout: 20_000 });
      await expect(result).toHaveAttribute('data-status-state', 'ready-for-collection');
      // The header says so too: it must not still say "connected".
      await expect(page.locator('[data-link]')).toHaveAttribute('data-link', 'offline', {
        timeout: 1_500,
      });
      const [before = '', after = ''] = t('status.cached', { date: '\u0000' }).split('\u0000');
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await expect(result.locator('.status-cached')).toHaveText(
        new RegExp(`^${escape(before)}.+${escape(after)}$`),
      );
      await screenshot(page, `decision-${walk.language}-4-offline`);
      await startOver(page);
      await kiosk.gateway.start();

      // 5. The officer's tools: the same decision beside the day's receipt.
      await signInByCard(page, kiosk);
      const row = page.locator(`tr[data-ref="${ref}"]`);
      await expect(row.locator('[data-decision]')).toHaveAttribute(
        'data-decision',
        'ready-for-collection',
        { timeout: 20_000 },
      );
      // The officer's screen is in the session's language (the site's first, after start-over).
      const staff = (await page.evaluate(() => document.documentElement.lang)) as LanguageCode;
      await expect(row.locator('[data-decision]')).toContainText(
        createMessages(staff).t('officer.decision.state.ready-for-collection'),
      );
      await expect(row.locator('[data-decision]')).toContainText(
        staff === walk.language ? walk.collectAt : 'Civil Registry counter 3',
      );
      // The receipt's SMS sign-up is a transaction of its own, never an application to decide.
      const signUp = page.locator(`tr[data-ref]:not([data-ref="${ref}"])`);
      await expect(signUp).toHaveCount(1);
      await expect(signUp.locator('[data-decision]')).toHaveAttribute('data-decision', 'none');
      await expectAxeClean(page);
      await screenshot(page, `decision-${walk.language}-5-officer`);
    });
  });
}
