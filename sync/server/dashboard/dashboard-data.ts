import { parseCatalogue } from '../../../kiosk-config/load';
import { embeddedCatalogues } from '../../../kiosk-config/index';
import type { Catalogue } from '../../../kiosk-config/schema';
import type { FeedCursor } from '../agency/agencies';
import { WEBHOOK_QUEUE } from '../db/agency-store';
import type { GatewayStore, StoredTamperAlert, TransactionCount } from '../store';
import type { SmsFigures } from '../sms/sms-store';
import type { ChainWedge } from '../chain-repair';
import { decisionFigures, servicesOf, smsSubscriptions } from './decision-figures';
import type { DecisionFigures, ServiceInfo, SmsSubscriptionRow } from './decision-figures';

/** The service that records SMS opt-ins (the receipt's "send me an SMS"). */
import { SMS_OPT_IN_SERVICE } from '../../../kiosk-config/schema';

export { SMS_OPT_IN_SERVICE };
/** Processing figures cover applications submitted in this many days before now. */
export const FIGURES_DAYS = 365;

/** The catalogues shipped with Service Point (both countries), for names and targets. */
export function shippedCatalogues(): Catalogue[] {
  return (['BZ', 'BW'] as const).map((code) => {
    const parsed = parseCatalogue(embeddedCatalogues[code], `catalogue ${code}`);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  });
}

/** An agency as the dashboard lists it. */
export interface AgencyOverview {
  agencyId: string;
  name: string;
  services: string[];
  webhookUrl: string | null;
  disabled: boolean;
  cursor: FeedCursor;
  lastCallAt: string | null;
  /** Webhook deliveries given up (kept for the administrator to look into). */
  deadWebhooks: number;
}

/** A kiosk is shown as online when its last heartbeat is younger than this. */
export const ONLINE_WITHIN_MS = 15 * 60_000;

export interface KioskHealth {
  kioskId: string;
  siteId: string;
  lastHeartbeatAt: string | null;
  link: 'online' | 'offline' | 'never';
  queueDepth: number | null;
  oldestQueuedAgeMs: number | null;
  lastDeliveryAt: string | null;
  printer: string;
  cardReader: string;
  simulated: string[];
  appVersion: string;
  configVersion: string;
  headSeq: number;
  awaiting: number;
  /** Tamper alerts still open (the conflict and mismatch at a repaired seq are not). */
  alerts: StoredTamperAlert[];
  /** Alerts an administrator's chain repair settled (kept, shown as settled). */
  repairedAlerts: number;
}

export interface FleetView {
  generatedAt: string;
  /** IANA zone the dashboard shows times in: the first served catalogue's country's. */
  timeZone: string;
  kiosks: KioskHealth[];
  counts: TransactionCount[];
  /** Transactions completed via access points (voided ones left out), per year and channel. */
  years: Array<{ year: string; selfService: number; assisted: number; total: number }>;
  /** Site per kiosk id, from heartbeats (the kiosk id when a kiosk has not said). */
  siteOf: Record<string, string>;
  /** Service titles (English, from the shipped catalogues) by service id. */
  serviceTitles: Record<string, string>;
  /** Submission to decision, by service and by site (the last FIGURES_DAYS days). */
  decisions: DecisionFigures;
  /** SMS opt-ins by the service of the receipt they were made for. */
  sms: SmsSubscriptionRow[];
  agencies: AgencyOverview[];
  /** SMS alerts: active subscribers (checked numbers) and messages by state, per service. */
  smsAlerts: SmsFigures;
  /** Kiosk chains stopped by a held record that does not link (shown until repaired). */
  wedges: ChainWedge[];
}

