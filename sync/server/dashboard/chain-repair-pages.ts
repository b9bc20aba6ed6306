import type { ChainCandidate, ChainConflict, ChainRepair, ChainWedge } from '../chain-repair';
import { MIN_REASON_CHARS } from '../chain-repair';
import { esc, nav, page, when } from './page-shell';

/** The fleet page's alert: one line per wedged chain, until it is repaired. */
export function wedgeAlert(wedges: ChainWedge[]): string {
  if (wedges.length === 0) return '';
  return `<section class="alert" role="alert" aria-labelledby="wedge-title">
<h2 id="wedge-title">${wedges.length === 1 ? 'A kiosk chain is stopped' : `${wedges.length} kiosk chains are stopped`}</h2>
<ul>${wedges
    .map(
      (w) =>
        `<li><b>${esc(w.kioskId)}</b>: the head is stuck at seq ${w.headSeq}; the record held at seq ${w.headSeq + 1} does not continue the chain${w.refused > 0 ? `, and ${w.refused} refused record${w.refused === 1 ? '' : 's'} for that seq wait${w.refused === 1 ? 's' : ''} for your decision` : ''}. <a href="/admin/chains?kiosk=${encodeURIComponent(w.kioskId)}">Repair</a></li>`,
    )
    .join('')}</ul></section>`;
}

function side(title: string, c: ChainCandidate | undefined, timeZone: string): string {
  if (!c) return `<td>${esc(title)}: none</td>`;
  const row = (label: string, value: string) =>
    `<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return `<td><table class="record"><caption>${esc(title)}</caption>
${row('Record id', `<code>${esc(c.txId)}</code>`)}
${row('Kind', esc(c.kind))}
${row('Reference', esc(c.ref || '—'))}
${row('Service', esc(c.serviceId || '—'))}
${row('Made on the kiosk', when(c.createdAt, timeZone))}
${row('Received', when(c.receivedAt, timeZone))}
${row('Hash', `<code>${esc(c.hash.slice(0, 16))}…</code>`)}
${row('prevHash', `<code>${esc(c.prevHash.slice(0, 16))}…</code>`)}
${row('Continues the chain', c.links ? '<span class="pill ok">yes</span>' : '<span class="pill bad">no</span>')}
</table></td>`;
}

function conflictForm(conflict: ChainConflict, csrf: string): string {
  const id = `${conflict.kioskId}-${conflict.seq}`;
  const choices = [
    ...(conflict.held && conflict.refused.length > 0
      ? [
          `<label><input type="radio" name="choice" value="held" required> Keep the record the gateway holds (<code>${esc(conflict.held.txId.slice(0, 8))}</code>); set the refused one${conflict.refused.length === 1 ? '' : 's'} aside</label>`,
        ]
      : []),
    // A chained record is never replaced: only one still held after a gap.
    ...(conflict.held?.state === 'awaiting'
      ? conflict.refused.map(
          (r) =>
            `<label><input type="radio" name="choice" value="${r.conflictId}" required> Put the refused record <code>${esc(r.txId.slice(0, 8))}</code> at seq ${conflict.seq}; set the held one aside${r.links ? '' : ' (it does not continue the chain either)'}</label>`,
        )
      : []),
  ];
  if (choices.length === 0) {
    return `<p class="muted">No refused record has arrived for this seq yet: the kiosk's own record will be shown here when it does.</p>`;
  }
  return `<form method="post" action="/admin/chains/repair" class="repair" aria-labelledby="title-${esc(id)}">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<input type="hidden" name="kioskId" value="${esc(conflict.kioskId)}">
<input type="hidden" name="seq" value="${conflict.seq}">
<fieldset><legend>Which record takes seq ${conflict.seq}?</legend>${choices.join('<br>')}</fieldset>
<label for="by-${esc(id)}">Your name</label> <input id="by-${esc(id)}" name="decidedBy" required maxlength="100">
<label for="reason-${esc(id)}">Reason (kept with the repair)</label>
<textarea id="reason-${esc(id)}" name="reason" required minlength="${MIN_REASON_CHARS}" maxlength="1000" rows="3"></textarea>
<button type="submit">Repair the chain</button></form>`;
}

