import type { FleetView, KioskHealth } from './dashboard-data';
import { formatNumber } from '../../../kiosk-config/formatting';
import { smsAlertsSection } from './sms-section';
import { wedgeAlert } from './chain-repair-pages';
import type { ProcessingRow } from './decision-figures';
import { esc, nav, page, when } from './page-shell';

/** Server-rendered pages of the fleet dashboard. Everything from data is escaped. */
export function loginPage(message?: string): string {
  return page(
    'Sign in',
    `<main class="login"><h1>Fleet dashboard</h1>
<form method="post" action="/admin/login">
<label for="password">Administrator password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}</main>`,
  );
}

function age(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

function since(iso: string | null, now: Date): string {
  return iso ? `${age(now.getTime() - Date.parse(iso))} ago` : 'never';
}

const good = new Set(['online', 'ready', 'ok', 'connected']);

function kioskRow(k: KioskHealth, now: Date): string {
  const status = (value: string, simulated: boolean): string =>
    `<span class="pill ${good.has(value) ? 'ok' : value === 'unknown' ? 'muted' : 'warn'}">${esc(value)}</span>${simulated ? ' <small>(simulated)</small>' : ''}`;
  // The latest incident: raised last, first or again.
  const alert = k.alerts.reduce<(typeof k.alerts)[number] | undefined>(
    (latest, a) => (!latest || a.lastAt >= latest.lastAt ? a : latest),
    undefined,
  );
  const repeats =
    alert && alert.repeats > 1
      ? `, <span data-alert-repeats="${alert.repeats}">raised ${alert.repeats} times, last ${since(alert.lastAt, now)}</span>`
      : '';
  return `<tr data-kiosk="${esc(k.kioskId)}">
<th scope="row">${esc(k.kioskId)}<br><small>${esc(k.siteId)}</small></th>
<td>${since(k.lastHeartbeatAt, now)}</td>
<td>${status(k.link, false)}</td>
<td class="num">${k.queueDepth === null ? '—' : formatNumber(k.queueDepth)}</td>
<td>${age(k.oldestQueuedAgeMs)}</td>
<td>${since(k.lastDeliveryAt, now)}</td>
<td>${status(k.printer, k.simulated.includes('printer'))}</td>
<td>${status(k.cardReader, k.simulated.includes('card-reader'))}</td>
<td>${esc(k.appVersion)}<br><small>config ${esc(k.configVersion)}</small></td>
<td class="num">${k.headSeq}${k.awaiting > 0 ? `<br><small>${k.awaiting} awaiting</small>` : ''}</td>
<td>${k.alerts.length === 0 ? '<span class="pill ok">none</span>' : `<span class="pill bad">${k.alerts.length}</span> <small>${esc(alert?.kind ?? '')} at seq ${esc(alert?.seq ?? '—')}${repeats}</small>`}${k.repairedAlerts > 0 ? `<br><small data-repaired-alerts="${k.repairedAlerts}">${k.repairedAlerts} settled by a <a href="/admin/chains">chain repair</a></small>` : ''}</td>
</tr>`;
}

const COLORS = { 'self-service': '#1b6ca8', assisted: '#c2571a' } as const;

/** Stacked bars of transactions per day (self-service and assisted), last `days` days. */
function dailyChart(view: FleetView, now: Date, days = 30): string {
  const perDay = new Map<string, { 'self-service': number; assisted: number }>();
  for (let i = days - 1; i >= 0; i -= 1) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    perDay.set(day, { 'self-service': 0, assisted: 0 });
  }
  for (const row of view.counts) {
    const entry = perDay.get(row.day);
    if (!entry) continue;
    const channel = row.channel === 'assisted' ? 'assisted' : 'self-service';
    entry[channel] += row.count - row.voided;
  }
  const max = Math.max(1, ...[...perDay.values()].map((e) => e['self-service'] + e.assisted));
  const width = 720;
  const height = 200;
  const bar = width / days;
  let bars = '';
  let i = 0;
  for (const [day, entry] of perDay) {
    const self = (entry['self-service'] / max) * (height - 20);
    const assisted = (entry.assisted / max) * (height - 20);
    const x = i * bar + 2;
    bars += `<g><title>${day}: ${entry['self-service']} self-service, ${entry.assisted} assisted</title>
<rect x="${x}" y="${height - self}" width="${bar - 4}" height="${self}" fill="${COLORS['self-service']}"/>
<rect x="${x}" y="${height - self - assisted}" width="${bar - 4}" height="${assisted}" fill="${COLORS.assisted}"/></g>`;
    if (i % 7 === 0)
      bars += `<text x="${x}" y="${height + 14}" font-size="11">${day.slice(5)}</text>`;
    i += 1;
  }
  return `<svg viewBox="0 0 ${width} ${height + 20}" role="img" aria-label="Transactions per day, last ${days} days, by channel">
<text x="0" y="12" font-size="11">max ${formatNumber(max)}/day</text>${bars}</svg>`;
}

