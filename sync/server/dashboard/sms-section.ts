import { formatNumber } from '../../../kiosk-config/formatting';
import { SMS_OPT_IN_SERVICE } from '../sms/sms-store';
import type { SmsFigures, SmsMessageState } from '../sms/sms-store';
import { esc } from './page-shell';
import type { SmsSubscriptionRow } from './decision-figures';

const COLUMNS: Array<[SmsMessageState, string]> = [
  ['delivered', 'Delivered'],
  ['sending', 'Sending'],
  ['queued', 'Queued'],
  ['temporary-failure', 'Temporary failure'],
  ['permanent-failure', 'Permanent failure'],
  ['technical-failure', 'Technical failure'],
  ['cancelled', 'Cancelled'],
];

/**
 * The dashboard's SMS alerts, one row per service: the sign-ups made at the kiosks (voided ones
 * left out, by the service of the receipt they name), the subscribers now (distinct phone
 * numbers with an active subscription) and the messages by state, in GOV.UK Notify's words.
 */
export function smsAlertsSection(figures: SmsFigures, signUps: SmsSubscriptionRow[]): string {
  const names = new Map(signUps.map((row) => [row.serviceId ?? '', row.label]));
  // Subscriptions made without a receipt are under the SMS service itself in the SMS tables.
  const keyOf = (serviceId: string) => (serviceId === SMS_OPT_IN_SERVICE ? '' : serviceId);
  const ids = [
    ...new Set([
      ...signUps.map((row) => row.serviceId ?? ''),
      ...figures.services.map((s) => keyOf(s.serviceId)),
    ]),
  ];
  const rows = ids
    .map((id) => {
      const sent = figures.services.find((service) => keyOf(service.serviceId) === id);
      const signedUp = signUps.find((row) => (row.serviceId ?? '') === id)?.subscriptions ?? 0;
      const cells = COLUMNS.map(
        ([state]) => `<td class="num">${formatNumber(sent?.messages[state] ?? 0)}</td>`,
      ).join('');
      const label = names.get(id) ?? (id || 'All services (signed up without a receipt)');
      return `<tr data-sms-service="${esc(id || 'all')}"><th scope="row">${esc(label)}</th><td class="num">${formatNumber(signedUp)}</td><td class="num"><b>${formatNumber(sent?.subscribers ?? 0)}</b></td>${cells}</tr>`;
    })
    .join('');
  const total = signUps.reduce((sum, row) => sum + row.subscriptions, 0);
  return `<h2 id="sms">SMS alerts by service</h2>
<p class="muted">Sign-ups: SMS alerts asked for at the kiosks (voided ones left out), by the service of the receipt they were made for. Subscribers: phone numbers with an active subscription. Messages by what the SMS centre's delivery receipts said.</p>
<p><b>${formatNumber(total)}</b> ${total === 1 ? 'sign-up' : 'sign-ups'}; <b>${formatNumber(figures.subscribers)}</b> ${figures.subscribers === 1 ? 'subscriber' : 'subscribers'} now; ${formatNumber(figures.stopped)} ended by a reply of STOP.</p>
<div class="scroll"><table class="sms"><thead><tr><th>Service</th><th>Sign-ups</th><th>Subscribers</th>${COLUMNS.map(([, label]) => `<th>${label}</th>`).join('')}</tr></thead>
<tbody>${rows || `<tr><td colspan="${COLUMNS.length + 3}">No SMS sign-ups yet.</td></tr>`}</tbody></table></div>`;
}
