import { buildReceiptContent } from '../../sync/bridge/receipt-content';
import type { PaymentMethod, ReceiptContent } from '../../sync/bridge/receipt-content';
import type { ReportDocument } from '../../sync/bridge/operator-payloads';
import { BUNDLE_PART_CHARS } from '../../sync/bridge/operator-payloads';
import { WAITING_AT_RESTART } from '../../sync/bridge/device-payloads';
import type { PrintJobReply } from '../../sync/bridge/device-payloads';
import { exportBundle } from '../../sync/client/bundle-export';
import type { DeadLetterRow, Subscribable } from '../../sync/client/store/outbox-store';
import { listQueueItems } from '../../sync/client/officer-queue';
import type { QueueItem } from '../../sync/client/officer-queue';
import { buildEndOfDayReport } from '../../sync/client/officer-report';
import type { EndOfDayReport } from '../../sync/client/officer-report';
import { recordReprint } from '../../sync/client/officer-records';
import { readCachedRoster } from '../../sync/client/officer-session';
import { countries } from '../../kiosk-config/countries';
import { dayInZone } from '../../kiosk-config/formatting';
import type { Translator } from '../i18n/translator';
import type { KioskRuntime } from './kiosk-runtime';

/** The site's calendar day `now` falls in (its country's time zone, not the device's). */
function siteDay(runtime: Pick<KioskRuntime, 'site'>, now: Date): ReturnType<typeof dayInZone> {
  return dayInZone(now, countries[runtime.site.country].timeZone);
}

/** Everything the kiosk committed today (the site's day), oldest first, with voids applied. */
export function listToday(
  runtime: Pick<KioskRuntime, 'store' | 'site'>,
  now = new Date(),
): Promise<QueueItem[]> {
  return listQueueItems(runtime.store, { sinceMs: siteDay(runtime, now).startMs });
}

/** The officer's name from the cached roster (for receipts), or the id when not listed. */
export async function officerName(
  runtime: Pick<KioskRuntime, 'store'>,
  officerId: string,
): Promise<string> {
  const roster = await readCachedRoster(runtime.store);
  return roster.find((entry) => entry.officerId === officerId)?.name ?? officerId;
}

const paymentMethods: readonly string[] = ['counter', 'mobile-money', 'card-terminal'];

/**
 * A copy of the receipt that already waits: for the printer (`printer`: held while it is out of
 * paper; it prints by itself), or for a person's answer since the kiosk restarted (`restart`:
 * listed with Print now / Do not print). Undefined when none waits, or the printer cannot say.
 */
async function copyWaiting(
  bridge: KioskRuntime['bridge'],
  txId: string,
): Promise<{ jobId: string; copy: number; waiting: 'printer' | 'restart' } | undefined> {
  const ofThis = (job: { jobId: string }) => job.jobId.startsWith(`${txId}#`);
  const copyOf = (job: { jobId: string; copy?: number | undefined }) =>
    job.copy ?? Number(job.jobId.slice(txId.length + 1));
  try {
    const [forPrinter, forPerson] = await Promise.all([
      bridge.invoke('printer:waiting-jobs'),
      bridge.invoke('printer:uncertain-jobs'),
    ]);
    const held = forPrinter.jobs.find(ofThis);
    if (held) return { jobId: held.jobId, copy: copyOf(held), waiting: 'printer' };
    const kept = forPerson.jobs.find((job) => ofThis(job) && job.reason === WAITING_AT_RESTART);
    if (kept) return { jobId: kept.jobId, copy: copyOf(kept), waiting: 'restart' };
  } catch {
    // The printer cannot say what waits: the reprint goes ahead.
  }
  return undefined;
}

/**
 * Prints a receipt again: the reprint is recorded in the chain first (so a printout cannot
 * exist without a record), then sent to the printer as the next copy number. When a copy of the
 * receipt already waits (held while the printer is out of paper, or kept for a person's answer
 * since the kiosk restarted), nothing is recorded or queued: that copy is the answer (`waiting`
 * says which), so taps while the paper is out make one copy, not one each. Should the printer
 * not say what waits, the reprint goes ahead.
 */
