import type { QueueItem } from './officer-queue';

/** How the gateway's acknowledgements classify a transaction in the report. */
export type Reconciled = 'delivered' | 'awaiting' | 'rejected';

export interface ReportLine {
  key: string;
  count: number;
  /** Fee totals in minor units per currency. */
  totals: Record<string, number>;
}

export interface EndOfDayReport {
  kioskId: string;
  /** Local calendar day, `YYYY-MM-DD`. */
  day: string;
  officerId?: string;
  generatedAt: string;
  transactions: number;
  voided: number;
  byService: ReportLine[];
  byPaymentMethod: ReportLine[];
  byChannel: ReportLine[];
  reconciliation: Record<Reconciled, number>;
  /** Rows the kiosk believes delivered that the gateway does not list (should be zero). */
  unconfirmed: number;
  totals: Record<string, number>;
}

function addTo(lines: Map<string, ReportLine>, key: string, item: QueueItem): void {
  const line = lines.get(key) ?? { key, count: 0, totals: {} };
  line.count += 1;
  if (item.fee) {
    line.totals[item.fee.currency] = (line.totals[item.fee.currency] ?? 0) + item.fee.amountMinor;
  }
  lines.set(key, line);
}

const sorted = (lines: Map<string, ReportLine>): ReportLine[] =>
  [...lines.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

/**
 * The end-of-day report for a kiosk or one officer's counter: counts and fee totals per service,
 * payment method and channel, voided transactions left out of the totals, and each transaction
 * reconciled against the gateway: `delivered` when the gateway acknowledged it (and, when
 * `gatewayHeld` is given, still lists it), `awaiting` while queued, `rejected` when refused.
 */
export function buildEndOfDayReport(input: {
  kioskId: string;
  day: string;
  items: QueueItem[];
  officerId?: string;
  /** Transaction ids the gateway lists for this kiosk (GET …/acks); omit when offline. */
  gatewayHeld?: ReadonlySet<string>;
  now?: Date;
}): EndOfDayReport {
  const byService = new Map<string, ReportLine>();
  const byPayment = new Map<string, ReportLine>();
  const byChannel = new Map<string, ReportLine>();
  const totals: Record<string, number> = {};
  const reconciliation: Record<Reconciled, number> = { delivered: 0, awaiting: 0, rejected: 0 };
  let transactions = 0;
  let voided = 0;
  let unconfirmed = 0;
  for (const item of input.items) {
    if (item.kind !== 'transaction') continue;
    if (input.officerId && item.officerId !== input.officerId) continue;
    if (item.voided) {
      voided += 1;
      continue;
    }
    transactions += 1;
    addTo(byService, item.serviceId ?? '?', item);
    addTo(byPayment, item.paymentMethod ?? 'none', item);
    addTo(byChannel, item.channel ?? '?', item);
    if (item.fee)
      totals[item.fee.currency] = (totals[item.fee.currency] ?? 0) + item.fee.amountMinor;
    if (item.state === 'rejected') reconciliation.rejected += 1;
    else if (item.state === 'queued') reconciliation.awaiting += 1;
    else {
      reconciliation.delivered += 1;
      if (input.gatewayHeld && !input.gatewayHeld.has(item.txId)) unconfirmed += 1;
    }
  }
  return {
    kioskId: input.kioskId,
    day: input.day,
    ...(input.officerId ? { officerId: input.officerId } : {}),
    generatedAt: (input.now ?? new Date()).toISOString(),
    transactions,
    voided,
    byService: sorted(byService),
    byPaymentMethod: sorted(byPayment),
    byChannel: sorted(byChannel),
    reconciliation,
    unconfirmed,
    totals,
  };
}