/** Horizontal bars of completed transactions per key, split by channel. */
function barsBy(
  view: FleetView,
  label: string,
  keyOf: (row: FleetView['counts'][number]) => string,
): string {
  const totals = new Map<string, { 'self-service': number; assisted: number }>();
  for (const row of view.counts) {
    const key = keyOf(row);
    const entry = totals.get(key) ?? { 'self-service': 0, assisted: 0 };
    entry[row.channel === 'assisted' ? 'assisted' : 'self-service'] += row.count - row.voided;
    totals.set(key, entry);
  }
  const rows = [...totals.entries()].sort(
    (a, b) => b[1]['self-service'] + b[1].assisted - (a[1]['self-service'] + a[1].assisted),
  );
  const max = Math.max(1, ...rows.map(([, e]) => e['self-service'] + e.assisted));
  const rowHeight = 22;
  const width = 720;
  const labelWidth = 230;
  const scale = (n: number): number => (n / max) * (width - labelWidth - 60);
  const body = rows
    .map(([key, e], index) => {
      const y = index * rowHeight;
      const self = scale(e['self-service']);
      const assisted = scale(e.assisted);
      return `<g><title>${esc(key)}: ${e['self-service']} self-service, ${e.assisted} assisted</title>
<text x="0" y="${y + 15}" font-size="12">${esc(key.length > 32 ? `${key.slice(0, 31)}…` : key)}</text>
<rect x="${labelWidth}" y="${y + 3}" width="${self}" height="${rowHeight - 6}" fill="${COLORS['self-service']}"/>
<rect x="${labelWidth + self}" y="${y + 3}" width="${assisted}" height="${rowHeight - 6}" fill="${COLORS.assisted}"/>
<text x="${labelWidth + self + assisted + 6}" y="${y + 15}" font-size="12">${formatNumber(e['self-service'] + e.assisted)}</text></g>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${Math.max(1, rows.length) * rowHeight}" role="img" aria-label="${esc(label)}">${body}</svg>`;
}

const days = (value: number | null): string => (value === null ? '—' : formatNumber(value, 1));

/** One table of processing figures (by service or by site). */
function processingTable(rows: ProcessingRow[], first: string, id: string): string {
  const body = rows
    .map(
      (r) => `<tr data-${id}="${esc(r.key)}"><th scope="row">${esc(r.label)}</th>
<td class="num">${r.targetWorkingDays ?? '—'}</td><td class="num">${r.submitted}</td><td class="num">${r.decided}</td>
<td class="num">${days(r.medianDays)}</td><td class="num">${days(r.p90Days)}</td>
<td class="num">${r.onTime}</td><td class="num">${r.late}</td><td class="num">${r.pending}</td>
<td class="num"><b>${r.sharePct === null ? '—' : `${r.sharePct.toFixed(1)}%`}</b></td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table class="figures"><thead><tr><th>${first}</th><th>Target (working days)</th><th>Submitted</th><th>Decided</th><th>Median days to decision</th><th>90% decided within (days)</th><th>Decided within target</th><th>Late</th><th>Pending</th><th>Share within target</th></tr></thead>
<tbody>${body || '<tr><td colspan="10">No application of a service with an agency yet.</td></tr>'}</tbody></table></div>`;
}

function decisionsSection(view: FleetView): string {
  const { byService, bySite } = view.decisions;
  return `<h2>From submission to decision</h2>
<p class="muted">Days from the citizen's submission at the kiosk to the agency's first decision (approved or refused), for the services an agency owns, over the last 365 days. Within target: decided within the service's target in working days (Monday to Friday); late: decided after it, or still undecided past it; pending: undecided, still within it. Targets come from the service catalogue.</p>
<h3>By service</h3>${processingTable(byService, 'Service', 'figure-service')}
<h3>By site</h3>${processingTable(bySite, 'Site', 'figure-site')}`;
}

function agenciesSection(view: FleetView, now: Date): string {
  return `<h2>Agencies</h2>
<p class="muted">Registered with <code>npm run gateway -- agency add</code> (see the README). Feed: entries acknowledged / given out.</p>
<div class="scroll"><table class="agencies"><thead><tr><th>Agency</th><th>Services</th><th>Delivery</th><th>Feed</th><th>Last call</th><th>Failed webhooks</th></tr></thead><tbody>
${
  view.agencies
    .map(
      (
        a,
      ) => `<tr data-agency="${esc(a.agencyId)}"><th scope="row">${esc(a.name)}<br><small>${esc(a.agencyId)}${a.disabled ? ' · <span class="pill bad">disabled</span>' : ''}</small></th>
<td>${esc(a.services.join(', ') || '—')}</td>
<td>${a.webhookUrl ? `webhook <small>${esc(a.webhookUrl)}</small>` : 'pull'}</td>
<td class="num">${a.cursor.ackedThrough} / ${a.cursor.head}${a.cursor.unacked > 0 ? `<br><small>${a.cursor.unacked} waiting</small>` : ''}</td>
<td>${since(a.lastCallAt, now)}</td>
<td class="num">${a.deadWebhooks === 0 ? '0' : `<span class="pill bad">${a.deadWebhooks}</span>`}</td></tr>`,
    )
    .join('') || '<tr><td colspan="6">No agency registered.</td></tr>'
}
</tbody></table></div>`;
}

export function dashboardPage(view: FleetView, csrf: string): string {
  const now = new Date(view.generatedAt);
  const alerts = view.kiosks.reduce((n, k) => n + k.alerts.length, 0);
  const online = view.kiosks.filter((k) => k.link === 'online').length;
  const sites = new Set(view.kiosks.map((k) => k.siteId)).size;
  const thisYear = view.years.find((y) => y.year === view.generatedAt.slice(0, 4));
  const counted = view.decisions.byService.reduce(
    (sum, r) => ({ onTime: sum.onTime + r.onTime, late: sum.late + r.late }),
    { onTime: 0, late: 0 },
  );
  const withinTarget =
    counted.onTime + counted.late === 0
      ? '—'
      : `${((counted.onTime / (counted.onTime + counted.late)) * 100).toFixed(1)}%`;
  const legend = `<p class="legend"><span class="swatch self"></span> self-service <span class="swatch assisted"></span> assisted</p>`;
  return page(
    'Fleet',
    `${nav(csrf, 'fleet')}<main>
${wedgeAlert(view.wedges)}
<section class="tiles" aria-label="Summary">
<div><b>${view.kiosks.length}</b> ${view.kiosks.length === 1 ? 'kiosk' : 'kiosks'} at <b>${sites}</b> ${sites === 1 ? 'centre' : 'centres'}</div>
<div><b>${online}</b> online now</div>
<div><b>${formatNumber(thisYear?.total ?? 0)}</b> transactions via access points this year</div>
<div class="${alerts > 0 ? 'bad' : ''}"><b>${alerts}</b> ${alerts === 1 ? 'tamper alert' : 'tamper alerts'}</div>
<div><b>${withinTarget}</b> decided within target</div>
</section>
<h2>Kiosks</h2>
<div class="scroll"><table class="kiosks"><thead><tr><th>Kiosk / site</th><th>Last heartbeat</th><th>Link</th><th>Queue</th><th>Oldest queued</th><th>Last delivery</th><th>Printer</th><th>Card reader</th><th>Versions</th><th>Chain head</th><th>Tamper alerts</th></tr></thead>
<tbody>${view.kiosks.map((k) => kioskRow(k, now)).join('') || '<tr><td colspan="11">No kiosk has enrolled yet.</td></tr>'}</tbody></table></div>
<h2>Transactions completed via access points, per year</h2>
<table class="years"><thead><tr><th>Year</th><th>Self-service</th><th>Assisted</th><th>Total</th></tr></thead><tbody>
${view.years.map((y) => `<tr><th scope="row">${esc(y.year)}</th><td class="num">${formatNumber(y.selfService)}</td><td class="num">${formatNumber(y.assisted)}</td><td class="num"><b>${formatNumber(y.total)}</b></td></tr>`).join('') || '<tr><td colspan="4">No transactions yet.</td></tr>'}
</tbody></table>
<h2>Transactions per day (last 30 days)</h2>${legend}${dailyChart(view, now)}
<h2>By site</h2>${barsBy(view, 'Transactions by site', (row) => view.siteOf[row.kioskId] ?? row.kioskId)}
<h2>By service</h2>${barsBy(view, 'Transactions by service', (row) => view.serviceTitles[row.serviceId] ?? row.serviceId)}
${decisionsSection(view)}
${smsAlertsSection(view.smsAlerts, view.sms)}
${agenciesSection(view, now)}
<p class="muted">Generated ${when(view.generatedAt, view.timeZone)} (${esc(view.timeZone)} time). Voided transactions are not counted.</p>
</main>`,
    csrf,
  );
}

export function bundlesPage(csrf: string): string {
  return page(
    'Import a USB bundle',
    `${nav(csrf, 'bundles')}<main>
<h1>Import a USB bundle</h1>
<p>Choose the <code>.spbundle</code> file a telecentre operator brought on a USB drive. Importing the same bundle again, or a bundle whose records have since arrived over the network, adds nothing twice.</p>
<form id="bundle-form" method="post" action="/admin/bundles">
<label for="bundle">Bundle file</label> <input id="bundle" name="bundle" type="file" accept=".spbundle,application/json" required>
<button type="submit">Import</button></form>
<output id="bundle-result" role="status" aria-live="polite"></output>
<script src="/admin/static/upload.js"></script>
</main>`,
    csrf,
  );
}

export const dashboardCss = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f5f7fa}
.bar{display:flex;justify-content:space-between;align-items:center;background:#12355b;color:#fff;padding:.6rem 1rem}
.bar nav{display:flex;gap:1rem;align-items:center}.bar a{color:#fff}.bar a[aria-current]{font-weight:bold;text-decoration:none}
.bar form{margin:0}.bar button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.2rem .6rem;cursor:pointer}
main{padding:1rem 1.5rem;max-width:1400px}
h2{margin-top:1.8rem;font-size:1.15rem}h3{font-size:1rem;margin:1rem 0 .4rem}
.tiles{display:flex;gap:1rem;flex-wrap:wrap}.tiles div{background:#fff;border:1px solid #d4dbe4;border-radius:6px;padding:.7rem 1rem}
.tiles b{font-size:1.4rem}.tiles .bad{border-color:#b3261e;color:#b3261e}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #d4dbe4;padding:.35rem .55rem;text-align:left;vertical-align:top}
thead th{background:#e8edf3}.num{text-align:right}small{color:#5a6472}
.pill{border-radius:999px;padding:0 .5rem;font-size:.85rem;border:1px solid}
.pill.ok{color:#17663a;border-color:#17663a}.pill.warn{color:#8a5300;border-color:#8a5300}.pill.bad{color:#b3261e;border-color:#b3261e}.pill.muted{color:#5a6472}
svg{max-width:760px;width:100%;background:#fff;border:1px solid #d4dbe4;display:block}
.legend .swatch{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle}.swatch.self{background:#1b6ca8}.swatch.assisted{background:#c2571a}
.login{max-width:360px;margin:4rem auto;background:#fff;padding:1.5rem;border:1px solid #d4dbe4;border-radius:8px}
.login input{display:block;width:100%;box-sizing:border-box;margin:.4rem 0 1rem;padding:.5rem;font-size:1rem}
button[type=submit]{background:#12355b;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;font-size:1rem;cursor:pointer}
.error{color:#b3261e}.muted{color:#5a6472}
output{display:block;margin-top:1rem;white-space:pre-wrap}output.ok{color:#17663a}output.bad{color:#b3261e}
`;

/** Sends the chosen file as the request body (no multipart parser needed) with the CSRF token. */
export const uploadJs = `'use strict';
document.getElementById('bundle-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = document.getElementById('bundle-result');
  const file = document.getElementById('bundle').files[0];
  if (!file) return;
  out.className = ''; out.textContent = 'Importing…';
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  try {
    const reply = await fetch('/admin/bundles', { method: 'POST', body: file, credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf } });
    const json = await reply.json();
    out.className = json.ok ? 'ok' : 'bad';
    out.textContent = json.message;
  } catch (error) {
    out.className = 'bad'; out.textContent = 'The upload failed: ' + error.message;
  }
});
`;