/** The chain repair page: each conflicting seq side by side, the decision form, past repairs. */
export function chainsPage(
  conflicts: ChainConflict[],
  repairs: ChainRepair[],
  csrf: string,
  timeZone: string,
  message?: { ok: boolean; text: string },
): string {
  return page(
    'Chain repairs',
    `${nav(csrf, 'chains')}${chainsBody(conflicts, repairs, csrf, timeZone, message)}`,
    csrf,
  );
}

function chainsBody(
  conflicts: ChainConflict[],
  repairs: ChainRepair[],
  csrf: string,
  timeZone: string,
  message?: { ok: boolean; text: string },
): string {
  const sections = conflicts
    .map((c) => {
      const id = `${c.kioskId}-${c.seq}`;
      return `<section class="conflict" data-kiosk="${esc(c.kioskId)}" data-seq="${c.seq}">
<h2 id="title-${esc(id)}">${esc(c.kioskId)}, seq ${c.seq}${c.wedged ? ' <span class="pill bad">chain stopped here</span>' : ''}</h2>
<p>Chain head: seq ${c.headSeq}. The record held at seq ${c.seq} ${c.held?.links ? 'continues' : 'does not continue'} the chain.</p>
<table class="side-by-side"><tr>${side('Held by the gateway', c.held, timeZone)}${c.refused.map((r, i) => side(`Refused #${i + 1} (sent by the kiosk)`, r, timeZone)).join('')}</tr></table>
${conflictForm(c, csrf)}</section>`;
    })
    .join('');
  const history = repairs
    .map(
      (r) =>
        `<tr><td>${when(r.decidedAt, timeZone)}</td><td>${esc(r.kioskId)}</td><td class="num">${r.seq}</td><td>${r.kept === 'held' ? 'kept the held record' : 'put the refused record in place'} (<code>${esc(r.keptTxId.slice(0, 8))}</code>)</td><td><code>${esc(r.setAsideTxId.slice(0, 8))}</code> set aside</td><td>${esc(r.decidedBy)}</td><td>${esc(r.reason)}</td><td class="num">${r.headBefore} → ${r.headAfter}</td></tr>`,
    )
    .join('');
  return `<main>
<h1>Chain repairs</h1>
${message ? `<p class="${message.ok ? 'ok' : 'error'}" role="${message.ok ? 'status' : 'alert'}">${esc(message.text)}</p>` : ''}
<p>A record held after a kiosk's head that does not continue its chain stops the chain: the kiosk's true record for that seq is refused. Compare them, choose, and say why. Nothing is deleted: the record set aside is kept with the repair below.</p>
${sections || '<p>No chain needs a decision.</p>'}
<h2>Repairs made</h2>
<table class="repairs"><thead><tr><th>When (${esc(timeZone)})</th><th>Kiosk</th><th>Seq</th><th>Decision</th><th>Set aside</th><th>By</th><th>Reason</th><th>Head</th></tr></thead>
<tbody>${history || '<tr><td colspan="8">None yet.</td></tr>'}</tbody></table>
</main>`;
}

export const chainRepairCss = `
.alert{background:#fdecea;border:1px solid #b3261e;border-radius:6px;padding:.4rem 1rem;margin:1rem 0}.alert h2{margin:.3rem 0;color:#b3261e}
.conflict{background:#fff;border:1px solid #d4dbe4;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.side-by-side>tbody>tr>td{vertical-align:top;border:0;padding:0 1rem 0 0}.record caption{text-align:left;font-weight:bold}
.repair{display:grid;gap:.4rem;max-width:720px}.repair textarea,.repair input[name=decidedBy]{font:inherit;padding:.3rem}
p.ok{color:#17663a}
`;
