import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransactionInput } from '../../../sync/client/commit';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import { generateSealingKey } from '../../../sync/protocol/sealed-box';
import { makeApiKey } from '../../../sync/server/agency/credentials';
import { LocalSmsc } from '../../../sync/server/sms/local-smsc';
import { registerSmsAlerts } from '../../../sync/server/sms/sms-service';
import type { SmsAlerts } from '../../../sync/server/sms/sms-service';
import type { SmsMessage } from '../../../sync/server/sms/sms-store';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';
import { startNodeKiosk } from '../../proof/node-kiosk';
import { formatDate, wallClock } from '../../../kiosk-config/formatting';
import type { NodeKiosk } from '../../proof/node-kiosk';

const LICENCE = 'drivers-licence-renewal';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const licence = (language: string, years = '5'): TransactionInput => ({
  serviceId: LICENCE,
  catalogueVersion: '2026.12.1',
  channel: 'self-service',
  language,
  fee: { amountMinor: 0, currency: 'BWP' },
  fields: { years, fullName: 'Kagiso Molefe' },
  personalFieldIds: ['fullName'],
});

/** The receipt's SMS opt-in, as renderer/screens/ReceiptScreen.tsx commits it. */
const optIn = (language: string, ref: string, phone: string, country = 'BW'): TransactionInput => ({
  serviceId: 'sms-alerts',
  catalogueVersion: '2026.12.1',
  channel: 'self-service',
  language,
  fee: { amountMinor: 0, currency: country === 'BW' ? 'BWP' : 'BZD' },
  fields: { phone, alerts: 'all', forReference: ref, country },
  personalFieldIds: ['phone'],
});

/** A local SMSC, a gateway with SMS alerts and the transport agency, and one Node kiosk. */
async function startSmsSite(options: {
  kioskId: string;
  smscOutcome?: ConstructorParameters<typeof LocalSmsc>[0]['outcome'];
  storeNow?: () => Date;
  log?: (line: string) => void;
}): Promise<{
  smsc: LocalSmsc;
  gateway: InProcessGateway;
  kiosk: NodeKiosk;
  sms: SmsAlerts;
  agencyKey: string;
}> {
  const smsc = new LocalSmsc({
    systemId: 'gateway',
    password: 'local-secret',
    receiptDelayMs: 50,
    ...(options.smscOutcome ? { outcome: options.smscOutcome } : {}),
  });
  await smsc.start();
  const token = `token-${options.kioskId}`;
  let sms: SmsAlerts | undefined;
  const gateway = await startInProcessGateway([{ kioskId: options.kioskId, token }], {
    jobs: { pollMs: 50 },
    ...(options.storeNow ? { storeNow: options.storeNow } : {}),
    setup: async (app, store) => {
      sms = await registerSmsAlerts(app, {
        store,
        smsc: {
          url: smsc.url,
          systemId: 'gateway',
          password: 'local-secret',
          sourceAddr: 'ServicePt',
          ratePerSecond: 50,
          submitTimeoutMs: 700,
        },
        retry: { baseMs: 100, capMs: 200 },
        log: options.log ?? (() => undefined),
      });
    },
  });
  const apiKey = makeApiKey('transport');
  await gateway.store.agencies.register({
    agencyId: 'transport',
    name: 'Department of Road Transport and Safety',
    services: [LICENCE],
    keyHash: apiKey.hash,
    publicKey: publicJwkOf(await generateSealingKey()),
  });
  const kiosk = await startNodeKiosk({ kioskId: options.kioskId, token, gatewayUrl: gateway.url });
  if (!sms) throw new Error('SMS alerts were not registered');
  return { smsc, gateway, kiosk, sms, agencyKey: apiKey.key };
}

