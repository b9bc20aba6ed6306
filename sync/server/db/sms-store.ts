import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import { SMS_OPT_IN_SERVICE, SMS_QUEUES } from '../sms/sms-store';
import type {
  SmsFigures,
  SmsMessage,
  SmsMessageState,
  SmsStore,
  SmsSubscription,
} from '../sms/sms-store';
import { enqueueJobsIn } from './job-queue-store';
import type { ChainedRecord } from './schema';
import type { GatewayTables, SqlDialect } from './schema';

type Trx = Transaction<GatewayTables>;
type Executor = Kysely<GatewayTables> | Trx;

/** The state changes a citizen is told about (the rest, in-review and collected, are not news). */
export const ALERT_STATES = [
  'more-information-needed',
  'approved',
  'refused',
  'ready-for-collection',
] as const;

const recordFieldsSchema = z.object({
  body: z.object({
    txId: z.string(),
    ref: z.string(),
    language: z.string(),
    fields: z.record(z.string(), z.string()),
  }),
});

const toSubscription = (row: Selectable<GatewayTables['sms_subscriptions']>): SmsSubscription => ({
  subscriptionId: row.subscription_id,
  kioskId: row.kiosk_id,
  optInRef: row.opt_in_ref,
  forRef: row.for_ref,
  serviceId: row.service_id,
  language: row.language,
  alerts: row.alerts === 'ready' ? 'ready' : 'all',
  country: row.country,
  phoneState: row.phone_state,
  phoneHash: row.phone_hash,
  phoneSealed: row.phone_sealed,
  createdAt: row.created_at,
  endedAt: row.ended_at,
  endReason: row.end_reason,
});

