import { countries } from '../../../kiosk-config/countries';
import { wallClock } from '../../../kiosk-config/formatting';
import type { CalendarDate } from '../../../kiosk-config/formatting';
import type { Catalogue } from '../../../kiosk-config/schema';
import type { DecisionRow } from '../agency/agencies';

/** What the figures need of a service: its name, its decision target, its country's clock. */
export interface ServiceInfo {
  title: string;
  targetWorkingDays?: number;
  timeZone: string;
}

/**
 * Services by id from the catalogues the gateway serves. A service id in more than one
 * catalogue takes the first one's name and target (a national gateway passes only its own).
 */
export function servicesOf(catalogues: readonly Catalogue[]): Map<string, ServiceInfo> {
  const services = new Map<string, ServiceInfo>();
  for (const catalogue of catalogues) {
    for (const service of catalogue.services) {
      if (services.has(service.id)) continue;
      services.set(service.id, {
        title: service.title.en,
        ...(service.decisionTargetWorkingDays
          ? { targetWorkingDays: service.decisionTargetWorkingDays }
          : {}),
        timeZone: countries[catalogue.country].timeZone,
      });
    }
  }
  return services;
}

const dayNumber = (date: CalendarDate): number => Date.UTC(date.year, date.month - 1, date.day);

/**
 * The last day (in the service's time zone) an application submitted at `submittedAt` may be
 * decided on to be within `workingDays`: that many Mondays-to-Fridays after the day of
 * submission. Submitted on a Friday with a target of 5: decided by the next Friday.
 */
export function decisionDeadline(
  submittedAt: string,
  workingDays: number,
  timeZone: string,
): number {
  let day = dayNumber(wallClock(submittedAt, timeZone));
  let left = workingDays;
  while (left > 0) {
    day += 86_400_000;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return day;
}

/** Processing figures of one service or one site. */
export interface ProcessingRow {
  key: string;
  label: string;
  submitted: number;
  decided: number;
  /** Days from submission to decision (calendar days, one decimal), of the decided ones. */
  medianDays: number | null;
  p90Days: number | null;
  /** Decided within the target; late: decided after it, or still undecided past it. */
  onTime: number;
  late: number;
  /** Undecided and still within the target (not yet counted either way). */
  pending: number;
  /** onTime / (onTime + late), in percent; null when nothing could be counted. */
  sharePct: number | null;
  targetWorkingDays?: number;
}

export interface DecisionFigures {
  byService: ProcessingRow[];
  bySite: ProcessingRow[];
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[at] ?? 0) * 10) / 10;
}

/**
 * Processing time from submission (the kiosk's commit time) to decision (the agency's first
 * `approved` or `refused`), and the share decided within each service's target, by service and
 * by site. Only applications of services an agency owns are measured (the others are decided
 * outside this loop); voided ones are left out by the store.
 */
export function decisionFigures(
  rows: readonly DecisionRow[],
  services: ReadonlyMap<string, ServiceInfo>,
  siteOf: Readonly<Record<string, string>>,
  now: Date,
): DecisionFigures {
  interface Acc {
    label: string;
    submitted: number;
    days: number[];
    onTime: number;
    late: number;
    pending: number;
    targetWorkingDays?: number;
  }
  const byService = new Map<string, Acc>();
  const bySite = new Map<string, Acc>();
  const acc = (map: Map<string, Acc>, key: string, label: string): Acc => {
    let entry = map.get(key);
    if (!entry) {
      entry = { label, submitted: 0, days: [], onTime: 0, late: 0, pending: 0 };
      map.set(key, entry);
    }
    return entry;
  };
  const today = now.getTime();
  for (const row of rows) {
    if (!row.tracked) continue;
    const service = services.get(row.serviceId);
    const site = siteOf[row.kioskId] ?? row.kioskId;
    const entries = [
      acc(byService, row.serviceId, service?.title ?? row.serviceId),
      acc(bySite, site, site),
    ];
    const target = service?.targetWorkingDays;
    const byServiceEntry = entries[0];
    if (byServiceEntry && target) byServiceEntry.targetWorkingDays = target;
    let verdict: 'onTime' | 'late' | 'pending' | undefined;
    if (target && service) {
      const deadline = decisionDeadline(row.submittedAt, target, service.timeZone);
      if (row.decidedAt) {
        verdict =
          dayNumber(wallClock(row.decidedAt, service.timeZone)) <= deadline ? 'onTime' : 'late';
      } else {
        verdict = dayNumber(wallClock(today, service.timeZone)) > deadline ? 'late' : 'pending';
      }
    }
    for (const entry of entries) {
      entry.submitted += 1;
      if (row.decidedAt) {
        entry.days.push((Date.parse(row.decidedAt) - Date.parse(row.submittedAt)) / 86_400_000);
      }
      if (verdict) entry[verdict] += 1;
    }
  }
  const finish = (map: Map<string, Acc>): ProcessingRow[] =>
    [...map.entries()]
      .map(([key, entry]) => {
        const sorted = [...entry.days].sort((a, b) => a - b);
        const counted = entry.onTime + entry.late;
        return {
          key,
          label: entry.label,
          submitted: entry.submitted,
          decided: sorted.length,
          medianDays: quantile(sorted, 0.5),
          p90Days: quantile(sorted, 0.9),
          onTime: entry.onTime,
          late: entry.late,
          pending: entry.pending,
          sharePct: counted === 0 ? null : Math.round((entry.onTime / counted) * 1000) / 10,
          ...(entry.targetWorkingDays ? { targetWorkingDays: entry.targetWorkingDays } : {}),
        };
      })
      .sort((a, b) => b.submitted - a.submitted || a.key.localeCompare(b.key));
  return { byService: finish(byService), bySite: finish(bySite) };
}

/** SMS opt-ins by the service of the application they were made for. */
export interface SmsSubscriptionRow {
  serviceId: string | null;
  label: string;
  subscriptions: number;
}

/**
 * Counts the SMS opt-in records (the `sms-alerts` transactions, voided ones left out) by the
 * service of the receipt each names (`forReference`); one made at the SMS service itself, not
 * for a receipt, counts under "all services".
 */
export function smsSubscriptions(
  optIns: ReadonlyArray<{ fields: Record<string, string> }>,
  serviceOfRef: ReadonlyMap<string, string>,
  services: ReadonlyMap<string, ServiceInfo>,
): SmsSubscriptionRow[] {
  const counts = new Map<string | null, number>();
  for (const optIn of optIns) {
    const ref = optIn.fields.forReference;
    const serviceId = ref ? (serviceOfRef.get(ref) ?? null) : null;
    counts.set(serviceId, (counts.get(serviceId) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([serviceId, subscriptions]) => ({
      serviceId,
      label: serviceId
        ? (services.get(serviceId)?.title ?? serviceId)
        : 'All services (signed up without a receipt)',
      subscriptions,
    }))
    .sort((a, b) => b.subscriptions - a.subscriptions || a.label.localeCompare(b.label));
}
