import { formatDateTime } from '../../../kiosk-config/formatting';

/**
 * The fleet dashboard's page shell, shared by every page module: HTML escaping (everything from
 * data goes through `esc`), the document around a page, and the navigation bar.
 */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * An instant (ISO 8601 from the store) as the gateway's country reads its clock, "14 November
 * 2026, 10:30", in a `<time>` element that keeps the exact instant. A value that is not a time is
 * shown as it came, escaped, rather than hidden.
 */
export function when(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  try {
    return `<time datetime="${esc(iso)}">${esc(formatDateTime(iso, 'en', timeZone))}</time>`;
  } catch {
    return esc(iso);
  }
}

export function page(title: string, body: string, csrf?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${csrf ? `<meta name="csrf-token" content="${esc(csrf)}">` : ''}
<title>${esc(title)} · Service Point fleet</title><link rel="stylesheet" href="/admin/static/dashboard.css"></head>
<body>${body}</body></html>`;
}

export function nav(csrf: string, current: 'fleet' | 'bundles' | 'chains'): string {
  const link = (href: string, label: string, key: string): string =>
    `<a href="${href}"${key === current ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<header class="bar"><strong>Service Point · fleet</strong><nav>
${link('/admin/dashboard', 'Fleet', 'fleet')} ${link('/admin/bundles', 'Import a USB bundle', 'bundles')} ${link('/admin/chains', 'Chain repairs', 'chains')}
<a href="/admin/export.csv">Download CSV</a>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${esc(csrf)}"><button>Sign out</button></form>
</nav></header>`;
}