const toMessage = (row: Selectable<GatewayTables['sms_messages']>): SmsMessage => ({
  messageId: row.message_id,
  alertKey: row.alert_key,
  subscriptionId: row.subscription_id,
  kind: row.kind as SmsMessage['kind'],
  template: row.template,
  params: z.record(z.string(), z.string()).parse(JSON.parse(row.params_json) as unknown),
  serviceId: row.service_id,
  language: row.language,
  state: row.state,
  notBefore: row.not_before,
  text: row.text,
  segments: row.segments,
  smscMessageId: row.smsc_message_id,
  submittedAt: row.submitted_at,
  receiptStat: row.receipt_stat,
  receiptError: row.receipt_error,
  receiptAt: row.receipt_at,
  detail: row.detail,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The service of the application behind a reference (the first received), if it is here. */
async function serviceOfRef(executor: Executor, ref: string): Promise<string | null> {
  const row = await executor
    .selectFrom('records')
    .select('service_id')
    .where('ref', '=', ref)
    .where('kind', '=', 'transaction')
    .orderBy('received_at')
    .limit(1)
    .executeTakeFirst();
  return row?.service_id ?? null;
}

/**
 * Adds a subscription for each SMS opt-in record that has just been chained, inside the batch's
 * own transaction, with the job that checks its number. The opt-in names the application
 * (`forReference`), the alerts wanted (`alerts`) and the kiosk's country (`country`); its
 * language is the one the citizen used. The phone number stays sealed until the job opens it.
 */
export async function addSubscriptionsIn(
  trx: Trx,
  chained: ChainedRecord[],
  now: Date,
): Promise<number> {
  const optIns = chained.filter(
    (row) => row.kind === 'transaction' && row.service_id === SMS_OPT_IN_SERVICE,
  );
  if (optIns.length === 0) return 0;
  let added = 0;
  for (const optIn of optIns) {
    const row = await trx
      .selectFrom('records')
      .select(['kiosk_id', 'record_json'])
      .where('tx_id', '=', optIn.tx_id)
      .executeTakeFirstOrThrow();
    const parsed = recordFieldsSchema.safeParse(JSON.parse(row.record_json) as unknown);
    if (!parsed.success) continue;
    const { fields, language, ref } = parsed.data.body;
    const forRef = fields.forReference?.trim() || null;
    const inserted = await trx
      .insertInto('sms_subscriptions')
      .values({
        subscription_id: optIn.tx_id,
        kiosk_id: row.kiosk_id,
        opt_in_ref: ref,
        for_ref: forRef,
        service_id: forRef ? await serviceOfRef(trx, forRef) : SMS_OPT_IN_SERVICE,
        language,
        alerts: fields.alerts === 'ready' ? 'ready' : 'all',
        country: fields.country ?? null,
        phone_state: 'unchecked',
        phone_hash: null,
        phone_sealed: null,
        created_at: now.toISOString(),
        ended_at: null,
        end_reason: null,
      })
      .onConflict((conflict) => conflict.column('subscription_id').doNothing())
      .returning('subscription_id')
      .executeTakeFirst();
    if (!inserted) continue;
    await enqueueJobsIn(
      trx,
      [
        {
          queue: SMS_QUEUES.subscription,
          key: optIn.tx_id,
          payload: { subscriptionId: optIn.tx_id },
        },
      ],
      now,
    );
    added += 1;
  }
  return added;
}

/**
 * Queues the alerts of a status change that was just recorded, inside its own transaction: one
 * `sms-status` job per change (keyed by application and version) when the new state is news
 * and someone subscribed to the reference. The job makes the messages.
 */
export async function queueStatusAlertsIn(
  trx: Trx,
  change: { txId: string; ref: string; version: number; state: string },
  now: Date,
): Promise<boolean> {
  if (!(ALERT_STATES as readonly string[]).includes(change.state)) return false;
  const subscribed = await trx
    .selectFrom('sms_subscriptions')
    .select('subscription_id')
    .where('for_ref', '=', change.ref)
    .where('ended_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (!subscribed) return false;
  await enqueueJobsIn(
    trx,
    [
      {
        queue: SMS_QUEUES.status,
        key: `${change.txId}:${change.version}`,
        payload: { txId: change.txId, version: change.version },
      },
    ],
    now,
  );
  return true;
}

/** The SMS tables over Kysely (see SmsStore in ../sms/sms-store.ts). */
export function smsStore(
  db: Kysely<GatewayTables>,
  dialect: SqlDialect,
  now: () => Date,
): SmsStore {
  const lock = dialect === 'postgres';
  const cancelQueued = (trx: Trx, subscriptionId: string, why: string) =>
    trx
      .updateTable('sms_messages')
      .set({ state: 'cancelled', detail: why, updated_at: now().toISOString() })
      .where('subscription_id', '=', subscriptionId)
      .where('state', '=', 'queued')
      .execute();

  return {
    async getSubscription(subscriptionId) {
      const row = await db
        .selectFrom('sms_subscriptions')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    },
    async optInRecord(subscriptionId) {
      const sub = await db
        .selectFrom('sms_subscriptions')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .executeTakeFirst();
      if (!sub) return undefined;
      const record = await db
        .selectFrom('records')
        .select(['tx_id', 'record_json', 'personal_json'])
        .where('tx_id', '=', subscriptionId)
        .executeTakeFirst();
      if (!record) return undefined;
      const parsed = recordFieldsSchema.parse(JSON.parse(record.record_json) as unknown);
      return {
        subscription: toSubscription(sub),
        txId: record.tx_id,
        fields: parsed.body.fields,
        personalJson: record.personal_json,
      };
    },
    async setPhone(subscriptionId, phone) {
      await db.transaction().execute(async (trx) => {
        const sub = await trx
          .selectFrom('sms_subscriptions')
          .select(['for_ref', 'service_id'])
          .where('subscription_id', '=', subscriptionId)
          .$if(lock, (q) => q.forUpdate())
          .executeTakeFirst();
        if (!sub) return;
        const serviceId =
          sub.service_id ?? (sub.for_ref ? await serviceOfRef(trx, sub.for_ref) : null);
        if (phone.valid) {
          await trx
            .updateTable('sms_subscriptions')
            .set({
              phone_state: 'valid',
              phone_hash: phone.hash,
              phone_sealed: phone.sealed,
              country: phone.country,
              service_id: serviceId,
            })
            .where('subscription_id', '=', subscriptionId)
            .execute();
          return;
        }
        await trx
          .updateTable('sms_subscriptions')
          .set({
            phone_state: 'invalid',
            service_id: serviceId,
            ended_at: now().toISOString(),
            end_reason: `invalid-number: ${phone.why}`,
          })
          .where('subscription_id', '=', subscriptionId)
          .where('ended_at', 'is', null)
          .execute();
        await cancelQueued(trx, subscriptionId, 'the phone number cannot receive SMS');
      });
    },
    async subscriptionsFor(ref) {
      const rows = await db
        .selectFrom('sms_subscriptions')
        .selectAll()
        .where('for_ref', '=', ref)
        .where('ended_at', 'is', null)
        .orderBy('created_at')
        .orderBy('subscription_id')
        .execute();
      return rows.map(toSubscription);
    },
    async endSubscription(subscriptionId, reason) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('sms_subscriptions')
          .set({ ended_at: now().toISOString(), end_reason: reason })
          .where('subscription_id', '=', subscriptionId)
          .where('ended_at', 'is', null)
          .execute();
        await cancelQueued(trx, subscriptionId, `subscription ended: ${reason}`);
      });
    },
    async statusChange(txId, version) {
      const event = await db
        .selectFrom('status_events')
        .selectAll()
        .where('tx_id', '=', txId)
        .where('version', '=', version)
        .executeTakeFirst();
      if (!event) return undefined;
      const record = await db
        .selectFrom('records')
        .select(['service_id', 'record_json'])
        .where('tx_id', '=', txId)
        .executeTakeFirst();
      if (!record) return undefined;
      const parsed = recordFieldsSchema.safeParse(JSON.parse(record.record_json) as unknown);
      return {
        txId,
        ref: event.ref,
        serviceId: record.service_id,
        version,
        state: event.state,
        detailJson: event.detail_json,
        occurredAt: event.occurred_at,
        fields: parsed.success ? parsed.data.body.fields : {},
      };
    },
    addMessages(messages) {
      if (messages.length === 0) return Promise.resolve([]);
      return db.transaction().execute(async (trx) => {
        const at = now();
        const results: Array<{ messageId: string; created: boolean }> = [];
        for (const message of messages) {
          const messageId = randomUUID();
          const inserted = await trx
            .insertInto('sms_messages')
            .values({
              message_id: messageId,
              alert_key: message.alertKey,
              subscription_id: message.subscriptionId,
              kind: message.kind,
              template: message.template,
              params_json: JSON.stringify(message.params),
              service_id: message.serviceId,
              language: message.language,
              state: 'queued',
              not_before: message.notBefore.toISOString(),
              text: null,
              segments: null,
              submit_token: null,
              smsc_message_id: null,
              submitted_at: null,
              receipt_stat: null,
              receipt_error: null,
              receipt_at: null,
              detail: null,
              created_at: at.toISOString(),
              updated_at: at.toISOString(),
            })
            .onConflict((conflict) => conflict.column('alert_key').doNothing())
            .returning('message_id')
            .executeTakeFirst();
          if (!inserted) {
            const existing = await trx
              .selectFrom('sms_messages')
              .select('message_id')
              .where('alert_key', '=', message.alertKey)
              .executeTakeFirstOrThrow();
            results.push({ messageId: existing.message_id, created: false });
            continue;
          }
          await enqueueJobsIn(
            trx,
            [
              {
                queue: SMS_QUEUES.send,
                key: messageId,
                payload: { messageId },
                runAt: message.notBefore,
              },
            ],
            at,
          );
          results.push({ messageId, created: true });
        }
        return results;
      });
    },
    async getMessage(messageId) {
      const row = await db
        .selectFrom('sms_messages')
        .selectAll()
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      return row ? toMessage(row) : undefined;
    },
    async listMessages(options = {}) {
      const rows = await db
        .selectFrom('sms_messages')
        .selectAll()
        .$if(options.subscriptionId !== undefined, (q) =>
          q.where('subscription_id', '=', options.subscriptionId ?? ''),
        )
        .orderBy('created_at', 'desc')
        .orderBy('message_id')
        .limit(options.limit ?? 200)
        .execute();
      return rows.map(toMessage);
    },
    async beginSubmit(messageId, token, text, segments) {
      const at = now().toISOString();
      const updated = await db
        .updateTable('sms_messages')
        .set({ state: 'submitting', submit_token: token, text, segments, updated_at: at })
        .where('message_id', '=', messageId)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },
    async submitted(messageId, token, smscMessageId) {
      const at = now().toISOString();
      await db
        .updateTable('sms_messages')
        .set({
          state: 'sending',
          smsc_message_id: smscMessageId,
          submitted_at: at,
          updated_at: at,
        })
        .where('message_id', '=', messageId)
        .where('submit_token', '=', token)
        // A later attempt may have marked it in doubt meanwhile: the answer settles that too.
        .where('state', 'in', ['submitting', 'sending'])
        .where('smsc_message_id', 'is', null)
        .execute();
    },
    async notSubmitted(messageId, token, outcome) {
      await db
        .updateTable('sms_messages')
        .set({ state: outcome.state, detail: outcome.detail, updated_at: now().toISOString() })
        .where('message_id', '=', messageId)
        .where('submit_token', '=', token)
        .where('state', '=', 'submitting')
        .execute();
    },
    async markInDoubt(messageId, detail) {
      await db
        .updateTable('sms_messages')
        .set({ state: 'sending', detail, updated_at: now().toISOString() })
        .where('message_id', '=', messageId)
        .where('state', '=', 'submitting')
        .execute();
    },
    async applyReceipt(receipt) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('sms_messages')
          .selectAll()
          .where('smsc_message_id', '=', receipt.smscMessageId)
          .$if(lock, (q) => q.forUpdate())
          .executeTakeFirst();
        if (!row) return undefined;
        // Intermediate receipts (ENROUTE, ACCEPTD) keep it sending; a final one is final.
        const final = row.state !== 'sending' && row.state !== 'submitting';
        const state: SmsMessageState = final ? row.state : receipt.state;
        await trx
          .updateTable('sms_messages')
          .set({
            state,
            receipt_stat: receipt.stat,
            receipt_error: receipt.error,
            receipt_at: receipt.at,
            updated_at: now().toISOString(),
          })
          .where('message_id', '=', row.message_id)
          .execute();
        return toMessage({
          ...row,
          state,
          receipt_stat: receipt.stat,
          receipt_error: receipt.error,
          receipt_at: receipt.at,
        });
      });
    },
    async recordInbound(inbound) {
      return db.transaction().execute(async (trx) => {
        const at = now().toISOString();
        let ended: SmsSubscription[] = [];
        if (inbound.stop) {
          const rows = await trx
            .selectFrom('sms_subscriptions')
            .selectAll()
            .where('phone_hash', '=', inbound.phoneHash)
            .where('ended_at', 'is', null)
            .$if(lock, (q) => q.forUpdate())
            .execute();
          ended = rows.map(toSubscription);
          for (const sub of rows) {
            await trx
              .updateTable('sms_subscriptions')
              .set({ ended_at: at, end_reason: 'stop' })
              .where('subscription_id', '=', sub.subscription_id)
              .execute();
            await cancelQueued(trx, sub.subscription_id, 'the citizen replied STOP');
          }
        }
        await trx
          .insertInto('sms_inbound')
          .values({
            phone_hash: inbound.phoneHash,
            keyword: inbound.keyword.slice(0, 20),
            received_at: at,
            action: inbound.stop ? `stop: ${ended.length} subscription(s) ended` : 'ignored',
          })
          .execute();
        return { ended };
      });
    },
    async figures(): Promise<SmsFigures> {
      const subs = await db
        .selectFrom('sms_subscriptions')
        .select(['service_id', 'phone_hash', 'phone_state', 'ended_at', 'end_reason'])
        .execute();
      const messages = await db
        .selectFrom('sms_messages')
        .select((eb) => ['service_id', 'state', eb.fn.countAll<number>().as('n')])
        .groupBy(['service_id', 'state'])
        .execute();
      const byService = new Map<
        string,
        {
          phones: Set<string>;
          subscriptions: number;
          messages: Partial<Record<SmsMessageState, number>>;
        }
      >();
      const entry = (serviceId: string | null) => {
        const key = serviceId ?? 'unknown';
        let found = byService.get(key);
        if (!found) {
          found = { phones: new Set(), subscriptions: 0, messages: {} };
          byService.set(key, found);
        }
        return found;
      };
      const everyone = new Set<string>();
      let stopped = 0;
      for (const sub of subs) {
        if (sub.end_reason === 'stop') stopped += 1;
        if (sub.ended_at !== null || sub.phone_state !== 'valid' || !sub.phone_hash) continue;
        const e = entry(sub.service_id);
        e.subscriptions += 1;
        e.phones.add(sub.phone_hash);
        everyone.add(sub.phone_hash);
      }
      for (const row of messages) {
        const e = entry(row.service_id);
        e.messages[row.state] = (e.messages[row.state] ?? 0) + Number(row.n);
      }
      return {
        services: [...byService.entries()]
          .map(([serviceId, e]) => ({
            serviceId,
            subscribers: e.phones.size,
            subscriptions: e.subscriptions,
            messages: e.messages,
          }))
          .sort((a, b) => b.subscribers - a.subscribers || a.serviceId.localeCompare(b.serviceId)),
        subscribers: everyone.size,
        stopped,
      };
    },
  };
}