export async function reprintReceipt(
  runtime: Pick<KioskRuntime, 'store' | 'chain' | 'bridge' | 'site' | 'catalogue'>,
  input: { txId: string; officerId?: string; timeZone?: string },
): Promise<{ reply: PrintJobReply; copy: number; waiting?: 'printer' | 'restart' }> {
  const waiting = await copyWaiting(runtime.bridge, input.txId);
  if (waiting) {
    return {
      reply: { jobId: waiting.jobId, state: waiting.waiting === 'printer' ? 'held' : 'uncertain' },
      copy: waiting.copy,
      waiting: waiting.waiting,
    };
  }
  const earlier = (await runtime.store.rows()).filter(
    (row) => row.record.kind === 'reprint' && row.record.body.reprints.txId === input.txId,
  ).length;
  const { row } = await recordReprint(runtime.chain, input);
  if (row.record.kind !== 'transaction') throw new Error('not a transaction');
  const tx = row.record.body;
  const service = runtime.catalogue.services.find((s) => s.id === tx.serviceId);
  const method = tx.fields.paymentMethod ?? '';
  const content: ReceiptContent = buildReceiptContent({
    site: runtime.site,
    service: service ?? {
      id: tx.serviceId,
      title: { en: tx.serviceId },
      receiptText: { en: tx.serviceId },
    },
    transaction: tx,
    issuedAt: row.record.createdAt,
    // Printed at the site's wall-clock time, like the original.
    timeZone: input.timeZone ?? countries[runtime.site.country].timeZone,
    ...(paymentMethods.includes(method)
      ? {
          payment: {
            method: method as PaymentMethod,
            ...(tx.fields.paymentReference ? { reference: tx.fields.paymentReference } : {}),
          },
        }
      : {}),
    delivery: row.state === 'delivered' || row.state === 'purged' ? 'delivered' : 'queued',
    copy: earlier + 2,
  });
  const officer = tx.officerId
    ? { id: tx.officerId, name: await officerName(runtime, tx.officerId) }
    : undefined;
  const reply = await runtime.bridge.invoke('printer:print', {
    ...content,
    ...(officer ? { officer } : {}),
  });
  return { reply, copy: earlier + 2 };
}

/**
 * Which transaction ids the gateway holds for this kiosk (`GET …/acks`, paged), to reconcile
 * the report; undefined when the gateway cannot be reached (the report says so).
 */
export async function gatewayHeldIds(
  runtime: Pick<KioskRuntime, 'engine'>,
): Promise<Set<string> | undefined> {
  try {
    const held = new Set<string>();
    let fromSeq = 1;
    for (let page = 0; page < 1000; page += 1) {
      const acks = await runtime.engine.client.getAcks(fromSeq);
      for (const record of acks.records) held.add(record.id);
      const last = acks.records[acks.records.length - 1];
      if (!acks.more || !last) break;
      fromSeq = last.seq + 1;
    }
    return held;
  } catch {
    return undefined;
  }
}

export async function endOfDayReport(
  runtime: Pick<KioskRuntime, 'store' | 'engine' | 'info' | 'site'>,
  options: { officerId?: string; now?: Date } = {},
): Promise<{ report: EndOfDayReport; reconciled: boolean }> {
  const now = options.now ?? new Date();
  const [items, held] = await Promise.all([listToday(runtime, now), gatewayHeldIds(runtime)]);
  const report = buildEndOfDayReport({
    kioskId: runtime.info.kioskId,
    day: siteDay(runtime, now).day,
    items,
    ...(options.officerId ? { officerId: options.officerId } : {}),
    ...(held ? { gatewayHeld: held } : {}),
    now,
  });
  return { report, reconciled: held !== undefined };
}

/** The report's `YYYY-MM-DD` day as a calendar date. */
function dayOf(day: string): { year: number; month: number; day: number } {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return { year, month, day: date };
}

/**
 * The report in the officer's words, for the screen and for `report:pdf`: numbers, money and
 * dates by the formatting module, fees in the site's currency even when there are none.
 */