export async function loadFleetView(
  store: GatewayStore,
  now: Date,
  services: ReadonlyMap<string, ServiceInfo> = servicesOf(shippedCatalogues()),
): Promise<FleetView> {
  const kiosks: KioskHealth[] = [];
  for (const kiosk of await store.listKiosks()) {
    const [beat, allAlerts, counts, repairs] = await Promise.all([
      store.lastHeartbeat(kiosk.kioskId),
      store.listTamperAlerts(kiosk.kioskId),
      store.countRecords(kiosk.kioskId),
      store.chains.repairs(kiosk.kioskId),
    ]);
    // A repair decides its seq: the refusals there and the stray's own mismatch are settled,
    // unless raised again after it was decided.
    const settled = (alert: StoredTamperAlert) =>
      (alert.kind === 'seq-conflict' || alert.kind === 'chain-mismatch') &&
      repairs.some((repair) => repair.seq === alert.seq && repair.decidedAt >= alert.lastAt);
    const alerts = allAlerts.filter((alert) => !settled(alert));
    const at = beat ? Date.parse(beat.receivedAt) : NaN;
    kiosks.push({
      kioskId: kiosk.kioskId,
      siteId: beat?.beat.siteId ?? kiosk.kioskId,
      lastHeartbeatAt: beat?.receivedAt ?? null,
      link: !beat ? 'never' : now.getTime() - at < ONLINE_WITHIN_MS ? 'online' : 'offline',
      queueDepth: beat?.beat.queueDepth ?? null,
      oldestQueuedAgeMs:
        beat?.beat.oldestQueuedAt != null ? Math.max(0, at - beat.beat.oldestQueuedAt) : null,
      lastDeliveryAt:
        beat?.beat.lastDeliveryAt != null ? new Date(beat.beat.lastDeliveryAt).toISOString() : null,
      printer: beat?.beat.devices?.printer ?? 'unknown',
      cardReader: beat?.beat.devices?.cardReader ?? 'unknown',
      simulated: beat?.beat.devices?.simulated ?? [],
      appVersion: beat?.beat.appVersion ?? '—',
      configVersion: beat?.beat.configVersion ?? '—',
      headSeq: kiosk.head.seq,
      awaiting: counts.awaiting,
      alerts,
      repairedAlerts: allAlerts.length - alerts.length,
    });
  }
  const counts = await store.transactionCounts('0000-01-01');
  const byYear = new Map<string, { selfService: number; assisted: number }>();
  for (const row of counts) {
    const year = row.day.slice(0, 4);
    const entry = byYear.get(year) ?? { selfService: 0, assisted: 0 };
    const completed = row.count - row.voided;
    if (row.channel === 'assisted') entry.assisted += completed;
    else entry.selfService += completed;
    byYear.set(year, entry);
  }
  const siteOf = Object.fromEntries(kiosks.map((k) => [k.kioskId, k.siteId]));
  const fromDay = new Date(now.getTime() - FIGURES_DAYS * 86_400_000).toISOString().slice(0, 10);
  const optIns = await store.transactionsOf(SMS_OPT_IN_SERVICE);
  const optInRefs = [
    ...new Set(optIns.flatMap((o) => (o.fields.forReference ? [o.fields.forReference] : []))),
  ];
  const serviceOfRef = new Map<string, string>();
  for (let i = 0; i < optInRefs.length; i += 500) {
    for (const row of await store.findByRefs(optInRefs.slice(i, i + 500))) {
      serviceOfRef.set(row.ref, row.serviceId);
    }
  }
  const deadHooks = await store.jobs.list(WEBHOOK_QUEUE, { state: 'dead', limit: 10_000 });
  const agencies: AgencyOverview[] = [];
  for (const agency of await store.agencies.list()) {
    const [cursor, [lastCall]] = await Promise.all([
      store.agencies.feedCursor(agency.agencyId),
      store.agencies.listCalls({ agencyId: agency.agencyId, limit: 1 }),
    ]);
    agencies.push({
      agencyId: agency.agencyId,
      name: agency.name,
      services: agency.services,
      webhookUrl: agency.webhookUrl,
      disabled: agency.disabledAt !== null,
      cursor,
      lastCallAt: lastCall?.at ?? null,
      deadWebhooks: deadHooks.filter((job) => job.key?.startsWith(`${agency.agencyId}:`)).length,
    });
  }
  return {
    generatedAt: now.toISOString(),
    timeZone: [...services.values()][0]?.timeZone ?? 'UTC',
    kiosks,
    counts,
    years: [...byYear.entries()]
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([year, e]) => ({ year, ...e, total: e.selfService + e.assisted })),
    siteOf,
    serviceTitles: Object.fromEntries([...services].map(([id, info]) => [id, info.title])),
    decisions: decisionFigures(await store.agencies.decisionRows(fromDay), services, siteOf, now),
    sms: smsSubscriptions(optIns, serviceOfRef, services),
    agencies,
    smsAlerts: await store.sms.figures(),
    wedges: await store.chains.wedges(),
  };
}

/** The counts as CSV (one row per day, site, kiosk, service and channel). */
export function countsCsv(view: FleetView): string {
  const cell = (value: string | number): string => {
    const text = String(value);
    // Quote everything that could be read as a formula by a spreadsheet, or breaks a cell.
    return /^[=+\-@\t\r]|[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [['day', 'site', 'kiosk', 'service', 'channel', 'completed', 'voided'].join(',')];
  for (const row of view.counts) {
    lines.push(
      [
        row.day,
        view.siteOf[row.kioskId] ?? row.kioskId,
        row.kioskId,
        row.serviceId,
        row.channel,
        row.count - row.voided,
        row.voided,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
