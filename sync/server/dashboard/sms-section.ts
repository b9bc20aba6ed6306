import { formatNumber } from '../../../kiosk-config/formatting';
import type { SmsFigures, SmsMessageState } from '../sms/sms-store';
import { esc } from './dashboard-pages';

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
 * The dashboard's SMS alerts: subscribers (distinct phone numbers with an active subscription)
 * and messages by state, per service, in GOV.UK Notify's status words.
 */
export function smsAlertsSection(figures: SmsFigures): string {
  const rows = figures.services
    .map((service) => {
      const cells = COLUMNS.map(
        ([state]) => `<td class="num">${formatNumber(service.messages[state] ?? 0)}</td>`,
      ).join('');
      return `<tr><th scope="row">${esc(service.serviceId)}</th><td class="num"><b>${formatNumber(service.subscribers)}</b></td>${cells}</tr>`;
    })
    .join('');
  return `<h2 id="sms">SMS alerts</h2>
<p><b>${formatNumber(figures.subscribers)}</b> subscribers (phone numbers with an active subscription); ${formatNumber(figures.stopped)} subscriptions ended by a reply of STOP.</p>
<div class="scroll"><table class="sms"><thead><tr><th>Service</th><th>Subscribers</th>${COLUMNS.map(([, label]) => `<th>${label}</th>`).join('')}</tr></thead>
<tbody>${rows || `<tr><td colspan="${COLUMNS.length + 2}">No SMS subscriptions yet.</td></tr>`}</tbody></table></div>`;
}