describe('SMS alerts over SMPP', () => {
  let smsc: LocalSmsc;
  let gateway: InProcessGateway;
  let kiosk: NodeKiosk;
  let sms: SmsAlerts | undefined;
  let agencyKey: string;
  const kioskId = 'sms-kiosk-01';
  let event = 0;
  /** What the SMS service logged (bad receipts and replies are logged, not thrown). */
  const logged: string[] = [];

  const post = async (ref: string, state: string, detail: Record<string, unknown> = {}) => {
    event += 1;
    const reply = await fetch(`${gateway.url}/agency/v1/applications/${ref}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agencyKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: `ev-${event}`, state, ...detail }),
    });
    if (reply.status !== 201) throw new Error(`${reply.status} ${await reply.text()}`);
  };
  const messagesTo = (to: string) => smsc.received.filter((m) => m.to === to);
  const messageOf = async (alertPrefix: string): Promise<SmsMessage> =>
    waitFor(alertPrefix, async () =>
      (await gateway.store.sms.listMessages()).find((m) => m.alertKey.startsWith(alertPrefix)),
    );
  const settled = (alertPrefix: string, state = 'delivered') =>
    waitFor(`${alertPrefix} ${state}`, async () => {
      const found = (await gateway.store.sms.listMessages()).find((m) =>
        m.alertKey.startsWith(alertPrefix),
      );
      return found?.state === state ? found : undefined;
    });

  async function apply(input: TransactionInput): Promise<string> {
    const done = await kiosk.commit(input);
    await kiosk.drain();
    return done.ref;
  }

  beforeAll(async () => {
    ({ smsc, gateway, kiosk, sms, agencyKey } = await startSmsSite({
      kioskId,
      smscOutcome: ({ to }) => (to === '26772000001' ? 'UNDELIV' : 'DELIVRD'),
      log: (line: string) => logged.push(line),
    }));
  });
  afterAll(async () => {
    await kiosk?.close();
    await gateway?.close();
    await smsc?.close();
  });

  it('tells an opted-in citizen each change that matters, in the language used at the kiosk, once', async () => {
    const ref = await apply(licence('tn'));
    const optInRef = await apply(optIn('tn', ref, '71 234 567'));
    expect(optInRef).not.toBe(ref);
    const to = '26771234567';
    await smsc.waitFor((m) => m.to === to, 1);
    expect(messagesTo(to)[0]?.text).toBe(
      `Service Point: re tla go romelela SMS ka kopo ${ref}. Araba ka STOP go di emisa.`,
    );
    expect(messagesTo(to)[0]?.from).toBe('ServicePt');

    await post(ref, 'in-review');
    await post(ref, 'more-information-needed', {
      needed: { en: 'a certified copy of your Omang', tn: 'khopi e e netefaditsweng ya Omang' },
    });
    await smsc.waitFor((m) => m.to === to, 2);
    expect(messagesTo(to)[1]?.text).toBe(
      `Service Point: kopo ${ref} e tlhoka tshedimosetso e nngwe: khopi e e netefaditsweng ya Omang`,
    );
    // Setswana's š is not in GSM 03.38, but this text is: it goes as GSM (data_coding 0).
    expect(messagesTo(to)[1]?.dataCoding).toBe(0);
    await post(ref, 'in-review');
    await post(ref, 'approved');
    const occurred = new Date().toISOString();
    await post(ref, 'ready-for-collection', {
      collectAt: { en: 'DRTS Gaborone, Plot 1234', tn: 'DRTS Gaborone, Polota 1234' },
      occurredAt: occurred,
    });
    await smsc.waitFor((m) => m.to === to, 4);
    expect(
      messagesTo(to)
        .slice(2)
        .map((m) => m.text),
    ).toEqual([
      `Service Point: kopo ${ref} e dumeletswe. Re tla go romelela SMS fa e siame.`,
      `Service Point: kopo ${ref} e siame. E tsee kwa DRTS Gaborone, Polota 1234. Tla le resiti ya gago.`,
    ]);
    // Every message has its delivery receipt recorded.
    const ready = await settled(`status:`);
    expect(ready.receiptStat).toBe('DELIVRD');
    await waitFor('all delivered', async () => {
      const mine = (await gateway.store.sms.listMessages()).filter((m) => m.kind !== 'reminder');
      return mine.length === 4 && mine.every((m) => m.state === 'delivered') ? mine : undefined;
    });

    // The five-year licence's reminder waits for 60 days before it runs out.
    const reminder = await messageOf('reminder:licence-expiry:');
    expect(reminder.state).toBe('queued');
    const expires = new Date(occurred);
    expires.setUTCFullYear(expires.getUTCFullYear() + 5);
    expect(Date.parse(reminder.notBefore)).toBe(expires.getTime() - 60 * 86_400_000);
    expect(reminder.params.what).toBe('laesense ya go kgweetsa');

    // Nothing more goes out: no second copy of any alert.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(messagesTo(to)).toHaveLength(4);
  });

  it('never sends a second copy when the answer to submit_sm is lost (the in-doubt window)', async () => {
    const ref = await apply(licence('en'));
    await apply(optIn('en', ref, '+267 73 000 002'));
    const to = '26773000002';
    await smsc.waitFor((m) => m.to === to, 1);
    smsc.fault({ kind: 'no-answer' });
    await post(ref, 'approved');
    await smsc.waitFor((m) => m.to === to, 2);
    const inDoubt = await waitFor('in doubt', async () => {
      const found = (await gateway.store.sms.listMessages()).find(
        (m) => m.alertKey.startsWith(`status:`) && m.detail?.startsWith('in doubt'),
      );
      return found;
    });
    expect(inDoubt.state).toBe('sending');
    // A retry of its job finds it handed over and does not send it again.
    await gateway.store.jobs.enqueue([
      {
        queue: 'sms-send',
        key: `again-${inDoubt.messageId}`,
        payload: { messageId: inDoubt.messageId },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(messagesTo(to)).toHaveLength(2);

    // A process that died after opening the window (committed `submitting`, then submit_sm,
    // then nothing): the next attempt marks it in doubt and sends nothing.
    const reminder = await messageOf('reminder:licence-expiry:');
    expect(await gateway.store.sms.beginSubmit(reminder.messageId, 'dead-worker', 'x', 1)).toBe(
      true,
    );
    const before = smsc.received.length;
    await gateway.store.jobs.enqueue([
      {
        queue: 'sms-send',
        key: `crash-${reminder.messageId}`,
        payload: { messageId: reminder.messageId },
      },
    ]);
    const marked = await waitFor('marked', async () => {
      const found = await gateway.store.sms.getMessage(reminder.messageId);
      return found?.state === 'sending' ? found : undefined;
    });
    expect(marked.detail).toMatch(/^in doubt/);
    expect(smsc.received.length).toBe(before);
  });

  it('writes Spanish in UCS-2, a long alert in one message_payload, to a Belize mobile', async () => {
    const ref = await apply({ ...licence('es'), fee: { amountMinor: 0, currency: 'BZD' } });
    await apply(optIn('es', ref, '610-1234', 'BZ'));
    const to = '5016101234';
    await smsc.waitFor((m) => m.to === to, 1);
    await post(ref, 'more-information-needed', {
      needed: { en: 'Your old licence', es: 'Su licencia anterior y una foto tamaño pasaporte' },
    });
    const [, asked] = await smsc.waitFor((m) => m.to === to, 2);
    expect(asked?.text).toBe(
      `Service Point: la solicitud ${ref} necesita más información: Su licencia anterior y una foto tamaño pasaporte`,
    );
    // á and ó are not in GSM 03.38: UCS-2, and past 70 characters, so one message_payload.
    expect(asked?.dataCoding).toBe(8);
    const message = await waitFor('recorded', async () =>
      (await gateway.store.sms.listMessages()).find(
        (m) => m.params.ref === ref && m.kind === 'status',
      ),
    );
    expect(message.segments).toBe(2);
  });

  it('retries what the SMSC throttled, and records a number that cannot receive as a permanent failure', async () => {
    const ref = await apply(licence('en'));
    smsc.fault({ kind: 'status', status: 0x58 });
    await apply(optIn('en', ref, '72000001'));
    const confirmation = await waitFor('undeliverable', async () =>
      (await gateway.store.sms.listMessages()).find(
        (m) => m.params.ref === ref && m.state === 'permanent-failure',
      ),
    );
    expect(confirmation.receiptStat).toBe('UNDELIV');
    // Throttled once, then taken: the SMSC holds exactly one copy.
    expect(messagesTo('26772000001')).toHaveLength(1);
  });

  it('ends the subscription on a reply of STOP and sends nothing after it', async () => {
    const ref = await apply(licence('en'));
    await apply(optIn('en', ref, '74 000 003'));
    const to = '26774000003';
    await smsc.waitFor((m) => m.to === to, 1);
    expect(await smsc.reply('+26774000003', ' stop ')).toBe(0);
    await smsc.waitFor((m) => m.to === to, 2);
    expect(messagesTo(to)[1]?.text).toBe('Service Point: you will get no more SMS from us.');
    const ended = await waitFor('ended', async () => {
      const mine = (await gateway.store.sms.listMessages()).find(
        (m) => m.params.ref === ref && m.kind === 'subscribed',
      );
      const sub = mine ? await gateway.store.sms.getSubscription(mine.subscriptionId) : undefined;
      return sub?.endedAt ? sub : undefined;
    });
    expect(ended.endReason).toBe('stop');
    await post(ref, 'approved');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messagesTo(to)).toHaveLength(2);
  });

  it('refuses a number that is not a mobile of the country, and sends it nothing', async () => {
    const ref = await apply(licence('en'));
    await apply(optIn('en', ref, '391 2345'));
    const sub = await waitFor('checked', async () => {
      const subs = await gateway.store.sms.subscriptionsFor(ref);
      return subs.length === 0 ? true : undefined;
    });
    expect(sub).toBe(true);
    await post(ref, 'approved');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smsc.received.filter((m) => m.text.includes(ref))).toHaveLength(0);
  });

  it('counts subscribers and messages by service for the dashboard', async () => {
    // 4 + 1 + 2 + 2 (Belize) delivered; in-doubt messages stay sending, no receipt settles them.
    const figures = await waitFor('receipts', async () => {
      const now = await gateway.store.sms.figures();
      const delivered = now.services.find((s) => s.serviceId === LICENCE)?.messages.delivered;
      return delivered === 9 ? now : undefined;
    });
    const licences = figures.services.find((s) => s.serviceId === LICENCE);
    // Four numbers are subscribed: one replied STOP, one was not a mobile number. (A number
    // whose message could not be delivered stays subscribed, as with GOV.UK Notify.)
    expect(licences?.subscribers).toBe(4);
    expect(figures.stopped).toBe(1);
    // Sending: the in-doubt approval and the reminder the dead worker left in the window.
    expect(licences?.messages.sending).toBe(2);
    expect(licences?.messages['permanent-failure']).toBe(1);
    expect(sms?.phoneHash('+26771234567')).toMatch(/^[0-9a-f]{64}$/);
  });
  it('binds again when the SMSC drops the session, so a STOP written meanwhile is still heard', async () => {
    const ref = await apply(licence('tn'));
    await apply(optIn('tn', ref, '74 000 004'));
    const to = '26774000004';
    await smsc.waitFor((m) => m.to === to, 1);
    expect(smsc.boundSessions).toBe(1);
    const binds = smsc.bindCount;
    smsc.dropSessions();
    // Nothing is sent in between: the gateway binds again by itself. The fake SMSC counts a
    // session as bound when it answers the bind; the gateway's link only when that answer has
    // arrived, so wait for both sides (CI once saw the SMSC side first).
    const boundAgain = await waitFor('bound again', async () =>
      smsc.bindCount > binds && smsc.boundSessions === 1 && sms?.link.isBound ? true : undefined,
    );
    expect(boundAgain).toBe(true);
    expect(await smsc.reply('+26774000004', 'Emisa.')).toBe(0);
    await smsc.waitFor((m) => m.to === to, 2);
    expect(messagesTo(to)[1]?.text).toBe(
      'Service Point: ga o kitla o amogela SMS gape go tswa go rona.',
    );
  });
  it('takes a malformed receipt, one for an unknown message and a foreign reply, changing nothing', async () => {
    const ref = await apply(licence('en'));
    await apply(optIn('en', ref, '74 000 005'));
    const to = '26774000005';
    await smsc.waitFor((m) => m.to === to, 1);
    await waitFor('the confirmation delivered', async () =>
      (await gateway.store.sms.listMessages()).find(
        (m) => m.params.ref === ref && m.kind === 'subscribed' && m.state === 'delivered',
      ),
    );
    const subscription = async () => {
      const [sub] = await gateway.store.sms.subscriptionsFor(ref);
      return sub;
    };
    // A receipt (esm_class 0x04) that names no message, whose text reads STOP: not a reply.
    expect(await smsc.deliver({ source_addr: to, esm_class: 0x04, short_message: 'stop' })).toBe(0);
    expect(logged.at(-1)).toBe(
      'SMS delivery receipt not understood (no message id in the receipt): stop',
    );
    expect((await subscription())?.endedAt).toBeNull();
    // A receipt for a message this gateway never sent: looked for a while, then logged.
    const before = await gateway.store.sms.listMessages();
    expect(
      await smsc.deliver({
        source_addr: to,
        esm_class: 0x04,
        short_message:
          'id:ffffffff0000 sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:DELIVRD err:000 text:',
      }),
    ).toBe(0);
    expect(logged.at(-1)).toBe('SMS delivery receipt for unknown message ffffffff0000 (DELIVRD)');
    expect(await gateway.store.sms.listMessages()).toEqual(before);
    // STOP from a South African number, and from a number with no subscription: nothing ends.
    expect(await smsc.reply('+27821234567', 'STOP')).toBe(0);
    expect(await smsc.reply('+26775999999', 'STOP')).toBe(0);
    expect(await smsc.reply('not a number', 'STOP')).toBe(0);
    expect((await subscription())?.endedAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messagesTo(to)).toHaveLength(1);
  });
});

describe('the expiry reminder', () => {
  // The store's clock (when queued jobs fall due) runs `ahead` ms past the real one.
  let ahead = 0;
  let smsc: LocalSmsc;
  let gateway: InProcessGateway;
  let kiosk: NodeKiosk;
  const kioskId = 'sms-kiosk-02';
  let agencyKey: string;
  beforeAll(async () => {
    ({ smsc, gateway, kiosk, agencyKey } = await startSmsSite({
      kioskId,
      storeNow: () => new Date(Date.now() + ahead),
    }));
  });
  afterAll(async () => {
    await kiosk?.close();
    await gateway?.close();
    await smsc?.close();
  });

  it('goes out when it falls due, in Setswana with the date in words, once', async () => {
    const done = await kiosk.commit(licence('tn', '1'));
    await kiosk.commit(optIn('tn', done.ref, '74 000 006'));
    await kiosk.drain();
    const to = '26774000006';
    await smsc.waitFor((m) => m.to === to, 1);
    let readyAt = new Date();
    for (const [i, state] of ['approved', 'ready-for-collection'].entries()) {
      readyAt = new Date();
      const reply = await fetch(`${gateway.url}/agency/v1/applications/${done.ref}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agencyKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          eventId: `reminder-${i}`,
          state,
          ...(state === 'ready-for-collection'
            ? { collectAt: { en: 'DRTS Francistown' }, occurredAt: readyAt.toISOString() }
            : {}),
        }),
      });
      expect(reply.status, await reply.clone().text()).toBe(201);
    }
    await smsc.waitFor((m) => m.to === to, 3);
    // A one-year licence: the reminder waits until 60 days before it runs out, and not a day less.
    const expires = new Date(readyAt);
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smsc.received.filter((m) => m.to === to)).toHaveLength(3);
    ahead = expires.getTime() - 61 * 86_400_000 - Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smsc.received.filter((m) => m.to === to)).toHaveLength(3);
    // Sixty days before: it goes.
    ahead = expires.getTime() - 60 * 86_400_000 - Date.now() + 1_000;
    const [, , , reminder] = await smsc.waitFor((m) => m.to === to, 4);
    const words = formatDate(wallClock(expires, 'Africa/Gaborone'), 'tn');
    expect(words).toMatch(/^\d{1,2} \S+ \d{4}$/);
    expect(reminder?.text).toBe(
      `Service Point: laesense ya go kgweetsa ya gago e fela ka ${words}. E ntšhafatse kwa khiosikong epe ya Service Point.`,
    );
    // š is not in GSM 03.38: the reminder goes as UCS-2.
    expect(reminder?.dataCoding).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smsc.received.filter((m) => m.to === to)).toHaveLength(4);
  });
});
