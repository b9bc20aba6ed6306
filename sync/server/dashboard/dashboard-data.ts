import type { GatewayStore, TamperAlert, TransactionCount } from '../store';
import type { SmsFigures } from '../sms/sms-store';
import type { ChainWedge } from '../chain-repair';

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
  alerts: TamperAlert[];
}

export interface FleetView {
  generatedAt: string;
  kiosks: KioskHealth[];
  counts: TransactionCount[];
  /** Transactions completed via access points (voided ones left out), per year and channel. */
  years: Array<{ year: string; selfService: number; assisted: number; total: number }>;
  /** Site per kiosk id, from heartbeats (the kiosk id when a kiosk has not said). */
  siteOf: Record<string, string>;
  /** SMS subscribers and messages by service. */
  sms: SmsFigures;
  /** Kiosk chains stopped by a held record that does not link (shown until repaired). */
  wedges: ChainWedge[];
}

export async function loadFleetView(store: GatewayStore, now: Date): Promise<FleetView> {
  const kiosks: KioskHealth[] = [];
  for (const kiosk of await store.listKiosks()) {
    const [beat, alerts, counts] = await Promise.all([
      store.lastHeartbeat(kiosk.kioskId),
      store.listTamperAlerts(kiosk.kioskId),
      store.countRecords(kiosk.kioskId),
    ]);
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
  return {
    generatedAt: now.toISOString(),
    kiosks,
    counts,
    years: [...byYear.entries()]
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([year, e]) => ({ year, ...e, total: e.selfService + e.assisted })),
    siteOf: Object.fromEntries(kiosks.map((k) => [k.kioskId, k.siteId])),
    sms: await store.sms.figures(),
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
