import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { PDU } from 'smpp';
import { z } from 'zod';
import { countries } from '../../../kiosk-config/countries';
import type { CountryCode } from '../../../kiosk-config/countries';
import { formatDate, wallClock } from '../../../kiosk-config/formatting';
import { parseMobileNumber } from '../../../kiosk-config/phone-numbers';
import type { Catalogue, LanguageCode, ReminderDefinition } from '../../../kiosk-config/schema';
import { agencyTextIn, statusDetailSchema } from '../../protocol/application-status';
import { personalPayloadSchema } from '../../protocol/personal-fields';
import { openSealed, sealTo, sealedBoxSchema } from '../../protocol/sealed-box';
import { gatewayJobs } from '../app';
import { shippedCatalogues } from '../dashboard/dashboard-data';
import type { ClaimedJob } from '../jobs/job-queue';
import { JobError } from '../jobs/job-runner';
import type { JobRunner, QueueOptions } from '../jobs/job-runner';
import { nodeCrypto } from '../node-crypto';
import { loadOrCreateSealingKey } from '../sealing-key';
import type { SealingKey } from '../sealing-key';
import type { GatewayStore } from '../store';
import { parseDeliveryReceipt, receiptIdCandidates } from './delivery-receipt';
import { SmppLink, isBadDestination } from './smpp-link';
import type { SmscConfig } from './smpp-link';
import { SMS_QUEUES } from './sms-store';
import type { NewSmsMessage, StatusChangeForAlerts, SmsSubscription } from './sms-store';
import { renderSms } from './sms-templates';
import { messageText, smsEncoding } from './sms-text';

/** The key phone numbers are hashed under (a gateway setting, made at first start). */
const PHONE_KEY_SETTING = 'sms-phone-key.v1';

/**
 * Replies that end a subscription: the keywords carriers and GOV.UK Notify honour, and the words
 * a citizen of the two countries may write instead (Spanish BAJA, ALTO, PARAR, CANCELAR;
 * Setswana EMA, EMISA: "stop").
 */
export const STOP_WORDS = new Set([
  'STOP',
  'STOPALL',
  'END',
  'QUIT',
  'CANCEL',
  'UNSUBSCRIBE',
  'BAJA',
  'ALTO',
  'PARAR',
  'CANCELAR',
  'EMA',
  'EMISA',
]);

/**
 * Reads a citizen's reply: its keyword (the first word, upper case, letters only, accents
 * dropped: `Stop.` and `stop please` read STOP, `Bája` reads BAJA) and whether it ends the
 * subscription. Any other text is kept as its keyword and changes nothing.
 */
export function readReply(text: string): { keyword: string; stop: boolean } {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const keyword = first
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .slice(0, 20);
  return { keyword, stop: STOP_WORDS.has(keyword) || /^STOP\s*ALL$/i.test(text.trim()) };
}

export interface SmsAlertsOptions {
  store: GatewayStore;
  smsc: SmscConfig;
  /** Country catalogues (their reminders); default: kiosk-config/catalogue's two. */
  catalogues?: Catalogue[];
  now?: () => Date;
  log?: (message: string) => void;
  /** Retry back-off of sends the SMSC could not take (default from 5 s, doubling, ≤ 6 h). */
  retry?: QueueOptions['retry'];
}

export interface SmsAlerts {
  link: SmppLink;
  /** HMAC-SHA256 of an E.164 number under the gateway's phone key (what the tables hold). */
  phoneHash(e164: string): string;
}

const subscriptionJob = z.object({ subscriptionId: z.string() });
const statusJob = z.object({ txId: z.string(), version: z.number().int().min(1) });
const sendJob = z.object({ messageId: z.string() });

function addMonths(at: Date, months: number): Date {
  const next = new Date(at.getTime());
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}

/**
 * When a reminder is due for an application that reached the reminder's `after` state at
 * `change.occurredAt`: the end of the period and when to send (`daysBefore` earlier, or now if
 * that has passed). Undefined when the period is unknown (no years chosen) or already over.
 */
