/**
 * What the gateway keeps about SMS alerts (tables of migration 0004-sms-alerts), as the SMS
 * service (sms-service.ts) reads and writes it. Implemented once over Kysely in
 * ../db/sms-store.ts. Subscriptions are added by the store itself when a batch chains an opt-in
 * record, and status alerts are queued in the same transaction as the status change, so neither
 * is lost between two commits.
 */

/** The queues of the durable job queue the SMS service handles. */
export const SMS_QUEUES = {
  /** Check a new subscription's phone number; send the confirmation. Payload `{subscriptionId}`. */
  subscription: 'sms-subscription',
  /** Make the alerts of one status change. Payload `{txId, version}`. */
  status: 'sms-status',
  /** Hand one message to the SMS centre. Payload `{messageId}`. */
  send: 'sms-send',
} as const;

/** The service the kiosk's SMS opt-in is recorded under (the receipt's opt-in and the form). */
import { SMS_OPT_IN_SERVICE } from '../../../kiosk-config/schema';

export { SMS_OPT_IN_SERVICE };

/**
 * Message states, in GOV.UK Notify's words: `queued` (not yet handed over), `sending` (the SMS
 * centre took it; waiting for the delivery receipt), `delivered`, `temporary-failure` (the
 * phone was off or out of reach until the message expired), `permanent-failure` (the number
 * cannot receive), `technical-failure` (it never reached the SMS centre). `submitting` is the
 * window between submit_sm and its response; `cancelled`: the subscription ended first.
 */
export type SmsMessageState =
  | 'queued'
  | 'submitting'
  | 'sending'
  | 'delivered'
  | 'temporary-failure'
  | 'permanent-failure'
  | 'technical-failure'
  | 'cancelled';

export interface SmsSubscription {
  subscriptionId: string;
  kioskId: string;
  /** The reference of the opt-in itself, and of the application it is about (null: general). */
  optInRef: string;
  forRef: string | null;
  serviceId: string | null;
  language: string;
  alerts: 'all' | 'ready';
  country: string | null;
  phoneState: 'unchecked' | 'valid' | 'invalid';
  phoneHash: string | null;
  /** The E.164 number sealed to the gateway (SealedBox JSON), once checked. */
  phoneSealed: string | null;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
}

export interface SmsMessage {
  messageId: string;
  alertKey: string;
  subscriptionId: string;
  kind: 'subscribed' | 'status' | 'reminder' | 'stopped';
  template: string;
  params: Record<string, string>;
  serviceId: string | null;
  language: string;
  state: SmsMessageState;
  notBefore: string;
  text: string | null;
  segments: number | null;
  smscMessageId: string | null;
  submittedAt: string | null;
  receiptStat: string | null;
  receiptError: string | null;
  receiptAt: string | null;
  detail: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewSmsMessage {
  alertKey: string;
  subscriptionId: string;
  kind: SmsMessage['kind'];
  template: string;
  params: Record<string, string>;
  serviceId: string | null;
  language: string;
  notBefore: Date;
}

/** The opt-in record behind a subscription, as received (personal fields still sealed). */
export interface OptInRecord {
  subscription: SmsSubscription;
  /** The record's transaction id: the sealed personal fields are bound to it. */
  txId: string;
  fields: Record<string, string>;
  personalJson: string | null;
}

/** One status change, for the alerts it makes. */
export interface StatusChangeForAlerts {
  txId: string;
  ref: string;
  serviceId: string;
  version: number;
  state: string;
  detailJson: string;
  occurredAt: string;
  /** The application's own answers (non-personal), for reminders such as a licence's years. */
  fields: Record<string, string>;
}

/** Subscribers and messages per service, for the dashboard. */
export interface SmsFigures {
  services: Array<{
    serviceId: string;
    /** Distinct phone numbers with an active subscription. */
    subscribers: number;
    subscriptions: number;
    messages: Partial<Record<SmsMessageState, number>>;
  }>;
  /** Distinct phone numbers with an active subscription, over all services. */
  subscribers: number;
  stopped: number;
}

export interface SmsStore {
  getSubscription(subscriptionId: string): Promise<SmsSubscription | undefined>;
  optInRecord(subscriptionId: string): Promise<OptInRecord | undefined>;
  /** Records the checked number, or that it is invalid (which ends the subscription). */
  setPhone(
    subscriptionId: string,
    phone:
      | { valid: true; hash: string; sealed: string; country: string }
      | { valid: false; why: string },
  ): Promise<void>;
  /** Active subscriptions about an application reference. */
  subscriptionsFor(ref: string): Promise<SmsSubscription[]>;
  /** Ends a subscription (a duplicate, a bad number); cancels its queued messages. */
  endSubscription(subscriptionId: string, reason: string): Promise<void>;
  /** A status change with what the alerts need, or undefined. */
  statusChange(txId: string, version: number): Promise<StatusChangeForAlerts | undefined>;
  /**
   * Adds messages (idempotent by alert key) and their send jobs in one transaction; returns
   * per message its id and whether it is new.
   */
  addMessages(messages: NewSmsMessage[]): Promise<Array<{ messageId: string; created: boolean }>>;
  getMessage(messageId: string): Promise<SmsMessage | undefined>;
  listMessages(options?: { subscriptionId?: string; limit?: number }): Promise<SmsMessage[]>;
  /**
   * Opens the submit window: `queued` → `submitting` under `token`, with the text about to be
   * sent. False when the message is not queued any more (sent, in doubt, cancelled).
   */
  beginSubmit(messageId: string, token: string, text: string, segments: number): Promise<boolean>;
  /** Closes it: the SMS centre took the message under `smscMessageId`. */
  submitted(messageId: string, token: string, smscMessageId: string): Promise<void>;
  /** Closes it without sending: back to `queued` (retry), or to a final state with why. */
  notSubmitted(
    messageId: string,
    token: string,
    outcome: {
      state: 'queued' | 'permanent-failure' | 'technical-failure' | 'cancelled';
      detail: string;
    },
  ): Promise<void>;
  /**
   * A message found in `submitting` by a later attempt, or whose response never came: it may
   * have been sent, so it is never sent again. Marked `sending` with the reason; a delivery
   * receipt that names it still settles it.
   */
  markInDoubt(messageId: string, detail: string): Promise<void>;
  /** Applies a delivery receipt; the message it names, or undefined when none has that id. */
  applyReceipt(receipt: {
    smscMessageId: string;
    state: SmsMessageState;
    stat: string;
    error: string | null;
    at: string;
  }): Promise<SmsMessage | undefined>;
  /** A mobile-originated message: STOP ends every active subscription of the number. */
  recordInbound(inbound: {
    phoneHash: string;
    keyword: string;
    stop: boolean;
  }): Promise<{ ended: SmsSubscription[] }>;
  figures(): Promise<SmsFigures>;
}