export function reportDocument(
  tr: Translator,
  runtime: Pick<KioskRuntime, 'site' | 'catalogue'>,
  input: { report: EndOfDayReport; reconciled: boolean; officerName?: string },
): ReportDocument {
  const { report } = input;
  const currency = countries[runtime.site.country].currency;
  const moneyTotals = (totals: Record<string, number>): string => tr.moneyTotals(totals, currency);
  const serviceTitle = (id: string): string => {
    const service = runtime.catalogue.services.find((s) => s.id === id);
    return service ? tr.text(service.title) : id;
  };
  const line = (label: (key: string) => string) => (l: EndOfDayReport['byService'][number]) => [
    label(l.key),
    tr.number(l.count),
    moneyTotals(l.totals),
  ];
  const columns = [
    tr.t('report.column.item'),
    tr.t('report.column.count'),
    tr.t('report.column.total'),
  ];
  // The payment methods in the words the receipt prints (payment.method.*).
  const known = (prefix: 'payment.method' | 'report.channel', key: string): string => {
    const id = `${prefix}.${key}`;
    const table: Record<string, string> = {
      'payment.method.counter': tr.t('payment.method.counter'),
      'payment.method.mobile-money': tr.t('payment.method.mobile-money'),
      'payment.method.card-terminal': tr.t('payment.method.card-terminal'),
      'payment.method.none': tr.t('payment.method.none'),
      'report.channel.self-service': tr.t('report.channel.self-service'),
      'report.channel.assisted': tr.t('report.channel.assisted'),
    };
    return table[id] ?? key;
  };
  return {
    fileStem: `end-of-day-${report.kioskId}-${report.day}${report.officerId ? `-${report.officerId}` : ''}`,
    language: tr.language,
    title: tr.t('report.title'),
    subtitle: [
      `${runtime.site.siteName} · ${report.kioskId}`,
      tr.t('report.day', { day: tr.date(dayOf(report.day)) }),
      ...(report.officerId
        ? [
            tr.t('report.forOfficer', {
              name: input.officerName ?? report.officerId,
              id: report.officerId,
            }),
          ]
        : [tr.t('report.wholeKiosk')]),
      tr.t('report.generated', { at: tr.dateTime(report.generatedAt) }),
    ],
    sections: [
      {
        heading: tr.t('report.summary'),
        columns: [tr.t('report.column.item'), tr.t('report.column.count')],
        rows: [
          [tr.t('report.transactions'), tr.number(report.transactions)],
          [tr.t('report.voided'), tr.number(report.voided)],
          [tr.t('report.total'), moneyTotals(report.totals)],
        ],
      },
      {
        heading: tr.t('report.byService'),
        columns,
        rows: report.byService.map(line(serviceTitle)),
        empty: tr.t('report.none'),
      },
      {
        heading: tr.t('report.byPayment'),
        columns,
        rows: report.byPaymentMethod.map(line((key) => known('payment.method', key))),
        empty: tr.t('report.none'),
      },
      {
        heading: tr.t('report.byChannel'),
        columns,
        rows: report.byChannel.map(line((key) => known('report.channel', key))),
        empty: tr.t('report.none'),
      },
      {
        heading: input.reconciled
          ? tr.t('report.reconciliation')
          : tr.t('report.reconciliationOffline'),
        columns: [tr.t('report.column.item'), tr.t('report.column.count')],
        rows: [
          [tr.t('report.delivered'), tr.number(report.reconciliation.delivered)],
          [tr.t('report.awaiting'), tr.number(report.reconciliation.awaiting)],
          [tr.t('report.rejected'), tr.number(report.reconciliation.rejected)],
          ...(input.reconciled
            ? [[tr.t('report.unconfirmed'), tr.number(report.unconfirmed)]]
            : []),
        ],
      },
    ],
  };
}

/**
 * Exports every queued record as a USB bundle and writes it through the shell in parts.
 * The rows stay queued; they are marked delivered when the gateway says it holds them.
 */
export async function exportBundleToDrive(
  runtime: Pick<KioskRuntime, 'chain' | 'bridge' | 'info'>,
  target?: string,
): Promise<{
  path: string;
  bytes: number;
  count: number;
  fromSeq: number;
  toSeq: number;
  /** Records left out: their personal copy cannot be opened (now rejected on the kiosk). */
  unreadable: number;
}> {
  const bundle = await exportBundle(runtime.chain);
  const writeId = crypto.randomUUID();
  const parts = Math.max(1, Math.ceil(bundle.text.length / BUNDLE_PART_CHARS));
  for (let index = 0; index < parts; index += 1) {
    const reply = await runtime.bridge.invoke('bundle:write', {
      writeId,
      fileName: bundle.fileName,
      ...(target ? { target } : {}),
      index,
      text: bundle.text.slice(index * BUNDLE_PART_CHARS, (index + 1) * BUNDLE_PART_CHARS),
      last: index === parts - 1,
    });
    if (reply.state === 'written') {
      return {
        path: reply.path,
        bytes: reply.bytes,
        count: bundle.manifest.count,
        fromSeq: bundle.manifest.fromSeq,
        toSeq: bundle.manifest.toSeq,
        unreadable: bundle.unreadable,
      };
    }
  }
  throw new Error('the shell did not confirm the bundle was written');
}

export interface OfficerView {
  items: QueueItem[];
  waiting: QueueItem[];
  deadLetters: DeadLetterRow[];
}

/** Today's items and the dead letters, live: the tools screen updates as the engine delivers. */
export function observeOfficerView(
  runtime: Pick<KioskRuntime, 'store' | 'site'>,
): Subscribable<OfficerView> {
  const { store } = runtime;
  return store.observe(async () => ({
    items: await listToday(runtime),
    // Queued or rejected from before today still belong in the queue view.
    waiting: await listQueueItems(store, { states: ['queued', 'rejected'] }),
    deadLetters: await store.deadLetters(),
  }));
}