export function reminderDue(
  reminder: ReminderDefinition,
  change: Pick<StatusChangeForAlerts, 'occurredAt' | 'fields'>,
  now: Date,
): { expiresAt: Date; sendAt: Date } | undefined {
  const months =
    'months' in reminder.validFor
      ? reminder.validFor.months
      : Number(change.fields[reminder.validFor.yearsField]) * 12;
  if (!Number.isInteger(months) || months <= 0) return undefined;
  const expiresAt = addMonths(new Date(change.occurredAt), months);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  const sendAt = new Date(expiresAt.getTime() - reminder.daysBefore * 86_400_000);
  return { expiresAt, sendAt: sendAt.getTime() > now.getTime() ? sendAt : now };
}

/**
 * SMS alerts over SMPP for this gateway process: registers the handlers of the SMS queues on
 * the gateway's durable job runner, binds to the SMSC when the gateway starts (receipts and
 * replies come in on that session) and unbinds when it closes. Call after `buildGateway` and
 * before `listen`.
 *
 * Exactly once: every alert is a row keyed by its alert key (`status:<tx>:<version>:<sub>`,
 * `reminder:…`, `subscribed:<sub>`, `stopped:<sub>`), made once; its send job hands it to the
 * SMSC only from `queued`, through the `submitting` state committed before submit_sm is written.
 * A later attempt that finds it `submitting` (the process died, or the answer never came, inside
 * the window between submit_sm and submit_sm_resp) does not send it again: it marks it `sending`
 * "in doubt", and a delivery receipt still settles it. The cost is that such a message, if the
 * SMSC never got it, is not retried: a lost alert instead of a second copy.
 */
export async function registerSmsAlerts(
  app: FastifyInstance,
  options: SmsAlertsOptions,
): Promise<SmsAlerts> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((message: string) => app.log.info(message));
  const sealing: SealingKey = await loadOrCreateSealingKey(store);
  const phoneKey = Buffer.from(
    (await store.getSetting(PHONE_KEY_SETTING)) ??
      (await store.putSettingIfAbsent(PHONE_KEY_SETTING, randomBytes(32).toString('base64url'))),
    'base64url',
  );
  const phoneHash = (e164: string): string =>
    createHmac('sha256', phoneKey).update(e164, 'utf8').digest('hex');
  const catalogues = options.catalogues ?? shippedCatalogues();
  const runner: JobRunner = gatewayJobs(app);
  const phoneAad = (subscriptionId: string) => `sms-phone:${subscriptionId}`;

  const remindersFor = (serviceId: string, country: string | null): ReminderDefinition[] => {
    const catalogue =
      catalogues.find((c) => c.country === country && c.services.some((s) => s.id === serviceId)) ??
      catalogues.find((c) => c.services.some((s) => s.id === serviceId));
    return catalogue?.services.find((s) => s.id === serviceId)?.reminders ?? [];
  };

  const onDeliver = async (pdu: PDU): Promise<number> => {
    const text = messageText(pdu.message_payload ?? pdu.short_message);
    const receipt = parseDeliveryReceipt({ ...pdu, text });
    if (receipt && 'malformed' in receipt) {
      // Taken (so the SMSC does not send it again and again) and logged; never read as a reply.
      log(`SMS delivery receipt not understood (${receipt.malformed}): ${text.slice(0, 120)}`);
      return 0;
    }
    if (receipt) {
      // A receipt can overtake the write of submit_sm_resp's id: look again for a moment.
      for (let attempt = 0; attempt < 15; attempt += 1) {
        for (const id of receiptIdCandidates(receipt.smscMessageId)) {
          const message = await store.sms.applyReceipt({
            smscMessageId: id,
            state: receipt.state,
            stat: receipt.stat,
            error: receipt.error,
            at: now().toISOString(),
          });
          if (message) return 0;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      log(`SMS delivery receipt for unknown message ${receipt.smscMessageId} (${receipt.stat})`);
      return 0;
    }
    const source = String(pdu.source_addr ?? '');
    const number = parseMobileNumber(source.startsWith('+') ? source : `+${source}`);
    if (!number.ok) return 0;
    const { keyword, stop } = readReply(text);
    const { ended } = await store.sms.recordInbound({
      phoneHash: phoneHash(number.number.e164),
      keyword: keyword || '(none)',
      stop,
    });
    const last = [...ended].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
    if (last && last.phoneState === 'valid') {
      await store.sms.addMessages([
        {
          alertKey: `stopped:${last.subscriptionId}`,
          subscriptionId: last.subscriptionId,
          kind: 'stopped',
          template: 'sms.stopped',
          params: {},
          serviceId: last.serviceId,
          language: last.language,
          notBefore: now(),
        },
      ]);
      runner.poke();
    }
    return 0;
  };

  const link = new SmppLink(options.smsc, onDeliver, log);

  const checkSubscription = async (job: ClaimedJob): Promise<void> => {
    const { subscriptionId } = subscriptionJob.parse(job.payload);
    const optIn = await store.sms.optInRecord(subscriptionId);
    if (!optIn) throw new JobError(`no opt-in record ${subscriptionId}`, { permanent: true });
    const sub = optIn.subscription;
    if (sub.phoneState !== 'unchecked' || sub.endedAt) return;
    let phone: string | undefined;
    if (optIn.personalJson) {
      const opened = await openSealed(
        sealing.privateJwk,
        sealedBoxSchema.parse(JSON.parse(optIn.personalJson) as unknown),
        optIn.txId,
        nodeCrypto,
      );
      phone = personalPayloadSchema.parse(JSON.parse(opened) as unknown).fields.phone;
    }
    const hint = (optIn.fields.country ?? sub.country ?? undefined) as CountryCode | undefined;
    const parsed = phone
      ? parseMobileNumber(phone, hint && hint in countries ? hint : undefined)
      : undefined;
    if (!parsed?.ok) {
      await store.sms.setPhone(subscriptionId, {
        valid: false,
        why: parsed ? parsed.problem : 'no phone number was sent',
      });
      return;
    }
    const hash = phoneHash(parsed.number.e164);
    const sealed = await sealTo(
      sealing.publicJwk,
      parsed.number.e164,
      phoneAad(subscriptionId),
      nodeCrypto,
    );
    await store.sms.setPhone(subscriptionId, {
      valid: true,
      hash,
      sealed: JSON.stringify(sealed),
      country: parsed.number.country,
    });
    // The same number asking twice about one application gets one set of messages.
    if (sub.forRef) {
      const twin = (await store.sms.subscriptionsFor(sub.forRef)).find(
        (other) =>
          other.subscriptionId !== subscriptionId &&
          other.phoneHash === hash &&
          other.createdAt <= sub.createdAt,
      );
      if (twin) {
        await store.sms.endSubscription(subscriptionId, 'duplicate');
        return;
      }
    }
    await store.sms.addMessages([
      {
        alertKey: `subscribed:${subscriptionId}`,
        subscriptionId,
        kind: 'subscribed',
        template: sub.forRef ? 'sms.subscribed' : 'sms.subscribed.general',
        params: { ref: sub.forRef ?? '' },
        serviceId: sub.serviceId,
        language: sub.language,
        notBefore: now(),
      },
    ]);
    runner.poke();
  };

  const statusAlerts = async (job: ClaimedJob): Promise<void> => {
    const { txId, version } = statusJob.parse(job.payload);
    const change = await store.sms.statusChange(txId, version);
    if (!change) throw new JobError(`no status change ${txId} v${version}`, { permanent: true });
    const detail = statusDetailSchema.parse(JSON.parse(change.detailJson) as unknown);
    const subscriptions = (await store.sms.subscriptionsFor(change.ref)).filter(
      (sub: SmsSubscription) => sub.phoneState !== 'invalid',
    );
    const at = now();
    const messages: NewSmsMessage[] = [];
    for (const sub of subscriptions) {
      const language = sub.language;
      const text = (value: Parameters<typeof agencyTextIn>[0] | undefined) =>
        value === undefined ? '' : agencyTextIn(value, language);
      // "Only when a paper is ready" leaves out the approval (the ready message follows it).
      if (!(sub.alerts === 'ready' && change.state === 'approved')) {
        messages.push({
          alertKey: `status:${txId}:${version}:${sub.subscriptionId}`,
          subscriptionId: sub.subscriptionId,
          kind: 'status',
          template: `sms.status.${change.state}`,
          params: {
            ref: change.ref,
            needed: text(detail.needed),
            reason: text(detail.reason),
            collectAt: text(detail.collectAt),
          },
          serviceId: change.serviceId,
          language,
          notBefore: at,
        });
      }
      for (const reminder of remindersFor(change.serviceId, sub.country)) {
        if (reminder.after !== change.state) continue;
        const due = reminderDue(reminder, change, at);
        if (!due) continue;
        const lang = (
          ['en', 'es', 'bzj', 'tn'].includes(language) ? language : 'en'
        ) as LanguageCode;
        const zone = countries[(sub.country as CountryCode | null) ?? 'BW']?.timeZone ?? 'UTC';
        messages.push({
          alertKey: `reminder:${reminder.id}:${txId}:${sub.subscriptionId}`,
          subscriptionId: sub.subscriptionId,
          kind: 'reminder',
          template: 'sms.reminder.expiry',
          params: {
            ref: change.ref,
            what: reminder.what[lang] ?? reminder.what.en,
            date: formatDate(wallClock(due.expiresAt, zone), lang),
          },
          serviceId: change.serviceId,
          language,
          notBefore: due.sendAt,
        });
      }
    }
    await store.sms.addMessages(messages);
    runner.poke();
  };

  const send = async (job: ClaimedJob): Promise<void> => {
    const { messageId } = sendJob.parse(job.payload);
    const message = await store.sms.getMessage(messageId);
    if (!message) throw new JobError(`no SMS message ${messageId}`, { permanent: true });
    if (message.state === 'submitting') {
      // An earlier attempt opened the submit window and never closed it.
      await store.sms.markInDoubt(
        messageId,
        'in doubt: an earlier attempt may have handed it to the SMSC; not sent again',
      );
      return;
    }
    if (message.state !== 'queued') return;
    const sub = await store.sms.getSubscription(message.subscriptionId);
    const token = randomUUID();
    const cancel = async (why: string) => {
      if (await store.sms.beginSubmit(messageId, token, '', 0)) {
        await store.sms.notSubmitted(messageId, token, { state: 'cancelled', detail: why });
      }
    };
    if (!sub) return cancel('no such subscription');
    if (sub.endedAt && message.kind !== 'stopped')
      return cancel(`subscription ended (${sub.endReason ?? ''})`);
    if (sub.phoneState === 'invalid') return cancel('the phone number cannot receive SMS');
    if (sub.phoneState === 'unchecked' || !sub.phoneSealed) {
      throw new JobError('the phone number is not checked yet', { retryAfterMs: 2_000 });
    }
    const phone = await openSealed(
      sealing.privateJwk,
      sealedBoxSchema.parse(JSON.parse(sub.phoneSealed) as unknown),
      phoneAad(sub.subscriptionId),
      nodeCrypto,
    );
    const text = renderSms(message.template, message.language, message.params);
    if (!(await store.sms.beginSubmit(messageId, token, text, smsEncoding(text).segments))) return;
    const outcome = await link.submit(phone, text);
    const lastTry = job.attempt >= job.maxAttempts;
    switch (outcome.result) {
      case 'accepted':
        await store.sms.submitted(messageId, token, outcome.smscMessageId);
        return;
      case 'in-doubt':
        await store.sms.markInDoubt(messageId, `in doubt: ${outcome.detail}; not sent again`);
        return;
      case 'refused':
        if (!outcome.temporary) {
          await store.sms.notSubmitted(messageId, token, {
            state: isBadDestination(outcome.status) ? 'permanent-failure' : 'technical-failure',
            detail: outcome.detail,
          });
          return;
        }
        break;
      case 'not-sent':
        break;
    }
    await store.sms.notSubmitted(messageId, token, {
      state: lastTry ? 'technical-failure' : 'queued',
      detail: lastTry ? `gave up: ${outcome.detail}` : outcome.detail,
    });
    if (!lastTry) throw new JobError(outcome.detail);
  };

  runner
    .handle(SMS_QUEUES.subscription, checkSubscription, { concurrency: 2 })
    .handle(SMS_QUEUES.status, statusAlerts, { concurrency: 2 })
    .handle(SMS_QUEUES.send, send, {
      concurrency: 4,
      // Above the submit timeout, so a lease never runs out while an answer may still come.
      leaseMs: Math.max(60_000, (options.smsc.submitTimeoutMs ?? 30_000) * 2),
      retry: options.retry,
    });

  app.addHook('onReady', async () => {
    // Bind now so receipts and replies can come in; a failure is retried by the first send.
    await link.open().catch((error: Error) => log(`SMSC bind failed: ${error.message}`));
  });
  app.addHook('onClose', async () => {
    await link.close();
  });
  return { link, phoneHash };
}
